import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from importlib import resources

import pytest
from jsonschema import Draft4Validator
from jsonschema.validators import validator_for

from elections.results.nist import (
    AGAINST_ALL_ID,
    CandidateInput,
    PartyInput,
    PrecinctInput,
    ReportInput,
    build_election_report,
)
from elections.results.tally import PrecinctCount, total

ALMATY = timezone(timedelta(hours=5))
AMANAT = PartyInput(7, {"kk": "AMANAT партиясы", "ru": "Партия AMANAT"})
CANDIDATES = [
    CandidateInput(11, "Әбілов Ержан Серікұлы", AMANAT),
    CandidateInput(12, "Сейітова Айгүл Маратқызы", None),
]
COUNTS = {
    101: PrecinctCount(101, 1000, 798, 8, 40, {11: 500, 12: 250}),
    102: PrecinctCount(102, 600, 412, 2, 10, {11: 100, 12: 300}),
    103: PrecinctCount(103, 400, 300, 0, 20, {11: 130, 12: 150}),
}


@pytest.fixture(scope="module")
def validator():
    text = resources.files("elections.results").joinpath("nist_schema.json").read_text("utf-8")
    schema = json.loads(text)
    cls = validator_for(schema)
    assert cls is Draft4Validator
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def report_input(status, reported=(101, 102, 103)):
    precincts = [
        PrecinctInput(
            id=precinct_id,
            number=number,
            name={"kk": f"№{number} сайлау учаскесі", "ru": f"Избирательный участок №{number}"},
            voters_on_list=voters,
            counts=COUNTS[precinct_id] if precinct_id in reported else None,
        )
        for precinct_id, number, voters in [(101, 512, 1000), (102, 513, 605), (103, 514, 400)]
    ]
    return ReportInput(
        election_id=3,
        election_day=date(2025, 7, 27),
        unit_kato="195635100",
        unit_name={"kk": "Ақсу ауылдық округі", "ru": "Аксуский сельский округ"},
        office_name={"kk": "Ақсу ауылдық округінің әкімі", "ru": "Аким Аксуского сельского округа"},
        precincts=precincts,
        candidates=CANDIDATES,
        totals=total(
            [p.counts for p in precincts if p.counts is not None],
            [c.id for c in CANDIDATES],
            len(precincts),
        ),
        status=status,
        generated_at=datetime(2025, 7, 28, 9, 30, 15, 123456, tzinfo=ALMATY),
        issuer="Central Election Commission of the Republic of Kazakhstan",
        issuer_abbreviation="CEC",
        vendor_application_id="akim-elections 0.1.0",
    )


def selection(report, selection_id):
    contest = report["Election"][0]["Contest"][0]
    return next(s for s in contest["ContestSelection"] if s["@id"] == selection_id)


def gp_unit(report, gp_unit_id):
    return next(u for u in report["GpUnit"] if u["@id"] == gp_unit_id)


def counts_by_unit(vote_counts):
    return {c["GpUnitId"]: c["Count"] for c in vote_counts}


def texts(internationalized):
    return {t["Language"]: t["Content"] for t in internationalized["Text"]}


@pytest.mark.parametrize(
    ("status", "reported"),
    [
        pytest.param("unofficial-partial", (101, 103), id="partial-one-precinct-missing"),
        pytest.param("unofficial-partial", (), id="partial-nothing-reported"),
        pytest.param("unofficial-complete", (101, 102, 103), id="unofficial-complete"),
        pytest.param("certified", (101, 102, 103), id="certified"),
        pytest.param("correction", (101, 102, 103), id="correction"),
    ],
)
def test_report_validates_against_the_nist_schema(validator, status, reported):
    report = build_election_report(report_input(status, reported))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(report)]
    assert errors == []
    assert report["Status"] == status


def test_certified_report_values():
    report = build_election_report(report_input("certified"))

    assert report["GeneratedDate"] == "2025-07-28T09:30:15+05:00"
    assert counts_by_unit(selection(report, "sel-11")["VoteCounts"]) == {
        "gpu-unit-195635100": 730,
        "gpu-precinct-101": 500,
        "gpu-precinct-102": 100,
        "gpu-precinct-103": 130,
    }
    assert (
        counts_by_unit(selection(report, AGAINST_ALL_ID)["VoteCounts"])["gpu-unit-195635100"] == 70
    )
    unit = gp_unit(report, "gpu-unit-195635100")
    assert (unit["VotersRegistered"], unit["VotersParticipated"]) == (2000, 1510)
    assert (unit["SubUnitsReported"], unit["TotalSubUnits"]) == (3, 3)
    assert unit["ComposingGpUnitIds"] == [
        "gpu-precinct-101",
        "gpu-precinct-102",
        "gpu-precinct-103",
    ]
    assert texts(unit["Name"]) == {"kk": "Ақсу ауылдық округі", "ru": "Аксуский сельский округ"}
    assert texts(report["Office"][0]["Name"])["ru"] == "Аким Аксуского сельского округа"
    ballot_counts = report["Election"][0]["BallotCounts"][0]
    assert (ballot_counts["BallotsCast"], ballot_counts["BallotsRejected"]) == (1510, 10)


def test_ballot_order_and_against_all_last():
    report = build_election_report(report_input("certified"))
    selections = report["Election"][0]["Contest"][0]["ContestSelection"]
    assert [(s["@id"], s["SequenceOrder"]) for s in selections] == [
        ("sel-11", 1),
        ("sel-12", 2),
        (AGAINST_ALL_ID, 3),
    ]
    assert "CandidateIds" not in selections[-1]
    assert AGAINST_ALL_ID in report["Notes"]


def test_parties_only_for_party_nominees():
    report = build_election_report(report_input("certified"))
    candidates = {c["@id"]: c for c in report["Election"][0]["Candidate"]}
    assert candidates["cand-11"]["PartyId"] == "party-7"
    assert "PartyId" not in candidates["cand-12"]
    assert [p["@id"] for p in report["Party"]] == ["party-7"]
    assert texts(report["Party"][0]["Name"])["kk"] == "AMANAT партиясы"


def test_partial_report_leaves_the_missing_precinct_without_counts():
    report = build_election_report(report_input("unofficial-partial", reported=(101, 103)))

    unit = gp_unit(report, "gpu-unit-195635100")
    assert (unit["SubUnitsReported"], unit["TotalSubUnits"]) == (2, 3)
    assert (unit["VotersRegistered"], unit["VotersParticipated"]) == (1400, 1098)
    missing = gp_unit(report, "gpu-precinct-102")
    assert missing["VotersRegistered"] == 605
    assert "VotersParticipated" not in missing
    assert counts_by_unit(selection(report, "sel-12")["VoteCounts"]) == {
        "gpu-unit-195635100": 400,
        "gpu-precinct-101": 250,
        "gpu-precinct-103": 150,
    }
    assert {c["GpUnitId"] for c in report["Election"][0]["BallotCounts"]} == {
        "gpu-unit-195635100",
        "gpu-precinct-101",
        "gpu-precinct-103",
    }


def test_every_reference_names_an_object_in_the_report():
    report = build_election_report(report_input("unofficial-partial", reported=(102,)))
    ids, refs = set(), set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@id":
                    ids.add(value)
                elif key.endswith("Ids"):
                    refs.update(value)
                elif key.endswith("Id") and key != "VendorApplicationId":
                    refs.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(report)
    assert refs
    assert refs <= ids


@pytest.mark.parametrize(
    ("status", "reported", "generated_at", "message"),
    [
        pytest.param("final", (101, 102, 103), None, "is not one of", id="unknown-status"),
        pytest.param("certified", (101, 102), None, "disagrees", id="certified-with-missing"),
        pytest.param("unofficial-partial", (101, 102, 103), None, "disagrees", id="partial-all-in"),
        pytest.param(
            "certified", (101, 102, 103), datetime(2025, 7, 28, 9, 30), "aware", id="naive-time"
        ),
    ],
)
def test_build_rejects_inconsistent_input(status, reported, generated_at, message):
    report = report_input(status, reported)
    if generated_at is not None:
        report = replace(report, generated_at=generated_at)
    with pytest.raises(ValueError, match=message):
        build_election_report(report)


def test_utc_time_keeps_its_offset():
    report = replace(report_input("certified"), generated_at=datetime(2025, 7, 28, 4, tzinfo=UTC))
    assert build_election_report(report)["GeneratedDate"] == "2025-07-28T04:00:00+00:00"


def test_schema_check_is_not_vacuous(validator):
    report = build_election_report(report_input("certified"))
    report["Status"] = "final"
    del report["Election"][0]["Contest"][0]["VotesAllowed"]
    assert len(list(validator.iter_errors(report))) == 2
