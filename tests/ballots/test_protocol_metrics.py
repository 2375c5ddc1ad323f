"""The protocol figures on /metrics: a save, a version conflict and a refused body are counted
once each, as the scrape shows them (elections/web/metrics.py)."""

from __future__ import annotations

import re

from tests.ballots.helpers import protocol_body, protocol_url


def scraped(client, headers, name: str, **labels) -> float:
    """One sample of the admin's scrape of /metrics (0 when it is not there yet)."""
    text = client.get("/metrics", headers=headers).get_data(as_text=True)
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    pattern = rf"^{name}(?:\{{{re.escape(wanted)}\}})? (\S+)$" if wanted else rf"^{name} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_a_save_a_conflict_and_a_refusal_are_each_counted_once(
    client, world, candidates, secretary, token_for
):
    admin = token_for(world.users["cec_admin"])
    url = protocol_url(world.election_id, world.precinct_a)
    endpoint = "ballots_api.save_protocol"
    before = {
        "saves": scraped(client, admin, "elections_protocol_saves_total"),
        "conflicts": scraped(client, admin, "elections_protocol_conflicts_total"),
        "refused": scraped(
            client, admin, "elections_responses_total", endpoint=endpoint, status=422
        ),
    }

    assert client.put(url, json=protocol_body(candidates), headers=secretary).status_code == 200
    stale = client.put(url, json=protocol_body(candidates, expected_version=0), headers=secretary)
    assert stale.status_code == 409
    broken = protocol_body(candidates, expected_version=1, ballots_in_boxes=-1)
    assert client.put(url, json=broken, headers=secretary).status_code == 422

    assert scraped(client, admin, "elections_protocol_saves_total") == before["saves"] + 1
    assert scraped(client, admin, "elections_protocol_conflicts_total") == before["conflicts"] + 1
    refused = scraped(client, admin, "elections_responses_total", endpoint=endpoint, status=422)
    assert refused == before["refused"] + 1
    latency = scraped(
        client, admin, "elections_request_seconds_count", method="PUT", endpoint=endpoint
    )
    assert latency >= 3
