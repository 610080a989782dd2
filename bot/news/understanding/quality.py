"""Whether extracted text is an article at all: a gate after extraction.

Extraction returns *some* text for almost any page: random bytes served as HTML come back
as a garbled "article", a navigation page as its menu labels. Neither the file name nor
the Content-Type tells; the text does:

- printable: the share of characters that are letters, digits, punctuation or spaces
  (random bytes decode to control characters, U+FFFD and stray symbols);
- real words: the share of tokens shaped like words (letters only, a plausible length and
  letter case); scripts written without spaces count by character instead;
- link density: the share of the text that is the text of the page's links (menus,
  indexes, lists of headlines);
- length: enough real words to be an article.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from bot.news.errors import NewsError

MIN_PRINTABLE = 0.97
MIN_WORD_SHARE = 0.6
MAX_LINK_DENSITY = 0.6
MIN_REAL_WORDS = 40
MAX_ANCHORS = 3000  # a page with more links than this is judged on its first ones

# Scripts written without spaces between words: judged by character, not by token.
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff]"
)
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_EDGE_PUNCTUATION = "\"'“”‘’«»()[]{}.,;:!?¿¡…–—-*/"
_PRINTABLE_CATEGORIES = frozenset({"L", "M", "N", "P", "Z"})


class NoArticleText(NewsError):
    """The extracted text is not an article's; ``message`` says so in one sentence."""

    default_kind = "not_article"


@dataclass(frozen=True, slots=True)
class TextQuality:
    printable: float  # 0..1
    word_share: float  # 0..1
    real_words: int
    link_density: float  # 0..1; 0 when no HTML was given


class _AnchorTexts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[str] = []
        self._depth = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            if self._depth == 0:
                self._parts = []
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._depth:
            self._depth -= 1
            if self._depth == 0 and len(self.anchors) < MAX_ANCHORS:
                text = " ".join("".join(self._parts).split())
                if len(text) >= 2:
                    self.anchors.append(text)

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._parts.append(data)


def _printable_share(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    good = 0
    for char in chars:
        if char == "\ufffd":
            continue
        if unicodedata.category(char)[0] in _PRINTABLE_CATEGORIES or char in "$€£%&+=<>#@^|~`":
            good += 1
    return good / len(chars)


def _plausible(token: str) -> bool:
    if len(token) > 24:
        return False
    letters = token.replace("'", "").replace("’", "").replace("-", "")
    # Real words are lower case, Capitalised or ALL CAPS; random letters mix cases.
    return (
        letters.islower() or letters.isupper() or (letters[:1].isupper() and letters[1:].islower())
    )


def _words(text: str) -> tuple[int, int]:
    """(real words, tokens with a letter) of spaced text; numbers and table rules are
    neither words nor noise."""
    real = counted = 0
    for token in text.split():
        if not any(c.isalpha() for c in token):
            continue
        counted += 1
        core = token.strip(_EDGE_PUNCTUATION)
        if core and _WORD.fullmatch(core) and _plausible(core):
            real += 1
    return real, counted


def link_density(text: str, html: str) -> float:
    """The share of ``text``'s letters that are the text of one of ``html``'s links."""
    letters = sum(c.isalnum() for c in text)
    if not letters:
        return 0.0
    parser = _AnchorTexts()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser rarely fails; the links read so far still count
        pass
    rest = text
    for anchor in sorted(set(parser.anchors), key=len, reverse=True):
        if anchor in rest:
            rest = rest.replace(anchor, " ")
    return 1.0 - sum(c.isalnum() for c in rest) / letters


def measure(text: str, html: str | None = None) -> TextQuality:
    """The measures of ``text`` (extracted from ``html``, when given)."""
    unspaced = len(_UNSPACED.findall(text))
    letters = sum(c.isalpha() for c in text) or 1
    if unspaced / letters > 0.3:
        # Chinese, Japanese, Thai...: each character of the script stands for a word.
        real, tokens = unspaced, letters
    else:
        real, tokens = _words(text)
    return TextQuality(
        printable=_printable_share(text),
        word_share=real / tokens if tokens else 0.0,
        real_words=real,
        link_density=link_density(text, html) if html else 0.0,
    )


def check_article_text(text: str, html: str | None = None) -> TextQuality:
    """The measures of ``text``; raises ``NoArticleText`` when it is no article's."""
    quality = measure(text, html)
    if quality.printable < MIN_PRINTABLE or quality.word_share < MIN_WORD_SHARE:
        raise NoArticleText(
            "That page has no article text (it reads as random characters, not words)."
        )
    if quality.link_density > MAX_LINK_DENSITY:
        raise NoArticleText(
            "That page has no article text (it is mostly links: a menu or a list of headlines)."
        )
    if quality.real_words < MIN_REAL_WORDS:
        raise NoArticleText(
            f"That page has no article text (only {quality.real_words} real words)."
        )
    return quality
