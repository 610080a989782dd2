"""The entity card shown above /country and /person lists: how much, since when, with whom."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.news.store.interface import EntityCard
from bot.ui.render import clip, entity_label, safe

CARD_MAX = 600  # characters: a summary line above the list, not a second list


def _day(when: float | None) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%d %b %Y") if when else "—"


def card_text(card: EntityCard, days: int) -> str:
    """``**12** developments in the last 7 days · first 20 Nov 2026 · last 28 Nov 2026``
    and an "Often with" line naming the entities most often in the same articles."""
    noun = "development" if card.count == 1 else "developments"
    window = f"in the last {days} day{'s' * (days != 1)}"
    lines = [f"**{card.count}** {noun} {window}"]
    if card.count:
        lines[0] += f" · first {_day(card.first_seen)} · last {_day(card.last_seen)}"
    if card.often_with:
        names = [
            f"{entity_label(c.kind, c.key, safe(c.display, 60))} ({c.count})"
            for c in card.often_with
        ]
        lines.append("Often with: " + ", ".join(names))
    return clip("\n".join(lines), CARD_MAX)
