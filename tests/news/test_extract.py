"""Extraction: HTML pages, titles, plain-text articles, local files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bot.news.understanding.extract import NotAnArticle, clean_title, extract_html, first_sentence
from bot.news.understanding.scoring import shingle_prf
from bot.news.understanding.textfile import (
    LocalFileError,
    decode_text,
    parse_text_article,
    read_local,
)
from bot.sandbox.web import html_page
from tests.conftest import EXAMPLE_ARTICLE, PAGES

PARAS = [
    "The harbour authority of Valparaíso said on Monday that the new container terminal "
    "would open in March, two years later than planned, after a dispute over dredging.",
    "Officials blamed the delay on the contractor, which in turn pointed to storms that "
    "damaged the breakwater twice during the winter and flooded the site for weeks.",
]


def test_extracts_a_simple_page() -> None:
    page = html_page("Port delayed | Coast News", PARAS, headline="Port delayed")
    got = extract_html(page, "https://coastnews.example/port")
    assert got.title == "Port delayed"
    assert "dispute over dredging" in got.text
    assert got.language == "en"


def test_too_little_text_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle) as info:
        extract_html(html_page("Home", ["Welcome", "Log in"]), "https://example.com/")
    assert "too little text" in info.value.message
    with pytest.raises(NotAnArticle):
        extract_html(b"", "https://example.com/")
    with pytest.raises(NotAnArticle):
        extract_html(b"\x00\xff garbage", "https://example.com/")


@pytest.mark.parametrize(
    ("title", "site", "host", "expected"),
    [
        ("Brexit: what next? - BBC News", "BBC News", "www.bbc.co.uk", "Brexit: what next?"),
        ("Port delayed | The Guardian", "", "www.theguardian.com", "Port delayed"),
        ("The Guardian | Port delayed", "The Guardian", "", "Port delayed"),
        ("Port delayed — Reuters", "Reuters", "www.reuters.com", "Port delayed"),
        (
            "Spider-Man review - a web of lies",
            "",
            "example.com",
            "Spider-Man review - a web of lies",
        ),
        ("Ports in Chile: a long delay", "", "", "Ports in Chile: a long delay"),
        ("Port delayed after storms | World", "", "", "Port delayed after storms"),
        ("Plain headline", "Site", "site.com", "Plain headline"),
    ],
)
def test_clean_title(title: str, site: str, host: str, expected: str) -> None:
    assert clean_title(title, site, host) == expected


def test_first_sentence_trims() -> None:
    assert first_sentence("One. Two.") == "One."
    long = "word " * 100
    assert len(first_sentence(long)) <= 161
    assert first_sentence("Line one\nLine two") == "Line one"


def test_text_article_with_date_on_the_same_line() -> None:
    got = parse_text_article(decode_text(EXAMPLE_ARTICLE.read_bytes()))
    assert got.published == "2025-06-09"
    assert got.text.startswith("The Ecuadorian National Assembly")
    assert got.title.startswith("The Ecuadorian National Assembly is set to launch")


def test_text_article_date_on_its_own_line_or_absent() -> None:
    got = parse_text_article("date 2024-02-29\nHeadline of the day\nBody text here.")
    assert (got.published, got.title) == ("2024-02-29", "Headline of the day")
    plain = parse_text_article("No date here. Second sentence.")
    assert (plain.published, plain.title) == (None, "No date here.")
    bad = parse_text_article("date 2024-13-45 text")
    assert bad.published is None and bad.text.startswith("date 2024-13-45")


def test_read_local_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello", encoding="utf-8")
    assert read_local(tmp_path / "a.txt", 100).kind == "text"
    (tmp_path / "b.html.gz").write_bytes(gzip.compress(b"<html>x</html>"))
    local = read_local(tmp_path / "b.html.gz", 100)
    assert (local.kind, local.content) == ("html", b"<html>x</html>")
    (tmp_path / "bomb.html.gz").write_bytes(gzip.compress(b"a" * 10_000))
    with pytest.raises(LocalFileError) as info:
        read_local(tmp_path / "bomb.html.gz", 1000)
    assert info.value.kind == "too_large"
    with pytest.raises(LocalFileError) as info:
        read_local(tmp_path / "missing.txt", 100)
    assert info.value.kind == "not_found"
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    with pytest.raises(LocalFileError) as info:
        read_local(tmp_path / "c.pdf", 100)
    assert info.value.kind == "bad_file"
    (tmp_path / "d.html.gz").write_bytes(b"not gzip")
    with pytest.raises(LocalFileError) as info:
        read_local(tmp_path / "d.html.gz", 100)
    assert info.value.kind == "bad_file"


def test_shingle_prf() -> None:
    assert shingle_prf("a b c d e", "a b c d e") == (1.0, 1.0, 1.0)
    assert shingle_prf("", "") == (1.0, 1.0, 1.0)
    assert shingle_prf("", "a b c d") == (0.0, 0.0, 0.0)
    p, r, f = shingle_prf("a b c d e f", "a b c d")
    assert (p, r) == (1 / 3, 1.0) and f == pytest.approx(0.5)


NOISE = (
    "Accept all",
    "Most read",
    "bikefan88",
    "Nobody asked",
    "Post comment",
    "Share on social media",
    "Related stories",
    "written for newsbot",
)


@pytest.mark.parametrize(
    "page_id", ["ferry-resumes", "cycle-lanes-with-comments", "hochwasser-oder"]
)
def test_pages_extract_the_article_and_nothing_else(page_id: str) -> None:
    """The body, title and date of each fixture page: no navigation, bylines, sidebar,
    share links, reader comments or footer in the text."""
    truth = json.loads((PAGES / "ground-truth.json").read_text(encoding="utf-8"))[page_id]
    got = extract_html((PAGES / f"{page_id}.html").read_bytes(), truth["url"])
    precision, recall, _ = shingle_prf(got.text, truth["articleBody"])
    assert precision > 0.9 and recall > 0.97, (precision, recall, got.text)
    assert got.title == truth["title"]
    assert got.published == truth["published"]
    assert not [noise for noise in NOISE if noise in got.text]


def test_byline_names_from_trafilatura_author_field() -> None:
    from bot.news.understanding.extract import byline_names

    assert byline_names("By Jane Doe and John Roe") == ["Jane Doe", "John Roe"]
    assert byline_names("Jane Doe; John Roe") == ["Jane Doe", "John Roe"]
    assert byline_names("") == []


def _paragraphs(seed: str, count: int, words: int = 30) -> list[str]:
    return [" ".join(f"{seed}{p}w{i}" for i in range(words)) + "." for p in range(count)]


def test_readability_wins_when_trafilatura_stopped_early() -> None:
    from bot.news.understanding.extract import _choose_text

    body = _paragraphs("body", 12)
    precise = "\n".join(body[:5])
    readable = "\n".join(body)
    assert _choose_text(precise, readable, "", None) == (readable, "readability")


def test_edge_paragraphs_readability_lacks_are_trimmed() -> None:
    from bot.news.understanding.extract import _choose_text

    body = _paragraphs("body", 8)
    teaser, signup = _paragraphs("teaser", 1)[0], _paragraphs("signup", 1)[0]
    precise = "\n".join([teaser, *body, signup])
    text, method = _choose_text(precise, "\n".join(body), "", None)
    assert (text, method) == ("\n".join(body), "trafilatura-trimmed")
    # a readability text that disagrees changes nothing
    other = "\n".join(_paragraphs("other", 8))
    assert _choose_text(precise, other, "", None) == (precise, "trafilatura")


def _page_with_post(charset: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAS)
    post = (
        '<div class="social-media-embed"><blockquote class="twitter-tweet"><p lang="en">'
        "The breakwater at Valparaíso flooded again tonight, third time this winter.</p>"
        "— Cooper Lund (@cooperlund) "
        '<a href="https://twitter.com/cooperlund/status/1">November 18, 2019</a></blockquote>'
        '<script async src="https://platform.twitter.com/widgets.js"></script></div>'
    )
    page = (
        f"<html><head>{charset}<title>Port delayed</title></head><body><article>"
        f"<h1>Port delayed</h1>{paragraphs}{post}<p>{PARAS[0]}</p></article></body></html>"
    )
    return page.encode("utf-8")


@pytest.mark.parametrize("charset", ['<meta charset="utf-8">', ""])
def test_an_embedded_post_is_part_of_the_article(charset: str) -> None:
    # its wrapper's class reads as share buttons; the post and its signature are the story's
    got = extract_html(_page_with_post(charset), "https://coastnews.example/port")
    assert "flooded again tonight" in got.text
    assert "— Cooper Lund (@cooperlund) November 18, 2019" in got.text
    assert "Valparaíso flooded" in got.text  # undeclared UTF-8 stays UTF-8
