"""The pages of the observer (home, copy form), of the commission (accreditations, answers,
certification over an acknowledged difference), and the public results page's comparison."""

from __future__ import annotations

import io
import re

from elections.core.extensions import db
from elections.observers.models import Accreditation
from elections.results.models import ResultVersion
from tests.factories import fresh_iin, jpeg_with_gps
from tests.observers.support import PROTOCOL, save, save_precinct_b
from tests.printing.support import pdf_of, text_of


def _copy_form(world, first=500, second=300, **lines) -> dict:
    form = {**PROTOCOL, **lines}
    form[f"votes-{world.candidates[0]}"] = first
    form[f"votes-{world.candidates[1]}"] = second
    return {name: str(value) for name, value in form.items()}


def test_the_observer_lands_on_the_precincts_and_enters_a_differing_copy(
    client, night, secretary, login
):
    save(client, secretary, night)
    browser = login(night.users["observer"])
    home = browser.get("/observer")
    assert home.status_code == 200
    text = home.get_data(as_text=True)
    match = re.search(r'href="(/observer/precincts/\d+/copy)"', text)
    assert match, "the home links to the copy form"
    form = browser.get(match.group(1))
    assert form.status_code == 200
    data = {
        **_copy_form(night, first=490, second=310),
        "photo": (io.BytesIO(jpeg_with_gps()), "copy.jpg"),
    }
    sent = browser.post(match.group(1), data=data, content_type="multipart/form-data")
    assert sent.status_code == 303
    page = browser.get(match.group(1)).get_data(as_text=True)
    assert page.count('data-line="votes.') >= 2
    assert 'data-differences="2"' in page
    assert 'data-differences="2"' in browser.get("/observer").get_data(as_text=True)


def test_a_copy_form_with_a_word_for_a_figure_is_refused_at_the_line(client, night, login):
    browser = login(night.users["observer"])
    url = f"/observer/precincts/{night.precinct_a}/copy"
    response = browser.post(url, data=_copy_form(night, invalid_ballots="ten"))
    assert response.status_code == 422
    assert 'id="invalid_ballots"' in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_the_commission_accredits_and_withdraws_through_its_page(client, app, night, login):
    browser = login(night.users["territorial_member"])
    url = f"/commission/elections/{night.election_id}/observers"
    assert browser.get(url).status_code == 200
    iin, _born = fresh_iin()
    form = {
        "accredit-name": "Омарова Жанар",
        "accredit-iin": iin,
        "accredit-sent_by_type": "party",
        "accredit-sent_by_name": "Respublica",
        "accredit-precinct_ids": [str(night.precinct_a), str(night.precinct_b)],
    }
    assert browser.post(url, data=form).status_code == 303
    page = browser.get(url).get_data(as_text=True)
    assert "Омарова Жанар" in page and iin not in page and f"…{iin[-4:]}" in page
    refused = browser.post(url, data={**form, "accredit-iin": "123"})
    assert refused.status_code == 422
    with app.app_context():
        made = db.session.execute(
            db.select(Accreditation.id).where(Accreditation.name == "Омарова Жанар")
        ).scalar_one()
    withdrawn = browser.post(
        f"/commission/observers/{made}/withdrawal", data={"withdraw-reason": "Asked to."}
    )
    assert withdrawn.status_code == 303
    assert f'data-accreditation="{made}" data-active="no"' in browser.get(url).get_data(
        as_text=True
    )


def test_the_chair_answers_one_difference_and_acknowledges_the_other_to_certify(
    client, app, night, secretary, observer, login, token_for
):
    save(client, secretary, night)
    save_precinct_b(client, token_for(night.users["other_secretary"]), night)
    copy_url = f"/api/v1/elections/{night.election_id}/precincts/{night.precinct_a}/observer-copy"
    found = client.put(
        copy_url,
        json={**PROTOCOL, "votes": {str(night.candidates[0]): 490, str(night.candidates[1]): 310}},
        headers=observer,
    ).get_json()["differences"]
    browser = login(night.users["territorial_chair"])
    dashboard = f"/commission/elections/{night.election_id}/results"
    page = browser.get(dashboard).get_data(as_text=True)
    assert 'id="open-differences"' in page
    answer = browser.post(
        f"/commission/elections/{night.election_id}/differences/{found[0]['id']}/answer",
        data={"kind": "recount", "note": "Recount ordered for 7 December."},
    )
    assert answer.status_code == 303
    # Certifying without acknowledging the other is refused, naming it.
    refused = browser.post(dashboard, data={"action": "certify", "certify-confirm": "y"})
    assert refused.status_code == 409
    assert f'value="{found[1]["id"]}"' in refused.get_data(as_text=True)  # offered to acknowledge
    done = browser.post(
        dashboard,
        data={
            "action": "certify",
            "certify-confirm": "y",
            "certify-acknowledge": [str(found[1]["id"])],
        },
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    with app.app_context():
        version = db.session.execute(db.select(ResultVersion)).scalar_one()
        assert sorted(d["answer"] for d in version.differences) == ["acknowledged", "recount"]
    public = client.get(f"/results/{night.election_id}").get_data(as_text=True)
    assert public.count("data-difference=") == 2
    assert 'data-copies="1"' in public and 'data-differ="1"' in public
    # The printed result protocol lists both, with the commission's answers.
    printed = text_of(pdf_of(client.get(f"/results/{night.election_id}/versions/1.pdf")))
    assert "Расхождения с копиями наблюдателей" in printed
    assert "Назначен пересчёт" in printed and "Принято к сведению председателем" in printed
