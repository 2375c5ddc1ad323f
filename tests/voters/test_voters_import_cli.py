"""flask --app elections voters import ELECTION_ID FOLDER_OR_FILE: the akimat's files."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from elections.core.extensions import db
from elections.territory.models import Election, Precinct
from elections.voters.models import Voter
from tests.voters.support import as_csv, put_list, voter


def _numbers(app, world):
    with app.app_context():
        return {
            pid: db.session.get(Precinct, pid).number
            for pid in (world.precinct_a, world.precinct_b)
        }


def test_a_folder_loads_file_by_file_and_names_what_each_refused(app, world, tmp_path):
    numbers = _numbers(app, world)
    good = [voter() for _ in range(3)]
    flawed = [voter(), voter(iin="900101300018"), voter(birth_date="1950-01-01")]
    (tmp_path / f"{numbers[world.precinct_a]}.csv").write_bytes(as_csv(good))
    (tmp_path / f"{numbers[world.precinct_b]}.csv").write_bytes(as_csv(flawed))
    (tmp_path / "9999.csv").write_bytes(as_csv([voter()]))
    (tmp_path / "notes.txt").write_text("not a list")
    result = app.test_cli_runner().invoke(
        args=["voters", "import", str(world.election_id), str(tmp_path)]
    )
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert f"{numbers[world.precinct_a]}.csv: 3 voters loaded" in lines
    assert any(
        line.startswith(
            f"{numbers[world.precinct_b]}.csv: refused, nothing loaded: "
            "birth_date_mismatch 1, iin_invalid 1 (lines 3, 4)"
        )
        for line in lines
    ), lines
    assert any(line.startswith("9999.csv: refused:") for line in lines)
    assert "1 of 3 files loaded." in lines
    with app.app_context():
        counts = [
            db.session.get(Precinct, p).voters_on_list for p in (world.precinct_a, world.precinct_b)
        ]
    assert counts == [3, 800], "the flawed file changed nothing"


def test_accept_valid_loads_the_valid_rows_of_a_flawed_file(app, world, tmp_path):
    number = _numbers(app, world)[world.precinct_b]
    path = tmp_path / f"{number}.csv"
    path.write_bytes(as_csv([voter(), voter(), voter(iin="1")]))
    result = app.test_cli_runner().invoke(
        args=["voters", "import", str(world.election_id), str(path), "--accept-valid"]
    )
    assert result.exit_code == 0, result.output
    assert f"{number}.csv: 2 voters loaded; rows refused: iin_invalid 1 (lines 4)" in result.output


def test_an_unknown_election_is_refused(app, tmp_path):
    (tmp_path / "1.csv").write_bytes(as_csv([voter()]))
    result = app.test_cli_runner().invoke(args=["voters", "import", "999999", str(tmp_path)])
    assert result.exit_code == 1


def test_erasure_waits_for_a_settled_election_and_its_keeping_period(
    app, client, world, token_for, clock
):
    headers = token_for(world.users["territorial_member"])
    put_list(client, headers, world.election_id, world.precinct_a, [voter(), voter()])
    runner = app.test_cli_runner()
    erase = ["voters", "erase", str(world.election_id)]
    assert runner.invoke(args=erase).exit_code == 1, "the election is open"
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        election.state = "certified"
        day = election.election_day
        db.session.commit()
    zone = ZoneInfo("Asia/Almaty")
    keep = app.config["PII_KEEP_DAYS"]
    clock(datetime.combine(day + timedelta(days=keep - 1), time(12), tzinfo=zone))
    early = runner.invoke(args=erase)
    assert early.exit_code == 1 and f"{day + timedelta(days=keep):%d.%m.%Y}" in early.output
    clock(datetime.combine(day + timedelta(days=keep), time(0, 1), tzinfo=zone))
    done = runner.invoke(args=erase)
    assert done.exit_code == 0, done.output
    assert "Erased: 2 voters" in done.output
    with app.app_context():
        left = db.session.execute(select(func.count()).select_from(Voter)).scalar_one()
    assert left == 0
