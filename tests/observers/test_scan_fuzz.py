"""Uploads fuzzed: whatever bytes come, under whatever type, the answer is a clear refusal or
a cleaned file, never a 500; and every photo that is kept has lost its metadata."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from elections.core.errors import ServiceError
from elections.observers.scans import MAGIC, clean
from tests.observers.support import save

CLAIMED_TYPES = ("image/jpeg", "image/png", "application/pdf", "text/plain", "image/gif", "")


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    magic=st.sampled_from([b"", *(magic for magic, _type in MAGIC)]),
    rest=st.binary(max_size=4096),
)
def test_any_bytes_are_refused_clearly_or_kept_cleaned(app, magic, rest):
    with app.app_context():
        try:
            kept, media_type = clean(magic + rest)
        except ServiceError as error:
            assert error.status in (413, 415, 422)
            return
    assert kept and media_type in ("image/jpeg", "image/png", "application/pdf")


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    size=st.tuples(st.integers(1, 300), st.integers(1, 300)),
    make=st.text(min_size=1, max_size=40),
    latitude=st.floats(0, 89, allow_nan=False),
    longitude=st.floats(0, 179, allow_nan=False),
    form=st.sampled_from(["JPEG", "PNG"]),
)
def test_every_kept_photo_has_lost_its_place_and_device(app, size, make, latitude, longitude, form):
    image = Image.new("RGB", size, (10, 200, 90))
    exif = Image.Exif()
    exif[0x010F] = make
    exif.get_ifd(0x8825).update({1: "N", 2: (latitude, 0.0, 0.0), 3: "E", 4: (longitude, 0.0, 0.0)})
    sent = io.BytesIO()
    image.save(sent, form, exif=exif)
    with app.app_context():
        kept, _media_type = clean(sent.getvalue())
    decoded = Image.open(io.BytesIO(kept))
    assert dict(decoded.getexif()) == {}
    assert decoded.size == size
    assert "exif" not in decoded.info


@pytest.mark.parametrize("claimed", CLAIMED_TYPES)
@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(body=st.binary(max_size=2048))
def test_the_scan_endpoint_never_fails_on_what_it_is_sent(client, night, secretary, claimed, body):
    save(client, secretary, night)  # the first example's; later ones get a 409, unread
    headers = {**secretary, "Content-Type": claimed} if claimed else secretary
    url = f"/api/v1/elections/{night.election_id}/precincts/{night.precinct_a}/protocol/scan"
    response = client.post(url, data=body, headers=headers)
    assert response.status_code in (201, 413, 415, 422), response.get_data(as_text=True)
    assert set(response.get_json()) <= {"errors", "sha256", "url", "version", "media_type", "size"}
