"""Rows of an uploaded file, read as a stream: CSV (UTF-8, with or without a byte-order mark)
or a JSON array of objects. Never the whole body in memory: a list of 12 million voters
arrives as 10,223 files of about 100 KB, and a worker keeps one row at a time.

The digest is the SHA-256 of the bytes as they came, so the audit trail names the exact file.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from typing import BinaryIO

import ijson
from flask_babel import gettext as _
from ijson.common import ObjectBuilder

from elections.core.errors import ServiceError

CSV_TYPES = ("text/csv", "application/csv", "text/plain")
JSON_TYPES = ("application/json",)
READ_SIZE = 64 * 1024


class _Hashing(io.RawIOBase):
    """A stream that hashes what is read through it."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        self.sha256.update(data)
        self.size += len(data)
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size if size is not None and size >= 0 else READ_SIZE)
        self.sha256.update(data)
        self.size += len(data)
        return data


def unreadable(message: str) -> ServiceError:
    return ServiceError.one(400, "bad_request", message)


class Upload:
    """An uploaded file of rows: iterate for ``(line, cells)``; then ``digest``.

    A CSV's line is its line in the file (the header is line 1), as a spreadsheet numbers it;
    a JSON row's line is its place in the array, from 1.
    """

    def __init__(self, stream: BinaryIO, media_type: str, fields: tuple[str, ...]):
        if media_type not in CSV_TYPES + JSON_TYPES:
            raise ServiceError.one(
                415,
                "unsupported_media_type",
                _("Send the rows as text/csv or as application/json."),
            )
        self._raw = _Hashing(stream)
        self._json = media_type in JSON_TYPES
        self._fields = fields

    @property
    def digest(self) -> str:
        return self._raw.sha256.hexdigest()

    def __iter__(self) -> Iterator[tuple[int, dict]]:
        rows = self._json_rows() if self._json else self._csv_rows()
        try:
            yield from rows
        except UnicodeDecodeError as error:
            raise unreadable(_("The file is not UTF-8 text.")) from error
        except (ijson.JSONError, ijson.IncompleteJSONError) as error:
            raise unreadable(_("The body is not a JSON array of rows.")) from error
        except csv.Error as error:
            raise unreadable(_("The file is not readable CSV: %(why)s", why=str(error))) from error

    def _csv_rows(self) -> Iterator[tuple[int, dict]]:
        text = io.TextIOWrapper(io.BufferedReader(self._raw, READ_SIZE), "utf-8-sig", newline="")
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            raise unreadable(_("The file is empty: it needs a header line."))
        names = [cell.strip().lower() for cell in header]
        missing = [name for name in self._fields if name not in names]
        if missing:
            raise unreadable(
                _("The header line lacks these columns: %(names)s.", names=", ".join(missing))
            )
        places = {name: names.index(name) for name in self._fields}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # a blank line, as spreadsheets leave at the end
            yield (
                reader.line_num,
                {name: row[place] if place < len(row) else "" for name, place in places.items()},
            )

    def _json_rows(self) -> Iterator[tuple[int, dict]]:
        events = ijson.parse(io.BufferedReader(self._raw, READ_SIZE), use_float=True)
        if next(events, None) != ("", "start_array", None):
            raise unreadable(_("The body is not a JSON array of rows."))
        line, builder = 0, None
        for prefix, event, value in events:  # read to the end: the digest covers every byte
            if prefix != "item" and not prefix.startswith("item."):
                continue  # the closing bracket
            builder = builder or ObjectBuilder()
            builder.event(event, value)
            if prefix == "item" and event in ITEM_ENDS:
                line, item, builder = line + 1, builder.value, None
                if not isinstance(item, dict):
                    raise unreadable(_("Row %(line)d is not a JSON object.", line=line))
                yield line, {name: item.get(name) for name in self._fields}


# The events that end one item of the top-level array (an object, an array or a scalar).
ITEM_ENDS = ("end_map", "end_array", "null", "boolean", "integer", "double", "number", "string")
