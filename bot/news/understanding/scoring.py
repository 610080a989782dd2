"""How close an extracted text is to a hand-made article body.

Word 4-gram (shingle) overlap: precision, recall and F1 (the scrapinghub article-extraction
benchmark's measure). The tests check extraction with it on the project's own pages, the
quality scripts in ``bench/`` on the shared dev pages.
"""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """The multiset of word n-grams of ``text`` (case-folded; a short text is one shingle)."""
    words = _WORD.findall((text or "").casefold())
    if not words:
        return Counter()
    if len(words) < n:
        return Counter([tuple(words)])
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def shingle_prf(pred: str, gold: str, n: int = 4) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``pred``'s word n-grams against ``gold``'s.

    Both empty counts as a perfect match; one empty as zero."""
    p_sh, g_sh = shingles(pred, n), shingles(gold, n)
    if not p_sh and not g_sh:
        return 1.0, 1.0, 1.0
    if not p_sh or not g_sh:
        return 0.0, 0.0, 0.0
    tp = sum((p_sh & g_sh).values())
    precision = tp / sum(p_sh.values())
    recall = tp / sum(g_sh.values())
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1
