"""A certified result freezes the election's territory too: no precinct can be added."""

from elections.core.extensions import db
from elections.territory.models import Election


def test_admin_cannot_add_a_precinct_to_a_certified_election(app, client, world, token_for):
    with app.app_context():
        db.session.get(Election, world.election_id).state = "certified"
        db.session.commit()
    body = {"number": 999, "unit_kato": world.village_a, "voters_on_list": 10, "address": "Мектеп"}
    response = client.post(
        f"/api/v1/elections/{world.election_id}/precincts",
        json=body,
        headers=token_for(world.users["cec_admin"]),
    )
    assert response.status_code == 409
    assert response.json["errors"][0]["code"] == "results_certified"
    listed = client.get(f"/api/v1/elections/{world.election_id}/precincts").json
    assert 999 not in [precinct["number"] for precinct in listed]


def test_admin_adds_a_precinct_while_the_election_is_open(app, client, world, token_for):
    body = {"number": 998, "unit_kato": world.village_a, "voters_on_list": 10, "address": "Мектеп"}
    response = client.post(
        f"/api/v1/elections/{world.election_id}/precincts",
        json=body,
        headers=token_for(world.users["cec_admin"]),
    )
    assert response.status_code == 201
