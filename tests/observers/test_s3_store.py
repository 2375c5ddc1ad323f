"""Scans kept in an S3-compatible object store (SeaweedFS here, MinIO the reference): the same
content-addressed names, the digest checked on every read, and a store that fails or lies is a
503 that writes nothing, never a 500 or a wrong file."""

from __future__ import annotations

import hashlib
import io
import socket
import time
import uuid
from pathlib import Path

import pytest

from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.observers.models import ProtocolScan
from tests import s3_server
from tests.factories import png_bytes
from tests.observers.support import save
from tests.processes import free_port

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    server = s3_server.start(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    s3_server.stop(server)


@pytest.fixture
def bucket(app, s3, monkeypatch) -> str:
    """The app keeps its scans in a new bucket of the server, made as a deployer makes it."""
    name = f"scans-{uuid.uuid4().hex[:12]}"
    s3_server.client(s3).make_bucket(name)
    monkeypatch.setitem(app.config, "SCAN_S3", s3.settings(name))
    return name


def _send(client, headers, world, content: bytes, media_type="application/pdf"):
    url = f"/api/v1/elections/{world.election_id}/precincts/{world.precinct_a}/protocol/scan"
    return client.post(url, data=content, headers={**headers, "Content-Type": media_type})


def _object(s3, bucket: str, sha256: str) -> bytes:
    response = s3_server.client(s3).get_object(bucket, f"scans/{sha256[:2]}/{sha256}")
    try:
        return response.read()
    finally:
        response.close()
        response.release_conn()


def _scans_and_events(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.query(ProtocolScan).count(),
            db.session.query(AuditEvent).filter_by(action="protocol.scan_attached").count(),
        )


def test_a_scan_goes_to_the_bucket_under_its_digest_and_is_served_from_it(
    app, client, night, secretary, s3, bucket
):
    save(client, secretary, night)
    response = _send(client, secretary, night, PDF)
    assert response.status_code == 201, response.get_json()
    sha256 = response.get_json()["sha256"]
    assert sha256 == hashlib.sha256(PDF).hexdigest()
    assert _object(s3, bucket, sha256) == PDF
    assert not any(p.is_file() for p in Path(app.config["SCAN_FOLDER"]).rglob(sha256))
    served = client.get(response.get_json()["url"])
    assert served.status_code == 200 and served.data == PDF
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_the_same_file_sent_twice_is_one_object(client, night, secretary, s3, bucket):
    save(client, secretary, night)
    photo = png_bytes()
    first = _send(client, secretary, night, photo, "image/png").get_json()["sha256"]
    again = _send(client, secretary, night, photo, "image/png")
    assert again.status_code == 201 and again.get_json()["sha256"] == first
    objects = list(s3_server.client(s3).list_objects(bucket, prefix="scans/", recursive=True))
    assert [item.object_name for item in objects] == [f"scans/{first[:2]}/{first}"]
    assert hashlib.sha256(_object(s3, bucket, first)).hexdigest() == first


def test_wrong_keys_are_a_503_that_writes_nothing(app, client, night, secretary, s3, monkeypatch):
    save(client, secretary, night)
    monkeypatch.setitem(app.config, "SCAN_S3", s3.settings("scans-refused", secret_key="wrong"))
    before = _scans_and_events(app)
    response = _send(client, secretary, night, PDF)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    (item,) = response.get_json()["errors"]
    assert item["code"] == "store_unavailable" and set(item) == {"code", "message"}
    assert _scans_and_events(app) == before


def test_a_bucket_that_does_not_exist_is_a_503_and_fails_the_check_never_a_404(
    app, client, night, secretary, s3, bucket, monkeypatch
):
    """A misconfigured bucket must not pass for scans that are merely missing."""
    save(client, secretary, night)
    kept = _send(client, secretary, night, PDF).get_json()
    monkeypatch.setitem(app.config, "SCAN_S3", s3.settings("no-such-bucket"))
    assert client.get(kept["url"]).status_code == 503
    refused = _send(client, secretary, night, png_bytes(), "image/png")
    assert refused.status_code == 503
    checked = app.test_cli_runner().invoke(args=["scans", "check"])
    assert checked.exit_code == 1
    assert "did not answer" in checked.output


def test_a_large_scan_sent_twice_is_kept_whole_in_one_object(client, night, secretary, s3, bucket):
    """Past 5 MB a client would upload in parts; a scan goes in one PUT, and again in one."""
    save(client, secretary, night)
    large = PDF[:-6] + b"%" + b"x" * (7 * 1024 * 1024) + b"\n%%EOF\n"
    first = _send(client, secretary, night, large)
    assert first.status_code == 201, first.get_json()
    again = _send(client, secretary, night, large)
    assert again.status_code == 201
    sha256 = first.get_json()["sha256"]
    assert _object(s3, bucket, sha256) == large
    etag = s3_server.client(s3).stat_object(bucket, f"scans/{sha256[:2]}/{sha256}").etag
    assert "-" not in etag  # a multipart upload's ETag is "<md5>-<parts>"


def test_a_store_that_does_not_answer_is_a_prompt_503_on_upload_and_on_reading(
    app, client, night, secretary, s3, bucket, monkeypatch
):
    save(client, secretary, night)
    kept = _send(client, secretary, night, PDF).get_json()
    closed = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setitem(app.config, "SCAN_S3", {**s3.settings(bucket), "endpoint": closed})
    started = time.monotonic()
    assert client.get(kept["url"]).status_code == 503
    refused = _send(client, secretary, night, png_bytes(), "image/png")
    assert refused.status_code == 503
    assert refused.get_json()["errors"][0]["code"] == "store_unavailable"
    assert time.monotonic() - started < 10


def test_a_store_that_accepts_and_never_answers_is_a_503_within_its_timeout(
    app, client, night, secretary, s3, monkeypatch
):
    """A hung store (the connection taken, no answer) must not hold the worker for long."""
    save(client, secretary, night)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        settings = {**s3.settings("scans-hung"), "endpoint": endpoint, "timeout": 1.0}
        monkeypatch.setitem(app.config, "SCAN_S3", settings)
        started = time.monotonic()
        response = _send(client, secretary, night, PDF)
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert response.get_json()["errors"][0]["code"] == "store_unavailable"
    assert waited < 5, f"held {waited:.1f} s for a 1 s timeout"


def test_an_object_replaced_in_the_store_is_never_served_and_sending_it_again_mends_it(
    client, night, secretary, s3, bucket
):
    save(client, secretary, night)
    kept = _send(client, secretary, night, PDF).get_json()
    forged = PDF.replace(b"Catalog", b"Forgery")
    key = f"scans/{kept['sha256'][:2]}/{kept['sha256']}"
    s3_server.client(s3).put_object(bucket, key, io.BytesIO(forged), len(forged))
    served = client.get(kept["url"])
    assert served.status_code == 503
    assert b"Forgery" not in served.data
    assert _send(client, secretary, night, PDF).status_code == 201
    assert client.get(kept["url"]).data == PDF


def test_a_file_damaged_in_the_folder_is_never_served_and_sending_it_again_mends_it(
    app, client, night, secretary
):
    save(client, secretary, night)
    pdf = PDF.replace(b"Catalog", b"Catalog/Lang(kk)")
    kept = _send(client, secretary, night, pdf).get_json()
    path = Path(app.config["SCAN_FOLDER"]) / kept["sha256"][:2] / kept["sha256"]
    path.write_bytes(PDF.replace(b"Catalog", b"Forgery"))
    assert client.get(kept["url"]).status_code == 503
    assert _send(client, secretary, night, pdf).status_code == 201
    assert client.get(kept["url"]).data == pdf


def test_the_folder_store_moves_to_the_bucket_and_every_file_is_checked_there(
    app, client, night, secretary, s3, monkeypatch
):
    """``flask scans copy FOLDER`` then ``flask scans check``: what a deployer runs to move."""
    save(client, secretary, night)
    photo, pdf = png_bytes(), PDF.replace(b"Catalog", b"Catalog/Lang(ru)")
    digests = [_send(client, secretary, night, photo, "image/png").get_json()["sha256"]]
    digests.append(_send(client, secretary, night, pdf).get_json()["sha256"])
    folder = app.config["SCAN_FOLDER"]
    bucket = f"scans-{uuid.uuid4().hex[:12]}"
    s3_server.client(s3).make_bucket(bucket)
    monkeypatch.setitem(app.config, "SCAN_S3", s3.settings(bucket))
    cli = app.test_cli_runner()
    before = cli.invoke(args=["scans", "check"])
    assert before.exit_code == 1
    assert "0 files kept" in before.output
    copied = cli.invoke(args=["scans", "copy", folder])
    assert copied.exit_code == 0, copied.output
    assert copied.output.startswith("2 files copied; 0 not found")
    assert sorted(_object(s3, bucket, sha) for sha in digests) == sorted(
        [photo_kept(client, digests[0]), pdf]
    )
    checked = cli.invoke(args=["scans", "check"])
    assert checked.exit_code == 0, checked.output
    assert "2 files kept, 0 missing, 0 damaged." in checked.output
    forged = b"%PDF-1.4 forged %%EOF"
    key = f"scans/{digests[1][:2]}/{digests[1]}"
    s3_server.client(s3).put_object(bucket, key, io.BytesIO(forged), len(forged))
    damaged = cli.invoke(args=["scans", "check"])
    assert damaged.exit_code == 1
    assert f"damaged: {digests[1]}" in damaged.output


def photo_kept(client, sha256: str) -> bytes:
    return client.get(f"/scans/{sha256}").data
