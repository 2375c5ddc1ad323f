"""The IIN as the database keeps it: an HMAC-SHA-256 under ``ELECTIONS_PII_KEY``.

The key lives in the environment or the instance folder (elections/core/config.py), never
in the database: a copy of the database alone names no one's IIN, and a list of every
possible IIN hashed without the key finds nothing in it.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def iin_hash(iin: str) -> str:
    key = str(current_app.config["PII_KEY"]).encode()
    return hmac.new(key, iin.encode(), hashlib.sha256).hexdigest()
