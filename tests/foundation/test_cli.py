"""The command line: users, tokens, the demo data set, and the one-command start."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import func, select

from elections.auth.models import ROLES, User
from elections.ballots.services import ballot_candidates
from elections.core.extensions import db
from elections.demo import region as demo
from elections.territory import services as territory
from elections.territory.accounts import create_user as create_user_service
from elections.territory.models import Election, Party, Unit

GOOD_PASSWORD = "a long and quiet steppe morning"


@pytest.fixture(autouse=True)
def _logins_file_of_the_test(tmp_path, monkeypatch):
    """The demo keeps its logins in the test's folder, never in the checkout's instance/."""
    monkeypatch.setenv("ELECTIONS_DEMO_LOGINS_FILE", str(tmp_path / "demo-logins.txt"))


def create_user(cli, name: str, *options: str, password: str = GOOD_PASSWORD):
    return cli.invoke(
        args=["users", "create", name, *options, "--password-stdin"], input=password + "\n"
    )


def user_named(app, name: str) -> User | None:
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == name)).scalar_one_or_none()
        if user is not None:
            db.session.expunge(user)
        return user


# --- users create ---------------------------------------------------------------------------


def test_create_a_territorial_member_with_a_commission(app, cli, client, world):
    result = create_user(
        cli, "aigerim", "--role", "territorial_member", "--commission", world.district
    )
    assert result.exit_code == 0, result.output
    assert "created user aigerim (territorial_member)" in result.output
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "aigerim")).scalar_one()
        assert (user.role, user.commission.kato, user.active) == (
            "territorial_member",
            world.district,
            True,
        )
        assert GOOD_PASSWORD not in user.password_hash
    response = client.post("/login", data={"username": "aigerim", "password": GOOD_PASSWORD})
    assert response.status_code == 302, "the password read from stdin signs in"


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("cec_admin", []),
        ("territorial_chair", ["--commission", "REGION"]),
        ("precinct_secretary", ["--precinct", "PRECINCT"]),
    ],
    ids=["cec_admin", "chair of the regional commission", "precinct secretary"],
)
def test_create_each_kind_of_user(app, cli, world, role, scope):
    scope = [
        {"REGION": world.region, "PRECINCT": str(world.precinct_a)}.get(part, part)
        for part in scope
    ]
    result = create_user(cli, "someone", "--role", role, *scope)
    assert result.exit_code == 0, result.output
    assert user_named(app, "someone").role == role


REFUSALS = [
    (["--role", "cec_admin"], "short", "password", "password too short"),
    (["--role", "cec_admin"], "xx-baurzhan-xx-2026", "password", "password holds the name"),
    (
        ["--role", "territorial_member", "--commission", "123123123"],
        GOOD_PASSWORD,
        "commission",
        "unknown commission",
    ),
    (
        ["--role", "territorial_member", "--commission", "RURAL"],
        GOOD_PASSWORD,
        "commission",
        "a rural district has no territorial commission",
    ),
    (
        ["--role", "territorial_chair"],
        GOOD_PASSWORD,
        "commission",
        "territorial role, no commission",
    ),
    (
        ["--role", "precinct_secretary", "--precinct", "999999"],
        GOOD_PASSWORD,
        "precinct",
        "unknown precinct",
    ),
    (["--role", "precinct_secretary"], GOOD_PASSWORD, "precinct", "secretary without a precinct"),
]


@pytest.mark.parametrize(
    ("options", "password", "field"), [r[:3] for r in REFUSALS], ids=[r[3] for r in REFUSALS]
)
def test_create_refuses_with_exit_1(app, cli, world, options, password, field):
    options = [world.rural if part == "RURAL" else part for part in options]
    result = create_user(cli, "baurzhan", *options, password=password)
    assert result.exit_code == 1
    assert f"error: {field}:" in result.output, "the field is named, in any language"
    assert user_named(app, "baurzhan") is None


def test_create_refuses_a_taken_name(app, cli, world):
    taken = world.usernames["cec_admin"]
    result = create_user(cli, taken, "--role", "cec_admin")
    assert result.exit_code == 1
    assert "error: username:" in result.output


def test_create_refuses_an_unknown_role(app, cli, world):
    result = create_user(cli, "baurzhan", "--role", "akim")
    assert result.exit_code == 2
    assert user_named(app, "baurzhan") is None


def test_create_is_audited(app, cli, world):
    create_user(cli, "aigerim", "--role", "territorial_chair", "--commission", world.district)
    user = user_named(app, "aigerim")
    from tests.foundation.support import audit_actions

    assert audit_actions(app, "user", user.id) == [
        (
            "user.created",
            {
                "username": "aigerim",
                "role": "territorial_chair",
                "commission": world.district,
                "precinct": None,
            },
        )
    ]


# --- users token ----------------------------------------------------------------------------


def test_token_prints_a_token_that_works_on_the_api(cli, client, world):
    result = cli.invoke(args=["users", "token", world.usernames["cec_admin"]])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("akim_") and "\n" not in token
    response = client.get("/api/v1/audit", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["events"][-1]["action"] == "user.token_issued"


def test_token_for_an_unknown_user_exits_1(cli, world):
    result = cli.invoke(args=["users", "token", "nobody-here"])
    assert result.exit_code == 1
    assert "no user named nobody-here" in result.output


# --- demo -----------------------------------------------------------------------------------


def printed_logins(output: str) -> dict[str, tuple[str, str, str]]:
    """username -> (password, role, scope) from the table the demo prints."""
    lines = output.split("Demo logins", 1)[1].splitlines()[1:]
    rows = [line.split() for line in lines if line.startswith("  ")]
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_demo_loads_into_an_empty_database_and_prints_working_logins(app, cli, client):
    assert count(app, Unit) == 0
    result = cli.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    logins = printed_logins(result.output)
    assert {role for _password, role, _scope in logins.values()} == set(ROLES)
    assert count(app, Unit) == len(demo.UNITS)
    assert count(app, Party) == len(demo.PARTIES)
    assert count(app, User) == len(logins)
    assert count(app, Election) >= 2
    assert len(client.get("/api/v1/elections").json) == count(app, Election)

    password, role, _scope = logins["cec-admin"]
    assert role == "cec_admin"
    response = client.post("/login", data={"username": "cec-admin", "password": password})
    assert response.status_code == 302
    assert client.get("/admin/units").status_code == 200

    verified = cli.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_the_demo_tells_election_night_from_start_to_certified_result(app, cli, client, token_for):
    logins = printed_logins(cli.invoke(args=["demo"]).output)
    with app.app_context():
        night = db.session.execute(
            select(Election).join(Unit, Election.unit_id == Unit.id).where(Unit.kato == "115651000")
        ).scalar_one()
        users = {
            name: db.session.execute(select(User).where(User.username == name)).scalar_one()
            for name in ("precinct-702", "precinct-401", "zerendi-chair")
        }
        waiting = users["precinct-702"].precinct_id
        early = users["precinct-401"].precinct
        early_url = f"/api/v1/elections/{early.election_id}/precincts/{early.id}/protocol"
        ballot = [c.id for c in ballot_candidates(night)]
    assert logins["precinct-702"][1:] == ("precinct_secretary", str(waiting))
    results = f"/api/v1/elections/{night.id}/results"
    assert client.get(results).json["status"] == "unofficial_partial"

    lines = {
        "voters_on_list": 615,
        "ballots_received": 622,
        "ballots_issued": 430,
        "ballots_cancelled": 192,
        "ballots_in_boxes": 430,
        "invalid_ballots": 5,
        "against_all": 12,
        "expected_version": 0,
    }
    body = {**lines, "votes": dict(zip(map(str, ballot), (120, 231, 62), strict=True))}
    saved = client.put(
        f"/api/v1/elections/{night.id}/precincts/{waiting}/protocol",
        json=body,
        headers=token_for(users["precinct-702"].id),
    )
    assert saved.status_code == 200, saved.json
    # The other demo precinct's election is weeks away: its count has not started.
    early_body = {**lines, "votes": {}}
    refused = client.put(early_url, json=early_body, headers=token_for(users["precinct-401"].id))
    assert refused.status_code == 409
    assert [e["code"] for e in refused.json["errors"]] == ["counting_not_started"]

    chair = token_for(users["zerendi-chair"].id)
    certified = client.post(f"/api/v1/elections/{night.id}/certify", headers=chair)
    assert certified.status_code == 200, certified.json
    assert certified.json["status"] == "certified"
    # 311 + 120 for Жұмабаев, 247 + 231 for Ким: Ким leads by 47.
    assert certified.json["winner_candidate_id"] == ballot[1]


# --- the file of the demo logins ------------------------------------------------------------


def test_the_logins_file_becomes_owner_only_even_when_it_was_readable_by_all(app, cli, tmp_path):
    """A file left by an older run (or made by hand) with mode 0644 does not keep that mode:
    the passwords never sit in a file others may read."""
    path = tmp_path / "demo-logins.txt"
    path.write_text("left over\n")
    path.chmod(0o644)

    result = cli.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "left over" not in text
    assert set(printed_logins(result.output)) <= {
        line.split("\t")[1] for line in text.splitlines() if line.startswith("login\t")
    }
    assert [p.name for p in tmp_path.iterdir()] == ["demo-logins.txt"]  # no temporary left


def test_a_symlink_at_the_logins_path_is_replaced_not_written_through(app, cli, tmp_path):
    """ELECTIONS_DEMO_LOGINS_FILE may name a symlink to anywhere: the file it points at keeps
    its bytes and its mode; the path becomes a file of its own."""
    target = tmp_path / "elsewhere.txt"
    target.write_text("not yours to overwrite\n")
    target.chmod(0o644)
    path = tmp_path / "demo-logins.txt"
    path.symlink_to(target)

    result = cli.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert target.read_text() == "not yours to overwrite\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert not path.is_symlink()
    assert stat.S_IMODE(path.lstat().st_mode) == 0o600
    assert "login\tcec-admin\t" in path.read_text()


def test_demo_refuses_a_database_that_holds_data(app, cli, world):
    result = cli.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "already holds data" in result.output
    assert count(app, Party) == 0


def test_demo_refuses_a_database_that_holds_only_its_first_administrator(app, cli):
    with app.app_context():
        create_user_service("first-admin", "cec_admin", GOOD_PASSWORD)
        db.session.commit()
    result = cli.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "already holds data" in result.output
    assert (count(app, Unit), count(app, Party), count(app, User)) == (0, 0, 1)


def test_demo_refuses_a_database_that_holds_only_a_party(app, cli):
    with app.app_context():
        territory.create_party(
            {"short_name": "QHP", "name": {"kk": "Партия", "ru": "Партия"}}, None
        )
        db.session.commit()
    result = cli.invoke(args=["demo"])
    assert result.exit_code == 1
    assert (count(app, Unit), count(app, User)) == (0, 0)


def test_demo_reset_is_refused_for_any_database_but_the_default_demo_one(app, cli, world):
    """The session's test database is not ``instance/elections.sqlite3``: nothing is touched."""
    before = (count(app, Unit), count(app, User))
    result = cli.invoke(args=["demo", "--reset"])
    assert result.exit_code == 1
    assert "--reset works only on the demo's own SQLite database" in result.output
    assert (count(app, Unit), count(app, User)) == before


# --- the language of the command line -------------------------------------------------------


def with_locale(monkeypatch, **variables):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    "variables",
    [{"LANG": "en_US.UTF-8"}, {"LANG": "C"}, {"LANG": "C.UTF-8"}, {}, {"LANG": "de_DE.UTF-8"}],
    ids=["en_US", "C", "C.UTF-8", "no locale", "a locale not ours"],
)
def test_cli_errors_are_in_english_under_an_english_or_neutral_locale(
    app, cli, world, monkeypatch, variables
):
    with_locale(monkeypatch, **variables)
    result = create_user(cli, "baurzhan", "--role", "cec_admin", password="short")
    assert result.exit_code == 1
    assert "error: password: Use at least 12 characters." in result.output
    taken = create_user(cli, world.usernames["cec_admin"], "--role", "cec_admin")
    assert "error: username: This user name is taken." in taken.output
    missing = cli.invoke(args=["users", "token", "nobody-here"])
    assert "error: There is no user named nobody-here." in missing.output


def test_cli_errors_are_in_russian_under_a_russian_locale(app, cli, world, monkeypatch):
    with_locale(monkeypatch, LANG="ru_KZ.UTF-8")
    result = create_user(cli, "baurzhan", "--role", "cec_admin", password="short")
    assert result.exit_code == 1
    assert "error: password: Минимальная длина пароля (символов): 12." in result.output
    taken = create_user(cli, world.usernames["cec_admin"], "--role", "cec_admin")
    assert "error: username: Это имя пользователя уже занято." in taken.output
    refused = cli.invoke(args=["demo"])
    assert "уже есть данные" in refused.output


def test_cli_errors_are_in_kazakh_under_a_kazakh_locale_and_lc_all_wins(
    app, cli, world, monkeypatch
):
    with_locale(monkeypatch, LC_ALL="kk_KZ.UTF-8", LANG="ru_RU.UTF-8")
    result = create_user(cli, "baurzhan", "--role", "cec_admin", password="short")
    assert "error: password: Құпиясөз кемінде 12 таңбадан тұруы керек." in result.output


def test_the_web_still_speaks_kazakh_by_default_whatever_the_servers_locale(client, monkeypatch):
    with_locale(monkeypatch, LANG="ru_RU.UTF-8")
    page = client.get("/login").get_data(as_text=True)
    assert "Кіру" in page and "Войти" not in page
