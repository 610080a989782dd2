"""The fixed tune/held split of every labelled item (dev pages and CNN/DailyMail articles).

An item belongs to "held" when the first byte of sha256("newsbot-split:" + id) is odd, to
"tune" otherwise. Rules are written looking at "tune" only; "held" is scored, never read.
"""

from __future__ import annotations

import hashlib
from typing import Literal

Part = Literal["tune", "held"]
PARTS: tuple[Part, Part] = ("tune", "held")
_SALT = "newsbot-split:"


def part_of(item_id: str) -> Part:
    """Which half an item (page id, CNN/DailyMail article id) belongs to."""
    first = hashlib.sha256((_SALT + item_id).encode("utf-8")).digest()[0]
    return "held" if first % 2 else "tune"
