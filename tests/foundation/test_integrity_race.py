"""The race the services cannot see: the database's unique constraint answers 409, not 500."""

from flask import Blueprint
from sqlalchemy.exc import IntegrityError

from elections.web.access import public


def test_a_unique_constraint_hit_by_a_race_is_a_409_in_the_envelope(make_app):
    blueprint = Blueprint("race_probe", __name__)

    @blueprint.post("/api/v1/race-probe")
    @public
    def race_probe():
        raise IntegrityError("INSERT INTO units ...", {}, Exception("duplicate key"))

    app = make_app()
    app.register_blueprint(blueprint)
    response = app.test_client().post("/api/v1/race-probe")
    assert response.status_code == 409
    assert response.json["errors"][0]["code"] == "conflict"
    assert "INSERT" not in response.get_data(as_text=True)
