"""Pages written to break things: pings, markdown that escapes masked links, hundreds of
persons, bytes that are no text, menus, emptiness, endless and compressed floods."""

from __future__ import annotations

import gzip
import random

from bot.sandbox.web import html_page
from tests.e2e.conftest import FILLER

FIRST = ("Maria", "Jose", "Ana", "Luis", "Carmen", "Pedro", "Lucia", "Jorge", "Elena", "Pablo",
         "Sofia", "Diego", "Laura", "Andres", "Paula", "Miguel", "Rosa", "Carlos", "Julia",
         "Tomas")  # fmt: skip
LAST = ("Garcia", "Fernandez", "Lopez", "Martinez", "Sanchez", "Perez", "Gomez", "Diaz",
        "Alvarez", "Romero")  # fmt: skip


def mention_page() -> bytes:
    return html_page(
        "@everyone Quito vote <@123456789012345678> @here",
        [
            "@everyone the council of Quito in Ecuador voted on Monday <@&987654321098765432>.",
            "Residents of Quito said @here that the vote <#123456789012345678> mattered.",
            *FILLER,
        ],
    )


def markdown_page() -> bytes:
    return html_page(
        "Budget](https://evil.example/phish) [click here *bold* `code` ~~x~~ ||spoiler|| \\",
        [
            "Lima, Peru: the [finance](https://evil.example/a) ministry in Peru published a "
            "budget with ](https://evil.example/b) markup and __underlines__ in it.",
            "Officials in Lima said the plan would ``` break code blocks ``` if allowed.",
            *FILLER,
        ],
    )


def many_persons_page() -> bytes:
    names = [f"{first} {last}" for last in LAST for first in FIRST]  # 200 persons
    sentences = [
        f"{a} met {b} in Madrid on Tuesday to discuss the budget."
        for a, b in zip(names[::2], names[1::2], strict=True)
    ]
    return html_page("Two hundred people met in Madrid, Spain", [*sentences, *FILLER])


def binary_page(size: int = 200_000) -> bytes:
    rng = random.Random(14)
    return bytes(rng.getrandbits(8) for _ in range(size))


def nav_page() -> bytes:
    sections = ("World", "Politics", "Business", "Technology", "Science", "Health", "Sports",
                "Culture", "Opinion", "Travel")  # fmt: skip
    kinds = ("news", "latest stories", "analysis and comment", "in pictures")
    labels = [f"{a} {b}" for a in sections for b in kinds]
    links = "".join(f'<p><a href="/s{i}">{w}</a></p>' for i, w in enumerate(labels))
    return (
        "<!doctype html><html><head><title>Home</title></head><body><article>"
        f"{links}</article></body></html>"
    ).encode()


def gzip_bomb(decompressed: int = 64 * 1024 * 1024) -> bytes:
    return gzip.compress(b"<html><body><p>" + b"a" * decompressed, compresslevel=9)
