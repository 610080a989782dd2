"""Web text made safe for Discord: markdown and mentions escaped."""

from __future__ import annotations

import re

from bot.ui.text import ZWSP, escape_markdown


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
