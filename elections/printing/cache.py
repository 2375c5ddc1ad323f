"""The rendered PDFs, kept per process: a document is rendered once for what it prints.

A document's bytes are a function of its HTML (no clock is read while printing, and WeasyPrint
writes the same HTML to the same bytes), so the key is the document, its id and version, and
the SHA-256 of the HTML with the renderer's version: whatever the paper prints (a figure, a
status, a unit's name, a notice that the version was replaced) changes the key at once, and
nothing is ever served stale. The same digest is the document's strong ETag.

The key is computed from the HTML, which the view builds only after its access check: a
scoped document (a precinct's protocol) is looked up only by someone who may read it, and its
key names that precinct and version, so one reader's document cannot answer another's request.

At most ``MAX_ENTRIES`` documents and ``MAX_BYTES`` in all are kept, the least recently used
dropped first. Renders are made one at a time; a request that finds its document being rendered
waits for it instead of rendering it again, so a flood of requests for one document costs one
render.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from elections.printing import pdf

MAX_ENTRIES = 64
MAX_BYTES = 32 * 1024 * 1024

_lock = threading.Lock()  # guards _entries and _size
_fill = threading.Lock()  # one render at a time, and none twice
_entries: OrderedDict[Key, bytes] = OrderedDict()
_size = 0


@dataclass(frozen=True)
class Key:
    document: str  # "protocol", "result", "ballot", "voter_list" or "signature_check"
    id: int  # the precinct's or the election's id
    version: int | None
    digest: str  # SHA-256 of the renderer's version and the HTML

    @property
    def etag(self) -> str:
        """The strong ETag of the document's bytes."""
        raw = f"{self.document}|{self.id}|{self.version}|{self.digest}"
        return hashlib.sha256(raw.encode()).hexdigest()[:40]


def key(document: str, id: int, version: int | None, html: str) -> Key:
    digest = hashlib.sha256(f"{pdf.renderer_version()}\n{html}".encode()).hexdigest()
    return Key(document, id, version, digest)


def _get(k: Key) -> bytes | None:
    with _lock:
        body = _entries.get(k)
        if body is not None:
            _entries.move_to_end(k)
        return body


def _put(k: Key, body: bytes) -> None:
    global _size
    with _lock:
        if k in _entries:
            return
        _entries[k] = body
        _size += len(body)
        while _entries and (len(_entries) > MAX_ENTRIES or _size > MAX_BYTES):
            _, dropped = _entries.popitem(last=False)
            _size -= len(dropped)


def pdf_for(k: Key, html: str) -> bytes:
    """The PDF of ``html``, rendered once for its key."""
    body = _get(k)
    if body is not None:
        return body
    with _fill:
        body = _get(k)  # rendered while this request waited
        if body is None:
            body, _fonts = pdf.render(html)
            _put(k, body)
    return body


def size() -> tuple[int, int]:
    """How many documents are kept, and their bytes."""
    with _lock:
        return len(_entries), _size


def clear() -> None:
    global _size
    with _lock:
        _entries.clear()
        _size = 0
