"""Text rendering of messages for the sandbox prompt."""

from __future__ import annotations

from bot.sandbox.render import render_message

MESSAGE = {
    "author": {"username": "newsbot"},
    "flags": 64,
    "content": "hello",
    "embeds": [
        {
            "title": "Ecuador",
            "url": "https://example.org",
            "description": "News",
            "fields": [{"name": "Persons", "value": "Daniel Noboa"}],
            "footer": {"text": "1 result"},
        },
        {"title": "Second"},
    ],
    "components": [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 2, "label": "Previous", "custom_id": "p", "disabled": True},
                {"type": 2, "style": 1, "label": "Next", "custom_id": "n"},
                {"type": 2, "style": 5, "label": "Open", "url": "https://example.org"},
            ],
        }
    ],
}


def test_render_message() -> None:
    assert render_message(MESSAGE).splitlines() == [
        "newsbot  (only you can see this)",
        "  hello",
        "  ┃ Ecuador  <https://example.org>",
        "  ┃ News",
        "  ┃ ",
        "  ┃ Persons:",
        "  ┃   Daniel Noboa",
        "  ┃ ",
        "  ┃ 1 result",
        "  " + "┄" * 40,
        "  ┃ Second",
        "  (Previous) [Next] [Open ↗ https://example.org]",
    ]
