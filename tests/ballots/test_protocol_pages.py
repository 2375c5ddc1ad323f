"""Protocol pages: entry for the precinct, the history of versions, progress for the commission."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from elections.core.extensions import db
from elections.territory.models import Election
from tests import factories
from tests.ballots.helpers import (
    FIGURES,
    VOTES,
    protocol_body,
    protocol_url,
    row_counts,
    version_count,
)

LINE_NAMES = list(FIGURES)[:6]  # lines 1-6; against_all comes after the candidates
INPUT = re.compile(r'<input id="[^"]*" name="([^"]+)"[^>]*value="([^"]*)" data-line="(\d+)"')
EXPECTED_VERSION = re.compile(r'<input type="hidden" name="expected_version" value="(\d+)">')


def page_url(precinct_id: int, suffix: str = "") -> str:
    return f"/precincts/{precinct_id}/protocol{suffix}"


def form(candidates, expected_version=0, key=None, votes=VOTES, **figures) -> dict[str, str]:
    """What the protocol form posts: every figure as typed text, keyed by input name."""
    body = protocol_body(candidates, votes=votes, **figures)
    data = {name: str(body[name]) for name in FIGURES}
    data.update({f"votes-{cid}": str(n) for cid, n in body["votes"].items()})
    data["expected_version"] = str(expected_version)
    data["idempotency_key"] = key or str(uuid.uuid4())
    return data


def inputs(html: str) -> list[tuple[str, str, int]]:
    """(name, value, line) of every figure input, in page order."""
    return [(name, value, int(line)) for name, value, line in INPUT.findall(html)]


def values(html: str) -> dict[str, str]:
    return {name: value for name, value, _line in inputs(html)}


def expected_version(html: str) -> int:
    return int(EXPECTED_VERSION.search(html).group(1))


def server_errors(html: str) -> str:
    """The error summary at the top of the form, or "" when there is none."""
    match = re.search(
        r'<div class="errors error-summary"[^>]*id="server-errors"[^>]*>(.*?)</div>', html, re.S
    )
    return match.group(1) if match else ""


def summary_tag(html: str) -> str:
    return re.search(r'<div [^>]*id="server-errors"[^>]*>', html).group(0)


def row(html: str, line: int) -> str:
    """The form's row of one line, from <tr> to </tr>."""
    return re.search(rf'<tr data-line-row="{line}"[^>]*>.*?</tr>', html, re.S).group(0)


def marked_lines(html: str) -> list[int]:
    """The lines marked as wrong: red row, aria-invalid input."""
    marked = [int(n) for n in re.findall(r'<tr data-line-row="(\d+)" class="has-error">', html)]
    invalid = [
        line for _name, _value, line in inputs(html) if 'aria-invalid="true"' in row(html, line)
    ]
    assert marked == invalid
    return marked


def described_by(html: str, line: int) -> list[str]:
    """The texts an input's aria-describedby points to (each must exist in its row)."""
    tr = row(html, line)
    ids = re.search(r'aria-describedby="([^"]+)"', tr).group(1).split()
    texts = []
    for id_ in ids:
        found = re.search(rf'<span class="field-error" id="{id_}"[^>]*>([^<]+)</span>', tr)
        assert found, (id_, tr)
        texts.append(found.group(1))
    return texts


def relations_section(html: str) -> str:
    return re.search(r'<section class="relations".*?</section>', html, re.S).group(0)


@pytest.fixture
def as_secretary(world, login):
    return login(world.users["precinct_secretary"])


# --- the entry page -------------------------------------------------------------------------


def test_protocol_page_shows_every_line_with_candidates_in_ballot_order(
    world, as_secretary, candidates
):
    response = as_secretary.get(page_url(world.precinct_a), query_string={"lang": "en"})

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expected_names = [*LINE_NAMES, *(f"votes-{cid}" for cid in candidates), "against_all"]
    assert inputs(html) == [(name, "", line) for line, name in enumerate(expected_names, 1)]
    labels = [html.index(f"Votes for {name}") for name in ("Әбенова", "Бекова", "Үсенов")]
    assert labels == sorted(labels)
    assert expected_version(html) == 0
    assert "no protocol yet" in html


def test_protocol_page_shows_the_current_version_and_expects_it(
    world, client, as_secretary, member, candidates
):
    client.put(
        protocol_url(world.election_id, world.precinct_a),
        json=protocol_body(candidates),
        headers=member,
    )

    html = as_secretary.get(page_url(world.precinct_a)).get_data(as_text=True)

    assert values(html) == {k: v for k, v in form(candidates).items() if k in values(html)}
    assert values(html)[f"votes-{candidates[2]}"] == "100"
    assert expected_version(html) == 1
    assert world.usernames["territorial_member"] in html


def test_my_precinct_takes_the_secretary_to_their_own_protocol(world, as_secretary):
    response = as_secretary.get("/precinct")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'href="{page_url(world.precinct_a)}"' in html
    assert page_url(world.precinct_b) not in html


def test_before_the_count_the_form_says_when_it_starts_and_has_no_save_button(
    app, world, as_secretary, candidates, clock
):
    clock(factories.count_night() - timedelta(hours=2))  # 19:00 on election day

    html = as_secretary.get(page_url(world.precinct_a), query_string={"lang": "en"}).get_data(
        as_text=True
    )

    assert 'data-code="counting_not_started"' in html
    assert "20:00" in html
    protocol_form = html[html.index('id="protocol-form"') :]
    assert 'type="submit"' not in protocol_form[: protocol_form.index("</form>")]
    posted = as_secretary.post(page_url(world.precinct_a), data=form(candidates))
    assert posted.status_code == 409
    assert 'data-code="counting_not_started"' in posted.get_data(as_text=True)
    assert version_count(app, world.precinct_a) == 0


# --- posting --------------------------------------------------------------------------------


def test_posting_a_protocol_that_fails_a_relation_names_it_and_keeps_the_typed_figures(
    app, world, as_secretary, candidates
):
    before = row_counts(app)
    typed = form(candidates, ballots_received=999, against_all=79)

    response = as_secretary.post(
        page_url(world.precinct_a), data=typed, query_string={"lang": "en"}
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = server_errors(html)
    assert (
        'data-code="relation_failed" data-relation="received_equals_issued_plus_cancelled"'
        in errors
    )
    assert (
        'data-code="relation_failed" data-relation="in_boxes_equals_invalid_plus_votes"' in errors
    )
    assert "999" in errors and "1000" in errors  # both sides of the first relation
    assert values(html) == {name: typed[name] for name in values(html)}
    assert values(html)["ballots_received"] == "999"
    assert expected_version(html) == 0
    assert row_counts(app) == before


def test_a_refused_relation_marks_its_lines_and_the_summary_links_to_the_first_of_them(
    app, world, as_secretary, candidates
):
    # 999 != 800 + 200: relation 1 reads lines 2, 3 and 4; every other relation holds.
    response = as_secretary.post(
        page_url(world.precinct_a),
        data=form(candidates, ballots_received=999),
        query_string={"lang": "ru"},
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    tag = summary_tag(html)
    assert 'role="alert"' in tag and 'tabindex="-1"' in tag and "autofocus" in tag
    errors = server_errors(html)
    assert re.findall(r'<a href="#([^"]+)">', errors) == ["ballots_received"]
    assert "строка 2 = строка 3 + строка 4" in errors and "999 ≠ 1000" in errors
    assert marked_lines(html) == [2, 3, 4]
    for line in (2, 3, 4):
        assert described_by(html, line) == ["Не выполняется: строка 2 = строка 3 + строка 4"]
        assert '<span class="mark" aria-hidden="true">✗</span>' in row(html, line)
    assert '<span class="mark" aria-hidden="true" hidden>' in row(html, 1)


def test_a_refused_sum_of_votes_marks_every_line_it_adds_up(app, world, as_secretary, candidates):
    html = as_secretary.post(
        page_url(world.precinct_a), data=form(candidates, against_all=79)
    ).get_data(as_text=True)

    # Line 5 = line 6 + lines 7-9 (the three candidates) + line 10 (against all).
    assert marked_lines(html) == [5, 6, 7, 8, 9, 10]
    assert re.findall(r'<a href="#([^"]+)">', server_errors(html)) == ["ballots_in_boxes"]
    assert "790 ≠ 789" in server_errors(html)


def test_a_refused_bound_names_the_side_that_is_too_large(app, world, as_secretary, candidates):
    # 1300 issued > 1200 on the list; the received and the in-boxes relations are kept true.
    html = as_secretary.post(
        page_url(world.precinct_a),
        data=form(candidates, ballots_issued=1300, ballots_received=1500),
        query_string={"lang": "en"},
    ).get_data(as_text=True)

    errors = server_errors(html)
    assert 'data-relation="issued_not_above_list"' in errors
    assert "line 3 ≤ line 1: 1300 &gt; 1200" in errors
    assert marked_lines(html) == [1, 3]


def test_after_a_refusal_the_page_shows_one_list_of_relations_evaluated_on_the_typed_figures(
    app, world, as_secretary, candidates
):
    html = as_secretary.post(
        page_url(world.precinct_a), data=form(candidates, ballots_received=999)
    ).get_data(as_text=True)

    section = relations_section(html)
    assert section.count("<ul") == 1
    assert "server-relation" not in html
    items = re.findall(r'<li data-relation="(\w+)"(?: class="(\w+)")?>', section)
    assert items == [
        ("received_equals_issued_plus_cancelled", "bad"),
        ("issued_not_above_list", "ok"),
        ("in_boxes_not_above_issued", "ok"),
        ("in_boxes_equals_invalid_plus_votes", "ok"),
    ]
    assert "<output>999 / 1000 — " in section


def test_a_fresh_page_has_no_marks_no_summary_and_the_relations_waiting_for_figures(
    world, as_secretary, candidates
):
    html = as_secretary.get(page_url(world.precinct_a)).get_data(as_text=True)

    assert marked_lines(html) == []
    assert 'id="server-errors"' not in html
    assert "aria-invalid" not in html
    assert relations_section(html).count("<output></output>") == 4


@pytest.mark.parametrize("typed", ["", "abc", "-3", "1.5", "²", "12 5"])
def test_a_figure_that_is_not_a_whole_number_is_shown_with_its_error_and_kept_as_typed(
    app, world, as_secretary, candidates, typed
):
    before = row_counts(app)
    data = {**form(candidates), f"votes-{candidates[1]}": typed}

    response = as_secretary.post(page_url(world.precinct_a), data=data)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert values(html)[f"votes-{candidates[1]}"] == typed.strip()
    assert marked_lines(html) == [8]
    assert len(described_by(html, 8)) == 1
    assert f'href="#votes-{candidates[1]}"' in server_errors(html)
    assert row_counts(app) == before


def test_fixing_the_figures_and_posting_again_saves_and_redirects_with_the_version(
    app, world, as_secretary, candidates
):
    refused = as_secretary.post(page_url(world.precinct_a), data=form(candidates, against_all=79))
    assert refused.status_code == 422

    response = as_secretary.post(page_url(world.precinct_a), data=form(candidates))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(page_url(world.precinct_a) + "?saved=1")
    shown = as_secretary.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-saved-version="1"' in shown
    assert expected_version(shown) == 1
    assert values(shown)["against_all"] == "80"
    assert version_count(app, world.precinct_a) == 1


def test_the_same_form_posted_twice_saves_one_version(app, world, as_secretary, candidates):
    data = form(candidates, key="double-click")

    first = as_secretary.post(page_url(world.precinct_a), data=data)
    second = as_secretary.post(page_url(world.precinct_a), data=data)

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert first.headers["Location"].endswith("?saved=1")
    assert version_count(app, world.precinct_a) == 1


def test_a_stale_version_shows_the_conflict_with_the_saved_figures_beside_the_typed_ones(
    app, world, client, as_secretary, member, candidates
):
    client.put(
        protocol_url(world.election_id, world.precinct_a),
        json=protocol_body(candidates),
        headers=member,
    )
    typed = form(candidates, expected_version=0, against_all=70, invalid_ballots=20)

    response = as_secretary.post(
        page_url(world.precinct_a), data=typed, query_string={"lang": "en"}
    )

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'data-code="version_conflict"' in server_errors(html)
    assert "Saved meanwhile" in html
    assert values(html)["against_all"] == "70"
    assert values(html)["invalid_ballots"] == "20"
    against = re.search(
        r'name="against_all".*?</td>\s*<td class="num saved-value">(\d+)</td>', html, re.S
    )
    invalid = re.search(
        r'name="invalid_ballots".*?</td>\s*<td class="num saved-value">(\d+)</td>', html, re.S
    )
    assert (against.group(1), invalid.group(1)) == ("80", "10")
    assert html.count('class="num saved-value"') == 10
    assert expected_version(html) == 1  # they have now seen version 1
    assert version_count(app, world.precinct_a) == 1

    again = as_secretary.post(page_url(world.precinct_a), data={**typed, "expected_version": "1"})
    assert again.status_code == 302
    assert again.headers["Location"].endswith("?saved=2")


def test_after_a_refusal_for_its_figures_the_form_still_expects_the_version_they_were_typed_on(
    app, world, client, as_secretary, member, candidates
):
    """A refused post must not move the form to a version saved meanwhile unseen: the
    corrected post then meets the conflict instead of overwriting that version."""
    client.put(
        protocol_url(world.election_id, world.precinct_a),
        json=protocol_body(candidates),
        headers=member,
    )
    refused = as_secretary.post(
        page_url(world.precinct_a), data=form(candidates, expected_version=0, against_all=1)
    )
    assert refused.status_code == 422
    kept = expected_version(refused.get_data(as_text=True))
    assert kept == 0

    corrected = as_secretary.post(
        page_url(world.precinct_a),
        data=form(candidates, expected_version=kept, against_all=70, invalid_ballots=20),
    )

    assert corrected.status_code == 409
    assert version_count(app, world.precinct_a) == 1


def test_a_resend_with_the_same_key_after_an_unheard_save_replays_it(
    app, world, as_secretary, candidates
):
    """The save landed but its answer was lost: the page sends the same form again (same
    key, same figures, same expected version) and gets the first save back, not a second."""
    data = form(candidates, key="lost-answer")
    assert as_secretary.post(page_url(world.precinct_a), data=data).status_code == 302
    before = row_counts(app)

    again = as_secretary.post(page_url(world.precinct_a), data=data, follow_redirects=True)

    assert again.status_code == 200
    assert 'data-saved-version="1"' in again.get_data(as_text=True)
    assert row_counts(app) == before
    assert version_count(app, world.precinct_a) == 1


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d.pop("expected_version"), id="missing"),
        pytest.param(lambda d: d.update(expected_version="x"), id="not-a-number"),
        pytest.param(lambda d: d.update(expected_version="-1"), id="negative"),
        pytest.param(lambda d: d.update(expected_version="99999999999999999999"), id="huge"),
    ],
)
def test_a_form_without_a_sound_expected_version_is_a_bad_request_and_saves_nothing(
    app, world, as_secretary, candidates, change
):
    data = form(candidates)
    change(data)
    before = row_counts(app)

    response = as_secretary.post(page_url(world.precinct_a), data=data)

    assert response.status_code == 400
    assert row_counts(app) == before


def test_a_certified_protocol_page_is_read_only_and_refuses_posts(
    app, world, client, as_secretary, member, candidates
):
    client.put(
        protocol_url(world.election_id, world.precinct_a),
        json=protocol_body(candidates),
        headers=member,
    )
    with app.app_context():
        db.session.get(Election, world.election_id).state = "certified"
        db.session.commit()
    before = row_counts(app)

    page = as_secretary.get(page_url(world.precinct_a)).get_data(as_text=True)
    posted = as_secretary.post(
        page_url(world.precinct_a), data=form(candidates, expected_version=1)
    )

    assert page.count("readonly") == 10
    assert 'type="submit"' not in page[page.index('id="protocol-form"') :]
    assert posted.status_code == 409
    assert 'data-code="results_certified"' in server_errors(posted.get_data(as_text=True))
    assert row_counts(app) == before


# --- did the last save land? ------------------------------------------------------------------


def sent(client, precinct_id: int, key: str, **query):
    return client.get(page_url(precinct_id, "/sent"), query_string={"key": key, **query})


def test_the_landed_check_says_which_version_a_key_saved(app, world, as_secretary, candidates):
    as_secretary.post(page_url(world.precinct_a), data=form(candidates, key="k-1"))

    response = sent(as_secretary, world.precinct_a, "k-1", lang="ru")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json["landed"] is True
    assert response.json["version"] == 1
    assert "версия 1" in response.json["message"]


def test_the_landed_check_says_a_key_never_seen_did_not_land(app, world, as_secretary, candidates):
    refused = form(candidates, key="k-refused", against_all=79)
    assert as_secretary.post(page_url(world.precinct_a), data=refused).status_code == 422

    for key in ("k-refused", "k-never-sent"):
        response = sent(as_secretary, world.precinct_a, key)
        assert response.status_code == 200
        assert response.json["landed"] is False
        assert response.json["version"] is None
    assert version_count(app, world.precinct_a) == 0


def test_a_key_not_seen_is_not_received_yet_then_on_the_second_ask_did_not_arrive(
    app, world, as_secretary, candidates
):
    """The first request may still be in flight when the form asks: the first answer says
    "not yet" and when to ask again; only the second ask says it did not arrive. A save that
    lands in between is found by the second ask."""
    first = sent(as_secretary, world.precinct_a, "k-late", lang="en")
    assert first.json["landed"] is False
    assert first.json["state"] == "not_received_yet"
    assert first.json["ask_again_after"] >= 1
    assert "not reached the server yet" in first.json["message"]
    assert "did not reach" not in first.json["message"]

    final = sent(as_secretary, world.precinct_a, "k-late", again="1", lang="ru")
    assert final.json["landed"] is False
    assert final.json["state"] == "not_arrived"
    assert "ask_again_after" not in final.json
    assert "не дошло до сервера" in final.json["message"]

    as_secretary.post(page_url(world.precinct_a), data=form(candidates, key="k-late"))
    late = sent(as_secretary, world.precinct_a, "k-late", again="1")
    assert (late.json["landed"], late.json["state"], late.json["version"]) == (True, "landed", 1)


def test_the_landed_check_is_scoped_to_the_precinct_and_to_the_user(
    app, world, client, login, candidates
):
    member = login(world.users["territorial_member"])
    member.post(page_url(world.precinct_b), data=form(candidates, key="k-b"))

    # The same key asked about the other precinct has not landed there.
    assert sent(member, world.precinct_b, "k-b").json["landed"] is True
    assert sent(member, world.precinct_a, "k-b").json["landed"] is False
    member.post("/logout")
    # Keys belong to their user: precinct B's secretary has sent nothing with it.
    other = login(world.users["other_secretary"])
    assert sent(other, world.precinct_b, "k-b").json["landed"] is False


def test_the_landed_check_refuses_another_precincts_secretary_and_strangers(
    app, world, client, login, candidates
):
    secretary = login(world.users["precinct_secretary"])
    secretary.post(page_url(world.precinct_a), data=form(candidates, key="k-a"))
    secretary.post("/logout")

    other = login(world.users["other_secretary"])
    assert sent(other, world.precinct_a, "k-a").status_code == 404
    assert sent(other, 987654, "k-a").status_code == 404
    other.post("/logout")
    stranger = login(world.users["other_member"])
    assert sent(stranger, world.precinct_a, "k-a").status_code == 404
    stranger.post("/logout")
    admin = login(world.users["cec_admin"])
    assert sent(admin, world.precinct_a, "k-a").status_code == 403
    admin.post("/logout")

    anonymous = sent(client, world.precinct_a, "k-a")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]


@pytest.mark.parametrize("key", ["", "   ", "x" * 201])
def test_the_landed_check_needs_a_sound_key(world, as_secretary, key):
    assert sent(as_secretary, world.precinct_a, key).status_code == 400


# --- who sees which page --------------------------------------------------------------------


def test_a_secretary_cannot_open_another_precincts_pages(world, as_secretary, candidates):
    assert as_secretary.get(page_url(world.precinct_b)).status_code == 404
    assert as_secretary.get(page_url(world.precinct_b, "/versions")).status_code == 404
    assert as_secretary.post(page_url(world.precinct_b), data=form(candidates)).status_code == 404
    assert as_secretary.get(page_url(987654)).status_code == 404
    assert as_secretary.get(page_url(99999999999999999999)).status_code == 404
    assert as_secretary.get(page_url(99999999999999999999, "/versions")).status_code == 404
    progress = as_secretary.get(f"/commission/elections/{world.election_id}/protocols")
    assert progress.status_code == 403


@pytest.mark.parametrize("role", ["territorial_member", "territorial_chair"])
def test_the_organising_commission_saves_any_precinct_through_the_page(
    app, world, login, candidates, role
):
    commission = login(world.users[role])
    response = commission.post(page_url(world.precinct_b), data=form(candidates))
    assert response.status_code == 302
    assert version_count(app, world.precinct_b) == 1


def test_another_commission_and_the_administrator_cannot_open_protocol_pages(
    app, world, login, candidates
):
    other = login(world.users["other_member"])
    assert other.get(page_url(world.precinct_a)).status_code == 404
    assert other.get(f"/commission/elections/{world.election_id}/protocols").status_code == 404
    other.post("/logout")
    admin = login(world.users["cec_admin"])
    assert admin.get(page_url(world.precinct_a)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(page_url(world.precinct_a))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- progress and history -------------------------------------------------------------------


def test_progress_page_lists_precincts_as_missing_or_accepted_with_the_version(
    world, client, login, member, candidates
):
    url = protocol_url(world.election_id, world.precinct_a)
    client.put(url, json=protocol_body(candidates), headers=member)
    client.put(url, json=protocol_body(candidates, expected_version=1), headers=member)
    login(world.users["territorial_chair"])

    response = client.get(
        f"/commission/elections/{world.election_id}/protocols", query_string={"lang": "en"}
    )

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-reported="1" data-total="2"' in html
    rows = dict(re.findall(r'<tr data-precinct="(\d+)" data-status="(\w+)">', html))
    assert rows == {str(world.precinct_a): "accepted", str(world.precinct_b): "missing"}
    row_a = re.search(rf'data-precinct="{world.precinct_a}".*?</tr>', html, re.S).group(0)
    assert "accepted, version 2" in row_a


def test_progress_page_with_no_protocol_yet_shows_every_precinct_missing(world, login, candidates):
    html = (
        login(world.users["territorial_member"])
        .get(f"/commission/elections/{world.election_id}/protocols")
        .get_data(as_text=True)
    )
    assert 'data-reported="0" data-total="2"' in html
    assert html.count('data-status="missing"') == 2


def test_versions_page_lists_every_version_with_who_saved_it(
    world, client, as_secretary, member, secretary, candidates
):
    url = protocol_url(world.election_id, world.precinct_a)
    savers = [secretary, member, secretary]
    for version, headers in enumerate(savers):
        body = protocol_body(candidates, expected_version=version, invalid_ballots=10 + version)
        body["ballots_in_boxes"] = 790 + version
        assert client.put(url, json=body, headers=headers).status_code == 200

    response = as_secretary.get(
        page_url(world.precinct_a, "/versions"), query_string={"lang": "en"}
    )

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = re.findall(
        # The first cell may hold the version's PDF link after the number.
        r"<tr[^>]*>\s*<td>(\d+)( \(current\))?(?:\s*<br><a [^>]*>[^<]*</a>)?</td>"
        r"<td>[^<]*</td><td>([^<]*)</td>",
        html,
    )
    assert rows == [
        ("1", "", world.usernames["precinct_secretary"]),
        ("2", "", world.usernames["territorial_member"]),
        ("3", " (current)", world.usernames["precinct_secretary"]),
    ]
    headers = [html.index(f'title="{name}') for name in ("Әбенова", "Бекова", "Үсенов")]
    assert headers == sorted(headers)


def test_versions_page_before_any_save_says_so(world, as_secretary, candidates):
    response = as_secretary.get(
        page_url(world.precinct_a, "/versions"), query_string={"lang": "en"}
    )
    assert response.status_code == 200
    assert "No protocol has been saved yet." in response.get_data(as_text=True)
