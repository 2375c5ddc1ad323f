"""Rate limits that hold: keyed on the real client behind the configured proxies (and never on
a forged X-Forwarded-For), per account as well as per address for sign-in, and shared by
every gunicorn worker through Redis.

The last test is real: gunicorn with two workers as a subprocess on a free port, against a
migrated database of its own and the Redis on 127.0.0.1:6379 (``.ci/run`` starts it), under
a key prefix of this run that is deleted at the end.
"""

from __future__ import annotations

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from elections.web import ratelimit
from tests import processes
from tests.foundation.support import errors_of

LOOKUP = "/api/v1/status?application_number=AB-0001&iin=900101300123"
PROXY = {"REMOTE_ADDR": "10.0.0.1"}
REDIS_URL = "redis://127.0.0.1:6379/0"


def lookups(client, count: int, **headers) -> list[int]:
    return [
        client.get(LOOKUP, headers=headers, environ_base=PROXY).status_code for _ in range(count)
    ]


def test_a_request_pays_for_no_limiter_hook_and_the_limits_still_hold(make_app):
    """Issue 13: Flask-Limiter's hooks looked for limits on every request and found none (the
    limits are counted where they apply), at about a fifth of a cached results page."""
    app = make_app()
    limiter = app.extensions[ratelimit.EXTENSION]
    hooks = [
        *app.before_request_funcs.get(None, []),
        *app.after_request_funcs.get(None, []),
        *app.teardown_request_funcs.get(None, []),
    ]
    owners = {getattr(hook, "__self__", None) for hook in hooks}
    owners |= {next(iter(getattr(hook, "args", ())), None) for hook in hooks}
    assert limiter not in owners
    client = app.test_client()
    statuses = [client.get(LOOKUP).status_code for _ in range(11)]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]


def test_behind_one_proxy_each_client_has_its_own_limit(make_app):
    app = make_app(PROXY_COUNT=1, STATUS_LOOKUP_RATE=(3, 60))
    client = app.test_client()
    first = lookups(client, 4, **{"X-Forwarded-For": "203.0.113.7"})
    assert 429 not in first[:3]
    assert first[3] == 429
    # Another reader behind the same nginx (same REMOTE_ADDR) is not held up by the first.
    second = lookups(client, 3, **{"X-Forwarded-For": "203.0.113.8"})
    assert 429 not in second
    # ProxyFix trusts only the last hop: a header the client wrote itself does not count.
    chained = lookups(client, 1, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    assert chained == [429]


def test_without_a_proxy_a_forged_forwarded_for_does_not_dodge_the_limit(make_app):
    app = make_app(STATUS_LOOKUP_RATE=(3, 60))  # ELECTIONS_PROXY_COUNT unset: 0
    assert app.config["PROXY_COUNT"] == 0
    client = app.test_client()
    answers = [
        client.get(
            LOOKUP, headers={"X-Forwarded-For": f"203.0.113.{n}"}, environ_base=PROXY
        ).status_code
        for n in range(5)
    ]
    assert 429 not in answers[:3]
    assert answers[3:] == [429, 429]
    limited = client.get(LOOKUP, environ_base=PROXY)
    items = errors_of(limited, 429)
    assert items[0]["code"] == "too_many_requests"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_sign_in_is_limited_per_account_from_every_address(make_app, world):
    app = make_app(PROXY_COUNT=1, LOGIN_ACCOUNT_RATE=(3, 60), LOGIN_RATE=(100, 60))
    client = app.test_client()
    name = world.usernames["territorial_member"]

    def sign_in(username: str, address: str):
        return client.post(
            "/login?lang=en",
            data={"username": username, "password": "not-the-password"},
            headers={"X-Forwarded-For": address},
            environ_base=PROXY,
        )

    answers = [sign_in(name, f"203.0.113.{n}") for n in range(4)]
    assert [a.status_code for a in answers[:3]] == [401, 401, 401]
    assert answers[3].status_code == 429
    assert "for this user name" in answers[3].get_data(as_text=True)
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 60
    # The same for a name nobody has (nothing tells them apart), case and spaces aside.
    unknown = [sign_in(" Nobody-Here ", f"198.51.100.{n}").status_code for n in range(3)]
    assert unknown == [401, 401, 401]
    assert sign_in("nobody-here", "198.51.100.9").status_code == 429
    # Another account from the same addresses still gets its answer.
    assert sign_in(world.usernames["cec_admin"], "203.0.113.1").status_code == 401
    # The counters hold a hash of the name, never the name itself.
    keys = " ".join(app.extensions[ratelimit.EXTENSION].storage.storage)
    with app.app_context():
        assert ratelimit.account_key(name) in keys
    assert name not in keys and "nobody" not in keys


def test_sign_in_is_limited_per_address_too(make_app):
    app = make_app(PROXY_COUNT=1, LOGIN_RATE=(2, 60))
    client = app.test_client()
    answers = [
        client.post(
            "/login?lang=en",
            data={"username": f"user-{n}", "password": "not-the-password"},
            headers={"X-Forwarded-For": "203.0.113.50"},
            environ_base=PROXY,
        )
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [401, 401, 429]
    assert "from this address" in answers[2].get_data(as_text=True)


# -- gunicorn, two workers, Redis ------------------------------------------------------------


@pytest.mark.committing
def test_the_limit_holds_across_two_gunicorn_workers_on_redis(committed_app, fresh_database_url):
    store = redis.Redis.from_url(REDIS_URL)
    assert store.ping(), "Redis must run on 127.0.0.1:6379 (.ci/run starts it)"
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    limit = 6
    env = {
        **os.environ,
        "ELECTIONS_DATABASE_URL": fresh_database_url,
        "ELECTIONS_REDIS_URL": REDIS_URL,
        "SECRET_KEY": "rate-limit-test-secret-not-for-production",
        "ELECTIONS_ENV": "development",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("ELECTIONS_PROXY_COUNT", None)
    server = processes.Gunicorn(
        env, {"RATELIMIT_KEY_PREFIX": prefix, "STATUS_LOOKUP_RATE": (limit, 300)}
    )
    try:
        server.wait_until_serving()
        # Twice the limit at once, on separate connections, so both workers take requests.
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda _: server.get(LOOKUP), range(2 * limit)))
        assert answers.count(429) == limit, answers  # exactly N went through, not N per worker
        # Every further request is 429, whichever worker takes it; go on until both have.
        more = []
        while len(server.pids("/api/v1/status")) < 2 and len(more) < 200:
            more.append(server.get(LOOKUP))
            time.sleep(0.01)
        assert len(server.pids("/api/v1/status")) == 2, "".join(server.lines)
        assert set(more) <= {429}, more
        keys = list(store.scan_iter(match=f"*LIMITER/{prefix}/*"))
        assert keys, "the counters live in Redis"
    finally:
        server.stop()
        for key in store.scan_iter(match=f"*LIMITER/{prefix}/*"):
            store.delete(key)
    assert not list(store.scan_iter(match=f"*LIMITER/{prefix}/*"))
