"""The akimat's files of voter lists loaded from disk: one CSV per precinct, named by the
precinct's number (``401.csv``), each checked as the API checks it and loaded in a
transaction of its own, so that one flawed file refuses only itself."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from elections.core.errors import ServiceError
from elections.core.extensions import db
from elections.territory.models import Election, Precinct
from elections.voters import lists
from elections.voters.reading import Upload
from elections.voters.rules import LIST_FIELDS


@dataclass
class FileResult:
    path: Path
    loaded: int | None = None  # voters on the list after it, None: the file was refused
    refused: Counter[str] = field(default_factory=Counter)
    lines: list[int] = field(default_factory=list)  # the first refused lines
    problem: str | None = None


def list_files(path: Path) -> list[Path]:
    """A file, or every ``*.csv`` of a folder, by precinct number where they are numbers."""
    if path.is_file():
        return [path]
    found = [p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv"]
    return sorted(
        found, key=lambda p: (not p.stem.isdigit(), int(p.stem) if p.stem.isdigit() else 0, p.name)
    )


def import_files(election: Election, files: list[Path], accept_valid: bool) -> Iterator[FileResult]:
    """Load each file into the precinct it names, committing each one that loads."""
    precincts = {
        p.number: p
        for p in db.session.execute(
            select(Precinct).where(Precinct.election_id == election.id)
        ).scalars()
    }
    for path in files:
        result = FileResult(path)
        precinct = precincts.get(int(path.stem)) if path.stem.isdigit() else None
        if precinct is None:
            result.problem = _(
                "no precinct of this election has the number %(name)s", name=path.stem
            )
            yield result
            continue
        with path.open("rb") as stream:
            try:
                loaded = lists.load_list(
                    precinct, Upload(stream, "text/csv", LIST_FIELDS), accept_valid, None
                )
            except ServiceError as error:
                db.session.rollback()
                _note_refusal(result, error)
                yield result
                continue
        db.session.commit()
        result.loaded = loaded.voters_on_list
        for row in loaded.refused:
            result.refused[row["code"]] += 1
            result.lines.append(row["line"])
        yield result


def _note_refusal(result: FileResult, error: ServiceError) -> None:
    rows = [item for item in error.items if "line" in item.extra]
    if not rows:
        result.problem = str(error.items[0].message)
        return
    for item in rows:
        result.refused[item.code] += 1
        result.lines.append(item.extra["line"])
