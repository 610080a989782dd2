"""Canonical URLs and content fingerprints."""

from __future__ import annotations

import pytest

from bot.news.understanding.canonical import (
    canonical_url,
    fingerprint,
    normalize_url,
)

TEXT = (
    "The harbour authority said on Monday that the new container terminal would open in "
    "March, two years later than planned, after a long dispute over dredging the channel. "
    "Officials blamed the contractor, which pointed to storms that damaged the breakwater."
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTPS://Example.COM/News/Story", "https://example.com/News/Story"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a/", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        (
            "https://example.com/a?utm_source=tw&utm_medium=social&id=7&fbclid=x&gclid=y",
            "https://example.com/a?id=7",
        ),
        ("https://example.com/a?b=2&a=1&mc_cid=1&ref=home", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?page=2&_ga=1.2", "https://example.com/a?page=2"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
        ("https://example.com/caf%C3%A9", "https://example.com/caf%C3%A9"),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_normalize_url(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


def test_normalize_is_idempotent() -> None:
    url = "https://Example.com/a/b/?z=1&utm_campaign=x&a=%20b#f"
    once = normalize_url(url)
    assert normalize_url(once) == once


def test_canonical_uses_same_site_declaration() -> None:
    page = "https://m.example.com/story?utm_source=x"
    assert canonical_url(page, "https://www.example.com/story") == "https://www.example.com/story"
    assert canonical_url(page, "https://news.example.com/s") == "https://news.example.com/s"


def test_canonical_ignores_other_sites_and_junk() -> None:
    page = "https://example.com/story"
    assert canonical_url(page, "https://evil.test/story") == page
    assert canonical_url(page, "/relative/path") == page
    assert canonical_url(page, "javascript:alert(1)") == page
    assert canonical_url(page, None) == page
    assert canonical_url(page, "https://notexample.com/story") == page


def test_fingerprint_ignores_trivial_differences() -> None:
    variant = "  " + TEXT.upper().replace(",", " ,").replace(".", "!") + "\n\n"
    assert fingerprint(TEXT) == fingerprint(variant)
    accented = TEXT.replace("harbour", "hárbour")
    assert fingerprint(TEXT) == fingerprint(accented)


def test_fingerprint_of_different_texts() -> None:
    other = "Shares in the carmaker fell sharply after it cut its forecast for the year again."
    assert fingerprint(TEXT) != fingerprint(other)
    assert len(fingerprint("")) == 16
