"""Scans of the signed protocol: kept by SHA-256, photos encoded again without their metadata
(the place a phone wrote into them above all), served as themselves and nothing else."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from elections.core.audit import AuditEvent
from elections.core.extensions import db
from tests.factories import GPS_IFD, jpeg_with_gps, png_bytes
from tests.observers.support import save

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _scan_url(world, precinct_id=None) -> str:
    precinct_id = precinct_id or world.precinct_a
    return f"/api/v1/elections/{world.election_id}/precincts/{precinct_id}/protocol/scan"


def _send(client, headers, world, content: bytes, media_type="image/jpeg", **kw):
    return client.post(
        _scan_url(world, **kw), data=content, headers={**headers, "Content-Type": media_type}
    )


def test_a_photo_is_kept_without_its_place_and_device(app, client, night, secretary):
    save(client, secretary, night)
    sent = jpeg_with_gps()
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS_IFD)  # it does carry a place
    response = _send(client, secretary, night, sent)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["version"] == 1 and body["media_type"] == "image/jpeg"
    served = client.get(body["url"])
    assert served.status_code == 200
    kept = served.data
    assert hashlib.sha256(kept).hexdigest() == body["sha256"]
    image = Image.open(io.BytesIO(kept))
    assert dict(image.getexif()) == {}
    assert b"PhoneMaker" not in kept and b"Exif" not in kept
    assert image.size == (64, 48)
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["Content-Disposition"].startswith("inline;")
    with app.app_context():
        event = db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == "protocol.scan_attached")
        ).scalar_one()
        assert body["sha256"] in event.payload


def test_a_pdf_is_kept_as_sent_and_served_as_an_attachment(client, night, secretary):
    save(client, secretary, night)
    response = _send(client, secretary, night, PDF, "application/pdf")
    assert response.status_code == 201
    assert response.get_json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    served = client.get(response.get_json()["url"])
    assert served.data == PDF
    assert served.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"GIF89a" + b"\x00" * 40, 415, "unsupported_media_type"),
        (b"<html><script>alert(1)</script></html>", 415, "unsupported_media_type"),
        (b"", 422, "empty_file"),
        (png_bytes()[:60], 422, "unreadable_file"),
        (jpeg_with_gps()[:-40], 422, "unreadable_file"),
        (b"%PDF-1.4\nno end", 422, "unreadable_file"),
    ],
    ids=["gif", "html", "empty", "truncated-png", "truncated-jpeg", "pdf-without-end"],
)
def test_what_is_no_photo_or_pdf_is_refused(client, night, secretary, content, status, code):
    import weasyprint  # noqa: F401 (it lets Pillow take truncated images, process-wide)

    save(client, secretary, night)
    response = _send(client, secretary, night, content)
    assert response.status_code == status
    assert response.get_json()["errors"][0]["code"] == code


def test_a_file_over_the_limit_is_refused(app, client, night, secretary):
    save(client, secretary, night)
    limit = app.config["SCAN_MAX_BYTES"]
    response = _send(client, secretary, night, b"\xff\xd8\xff" + b"\x00" * limit)
    assert response.status_code == 413


def test_a_decompression_bomb_is_refused(client, night, secretary):
    """A small PNG that claims 100,000 x 100,000 pixels."""
    save(client, secretary, night)
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # 400 M pixels in a few KB
    response = _send(client, secretary, night, bomb.getvalue(), "image/png")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "unreadable_file"


def test_no_scan_before_the_protocol(client, night, secretary):
    response = _send(client, secretary, night, png_bytes(), "image/png")
    assert response.status_code == 409
    assert response.get_json()["errors"][0]["code"] == "no_protocol"


def test_a_secretary_attaches_only_to_the_own_precinct(client, night, secretary):
    response = _send(client, secretary, night, png_bytes(), precinct_id=night.precinct_b)
    assert response.status_code == 404


def test_a_file_nobody_attached_is_not_served(client, night):
    assert client.get("/scans/" + "a" * 64).status_code == 404
    assert client.get("/scans/../../etc/passwd").status_code == 404


def test_the_public_results_page_shows_the_scan_beside_the_figures(client, night, secretary):
    save(client, secretary, night)
    sha256 = _send(client, secretary, night, png_bytes(), "image/png").get_json()["sha256"]
    page = client.get(f"/results/{night.election_id}").get_data(as_text=True)
    assert f'data-scan="{sha256}"' in page


def test_a_jpeg_comment_and_a_colour_profile_are_not_kept(client, night, secretary):
    """Pillow writes back a JPEG's comment and a PNG's colour profile unless told not to."""
    save(client, secretary, night)
    jpeg = io.BytesIO()
    Image.new("RGB", (30, 20), (1, 2, 3)).save(jpeg, "JPEG", comment=b"IIN 900101300017 secret")
    png = io.BytesIO()
    Image.new("RGB", (30, 20), (1, 2, 3)).save(png, "PNG", icc_profile=b"\x00" * 128)
    for sent, media_type in ((jpeg.getvalue(), "image/jpeg"), (png.getvalue(), "image/png")):
        body = _send(client, secretary, night, sent, media_type).get_json()
        kept = client.get(body["url"]).data
        assert b"secret" not in kept and b"iCCP" not in kept
        assert "comment" not in Image.open(io.BytesIO(kept)).info
        assert "icc_profile" not in Image.open(io.BytesIO(kept)).info


def test_a_scan_of_a_version_no_longer_current_is_refused(client, night, secretary):
    save(client, secretary, night)
    save(client, secretary, night, 1, invalid_ballots=20, first=490)  # version 2 meanwhile
    url = _scan_url(night) + "?version=1"
    response = client.post(
        url, data=png_bytes(), headers={**secretary, "Content-Type": "image/png"}
    )
    assert response.status_code == 409
    assert response.get_json()["errors"][0]["current_version"] == 2
    assert _send(client, secretary, night, png_bytes(), "image/png").get_json()["version"] == 2


def test_a_copy_photo_is_a_photo_and_is_locked_after_certification(
    client, app, night, secretary, observer
):
    from tests.observers.support import enter_copy

    save(client, secretary, night)
    enter_copy(client, observer, night)
    url = _scan_url(night).replace("/protocol/scan", "/observer-copy/photo")
    pdf = client.post(url, data=PDF, headers={**observer, "Content-Type": "application/pdf"})
    assert pdf.status_code == 415
    photo = client.post(url, data=png_bytes(), headers={**observer, "Content-Type": "image/png"})
    assert photo.status_code == 201
    with app.app_context():
        from elections.territory.models import Election

        db.session.get(Election, night.election_id).state = "certified"
        db.session.commit()
    late = client.post(url, data=png_bytes(), headers={**observer, "Content-Type": "image/png"})
    assert late.status_code == 409
