"""HTML page -> the article in it: title, text, date, site, canonical URL, language.

trafilatura (``favor_precision``: the best single extractor measured on real news pages) and
readability-lxml both read the page, and their agreement decides, never the site:
- trafilatura short: readability when it is longer, trafilatura's recall mode when both are
  nearly empty;
- readability much longer and containing nearly all of trafilatura's text: trafilatura
  stopped early (a page split by an inline box), readability's text is taken;
- readability agreeing with most of trafilatura's text: trafilatura's leading and trailing
  paragraphs that readability does not have are boilerplate (teasers, credits, sign-ups).
A page with too little text is "not an article" rather than a short article.
Pure CPU work: the pipeline runs it in a worker process.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.news.errors import NewsError

log = logging.getLogger(__name__)

# Below this many words a page is a landing page, a paywall stub or an error page.
MIN_ARTICLE_WORDS = 40
# trafilatura output shorter than this makes us try readability too.
_FALLBACK_WORDS = 120
# readability this many times longer than trafilatura, containing this share of its text
_LONGER = 1.5
_CONTAINS = 0.8
# readability at least this share of trafilatura's length, contained in it this much: trim
_AGREEING_SHARE = 0.7
_EDGE_KEPT = 0.5  # an edge paragraph stays when this share of it is in readability's text

_WORD = re.compile(r"\w+")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class NotAnArticle(NewsError):
    """The page holds no article text worth keeping."""

    def __init__(self, message: str = "The page does not look like an article.") -> None:
        super().__init__(message, kind="not_article")


@dataclass(slots=True)
class Extracted:
    title: str
    text: str
    published: str | None = None  # "YYYY-MM-DD"
    site: str = ""
    canonical_url: str | None = None  # as the page declares it (rel=canonical / og:url)
    language: str | None = None
    method: str = "trafilatura"
    notes: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)  # the byline's names, as the page gives


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def extract_html(html: bytes | str, url: str | None = None) -> Extracted:
    """Extract the article of one HTML page, or raise ``NotAnArticle``."""
    import trafilatura

    html = free_embedded_posts(html)
    doc = None
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            favor_precision=True,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
        )
    except Exception:  # trafilatura raises assorted errors on broken markup
        log.warning("trafilatura failed on %s", url, exc_info=True)
    text, method = _choose_text(
        _clean_text(getattr(doc, "text", None) or ""), _readability_text(html), html, url
    )
    if word_count(text) < MIN_ARTICLE_WORDS:
        raise NotAnArticle(
            "The page has too little text to be an article "
            f"({word_count(text)} words; a landing, paywall or error page?)."
        )
    site = (getattr(doc, "sitename", None) or "").strip()
    host = urlsplit(url).hostname or "" if url else ""
    raw_title = (getattr(doc, "title", None) or "").strip()
    title = clean_title(raw_title, site, host, headlines=_h1_texts(html)) or first_sentence(text)
    published = getattr(doc, "date", None) or None
    if published and not _DATE.match(published):
        published = None
    return Extracted(
        title=title,
        text=text,
        published=published[:10] if published else None,
        site=site or _site_from_host(host),
        canonical_url=(getattr(doc, "url", None) or None),
        language=(getattr(doc, "language", None) or html_language(html)),
        method=method,
        authors=byline_names(getattr(doc, "author", None) or ""),
    )


# Wrappers of embedded posts that only hold the post (and its script): trafilatura drops
# them with its boilerplate ("social-media-embed"), and the post with them.
_POST_WRAPPERS = frozenset({"div", "figure", "span", "aside", "section", "center"})


def free_embedded_posts(html: bytes | str) -> bytes | str:
    """The page with each embedded tweet (``blockquote.twitter-tweet``) lifted out of the
    wrappers that hold nothing else and made a plain quotation: a quoted post is part of
    the story (its words and the name signing it, "— Jane Doe (@jane) May 1, 2020")."""
    marker = b"twitter-tweet" if isinstance(html, bytes) else "twitter-tweet"
    if marker not in html:
        return html
    import lxml.etree
    import lxml.html
    from trafilatura.utils import decode_file

    try:
        # decoded as trafilatura decodes it: lxml alone reads undeclared UTF-8 as Latin-1
        root = lxml.html.fromstring(decode_file(html) if isinstance(html, bytes) else html)
    except (lxml.etree.ParserError, ValueError):
        return html
    posts = root.xpath('//blockquote[contains(concat(" ", @class, " "), " twitter-tweet ")]')
    for post in posts:
        post.attrib.pop("class", None)
        outer = post
        while (parent := outer.getparent()) is not None and parent.tag in _POST_WRAPPERS:
            alone = not (parent.text or "").strip() and all(
                child is outer or child.tag == "script" or not isinstance(child.tag, str)
                for child in parent
            )
            if not alone:
                break
            outer = parent
        if outer is not post:
            post.tail = outer.tail
            outer.getparent().replace(outer, post)
    return lxml.html.tostring(root, encoding="unicode")


def byline_names(author: str) -> list[str]:
    """trafilatura's author field ("Jane Doe; John Roe", "By Jane Doe and John Roe") as
    names."""
    names = []
    for part in re.split(r";|,|\band\b|&|\|", author):
        part = re.sub(r"(?i)^\s*by\s+", "", part).strip(" .")
        if part and len(part.split()) <= 4:
            names.append(part)
    return names


_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)
_META_LANG = re.compile(
    rb"<meta\b[^>]*?(?:http-equiv\s*=\s*[\"']?content-language|property\s*=\s*[\"']?og:locale)"
    rb"[^>]*?content\s*=\s*[\"']?([A-Za-z]{2,3})\b",
    re.IGNORECASE,
)


def html_language(html: bytes | str) -> str | None:
    """The page's declared language ("en" from ``<html lang="en-US">``), if any."""
    head = html[:20000]
    if isinstance(head, str):
        head = head.encode("utf-8", "replace")
    match = _HTML_LANG.search(head) or _META_LANG.search(head)
    return match.group(1).decode("ascii").lower() if match else None


_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "br", "tr"}
    | {"section", "article", "figcaption", "ul", "ol", "table", "dd", "dt"}
)


def _choose_text(
    precise: str, readable: str, html: bytes | str, url: str | None
) -> tuple[str, str]:
    """The article text from trafilatura's and readability's, and how it was chosen."""
    from bot.news.understanding.scoring import shingles

    def contained(part: str, whole: str) -> float:
        mine, theirs = shingles(part), shingles(whole)
        total = sum(mine.values())
        return sum((mine & theirs).values()) / total if total else 0.0

    words, other = word_count(precise), word_count(readable)
    if words < _FALLBACK_WORDS:
        text, method = (readable, "readability") if other > words else (precise, "trafilatura")
        if word_count(text) < MIN_ARTICLE_WORDS:
            # both nearly empty: trafilatura's recall mode keeps what precision dropped
            recall = _trafilatura_recall(html, url)
            if word_count(recall) > word_count(text):
                return recall, "trafilatura-recall"
        return text, method
    if other > _LONGER * words and contained(precise, readable) >= _CONTAINS:
        return readable, "readability"
    if other >= _AGREEING_SHARE * words and contained(readable, precise) >= _CONTAINS:
        theirs = shingles(readable)
        paragraphs = precise.split("\n")

        def kept(paragraph: str) -> bool:
            mine = shingles(paragraph)
            total = sum(mine.values())
            return not total or sum((mine & theirs).values()) >= _EDGE_KEPT * total

        while len(paragraphs) > 1 and not kept(paragraphs[0]):
            paragraphs.pop(0)
        while len(paragraphs) > 1 and not kept(paragraphs[-1]):
            paragraphs.pop()
        trimmed = "\n".join(paragraphs)
        if trimmed != precise:
            return trimmed, "trafilatura-trimmed"
    return precise, "trafilatura"


def _trafilatura_recall(html: bytes | str, url: str | None) -> str:
    import trafilatura

    try:
        text = trafilatura.extract(html, url=url, favor_recall=True, include_tables=True)
    except Exception:  # trafilatura raises assorted errors on broken markup
        log.debug("trafilatura (recall) failed on %s", url, exc_info=True)
        return ""
    return _clean_text(text or "")


def _readability_text(html: bytes | str) -> str:
    try:
        import lxml.html
        from readability import Document

        root = lxml.html.fromstring(Document(html).summary(html_partial=True))
    except Exception:  # readability raises on empty or broken documents
        log.debug("readability failed", exc_info=True)
        return ""
    # All the text, not only <p>s (many sites put paragraphs in bare <div>s), with a line
    # break around each block so paragraphs do not run together.
    for el in root.iter():
        if el.tag in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.tag != "br":
                el.text = "\n" + (el.text or "")
    return _clean_text(root.text_content())


def _clean_text(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# " - Site", " | Site", " — Site", ": Site" tails (and "Site | " heads) around headlines.
_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•»:]|::)\s+")


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _site_from_host(host: str) -> str:
    host = host.lower().removeprefix("www.")
    return host


def _is_site_name(segment: str, site: str, host: str) -> bool:
    seg = _squash(segment)
    if not seg:
        return True
    names = {_squash(site)} if site else set()
    host = host.lower().removeprefix("www.")
    if host:
        names.add(_squash(host))
        # "nytimes" from "www.nytimes.com", "theguardian" from "theguardian.com"
        labels = host.split(".")
        names.update(_squash(label) for label in labels if len(label) > 3)
    names.discard("")
    return any(seg == name or (len(seg) > 3 and (seg in name or name in seg)) for name in names)


_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _h1_texts(html: bytes | str) -> list[str]:
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    import html as html_lib

    found = []
    for match in _H1.finditer(html, 0, 2_000_000):
        text = " ".join(html_lib.unescape(_TAG.sub(" ", match.group(1))).split())
        if text:
            found.append(text)
        if len(found) >= 5:
            break
    return found


def _join(parts: list[str], seps: list[str]) -> str:
    out = parts[0]
    for sep, part in zip(seps, parts[1:], strict=False):
        out += sep + part
    return out


def clean_title(title: str, site: str = "", host: str = "", headlines: Sequence[str] = ()) -> str:
    """The headline without a site-name tail or head ("Headline - The Site" -> "Headline").

    ``headlines`` (the page's ``<h1>`` texts) settle which part of "A - B" is the headline
    when neither part is recognisably the site's name."""
    title = " ".join(title.split())
    if not title:
        return ""
    parts = _SEPARATORS.split(title)
    if len(parts) == 1:
        return title
    seps = _SEPARATORS.findall(title)
    wanted = {_squash(h) for h in headlines} - {""}
    for k in range(1, len(parts)):
        head, tail = _join(parts[:k], seps[: k - 1]), _join(parts[k:], seps[k:])
        if _squash(head) in wanted:
            return head.strip()
        if _squash(tail) in wanted:
            return tail.strip()
    # Drop trailing then leading segments that are the site's name.
    while len(parts) > 1 and _is_site_name(parts[-1], site, host):
        parts.pop()
        seps.pop()
    while len(parts) > 1 and _is_site_name(parts[0], site, host):
        parts.pop(0)
        seps.pop(0)
    # A short trailing "| Section" after a long headline is navigation, not headline.
    while (
        len(parts) > 1
        and seps[-1].strip() == "|"
        and word_count(parts[-1]) <= 3
        and word_count(" ".join(parts[:-1])) >= 4
    ):
        parts.pop()
        seps.pop()
    return _join(parts, seps).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])")


def first_sentence(text: str, limit: int = 160) -> str:
    """A title for text that has none: its first line or sentence, trimmed."""
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    sentence = _SENTENCE_END.split(first_line, maxsplit=1)[0].strip()
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
