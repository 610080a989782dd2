"""Message nonces that make a retried post safe.

Discord returns the message already created with the same nonce (sent with
``enforce_nonce``, which discord.py adds to every nonce) for a few minutes instead of
creating a second one. A nonce derived from what the message *is* — a server's digest of one
local day, part n — turns a retry after a lost answer (a 502 after Discord stored the message,
a crash between sending and recording) into a no-op.
"""

from __future__ import annotations

import hashlib
from datetime import date

MAX_NONCE = 25  # characters Discord accepts


def digest_nonce(guild_id: int | str, local_date: date, part: int) -> str:
    """The nonce of message ``part`` of ``guild_id``'s digest for ``local_date``."""
    key = f"digest:{guild_id}:{local_date.isoformat()}:{part}".encode()
    return hashlib.blake2b(key, digest_size=12).hexdigest()  # 24 characters
