"""Time zones of regions and changed voting hours (issue 12).

Source: domain.md, "Time zones": before 1 March 2024 Kazakhstan had two zones (in 2023 the
western regions closed their polls at 21:00 Astana time); the IANA zones carry that
history, so a region that names its zone gets the right instants for past elections too.
domain.md, "Count and protocol": counting starts at 20:00, or at the end of voting where
the commission changed the voting time (art. 43).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.territory.models import Election, ElectionDecision, Unit
from tests import factories
from tests.ballots.helpers import protocol_body, protocol_url
from tests.foundation.support import audit_actions, errors_of, fields

ORAL, ALMATY = ZoneInfo("Asia/Oral"), ZoneInfo("Asia/Almaty")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def admin(world, token_for) -> dict:
    return token_for(world.users["cec_admin"])


@pytest.fixture
def member(world, token_for) -> dict:
    return token_for(world.users["territorial_member"])


def unit_body(kato: str, kind: str, parent: str | None, **extra) -> dict:
    return {
        "kato": kato,
        "parent_kato": parent,
        "kind": kind,
        "name": {"kk": f"Аймақ {kato}", "ru": f"Регион {kato}"},
        **extra,
    }


@pytest.fixture
def western(client, admin) -> dict:
    """West Kazakhstan as the API builds it: region (Asia/Oral) > district > rural district >
    village, and a rural election of 2023 called through the API."""
    katos = {"region": "270000000", "district": "271000000", "rural": "271010000"}
    katos["village"] = "271010100"
    for kind, (key, parent) in {
        "region": ("region", None),
        "district": ("district", "region"),
        "rural_district": ("rural", "district"),
        "village": ("village", "rural"),
    }.items():
        extra = {"timezone": "Asia/Oral"} if kind == "region" else {}
        response = client.post(
            "/api/v1/units",
            json=unit_body(katos[key], kind, katos.get(parent), **extra),
            headers=admin,
        )
        assert response.status_code == 201, response.json
    response = client.post(
        "/api/v1/elections",
        json={
            "unit_kato": katos["rural"],
            "kind": "rural",
            "called_on": "2023-06-01",
            "election_day": "2023-07-23",
        },
        headers=admin,
    )
    assert response.status_code == 201, response.json
    return {**katos, "election": response.json}


# --- A region's zone and the instants of a 2023 election (domain.md, "Time zones") ----------


def test_a_2023_election_in_asia_oral_gets_its_own_2023_instants(western):
    election = western["election"]
    assert election["timezone"] == "Asia/Oral"
    calendar = election["calendar"]
    # 20:00 in Oral on 23 July 2023 (UTC+5), not 20:00 in Almaty (then UTC+6, 14:00 UTC).
    opens = datetime.fromisoformat(calendar["counting_opens"])
    assert opens == utc(2023, 7, 23, 15, 0)
    assert calendar["counting_opens"].endswith("+05:00")
    assert datetime(2023, 7, 23, 20, 0, tzinfo=ALMATY) == utc(2023, 7, 23, 14, 0)
    # Deadlines at 18:00 Oral time are 13:00 UTC (rural-2023: nomination closes 18:00 on E-26).
    closes = datetime.fromisoformat(calendar["nomination_closes"])
    assert closes == utc(2023, 6, 27, 13, 0)
    assert closes.astimezone(ORAL).time() == time(18, 0)
    assert election["voting_hours"] == {"starts": "07:00", "ends": "20:00"}


def test_units_below_a_region_inherit_its_zone(client, western):
    response = client.get(f"/api/v1/units?parent={western['rural']}")
    assert response.status_code == 200
    (village,) = response.json
    assert village["kato"] == western["village"]
    assert village["timezone"] is None
    assert village["zone"] == "Asia/Oral"
    region = next(u for u in client.get("/api/v1/units").json if u["kato"] == western["region"])
    assert (region["timezone"], region["zone"]) == ("Asia/Oral", "Asia/Oral")


def test_a_unit_without_a_region_zone_tells_the_deployment_default(client, world):
    region = next(u for u in client.get("/api/v1/units").json if u["kato"] == world.region)
    assert region["timezone"] is None
    assert region["zone"] == "Asia/Almaty"
    assert client.get(f"/api/v1/elections/{world.election_id}").json["timezone"] == "Asia/Almaty"


def test_only_a_region_names_a_zone(client, admin, world):
    response = client.post(
        "/api/v1/units",
        json=unit_body("799999001", "district", world.region, timezone="Asia/Oral"),
        headers=admin,
    )
    assert fields(errors_of(response, 422)) == ["timezone"]
    response = client.patch(
        f"/api/v1/units/{world.district}", json={"timezone": "Asia/Oral"}, headers=admin
    )
    assert fields(errors_of(response, 422)) == ["timezone"]


@pytest.mark.parametrize("zone", ["Europe/Moscow", "UTC", "Asia/Tashkent", "asia/oral", ""])
def test_a_zone_outside_kazakhstan_is_refused(client, admin, world, zone):
    response = client.post(
        "/api/v1/units", json=unit_body("799999002", "region", None, timezone=zone), headers=admin
    )
    assert fields(errors_of(response, 422)) == ["timezone"]
    response = client.patch(f"/api/v1/units/{world.region}", json={"timezone": zone}, headers=admin)
    assert fields(errors_of(response, 422)) == ["timezone"]


def test_a_city_of_republican_significance_names_its_zone(client, admin):
    response = client.post(
        "/api/v1/units",
        json=unit_body("799999003", "city_republican", None, timezone="Asia/Aqtau"),
        headers=admin,
    )
    assert response.status_code == 201, response.json
    assert (response.json["timezone"], response.json["zone"]) == ("Asia/Aqtau", "Asia/Aqtau")


def test_patch_re_resolves_the_elections_of_the_region_in_one_audited_write(
    app, client, admin, world
):
    response = client.patch(
        f"/api/v1/units/{world.region}", json={"timezone": "Asia/Oral"}, headers=admin
    )
    assert response.status_code == 200, response.json
    assert (response.json["timezone"], response.json["zone"]) == ("Asia/Oral", "Asia/Oral")
    for election_id in (world.election_id, world.other_election_id):
        assert client.get(f"/api/v1/elections/{election_id}").json["timezone"] == "Asia/Oral"
    with app.app_context():
        region_id = db.session.execute(
            select(Unit.id).where(Unit.kato == world.region)
        ).scalar_one()
    ((action, payload),) = [
        a for a in audit_actions(app, "unit", region_id) if a[0] != "unit.created"
    ]
    assert action == "unit.timezone_set"
    assert payload["old"] is None and payload["new"] == "Asia/Oral"
    assert sorted(payload["elections"]) == sorted([world.election_id, world.other_election_id])

    response = client.patch(f"/api/v1/units/{world.region}", json={"timezone": None}, headers=admin)
    assert response.status_code == 200
    assert (response.json["timezone"], response.json["zone"]) == (None, "Asia/Almaty")
    with app.app_context():
        assert db.session.get(Election, world.election_id).timezone is None


def test_patch_of_a_zone_is_the_cec_admins(client, world, member):
    response = client.patch(
        f"/api/v1/units/{world.region}", json={"timezone": "Asia/Oral"}, headers=member
    )
    errors_of(response, 403)
    response = client.patch("/api/v1/units/123", json={"timezone": None}, headers=member)
    assert response.status_code in (403, 404)


def test_patch_of_an_unknown_unit_is_404(client, admin):
    errors_of(client.patch("/api/v1/units/199999999", json={"timezone": None}, headers=admin), 404)


def test_patch_without_the_timezone_key_is_refused(client, admin, world):
    response = client.patch(f"/api/v1/units/{world.region}", json={}, headers=admin)
    assert fields(errors_of(response, 422)) == ["timezone"]


def test_the_results_page_goes_live_at_the_end_of_voting_in_the_elections_zone(
    client, clock, western
):
    url = f"/results/{western['election']['id']}"
    clock(utc(2023, 7, 23, 14, 30))  # 20:30 in Almaty, 19:30 in Oral: voting goes on
    assert 'http-equiv="refresh"' not in client.get(url).get_data(as_text=True)
    clock(utc(2023, 7, 23, 15, 0))  # 20:00 in Oral
    assert 'http-equiv="refresh"' in client.get(url).get_data(as_text=True)


def test_the_home_page_prints_the_calendar_in_the_elections_zone(client, clock, western):
    clock(utc(2023, 6, 10, 6, 0))
    page = client.get("/").get_data(as_text=True)
    assert "27.06.2023 18:00 (UTC+5)" in page  # nomination closes, Oral time
    assert "27.06.2023 19:00 (UTC+6)" not in page


# --- Changed voting hours (art. 43; domain.md, "Count and protocol") ------------------------


def hours_url(election_id: int) -> str:
    return f"/api/v1/elections/{election_id}/voting-hours"


HOURS = {"starts": "08:00", "ends": "22:00", "reason": "Decision No. 7 of the commission"}


def test_changed_voting_hours_move_the_count_and_are_a_decision(app, client, world, member):
    response = client.post(hours_url(world.election_id), json=HOURS, headers=member)
    assert response.status_code == 200, response.json
    assert response.json["voting_hours"] == {"starts": "08:00", "ends": "22:00"}
    opens = datetime.fromisoformat(response.json["calendar"]["counting_opens"])
    day = date.fromisoformat(response.json["election_day"])
    assert opens == datetime.combine(day, time(22, 0), tzinfo=ALMATY)
    with app.app_context():
        (decision,) = db.session.execute(
            select(ElectionDecision).where(ElectionDecision.election_id == world.election_id)
        ).scalars()
        assert decision.kind == "voting_hours_changed"
        assert decision.reason == HOURS["reason"]
        assert decision.data == {
            "old": {"starts": "07:00", "ends": "20:00"},
            "new": {"starts": "08:00", "ends": "22:00"},
        }
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "election.voting_hours_changed")
        ).scalar_one()
        assert event.entity_id == str(world.election_id)


def _candidates(app, election_id: int) -> list[int]:
    with app.app_context():
        election = db.session.get(Election, election_id)
        made = [
            factories.CandidateFactory(election=election, last_name=name, status="registered")
            for name in ("Әбенова", "Бекова", "Үсенов")
        ]
        db.session.commit()
        return [c.id for c in made]


def test_a_protocol_is_refused_before_the_new_end_of_voting_and_accepted_after(
    app, client, clock, world, member, token_for
):
    assert client.post(hours_url(world.election_id), json=HOURS, headers=member).status_code == 200
    candidates = _candidates(app, world.election_id)
    with app.app_context():
        from elections.ballots.services import ballot_candidates

        ordered = [c.id for c in ballot_candidates(db.session.get(Election, world.election_id))]
    assert sorted(ordered) == sorted(candidates)
    secretary = token_for(world.users["precinct_secretary"])
    url = protocol_url(world.election_id, world.precinct_a)
    night = factories.count_night()  # 21:00 Almaty: counting would have started at 20:00

    clock(night)
    response = client.put(url, json=protocol_body(ordered), headers=secretary)
    assert response.status_code == 409, response.json
    (error,) = response.json["errors"]
    assert error["code"] == "counting_not_started"
    assert "22:00" in error["message"] and "20:00" not in error["message"]

    clock(night.replace(hour=22, minute=0))
    response = client.put(url, json=protocol_body(ordered), headers=secretary)
    assert response.status_code == 200, response.json
    assert response.json["version"] == 1


def test_the_protocol_page_names_the_new_end_of_voting(app, client, clock, world, member, login):
    assert client.post(hours_url(world.election_id), json=HOURS, headers=member).status_code == 200
    clock(factories.count_night())
    login(world.users["precinct_secretary"])
    page = client.get("/precinct").get_data(as_text=True)
    assert "22:00 (UTC+5)" in page


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**HOURS, "starts": "22:00", "ends": "08:00"}, "ends"),
        ({**HOURS, "starts": "20:00", "ends": "20:00"}, "ends"),
        ({**HOURS, "starts": "8:00"}, "starts"),
        ({**HOURS, "ends": "24:00"}, "ends"),
        ({**HOURS, "ends": 2200}, "ends"),
        ({"starts": "08:00", "ends": "22:00"}, "reason"),
        ({**HOURS, "reason": "   "}, "reason"),
    ],
)
def test_bad_voting_hours_are_field_errors(client, world, member, body, field):
    response = client.post(hours_url(world.election_id), json=body, headers=member)
    assert field in fields(errors_of(response, 422))


def test_voting_hours_cannot_change_once_voting_began(app, client, clock, world, member):
    night = factories.count_night()
    clock(night.replace(hour=7, minute=0))
    response = client.post(hours_url(world.election_id), json=HOURS, headers=member)
    assert [e["code"] for e in errors_of(response, 409)] == ["voting_started"]
    clock(night.replace(hour=6, minute=59))
    response = client.post(hours_url(world.election_id), json=HOURS, headers=member)
    assert response.status_code == 200, response.json
    with app.app_context():
        assert db.session.get(Election, world.election_id).voting_starts == time(8, 0)


def test_voting_hours_are_the_organising_commissions(client, world, token_for):
    other = token_for(world.users["other_member"])
    errors_of(client.post(hours_url(world.election_id), json=HOURS, headers=other), 404)
    for role in ("precinct_secretary", "cec_admin"):
        response = client.post(
            hours_url(world.election_id), json=HOURS, headers=token_for(world.users[role])
        )
        errors_of(response, 403)
    errors_of(client.post(hours_url(world.election_id), json=HOURS), 401)
    errors_of(client.post(hours_url(99999999), json=HOURS, headers=other), 404)


# --- The CEC's units page ----------------------------------------------------------------


def test_the_cec_admin_names_a_regions_zone_on_the_units_page(app, client, world, login):
    login(world.users["cec_admin"])
    page = client.get("/admin/units")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-form="zone"' in text and "Asia/Oral" in text
    response = client.post(
        "/admin/units/zone", data={"zone-region": world.region, "zone-timezone": "Asia/Oral"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Election, world.election_id).timezone == "Asia/Oral"
    text = client.get("/admin/units").get_data(as_text=True)
    assert f'data-zone="{world.region}"><strong>Asia/Oral</strong>' in text

    response = client.post(
        "/admin/units/zone", data={"zone-region": world.region, "zone-timezone": ""}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Election, world.election_id).timezone is None


def test_the_units_page_refuses_a_zone_outside_the_list(client, world, login):
    login(world.users["cec_admin"])
    response = client.post(
        "/admin/units/zone", data={"zone-region": world.region, "zone-timezone": "Europe/Moscow"}
    )
    assert response.status_code == 422
    assert "field-error" in response.get_data(as_text=True)


# --- The commission's page for the voting hours -------------------------------------------


def test_the_commission_changes_the_voting_hours_on_its_page(app, client, world, login):
    login(world.users["territorial_member"])
    home = client.get("/commission/").get_data(as_text=True)
    assert f"/commission/elections/{world.election_id}/voting-hours" in home
    url = f"/commission/elections/{world.election_id}/voting-hours"
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="07:00"' in page.get_data(as_text=True)
    response = client.post(url, data={"starts": "08:00", "ends": "21:00", "reason": "Decision 3"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        assert (election.voting_starts, election.voting_ends) == (time(8, 0), time(21, 0))
    response = client.post(url, data={"starts": "21:00", "ends": "08:00", "reason": "Again"})
    assert response.status_code == 422
    assert "field-error" in response.get_data(as_text=True)


def test_the_voting_hours_page_is_the_organising_commissions(client, world, login):
    login(world.users["other_member"])
    response = client.get(f"/commission/elections/{world.election_id}/voting-hours")
    assert response.status_code == 404
