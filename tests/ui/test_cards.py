"""The entity card line above /country and /person lists."""

from __future__ import annotations

from bot.news.store.interface import Companion, EntityCard
from bot.ui.cards import card_text


def test_card_counts_dates_and_companions() -> None:
    card = EntityCard(
        "person",
        "daniel noboa",
        "Daniel Noboa",
        12,
        1_795_000_000.0,
        1_795_600_000.0,
        (Companion("country", "EC", "EC", 9), Companion("person", "x", "**Bold** @everyone", 2)),
    )
    text = card_text(card, 7)
    first, often = text.split("\n")
    assert first == "**12** developments in the last 7 days · first 18 Nov 2026 · last 25 Nov 2026"
    assert often.startswith("Often with: 🇪🇨 Ecuador (9), ")
    assert "\\*\\*Bold\\*\\*" in often and "@everyone" not in often


def test_empty_card_says_so_without_dates() -> None:
    card = EntityCard("country", "PE", "PE", 0, None, None)
    assert card_text(card, 1) == "**0** developments in the last 1 day"
