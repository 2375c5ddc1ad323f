"""The signed paper in an election's open data: the scans' digests and how the observers'
copies compare, every difference with its answer (the JSON export carries it; the NIST
format has no place for it, so that JSON is its companion)."""

from __future__ import annotations

from flask import url_for

from elections.observers import differences, scans


def paper_of(election_id: int) -> dict:
    return {
        "scans": [
            {
                "precinct_id": scan.precinct_id,
                "version": scan.version,
                "sha256": scan.sha256,
                "media_type": scan.media_type,
                "url": url_for("scans.file", sha256=scan.sha256),
            }
            for kept in scans.scans_of(election_id).values()
            for scan in kept
        ],
        "observer_copies": vars(differences.comparisons([election_id])[election_id]),
        "differences": differences.of_election(election_id),
    }
