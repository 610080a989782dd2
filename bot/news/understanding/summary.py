"""Extractive summary: the article's lead, cleaned.

News puts the point first, so the lead sentences beat every graph-based extractor on news
(NOTES.md: Lead-3 41.2 ROUGE-1 against 31-36 for TextRank, LexRank, centroid). What the lead
gets wrong is noise: bylines, datelines, captions, "sign up" lines, and attribution tails.
"""

from __future__ import annotations

import re

from bot.news.understanding.sentences import split_sentences

MAX_SENTENCES = 3
MIN_FRAGMENT_CHARS = 60  # a shorter cut sentence says nothing
_OPENING_QUOTES = ('"', "“", "‘", "'", "«")

_DAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|tonight)"
# "QUITO (Reuters) -", "WASHINGTON —", "LONDON, England (CNN) --", "(CNN)", "BUFFALO, N.Y. -"
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.' -]{1,40}(?:,\s*[A-Z][\w.' ]{1,30})?\s*(?:\([\w .&'-]{1,30}\))?\s*[-–—:]+\s+"
    r"|\([A-Z][\w .&'-]{1,30}\)\s*[-–—:]*\s*)"
)
# ", JNS reported Sunday." — a second-hand source in the tail adds nothing to a summary
_REPORTED_TAIL = re.compile(
    r",\s+(?:the\s+)?[A-Z][\w.&'’ -]{1,40}\s+(?:reported|reports|has reported)"
    r"(?:\s+(?:on\s+)?" + _DAYS + r")?\s*(?=[.!]?$)"
)
_BOILERPLATE = re.compile(
    r"(?i)click here|sign up|subscribe|follow us|all rights reserved|newsletter|read more|"
    r"share this|cookies?\b|advertisement|scroll down|watch the video|for confidential support|"
    r"related articles?|^related:|^photo:|^image:|^credit:|^caption:|getty images|"
    r"\bcopyright\b|©|^(?:updated|published|last updated)\b|^by\s|^\s*by\s*\.|"
    r"please (?:enable|upgrade)|javascript|terms of (?:use|service)|privacy policy"
)


def clean_sentence(sentence: str) -> str:
    """A lead sentence without its dateline and without a "X reported Sunday" tail."""
    sentence = _DATELINE.sub("", sentence, count=1).strip()
    sentence = _REPORTED_TAIL.sub("", sentence).strip()
    return sentence


def is_summary_worthy(sentence: str) -> bool:
    """False for bylines, captions, headings and boilerplate."""
    words = sentence.split()
    if len(words) < 5 or _BOILERPLATE.search(sentence):
        return False
    if not any(ch.islower() for ch in sentence):
        return False  # shouted heading
    # a heading or caption has no closing punctuation
    return sentence.rstrip("\"”’')]").endswith((".", "!", "?", "…"))


def lead_sentences(text: str) -> list[str]:
    """The article's sentences in order, cleaned, without the ones a summary must skip."""
    out: list[str] = []
    for sentence in split_sentences(text):
        cleaned = clean_sentence(sentence)
        if is_summary_worthy(cleaned):
            out.append(cleaned)
    return out


def summarize(title: str, text: str, *, max_chars: int = 500) -> str:
    """Two or three lead sentences of the article, at most ``max_chars`` characters.

    A sentence that no longer fits is cut at a word ("…") when enough room is left for it to
    say something; otherwise the summary stops before it."""
    sentences = [s for s in lead_sentences(text) if not (title and _same_text(s, title))]
    if not sentences:
        return _truncate(" ".join(text.split()) or title.strip(), max_chars)
    chosen: list[str] = []
    length = 0
    for sentence in sentences:
        extra = len(sentence) + (1 if chosen else 0)
        if length + extra <= max_chars:
            chosen.append(sentence)
            length += extra
            if len(chosen) == MAX_SENTENCES:
                break
            continue
        room = max_chars - length - (1 if chosen else 0)
        # a quotation cut in the middle misquotes its speaker
        if not chosen or (room >= MIN_FRAGMENT_CHARS and not sentence.startswith(_OPENING_QUOTES)):
            chosen.append(_truncate(sentence, room))
        break
    return " ".join(chosen)


def _same_text(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(re.findall(r"\w+", s.lower()))

    return norm(a) == norm(b)


def _truncate(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"
