"""Web text made plain: safe URLs, shortening at a word."""

from __future__ import annotations

from bot.news.text import safe_url, shorten
from bot.ui.render import link


def test_safe_url() -> None:
    assert safe_url("https://example.com/a_(b)?q=1 2") == "https://example.com/a_%28b%29?q=1%202"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,hi") is None
    assert safe_url("ftp://example.com/x") is None
    assert safe_url("https://user@evil.com/") is None
    assert safe_url("https:///nohost") is None
    assert safe_url("https://example.com/" + "a" * 600) is None
    assert safe_url("https://bücher.de/ä") == "https://xn--bcher-kva.de/%C3%A4"
    assert link("A [title]", "https://e.com/x)y", 100) == "[A \\[title\\]](https://e.com/x%29y)"


def test_shorten_cuts_at_a_word() -> None:
    text = "word " * 100
    short = shorten(text, 50)
    assert len(short) <= 50 and short.endswith("…") and not short.endswith(" …")
