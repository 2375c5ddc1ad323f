"""GET /api/v1/elections/{id}/ballot and the printable ballot page."""

from __future__ import annotations

import re

import pytest

from elections.core.extensions import db
from elections.territory.models import Election, Party, Unit
from tests import factories

# (last name, first name, patronymic) in the Kazakh alphabetical order of the ballot. Every
# Kazakh-only letter is here (Ә Ғ Қ Ң Ө Ұ Ү Һ І), each next to the letters it sorts between,
# plus surnames shared by several candidates (then first name, then patronymic, none first).
KAZAKH_ORDER = [
    ("Абаев", "Ерлан", "Маратұлы"),
    ("Әбенова", "Гүлнар", None),
    ("Бекова", "Айгүл", "Серікқызы"),
    ("Ғалымов", "Нұржан", None),
    ("Дариев", "Асхат", None),
    ("Қасымов", "Айдар", None),
    ("Қасымов", "Әсет", None),
    ("Қасымов", "Бауыржан", None),
    ("Лесов", "Марат", None),
    ("Мынбаев", "Талғат", None),
    ("Мыңжасаров", "Ринат", None),
    ("Мырзаев", "Арман", None),
    ("Омаров", "Алмас", None),
    ("Өтегенов", "Бақыт", None),
    ("Пак", "Виктор", None),
    ("Сейітов", "Нұрлан", None),
    ("Сейітов", "Нұрлан", "Болатұлы"),
    ("Сейітов", "Нұрлан", "Ғаниұлы"),
    ("Уалиев", "Ержан", None),
    ("Ұлықбеков", "Дәурен", None),
    ("Үсенов", "Мұрат", None),
    ("Фазылов", "Тимур", None),
    ("Хасенов", "Ілияс", None),
    ("Һадиев", "Руслан", None),
    ("Цой", "Виктор", None),
    ("Ысқақов", "Серік", None),
    ("Ізбасаров", "Жандос", None),
    ("Эркінов", "Дастан", None),
    ("Юсупов", "Арман", None),
]
AGAINST_ALL = {"kk": "Барлығына қарсы", "ru": "Против всех"}
SELF_NOMINATED = {"kk": "Өзін-өзі ұсынған", "ru": "Самовыдвижение"}


def names(lines) -> list[tuple]:
    return [(line["last_name"], line["first_name"], line["patronymic"]) for line in lines]


@pytest.fixture
def kazakh_field(world, add_candidate) -> dict[tuple, int]:
    """Every name of KAZAKH_ORDER registered, created in a scrambled order -> ids by name."""
    scrambled = KAZAKH_ORDER[1::2] + KAZAKH_ORDER[::-2]
    assert len(scrambled) == len(set(scrambled)) == len(KAZAKH_ORDER)
    return {name: add_candidate(world.election_id, *name) for name in scrambled}


def test_ballot_lists_candidates_in_kazakh_alphabetical_order_not_code_point_order(
    client, world, kazakh_field
):
    response = client.get(f"/api/v1/elections/{world.election_id}/ballot")

    assert response.status_code == 200, response.json
    lines = response.json["lines"]
    assert names(lines) == KAZAKH_ORDER
    assert [line["position"] for line in lines] == list(range(1, len(KAZAKH_ORDER) + 1))
    assert [line["candidate_id"] for line in lines] == [kazakh_field[n] for n in KAZAKH_ORDER]
    # The order really is not the one a plain sort of the strings gives.
    assert sorted(KAZAKH_ORDER, key=lambda n: (n[0], n[1], n[2] or "")) != KAZAKH_ORDER


def test_ballot_orders_namesakes_by_first_name_then_patronymic_without_patronymic_first(
    client, world, add_candidate
):
    ghani = add_candidate(world.election_id, "Сейітов", "Нұрлан", "Ғаниұлы")
    aset = add_candidate(world.election_id, "Сейітов", "Әсет", "Ғаниұлы")
    bolat = add_candidate(world.election_id, "Сейітов", "Нұрлан", "Болатұлы")
    plain = add_candidate(world.election_id, "Сейітов", "Нұрлан")

    lines = client.get(f"/api/v1/elections/{world.election_id}/ballot").json["lines"]

    assert [line["candidate_id"] for line in lines] == [aset, plain, bolat, ghani]


def test_ballot_shows_registered_candidates_only(client, world, add_candidate):
    registered = add_candidate(world.election_id, "Бекова", "Айгүл")
    for status in ("submitted", "refused", "withdrawn", "registration_cancelled"):
        add_candidate(world.election_id, "Абаев", status, status=status)
    add_candidate(world.other_election_id, "Абаев", "Басқа сайлау")

    lines = client.get(f"/api/v1/elections/{world.election_id}/ballot").json["lines"]

    assert [line["candidate_id"] for line in lines] == [registered]


def test_ballot_keeps_candidates_who_were_elected_or_not_elected(client, world, add_candidate):
    elected = add_candidate(world.election_id, "Бекова", "Айгүл", status="elected")
    not_elected = add_candidate(world.election_id, "Абаев", "Ерлан", status="not_elected")

    lines = client.get(f"/api/v1/elections/{world.election_id}/ballot").json["lines"]

    assert [line["candidate_id"] for line in lines] == [not_elected, elected]


def test_ballot_labels_party_nominees_with_the_party_name_in_both_languages_and_self_nominees(
    app, client, world, add_candidate
):
    with app.app_context():
        party = factories.PartyFactory(name_kk="Ауыл партиясы", name_ru="Партия «Ауыл»")
        db.session.commit()
        party_id = party.id
    with app.app_context():
        nominee_party = db.session.get(Party, party_id)
        nominee = factories.CandidateFactory(
            election=db.session.get(Election, world.election_id),
            last_name="Абаев",
            first_name="Ерлан",
            status="registered",
            party=nominee_party,
        )
        db.session.commit()
        nominee_id = nominee.id
    self_nominee = add_candidate(world.election_id, "Бекова", "Айгүл", self_nominated=True)

    lines = client.get(f"/api/v1/elections/{world.election_id}/ballot").json["lines"]

    assert [line["candidate_id"] for line in lines] == [nominee_id, self_nominee]
    assert lines[0]["nomination"] == {
        "type": "party",
        "party_id": party_id,
        "label": {"kk": "Ауыл партиясы", "ru": "Партия «Ауыл»"},
    }
    assert lines[1]["nomination"] == {"type": "self", "label": SELF_NOMINATED}


def test_ballot_ends_with_the_against_all_line_in_kazakh_and_russian(client, world, candidates):
    body = client.get(f"/api/v1/elections/{world.election_id}/ballot").json

    assert body["election_id"] == world.election_id
    assert len(body["lines"]) == 3
    assert body["against_all"] == {"position": 4, "label": AGAINST_ALL}


def test_ballot_without_registered_candidates_has_only_the_against_all_line(client, world):
    body = client.get(f"/api/v1/elections/{world.election_id}/ballot").json

    assert body["lines"] == []
    assert body["against_all"] == {"position": 1, "label": AGAINST_ALL}


@pytest.fixture
def more_precincts(app, world) -> dict[int, int]:
    """Four more precincts of world.election_id -> {precinct id: voters on the list}."""
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        village = db.session.query(Unit).filter_by(kato=world.village_a).one()
        precincts = [
            factories.PrecinctFactory(election=election, unit=village, voters_on_list=voters)
            for voters in (1001, 99, 1, 0)
        ]
        db.session.commit()
        return {p.id: p.voters_on_list for p in precincts}


def test_print_run_is_voters_plus_one_percent_rounded_up_per_precinct_with_the_total(
    client, world, more_precincts
):
    body = client.get(f"/api/v1/elections/{world.election_id}/ballot").json

    ballots = {row["precinct_id"]: row["ballots"] for row in body["print_run"]["precincts"]}
    voters = {row["precinct_id"]: row["voters_on_list"] for row in body["print_run"]["precincts"]}
    expected = {world.precinct_a: 1212, world.precinct_b: 808}
    expected.update(dict(zip(more_precincts, (1012, 100, 2, 0), strict=True)))
    assert ballots == expected
    assert voters == {world.precinct_a: 1200, world.precinct_b: 800, **more_precincts}
    assert body["print_run"]["total"] == 1212 + 808 + 1012 + 100 + 2 + 0


def test_ballot_is_public_and_needs_no_sign_in(client, world, candidates):
    response = client.get(f"/api/v1/elections/{world.election_id}/ballot")
    assert response.status_code == 200
    assert "Authorization" not in response.request.headers


def test_ballot_of_an_unknown_election_is_not_found(client, world):
    response = client.get("/api/v1/elections/987654/ballot")
    assert response.status_code == 404
    assert response.json["errors"][0]["code"] == "not_found"


def test_printable_ballot_page_shows_the_names_in_ballot_order_and_the_print_run_total(
    client, world, kazakh_field
):
    response = client.get(f"/elections/{world.election_id}/ballot")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'data-candidate-id="(\d+)"', html)]
    assert shown == [kazakh_field[name] for name in KAZAKH_ORDER]
    positions = [html.index(f"<strong>{last} {first} ") for last, first, _p in KAZAKH_ORDER]
    assert positions == sorted(positions)
    assert html.index(AGAINST_ALL["kk"]) > positions[-1]
    assert AGAINST_ALL["ru"] in html
    assert re.search(r"data-total>\s*2020\s*<", html)  # 1212 + 808


def test_printable_ballot_of_an_unknown_election_is_not_found(client, world):
    assert client.get("/elections/987654/ballot").status_code == 404
