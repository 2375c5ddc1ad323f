"""The printed documents: real PDFs, in the shipped font, saying what was stored, to whom the
page they belong to is open."""

from __future__ import annotations

import pytest

from elections.auth.models import User
from elections.core.extensions import db
from elections.printing import pdf
from elections.results import services as result_services
from elections.territory.models import Election
from tests.printing.conftest import NAMES, VOTES_V1, VOTES_V2, full_name
from tests.printing.support import (
    KAZAKH_LETTERS,
    embedded_fonts,
    filename_of,
    pdf_of,
    same_outline,
    shipped,
    squeezed,
    text_of,
)

BALLOT_ORDER = [full_name(parts) for parts in NAMES]


def protocol_pdf(precinct_id: int, version: int) -> str:
    return f"/precincts/{precinct_id}/protocol/versions/{version}.pdf"


def assert_in_order(text: str, items: list[str]) -> None:
    positions = [text.find(item) for item in items]
    assert -1 not in positions, [
        item for item, at in zip(items, positions, strict=True) if at == -1
    ]
    assert positions == sorted(positions), items


def assert_shipped_fonts(reader) -> None:
    """Every font of the document is embedded, comes from the @font-face of the shipped files
    (its PDF name carries the family only that rule declares) and draws the Kazakh letters
    with exactly the outlines of the shipped DejaVu Sans."""
    fonts = embedded_fonts(reader)
    assert set(fonts) == {"Elections-DejaVu-Sans", "Elections-DejaVu-Sans-Bold"}, set(fonts)
    for name, weight in (("Elections-DejaVu-Sans", 400), ("Elections-DejaVu-Sans-Bold", 700)):
        names = {record.nameID: record.toUnicode() for record in fonts[name]["name"].names}
        assert names[5] == "Version 2.37", names
        drawn = [c for c in KAZAKH_LETTERS if ord(c) in fonts[name].getBestCmap()]
        assert drawn, f"{name} draws no Kazakh letter"
        original = shipped(weight)
        assert all(same_outline(fonts[name], original, c) for c in drawn), drawn


# -- the precinct protocol ---------------------------------------------------------------------


def test_the_protocol_pdf_prints_the_version_line_by_line_with_its_digest(client, login, entered):
    world = entered.world
    login(world.users["precinct_secretary"])
    response = client.get(protocol_pdf(world.precinct_a, 1))
    reader = pdf_of(response)
    assert filename_of(response) == (
        f"protocol-election-{world.election_id}-precinct-{entered.number_a}-v1.pdf"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    text = text_of(reader)

    assert "ХАТТАМАСЫ" in text and "ПРОТОКОЛ участковой избирательной комиссии" in text
    assert entered.digests[1] in squeezed(text)
    assert entered.digests[2] not in squeezed(text)
    # Version 1 was replaced by 2: the paper says so, in both languages.
    assert "ағымдағы нұсқа — 2" in text and "текущая версия — 2" in text
    # The lines in the form's order, named in Kazakh and Russian, then each candidate in ballot
    # order, then against all.
    assert_in_order(
        text,
        [
            "Сайлаушылар тізіміне енгізілген сайлаушылар саны",
            "Учаскелік сайлау комиссиясы алған сайлау бюллетеньдерінің саны",
            "Число избирательных бюллетеней, выданных избирателям",
            "Число погашенных (неиспользованных) избирательных бюллетеней",
            "Дауыс беруге арналған жәшіктерден табылған",
            "Жарамсыз сайлау бюллетеньдерінің саны",
            *[f"{name} кандидатына берілген дауыстар саны" for name in BALLOT_ORDER],
            "«Барлығына қарсы» берілген дауыстар саны",
        ],
    )
    # Each line: its number, its names, its figure.
    for index, (name, votes) in enumerate(zip(BALLOT_ORDER, VOTES_V1, strict=True)):
        assert (
            f" {7 + index} {name} кандидатына берілген дауыстар саны"
            f" Число голосов, поданных за кандидата {name} {votes} "
        ) in text
    assert (
        " 13 «Барлығына қарсы» берілген дауыстар саны Число голосов, поданных «Против всех» 11 "
        in text
    )
    assert "Хатшысы" in text and "Секретарь" in text and "Члены комиссии" in text
    assert_shipped_fonts(reader)


def test_the_current_version_prints_its_own_figures_and_no_replacement_notice(
    client, login, entered
):
    world = entered.world
    login(world.users["territorial_member"])  # the organising commission reads it too
    text = text_of(pdf_of(client.get(protocol_pdf(world.precinct_a, 2))))
    assert entered.digests[2] in squeezed(text)
    assert "текущая версия" not in text
    assert f" за кандидата {BALLOT_ORDER[0]} {VOTES_V2[0]} " in text


@pytest.mark.parametrize(
    "who", ["other_secretary", "other_member"], ids=["other precinct", "other commission"]
)
def test_the_protocol_pdf_is_not_found_outside_the_users_scope(client, login, entered, who):
    world = entered.world
    login(world.users[who])
    response = client.get(protocol_pdf(world.precinct_a, 1))
    assert response.status_code == 404
    # ... as the versions page it is downloaded from
    assert client.get(f"/precincts/{world.precinct_a}/protocol/versions").status_code == 404


def test_the_protocol_pdf_sends_the_anonymous_to_sign_in(client, entered):
    response = client.get(protocol_pdf(entered.world.precinct_a, 1))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("suffix", ["versions/3.pdf", "versions/0.pdf", "versions/99999999999.pdf"])
def test_a_missing_protocol_version_is_not_found(client, login, entered, suffix):
    world = entered.world
    login(world.users["precinct_secretary"])
    response = client.get(f"/precincts/{world.precinct_a}/protocol/{suffix}")
    assert response.status_code == 404
    assert not response.data.startswith(b"%PDF")


def test_an_unknown_precinct_is_not_found(client, login, entered):
    login(entered.world.users["territorial_chair"])
    assert client.get(protocol_pdf(987654, 1)).status_code == 404


def test_the_versions_page_links_each_versions_pdf(client, login, entered):
    world = entered.world
    login(world.users["precinct_secretary"])
    page = client.get(f"/precincts/{world.precinct_a}/protocol/versions").get_data(as_text=True)
    for version in (1, 2):
        assert f'href="{protocol_pdf(world.precinct_a, version)}"' in page
    protocol_page = client.get(f"/precincts/{world.precinct_a}/protocol").get_data(as_text=True)
    assert f'href="{protocol_pdf(world.precinct_a, 2)}"' in protocol_page


# -- the certified result protocol -----------------------------------------------------------


def test_the_result_pdf_prints_the_certified_figures_and_digest_for_anyone(client, certified):
    world = certified.world
    url = f"/results/{world.election_id}/versions/{certified.result_version}.pdf"
    response = client.get(url)
    reader = pdf_of(response)
    assert filename_of(response) == f"result-election-{world.election_id}-v1.pdf"
    text = text_of(reader)
    assert "территориальной избирательной комиссии" in text and "ХАТТАМАСЫ" in text
    assert certified.result_digest in squeezed(text)
    assert_in_order(text, [*BALLOT_ORDER, "Барлығына қарсы", "Против всех"])
    winner = BALLOT_ORDER[0]
    assert f"Сайланған әкім / Избранный аким: {winner} — {VOTES_V2[0] + 200}" in text
    # The precinct protocols it was certified from, by version and digest.
    assert certified.digests[2] in squeezed(text)
    assert "Аумақтық сайлау комиссиясының төрағасы" in text and "Члены комиссии" in text
    assert_shipped_fonts(reader)


def test_a_reopened_result_version_says_so_on_paper(app, client, certified):
    world = certified.world
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        chair = db.session.get(User, world.users["territorial_chair"])
        result_services.open_correction(election, "Учаске хаттамасындағы қате", chair)
        db.session.commit()
    text = text_of(pdf_of(client.get(f"/results/{world.election_id}/versions/1.pdf")))
    assert "Бұл нұсқа" in text and "түзету үшін ашылды" in text
    assert "Эта версия открыта для исправления" in text
    assert certified.result_digest in squeezed(text)


def test_the_result_pdf_is_not_found_before_certification(client, entered):
    election_id = entered.world.election_id
    assert client.get(f"/results/{election_id}/versions/1.pdf").status_code == 404
    page = client.get(f"/results/{election_id}").get_data(as_text=True)
    assert "/versions/1.pdf" not in page


def test_the_result_pdf_of_an_unknown_election_or_version_is_not_found(client, certified):
    election_id = certified.world.election_id
    assert client.get(f"/results/{election_id}/versions/2.pdf").status_code == 404
    assert client.get("/results/987654/versions/1.pdf").status_code == 404


def test_the_public_page_and_the_dashboard_link_the_result_pdf(client, login, certified):
    world = certified.world
    href = f'href="/results/{world.election_id}/versions/1.pdf"'
    assert href in client.get(f"/results/{world.election_id}").get_data(as_text=True)
    login(world.users["territorial_member"])
    dashboard = client.get(f"/commission/elections/{world.election_id}/results")
    assert href in dashboard.get_data(as_text=True)


# -- the ballot proof --------------------------------------------------------------------------


def test_the_ballot_pdf_prints_the_lines_in_kazakh_order_for_anyone(client, entered):
    election_id = entered.world.election_id
    response = client.get(f"/elections/{election_id}/ballot.pdf")
    reader = pdf_of(response)
    assert filename_of(response) == f"ballot-election-{election_id}.pdf"
    text = text_of(reader)
    assert "САЙЛАУ БЮЛЛЕТЕНІ" in text and "ИЗБИРАТЕЛЬНЫЙ БЮЛЛЕТЕНЬ" in text
    assert_in_order(text, [*BALLOT_ORDER, "Барлығына қарсы / Против всех"])
    assert "Өзін-өзі ұсынған / Самовыдвижение" in text  # Өтебаев nominated himself
    assert set(KAZAKH_LETTERS) - {"Ң"} <= set(text)  # no name starts with Ң
    assert "Подписи двух членов участковой избирательной комиссии" in text
    assert "Тираж избирательных бюллетеней" in text
    assert_shipped_fonts(reader)
    page = client.get(f"/elections/{election_id}/ballot").get_data(as_text=True)
    assert f'href="/elections/{election_id}/ballot.pdf"' in page


def test_the_ballot_pdf_of_an_unknown_election_is_not_found(client, world):
    assert client.get("/elections/987654/ballot.pdf").status_code == 404
    assert client.get("/elections/0/ballot.pdf").status_code == 404


# -- the renderer ------------------------------------------------------------------------------


@pytest.mark.parametrize("weight", sorted(pdf.FONT_FILES))
def test_the_shipped_fonts_carry_every_kazakh_letter(weight):
    assert [c for c in KAZAKH_LETTERS if ord(c) not in shipped(weight).getBestCmap()] == []
    licence = (pdf.FONTS / "LICENSE-DejaVu.txt").read_text()
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence


def test_the_renderer_fetches_the_shipped_fonts_and_nothing_else(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = f"""<html><head><link rel="stylesheet" href="{secret.as_uri()}">
      <link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>
      <body style='font-family: "{pdf.FAMILY}"'><img src="file:///etc/hostname">
      <p>Қазақ</p><b>Барлығына қарсы</b></body></html>"""
    body, fetched = pdf.render(html)
    assert body.startswith(b"%PDF-")
    assert sorted(fetched) == sorted(pdf.FONT_FILES.values())
