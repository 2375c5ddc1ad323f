"""The harness itself: the app starts, the home page lists elections, the API answers."""


def test_home_lists_the_election_in_kazakh_by_default(client, world):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="kk"' in response.get_data(as_text=True)


def test_admin_creates_a_party_through_the_api(client, world, token_for):
    headers = token_for(world.users["cec_admin"])
    body = {"name": {"kk": "Жаңа партия", "ru": "Новая партия"}, "short_name": "NEW"}
    response = client.post("/api/v1/parties", json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["short_name"] == "NEW"
    listed = client.get("/api/v1/parties").json
    assert "NEW" in [party["short_name"] for party in listed]
