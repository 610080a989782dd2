"""A rule-based sentence splitter for news text (no model): paragraphs, then sentence ends
that are not abbreviations ("Mr.", "U.S.", "Jan.") or initials ("J. Smith")."""

from __future__ import annotations

import re


def split_words(text: str) -> list[str]:
    """The whitespace-separated words of a text (for word lists written as prose)."""
    return text.split()


_ABBREVIATIONS = frozenset(
    split_words(
        """mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep rev hon pres
    no nos vs etc inc ltd corp co bros dept est approx fig jan feb mar apr jun jul aug sep sept
    oct nov dec mon tue wed thu fri sat sun ave blvd rd calif ill minn fla tex ariz colo conn
    mich wis ore okla tenn ky md va mass pa ala ark kan neb nev wash ind wyo ga mo"""
    )
)
# a sentence end: . ! ? (and closing quotes/brackets), then space, then something that opens a
# sentence (capital, digit, quote)
_END = re.compile(r"([.!?…]+[\"”’')\]]*)\s+(?=[\"“‘'(\[]?[A-Z0-9À-ÖØ-Þ])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, in order, whitespace-normalised; paragraph breaks always split."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*", text):
        paragraph = " ".join(paragraph.split())
        if paragraph:
            sentences.extend(_split_paragraph(paragraph))
    return sentences


def _split_paragraph(paragraph: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _END.finditer(paragraph):
        end = match.end(1)
        if _is_abbreviation(paragraph[start:end], paragraph[match.end() : match.end() + 12]):
            continue
        piece = paragraph[start:end].strip()
        if piece:
            out.append(piece)
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return out


_OPENERS = frozenset(
    split_words(
        "the a an he she it they we i but and in on at this that these those his her its their "
        "there when after while as if for however meanwhile"
    )
)


def _is_abbreviation(piece: str, following: str) -> bool:
    if not piece.endswith("."):
        return False
    last = piece.rsplit(None, 1)[-1].rstrip(".")
    last = last.lstrip("\"“‘'([")
    if not last:
        return False
    if len(last) == 1 and last.isalpha() and last.isupper():
        return True  # an initial: "J. Smith", also "U.S" in "the U.S. Army"
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", last):
        # "the U.S. Army" goes on; "in the U.S. The ..." ends: a function word opens a sentence
        next_word = following.split(" ", 1)[0].lower()
        return next_word not in _OPENERS
    return last.lower() in _ABBREVIATIONS


def split_spans_on_lines(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut (start, end) sentence spans at line breaks, trimmed of whitespace: a statistical
    splitter sometimes runs one sentence over a paragraph break."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        for piece in re.finditer(r"[^\n]+", text[start:end]):
            left = start + piece.start()
            right = start + piece.end()
            while left < right and text[left].isspace():
                left += 1
            while right > left and text[right - 1].isspace():
                right -= 1
            if right > left:
                out.append((left, right))
    return out
