"""Message nonces that make a retried post safe.

Discord returns the message already created with the same nonce (sent with
``enforce_nonce``, which discord.py adds to every nonce) for "the past few minutes" instead
of creating a second one. A nonce derived from what the message *is* — a server's digest of
one local day, part n — turns a retry after a lost answer (a 5xx after Discord stored the
message) into a no-op, as long as the retry comes within that window: hence the quick
retries of ``send_once`` rather than waiting for the next scheduled attempt.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

import discord

log = logging.getLogger(__name__)

MAX_NONCE = 25  # characters Discord accepts
QUICK_RETRIES = (1.0, 3.0)  # seconds before each new try: well inside Discord's window


def digest_nonce(guild_id: int | str, local_date: date, part: int) -> str:
    """The nonce of message ``part`` of ``guild_id``'s digest for ``local_date``."""
    key = f"digest:{guild_id}:{local_date.isoformat()}:{part}".encode()
    return hashlib.blake2b(key, digest_size=12).hexdigest()  # 24 characters


async def send_once(
    channel: discord.abc.Messageable,
    nonce: str,
    *,
    retries: Sequence[float] = QUICK_RETRIES,
    **kwargs: Any,
) -> discord.Message:
    """``channel.send`` with ``nonce``, tried again after a server error (the message may
    have been stored: the nonce makes Discord answer with it instead of a copy). Other
    errors are raised at once."""
    for delay in (*retries, None):
        try:
            return await channel.send(nonce=nonce, **kwargs)
        except discord.DiscordServerError as exc:
            if delay is None:
                raise
            log.warning("Discord answered %s; sending again in %.0f s", exc.status, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable: the last try returns or raises")
