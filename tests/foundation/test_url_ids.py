"""Ids in URLs beyond what an INTEGER column holds match no route: 404, on pages and in the API."""

import pytest

HUGE = "9" * 25


@pytest.mark.parametrize(
    "url",
    [
        f"/results/{HUGE}",
        f"/elections/{HUGE}/ballot",
        f"/api/v1/elections/{HUGE}",
        f"/api/v1/elections/{HUGE}/results",
        f"/api/v1/elections/{HUGE}/results.csv",
        "/api/v1/elections/2147483648/ballot",
    ],
)
def test_an_id_past_the_integer_range_is_not_found(client, url):
    response = client.get(url)
    assert response.status_code == 404


def test_the_largest_storable_id_still_reaches_the_view(client):
    response = client.get("/api/v1/elections/2147483647")
    assert response.status_code == 404
    assert response.json["errors"][0]["code"] == "not_found"
