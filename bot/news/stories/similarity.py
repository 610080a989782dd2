"""Whether two articles report the same event, from the fields the store keeps.

Articles dated more than a day and a half apart are different events (a weekly report
repeats last week's words). Otherwise either of two signals is enough:

- near-duplicate text: a MinHash estimate of the Jaccard similarity of word 3-shingles of
  the title, summary and development sentences (a wire story republished with a new
  headline or a trimmed lead shares most of them);
- the same event told in other words: near-identical headlines; or most of the shorter
  one's content words (headline and summary); or most of its named entities together with
  a fifth of its words, one of them in the headline (two different events about the same
  people share the entities, rarely the words).

The thresholds were chosen on the development half of ``bench/stories_pairs.json`` and
are scored on the other half by ``bench/stories.py``.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.news.model import Article

if TYPE_CHECKING:  # datasketch loads scipy (~1.5 s of CPU): only when stories are grouped
    from datasketch import MinHash

NUM_PERM = 64
SHINGLE = 3
NEAR_DUPLICATE = 0.4  # estimated shingle Jaccard at or above which two texts are one report
SAME_DAY = 36 * 3600.0  # seconds between two reports of one event, at most
# The same event told in other words: most of the shorter text's content words...
WORD_SHARE = 0.3  # shared content words over the smaller article's
MIN_SHARED_WORDS = 8
# ...or most of its entities and some of its words, one of them in the headline.
ENTITY_SHARE = 0.6  # shared entities over the smaller article's
ENTITY_WORD_SHARE = 0.2
MIN_ENTITY_WORDS = 5
SAME_TITLE = 0.6  # headline-word Jaccard that alone makes two same-day articles one story

_WORD = re.compile(r"\w+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_SITE_TAIL = re.compile(r"\s+[-|–—:]\s+[^-|–—:]{1,40}$")
_STOP = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had"),
        *("has", "have", "he", "her", "his", "in", "into", "is", "it", "its", "of", "on", "or"),
        *("over", "said", "says", "she", "than", "that", "the", "their", "they", "this", "to"),
        *("up", "was", "were", "what", "when", "which", "who", "will", "with", "would", "after"),
        *("before", "new", "not", "no", "out", "about", "more", "could", "can", "we", "you"),
        *("our", "us", "how", "why"),
    }
)


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    """``model.fold`` (lower case, no accents), faster on long texts."""
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(text.casefold().split())


def title_words(title: str) -> frozenset[str]:
    """A headline's identifying words: folded, no " - Site" tail, no stop words."""
    text = _fold(title)
    tail = _SITE_TAIL.search(text)
    if tail and len(_WORD.findall(text[: tail.start()])) >= 4:
        text = text[: tail.start()]
    return frozenset(w for w in _WORD.findall(text) if len(w) > 1 and w not in _STOP)


def content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(_fold(text)) if len(w) > 2 and w not in _STOP)


def entity_keys(article: Article) -> frozenset[str]:
    """Countries by code and people by surname: two sites may name "Daniel Noboa" and
    "President Noboa", and a surname shared by two people in one day's news is rare."""
    keys = {f"c:{c.code}" for c in article.countries}
    for person in article.persons:
        words = [w for w in _WORD.findall(_fold(person.name)) if w not in _NAME_SUFFIXES]
        if words:
            keys.add(f"p:{words[-1]}")
    return frozenset(keys)


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    words = _WORD.findall(_fold(text))
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


@dataclass(frozen=True, slots=True, eq=False)
class Features:
    """What the comparison needs of one article, computed once."""

    title: frozenset[str]
    words: frozenset[str]  # content words of the headline and the summary
    entities: frozenset[str]
    minhash: MinHash | None  # None when the article has no text to compare
    when: float  # epoch seconds: the page's date when known, else its arrival


@lru_cache(maxsize=1)
def _permutations() -> object:
    """Drawing the permutations is most of a new MinHash's cost: draw them once."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, scheme="affine32").permutations


def article_text(article: Article) -> str:
    sentences = dict.fromkeys(d.sentence for d in article.developments if d.sentence)
    return "\n".join([article.title, article.summary, *sentences])


def features(article: Article) -> Features:
    from datasketch import MinHash

    grams = shingles(article_text(article))
    signature = None
    if grams:
        signature = MinHash(
            num_perm=NUM_PERM, hashfunc=zlib.crc32, permutations=_permutations(), scheme="affine32"
        )
        signature.update_batch(list(grams))
    return Features(
        title=title_words(article.title),
        words=content_words(f"{article.title} {article.summary}"),
        entities=entity_keys(article),
        minhash=signature,
        when=article.published_time or article.event_time,
    )


def text_similarity(a: Features, b: Features) -> float:
    if a.minhash is None or b.minhash is None:
        return 0.0
    return float(a.minhash.jaccard(b.minhash))


def _share(a: frozenset[str], b: frozenset[str]) -> tuple[int, float]:
    common = len(a & b)
    smaller = min(len(a), len(b))
    return common, (common / smaller if smaller else 0.0)


def same_event(a: Features, b: Features) -> bool:
    """True when the two articles report one event (cheap tests first)."""
    if a.when and b.when and abs(a.when - b.when) > SAME_DAY:
        return False
    if a.title == b.title and len(a.title) >= 2:  # the same headline, however short
        return True
    union = len(a.title | b.title)
    common_title = len(a.title & b.title)
    if min(len(a.title), len(b.title)) >= 3 and common_title / union >= SAME_TITLE:
        return True
    words, word_share = _share(a.words, b.words)
    if words >= MIN_SHARED_WORDS and word_share >= WORD_SHARE:
        return True
    if words >= MIN_ENTITY_WORDS and word_share >= ENTITY_WORD_SHARE and common_title:
        shared, entity_share = _share(a.entities, b.entities)
        if shared >= 1 and entity_share >= ENTITY_SHARE:
            return True
    return text_similarity(a, b) >= NEAR_DUPLICATE
