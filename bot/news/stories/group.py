"""Grouping one window's articles into stories.

A story is one or more articles about the same event (``similarity.same_event``). It keeps
the best headline (the one most like the others'), a summary merged from its sources
without repeating a sentence, every source once ("3 sources: A, B, C") and the union of
its entities, most important first.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.news.model import Article
from bot.news.stories.similarity import (
    MIN_ENTITY_WORDS,
    Features,
    _fold,
    features,
    same_event,
)

SUMMARY_CHARS = 500
_BUCKET_MAX = 60  # a word in more articles than this (or 2%) picks no candidates
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_SITE_TAIL = re.compile(r"\s+[-|–—]\s+([^-|–—]{1,40})$")


@dataclass(frozen=True, slots=True)
class Source:
    site: str
    url: str


@dataclass(slots=True)
class Story:
    articles: list[Article]  # the first report first
    title: str = ""
    url: str = ""
    summary: str = ""
    countries: list[str] = field(default_factory=list)  # most important first
    persons: dict[str, str] = field(default_factory=dict)  # key -> display, by importance
    seen_at: float = 0.0  # when the server got its latest article
    sources: tuple[Source, ...] = ()  # one per site: the title's source, then by time

    @property
    def primary(self) -> Article:
        return self.articles[0]

    def sentence_for(self, kind: str, key: str) -> str:
        """What this story says about one entity, else its summary."""
        for art in self.articles:
            for dev in art.developments:
                if dev.kind == kind and dev.key == key and dev.sentence.strip():
                    return dev.sentence
        return self.summary

    def mentions(self, kind: str, key: str) -> bool:
        return key in self.countries if kind == "country" else key in self.persons

    def rank(self) -> tuple[int, float]:
        return (len(self.sources), self.seen_at)


def site_name(article: Article) -> str:
    if article.site.strip():
        return " ".join(article.site.split())
    host = urlsplit(article.canonical_url or article.url).hostname or "source"
    return host.removeprefix("www.")


def display_title(article: Article) -> str:
    """The headline without a trailing " - Site" / " | Site" naming its own source."""
    title = " ".join(article.title.split())
    tail = _SITE_TAIL.search(title)
    if tail:
        name = _fold(tail.group(1))
        site = _fold(site_name(article))
        host = _fold(
            (urlsplit(article.canonical_url or article.url).hostname or "").removeprefix("www.")
        )
        close = len(name) >= 4 and (name in site or site in name or name in host)
        if name == site or close:
            return title[: tail.start()].rstrip()
    return title


def arrival(article: Article, guild_id: str) -> float:
    """When this server got the article."""
    return article.guilds.get(guild_id) or article.ingested_at or article.event_time


def group_stories(articles: Sequence[Article], guild_id: str = "") -> list[Story]:
    """The articles as stories: same canonical URL, same content fingerprint or the same
    event (``same_event``) make one story."""
    parent = list(range(len(articles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for index in ("fingerprint", "canonical_url"):
        first: dict[str, int] = {}
        for i, art in enumerate(articles):
            value = getattr(art, index)
            if value:
                if value in first:
                    parent[find(i)] = find(first[value])
                else:
                    first[value] = i

    feats = [features(a) for a in articles]
    for i, j in sorted(_candidates(feats)):
        ri, rj = find(i), find(j)
        if ri == rj or not same_event(feats[i], feats[j]):
            continue
        # The groups' first articles must also match: no chain of small steps (A like B,
        # B like C) gluing unrelated reports together.
        if not same_event(feats[min(ri, rj)], feats[max(ri, rj)]):
            continue
        parent[max(ri, rj)] = min(ri, rj)

    groups: dict[int, list[Article]] = defaultdict(list)
    for i, art in enumerate(articles):
        groups[find(i)].append(art)
    stories = []
    for group in groups.values():
        group.sort(key=lambda a: (a.event_time or arrival(a, guild_id), a.id))
        stories.append(_story(group, guild_id))
    return stories


def _candidates(feats: Sequence[Features]) -> set[tuple[int, int]]:
    """Pairs worth comparing: every rule needs either ``MIN_ENTITY_WORDS`` shared content
    words (near-duplicates share far more) or two shared headline words. Counted for all
    pairs at once as a sparse product, which keeps 2,000 articles far from 2,000²
    comparisons."""
    pairs = _sharing([f.words for f in feats], MIN_ENTITY_WORDS)
    pairs |= _sharing([f.title for f in feats], 2)
    return pairs


def _sharing(sets: Sequence[frozenset[str]], at_least: int) -> set[tuple[int, int]]:
    """Index pairs (i < j) whose sets share ``at_least`` items, ignoring items so common
    they say nothing (in more than ``_BUCKET_MAX`` sets, or 2% of them)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    frequency = Counter(item for s in sets for item in s)
    common = max(_BUCKET_MAX, len(sets) // 50)
    columns: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, items in enumerate(sets):
        for item in items:
            if 2 <= frequency[item] <= common:
                rows.append(i)
                cols.append(columns.setdefault(item, len(columns)))
    if not rows:
        return set()
    ones = np.ones(len(rows), dtype=np.int32)
    matrix = csr_matrix((ones, (rows, cols)), shape=(len(sets), len(columns)))
    shared = (matrix @ matrix.T).tocoo()
    keep = (shared.row < shared.col) & (shared.data >= at_least)
    return set(zip(shared.row[keep].tolist(), shared.col[keep].tolist(), strict=True))


def _story(group: list[Article], guild_id: str) -> Story:
    country_score: dict[str, float] = defaultdict(float)
    person_score: dict[str, float] = defaultdict(float)
    display: dict[str, str] = {}
    for art in group:
        for c in art.countries:
            country_score[c.code] += c.count + (5 if c.salient else 0)
        for p in art.persons:
            person_score[p.key] += p.count + (5 if p.salient else 0)
            display.setdefault(p.key, p.name)
    lead = _best_article(group)
    sources: list[Source] = []
    sites: set[str] = set()
    for art in [lead, *(a for a in group if a is not lead)]:
        site = site_name(art)
        if _fold(site) not in sites:
            sites.add(_fold(site))
            sources.append(Source(site, art.canonical_url or art.url))
    return Story(
        articles=group,
        title=display_title(lead) or site_name(lead),
        url=lead.canonical_url or lead.url,
        summary=merged_summary(group),
        countries=sorted(country_score, key=lambda c: (-country_score[c], c)),
        persons={k: display[k] for k in sorted(person_score, key=lambda k: (-person_score[k], k))},
        seen_at=max(arrival(a, guild_id) for a in group),
        sources=tuple(sources),
    )


def _best_article(group: list[Article]) -> Article:
    """The article whose headline shares most words with the others' (the most typical
    telling), the first report on a tie; a headline of one or two words is a last resort."""
    if len(group) == 1:
        return group[0]
    words = [frozenset(_fold(display_title(a)).split()) for a in group]

    def score(i: int) -> tuple[bool, int, int]:
        common = sum(len(words[i] & w) for j, w in enumerate(words) if j != i)
        return (len(words[i]) >= 3, common, -i)

    return group[max(range(len(group)), key=score)]


def merged_summary(group: list[Article], limit: int = SUMMARY_CHARS) -> str:
    """The first report's summary, then what the other sources add: sentences that do not
    repeat one already taken (by their words), while they fit in ``limit``."""
    taken: list[str] = []
    taken_words: list[frozenset[str]] = []
    used = 0
    for art in group:
        for sentence in _SENTENCE_END.split(" ".join(art.summary.split())):
            words = frozenset(_fold(sentence).split())
            if not words:
                continue
            if any(len(words & w) / len(words | w) >= 0.5 for w in taken_words):
                continue
            if taken and used + len(sentence) + 1 > limit:
                return " ".join(taken)
            taken.append(sentence)
            taken_words.append(words)
            used += len(sentence) + 1
    return " ".join(taken)
