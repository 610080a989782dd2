"""Which language an article is written in, judged on its prose.

py3langid (a maintained fork of langid.py whose model ships inside the wheel: nothing is
downloaded) gives a language and a calibrated confidence. It reads only the lines that read as
sentences: a results table, a line-up or a list of names has no function words, and scoring it
guesses Polish, Dutch or Luxembourgish for an English page. When the guess is not confident the
page's declared language decides, and English when there is none.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

log = logging.getLogger(__name__)

CONFIDENT = 0.9  # py3langid's normalised probability above which a guess stands
# a guess that contradicts the page's own declaration must be surer than that
OVERRULE_DECLARED = 0.98
_SAMPLE_CHARS = 6000
_MIN_PROSE_CHARS = 200  # less prose than this: judge the whole text
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*")

# languages the model splits its belief between (Malay and Indonesian, Bokmål and Nynorsk...):
# the guess keeps its own code and is as sure as the group is
_CLOSE = (frozenset({"id", "ms"}), frozenset({"no", "nb", "nn", "da"}),
          frozenset({"hr", "sr", "bs"}), frozenset({"cs", "sk"}))  # fmt: skip

_lock = threading.Lock()
_identifier: LanguageIdentifier | None = None


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str  # ISO 639-1; "und" when the text has no letters
    confidence: float

    @property
    def confident(self) -> bool:
        return self.code != "und" and self.confidence >= CONFIDENT


def _get_identifier() -> LanguageIdentifier:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def _reads_as_prose(line: str) -> bool:
    """A line of running text rather than a heading, a list of names or a table row."""
    words = _TOKEN.findall(line)
    letters = sum(len(w) for w in words)
    if letters < 40:
        return False
    cased = [w for w in words if w[0].isupper() or w[0].islower()]
    if len(cased) < len(words) / 2:
        return True  # a script without case (Chinese, Japanese, Thai...): its length decides
    # running text is mostly lower-case words; a line-up or a results row is all Capitals
    return sum(1 for w in cased if w[0].islower()) >= 0.4 * len(cased)


def prose(text: str) -> str:
    """The lines of a text that read as sentences (the whole text when they are too few)."""
    lines = [line for line in text.splitlines() if _reads_as_prose(line)]
    chosen = "\n".join(lines)
    return chosen if len(chosen) >= _MIN_PROSE_CHARS else text


def guess_language(text: str) -> LanguageGuess:
    """The language of a text's prose and how sure the model is of it."""
    sample = prose(text[: _SAMPLE_CHARS * 3])[:_SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return LanguageGuess("und", 0.0)
    ranked = _get_identifier().rank(sample)
    code, confidence = ranked[0]
    group = next((g for g in _CLOSE if code in g), None)
    if group:
        confidence = sum(p for lang, p in ranked if lang in group)
    return LanguageGuess(code, min(1.0, float(confidence)))


def declared_language(tag: str | None) -> str | None:
    """The primary subtag of a declared language ("en-US" -> "en"), or None."""
    if not tag:
        return None
    primary = tag.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def choose_language(text: str, declared: str | None = None) -> str:
    """The language to analyse a text in: the text's own evidence when it is clear, then the
    page's declared language, then English."""
    guess = guess_language(text)
    if guess.code == "und":
        return declared_language(declared) or "und"
    page = declared_language(declared)
    needed = OVERRULE_DECLARED if page and page != guess.code else CONFIDENT
    if guess.confidence >= needed:
        return guess.code
    if guess.confident:
        log.info("language guess %s (%.2f) yields to the declared %s", guess.code,
                 guess.confidence, page)  # fmt: skip
    return page or "en"
