"""Making web text safe for Discord: markdown, mentions, URLs, shortening."""

from __future__ import annotations

import re

from bot.news.text import ZWSP, escape_markdown, markdown_link, safe_url, shorten


def test_escape_markdown_and_mentions() -> None:
    hostile = "@everyone **bold** _it_ `code` ~~s~~ ||spoiler|| > quote [x](http://e.vil) <@123>"
    out = escape_markdown(hostile)
    assert "@everyone" not in out and f"@{ZWSP}everyone" in out
    assert f"\\<{ZWSP}@123\\>" in out
    unescaped = re.sub(r"\\.", "", out)  # what is left once escaped characters are removed
    for ch in "*_`~|[]()<>":
        assert ch not in unescaped
    assert escape_markdown("line one\nline two\r\n\tend") == "line one line two end"
    assert escape_markdown("@here and @HERE") == f"@{ZWSP}here and @{ZWSP}HERE"
    assert "\u202e" not in escape_markdown("abc\u202edef")


def test_safe_url() -> None:
    assert safe_url("https://example.com/a_(b)?q=1 2") == "https://example.com/a_%28b%29?q=1%202"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,hi") is None
    assert safe_url("ftp://example.com/x") is None
    assert safe_url("https://user@evil.com/") is None
    assert safe_url("https:///nohost") is None
    assert safe_url("https://example.com/" + "a" * 600) is None
    assert safe_url("https://bücher.de/ä") == "https://xn--bcher-kva.de/%C3%A4"
    link = markdown_link("A [title]", "https://e.com/x)y")
    assert link == "[A \\[title\\]](https://e.com/x%29y)"


def test_shorten_cuts_at_a_word() -> None:
    text = "word " * 100
    short = shorten(text, 50)
    assert len(short) <= 50 and short.endswith("…") and not short.endswith(" …")
