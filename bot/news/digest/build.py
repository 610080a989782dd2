"""The daily digest: which stories, grouped how, and how it looks within Discord's limits.

``build_digest`` decides the content (pure, from a plain iterable of ``Article``s);
``render_digest`` turns it into messages of embed dicts, each within Discord's limits,
never splitting an item; ``digest_text`` prints it for the terminal.

Content rules. A story is one or more articles about the same thing: the store already
merged identical canonical URLs; here articles with the same content fingerprint or
near-identical titles (other sites' copies, rewrites) become one story with its sources
listed. Followed countries and people come first with their stories; then every other
story appears once, under its main country; then the people most in the news, one
line each; then stories with no country or person. Long sections list the top stories and
say how many more there are and which command shows them.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.news.guild_settings import QUIET_SILENT, Follow, GuildSettings
from bot.news.model import Article, fold
from bot.news.text import one_line, shorten
from bot.ui.text import escape_markdown, markdown_link

try:  # the countries module comes with the nlp branch
    from bot.news.understanding.countries import country_name as _country_name
    from bot.news.understanding.countries import flag as _flag
except ImportError:  # pragma: no cover - depends on what is merged
    _country_name = None
    _flag = None

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
EMBED_FIELDS = 25
EMBED_FOOTER = 2048
MESSAGE_EMBED_CHARS = 6000
MESSAGE_EMBEDS = 10

# How much a digest shows: a briefing, not an archive (the slash commands page the rest).
FOLLOWED_ITEMS = 5
COUNTRY_SECTIONS = 10
COUNTRY_ITEMS = 3
PEOPLE_LINES = 8
OTHER_ITEMS = 3
MAX_MESSAGES = 4
TITLE_CHARS = 150
SENTENCE_CHARS = 240
SOURCES_SHOWN = 3
# Room kept free in every message for the "not shown" note in the last footer.
_NOTE_RESERVE = 300

COLOR_HEADER = 0x2B6CB0
COLOR_FOLLOWED = 0xD69E2E
COLOR_COUNTRIES = 0x3182CE
COLOR_PEOPLE = 0x38A169
COLOR_OTHER = 0x718096


def country_label(code: str) -> str:
    """``"🇪🇨 Ecuador"`` when the countries table is available, else the code."""
    name = code
    if _country_name is not None:
        try:
            name = _country_name(code) or code
        except Exception:  # a missing code must not break a digest
            name = code
    if _flag is not None:
        try:
            mark = _flag(code)
        except Exception:
            mark = ""
        if mark:
            return f"{mark} {name}"
    return name


@lru_cache(maxsize=16384)
def _fold(text: str) -> str:
    """``model.fold`` with a fast path for ASCII and a cache (site and person names repeat)."""
    if text.isascii():
        return " ".join(text.casefold().split())
    return fold(text)


# ---------------------------------------------------------------- the digest's shape


@dataclass(frozen=True, slots=True)
class Source:
    site: str
    url: str


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One line: a story's title and link, what happened, and who reported it."""

    title: str
    url: str
    sentence: str
    sources: tuple[Source, ...]
    label: str = ""  # a person's name in "People in the news"
    count: int = 0  # that person's number of stories
    published: date | None = None  # shown only when older than the digest's window


@dataclass(frozen=True, slots=True)
class DigestSection:
    group: str  # "followed", "countries", "people", "other"
    kind: str | None  # "country" / "person" for an entity's section
    key: str
    heading: str  # raw text; the renderer escapes it
    items: tuple[DigestItem, ...]
    total: int  # stories about this entity in the window
    more_hint: str = ""  # which command lists the rest


@dataclass(frozen=True, slots=True)
class Digest:
    guild_id: str
    local_date: date
    zone: str
    since: datetime
    until: datetime
    article_count: int
    story_count: int
    source_count: int
    country_count: int
    person_count: int
    sections: tuple[DigestSection, ...] = ()
    followed_quiet: tuple[str, ...] = ()  # followed entities with no news
    more_countries: tuple[tuple[str, int], ...] = ()  # countries beyond the shown ones
    quiet_mode: str = "note"

    @property
    def quiet(self) -> bool:
        return self.story_count == 0


@dataclass(slots=True)
class Story:
    articles: list[Article]
    countries: list[str] = field(default_factory=list)  # most important first
    persons: dict[str, str] = field(default_factory=dict)  # key -> display, by importance
    seen_at: float = 0.0  # when this server got its latest article
    sources: tuple[Source, ...] = ()  # one per site, the first report's first

    @property
    def primary(self) -> Article:
        return self.articles[0]

    def sentence_for(self, kind: str, key: str) -> str:
        for art in self.articles:
            for dev in art.developments:
                if dev.kind == kind and dev.key == key and dev.sentence.strip():
                    return dev.sentence
        return next((a.summary for a in self.articles if a.summary.strip()), "")

    def rank(self) -> tuple[int, float]:
        return (len(self.sources), self.seen_at)


def display_title(article: Article) -> str:
    """The headline without a trailing " - Site" / " | Site" naming its own source (the
    source is listed beside it anyway)."""
    title = one_line(article.title)
    tail = _SITE_TAIL.search(title)
    if tail:
        name = _fold(tail.group(1))
        site = _fold(site_name(article))
        host = urlsplit(article.canonical_url or article.url).hostname or ""
        host = _fold(host.removeprefix("www."))
        close = len(name) >= 4 and (name in site or site in name or name in host)
        if name == site or close:
            return title[: tail.start()].rstrip()
    return title


_SITE_TAIL = re.compile(r"\s+[-|–—]\s+([^-|–—]{1,40})$")


def site_name(article: Article) -> str:
    if article.site.strip():
        return one_line(article.site)
    host = urlsplit(article.canonical_url or article.url).hostname or "source"
    return host.removeprefix("www.")


# ---------------------------------------------------------------- building


def build_digest(
    articles: Iterable[Article],
    *,
    guild_settings: GuildSettings,
    since: datetime,
    now: datetime,
    follows: Sequence[Follow] | None = None,
    local_date: date | None = None,
) -> Digest:
    """The digest of what this server received in ``[since, now)``."""
    zone = _zone(guild_settings)
    follows = list(guild_settings.follows if follows is None else follows)
    gid = guild_settings.guild_id
    window = [a for a in _unique(articles) if since.timestamp() <= _seen(a, gid) < now.timestamp()]
    stories = merge_stories(window, gid)
    stories.sort(key=Story.rank, reverse=True)
    local = local_date or now.astimezone(zone).date()
    counted_countries = {c for s in stories for c in s.countries}
    counted_people = {p for s in stories for p in s.persons}
    sources = {_fold(src.site) for s in stories for src in s.sources}

    sections: list[DigestSection] = []
    shown: set[int] = set()
    followed_quiet: list[str] = []
    for follow in follows:
        about = [s for s in stories if _mentions(s, follow.kind, follow.key)]
        if not about:
            followed_quiet.append(_follow_label(follow))
            continue
        items = [_item(s, follow.kind, follow.key, since) for s in about[:FOLLOWED_ITEMS]]
        shown.update(id(s) for s in about[:FOLLOWED_ITEMS])
        sections.append(
            DigestSection(
                "followed",
                follow.kind,
                follow.key,
                _follow_label(follow),
                tuple(items),
                len(about),
                _hint(follow.kind, follow.key, follow.display),
            )
        )

    followed_keys = {(f.kind, f.key) for f in follows}
    by_country: dict[str, list[Story]] = defaultdict(list)
    mentions: dict[str, int] = defaultdict(int)
    for story in stories:
        for code in story.countries:
            mentions[code] += 1
        if id(story) in shown or not story.countries:
            continue
        main = next((c for c in story.countries if ("country", c) not in followed_keys), None)
        if main is not None:
            by_country[main].append(story)
    ordered = sorted(by_country, key=lambda c: (-len(by_country[c]), -mentions[c], c))
    for code in ordered[:COUNTRY_SECTIONS]:
        group = by_country[code]
        items = [_item(s, "country", code, since) for s in group[:COUNTRY_ITEMS]]
        shown.update(id(s) for s in group[:COUNTRY_ITEMS])
        sections.append(
            DigestSection(
                "countries",
                "country",
                code,
                country_label(code),
                tuple(items),
                mentions[code],
                _hint("country", code, code),
            )
        )
    more_countries = tuple(
        (country_label(c), len(by_country[c])) for c in ordered[COUNTRY_SECTIONS:]
    )

    people: dict[str, list[Story]] = defaultdict(list)
    names: dict[str, str] = {}
    for story in stories:
        for key, display in story.persons.items():
            if ("person", key) in followed_keys:
                continue
            people[key].append(story)
            names.setdefault(key, display)
    top = sorted(people, key=lambda k: (-len(people[k]), names[k]))[:PEOPLE_LINES]
    if top:
        lines = []
        for key in top:
            latest = max(people[key], key=lambda s: s.seen_at)
            base = _item(latest, "person", key, since)
            lines.append(
                DigestItem(
                    base.title,
                    base.url,
                    base.sentence,
                    base.sources,
                    label=names[key],
                    count=len(people[key]),
                    published=base.published,
                )
            )
        sections.append(DigestSection("people", None, "", "In the news", tuple(lines), len(people)))

    loose = [s for s in stories if not s.countries and not s.persons and id(s) not in shown]
    if loose:
        sections.append(
            DigestSection(
                "other",
                None,
                "",
                "Other stories",
                tuple(_item(s, "", "", since) for s in loose[:OTHER_ITEMS]),
                len(loose),
                "/latest",
            )
        )

    return Digest(
        guild_id=gid,
        local_date=local,
        zone=str(zone.key),
        since=since.astimezone(UTC),
        until=now.astimezone(UTC),
        article_count=len(window),
        story_count=len(stories),
        source_count=len(sources),
        country_count=len(counted_countries),
        person_count=len(counted_people),
        sections=tuple(sections),
        followed_quiet=tuple(followed_quiet),
        more_countries=more_countries,
        quiet_mode=guild_settings.quiet_mode,
    )


def _zone(settings: GuildSettings) -> ZoneInfo:
    return settings.tz


def _unique(articles: Iterable[Article]) -> list[Article]:
    seen: set[str] = set()
    out = []
    for art in articles:
        key = art.id or art.canonical_url or art.url
        if key not in seen:
            seen.add(key)
            out.append(art)
    return out


def _seen(article: Article, guild_id: str) -> float:
    """When this server got the article: a digest covers what arrived since the last one."""
    return article.guilds.get(guild_id) or article.ingested_at or article.event_time


def _mentions(story: Story, kind: str, key: str) -> bool:
    return key in story.countries if kind == "country" else key in story.persons


def _follow_label(follow: Follow) -> str:
    if follow.kind == "country":
        label = country_label(follow.key)
        return label if label != follow.key else (follow.display or follow.key)
    return follow.display


def _hint(kind: str, key: str, display: str) -> str:
    return f"/country {key}" if kind == "country" else f"/person {display}"


def _item(story: Story, kind: str, key: str, since: datetime) -> DigestItem:
    art = story.primary
    sentence = story.sentence_for(kind, key) if kind else art.summary
    if _fold(sentence) == _fold(art.title):
        sentence = ""
    published = None
    if art.published:
        try:
            when = datetime.fromisoformat(art.published)
        except ValueError:
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            if when < since - timedelta(days=1):
                published = when.date()
    return DigestItem(
        title=display_title(art) or site_name(art),
        url=art.canonical_url or art.url,
        sentence=sentence,
        sources=story.sources,
        published=published,
    )


# ---------------------------------------------------------------- merging stories

_STOP = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have"),
        *("in", "is", "it", "its", "of", "on", "or", "over", "the", "to", "was", "were"),
        *("will", "with", "after", "before", "says", "said", "new"),
    }
)
_WORD = re.compile(r"\w+")
_TITLE_TAIL = re.compile(r"\s+[-|–—:]\s+[^-|–—:]{1,40}$")
SIMILAR_TITLES = 0.6  # Jaccard of title words at or above which two titles are one story
_COMMON_BIGRAM = 60  # a word pair shared by more titles than this is a phrase, not a story


def title_words(title: str) -> frozenset[str]:
    """The words that identify a headline: folded, no site tail, no stop words."""
    return frozenset(_title_tokens(title))


def _title_tokens(title: str) -> list[str]:
    text = _fold(title)
    tail = _TITLE_TAIL.search(text)
    if tail and len(_WORD.findall(text[: tail.start()])) >= 4:
        text = text[: tail.start()]
    return [w for w in _WORD.findall(text) if len(w) > 1 and w not in _STOP]


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if min(len(a), len(b)) < 3:
        return a == b and len(a) >= 2
    common = len(a & b)
    return common / len(a | b) >= SIMILAR_TITLES or common / min(len(a), len(b)) >= 0.85


def merge_stories(articles: Sequence[Article], guild_id: str = "") -> list[Story]:
    """Group articles that tell the same story (same fingerprint or near-same title)."""
    parent = list(range(len(articles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    by_print: dict[str, int] = {}
    by_url: dict[str, int] = {}
    for i, art in enumerate(articles):
        for index, value in ((by_print, art.fingerprint), (by_url, art.canonical_url)):
            if value:
                if value in index:
                    union(i, index[value])
                else:
                    index[value] = i

    # Compare only titles that share a pair of consecutive words: near-duplicate headlines
    # always do, and it keeps 2,000 titles far from 2,000² comparisons.
    tokens = [_title_tokens(a.title) for a in articles]
    words = [frozenset(t) for t in tokens]
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, seq in enumerate(tokens):
        for pair in set(itertools.pairwise(seq)):
            buckets[pair].append(i)
    checked: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2 or len(members) > _COMMON_BIGRAM:
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if (i, j) in checked or find(i) == find(j):
                    continue
                checked.add((i, j))
                # Also like the first title of each story: no chains of small steps
                # (A like B, B like C) gluing unrelated headlines together.
                if _similar(words[i], words[j]) and _similar(words[find(i)], words[find(j)]):
                    union(i, j)

    groups: dict[int, list[Article]] = defaultdict(list)
    for i, art in enumerate(articles):
        groups[find(i)].append(art)
    stories = []
    for group in groups.values():
        # The first report leads; the others are listed as further sources.
        group.sort(key=lambda a: (a.event_time or _seen(a, guild_id), a.id))
        stories.append(_story(group, guild_id))
    return stories


def _story(group: list[Article], guild_id: str) -> Story:
    country_score: dict[str, float] = defaultdict(float)
    person_score: dict[str, float] = defaultdict(float)
    display: dict[str, str] = {}
    for art in group:
        for c in art.countries:
            country_score[c.code] += c.count + (5 if c.salient else 0)
        for p in art.persons:
            person_score[_fold(p.name)] += p.count + (5 if p.salient else 0)
            display.setdefault(_fold(p.name), p.name)
    countries = sorted(country_score, key=lambda c: (-country_score[c], c))
    persons = {k: display[k] for k in sorted(person_score, key=lambda k: (-person_score[k], k))}
    sources: list[Source] = []
    sites: set[str] = set()
    for art in group:
        site = site_name(art)
        if _fold(site) not in sites:
            sites.add(_fold(site))
            sources.append(Source(site, art.canonical_url or art.url))
    return Story(
        articles=group,
        countries=countries,
        persons=persons,
        seen_at=max(_seen(a, guild_id) for a in group),
        sources=tuple(sources),
    )


# ---------------------------------------------------------------- rendering for Discord

Embed = dict[str, Any]


def render_digest(digest: Digest) -> list[list[Embed]]:
    """Messages, each a list of embed dicts, each within Discord's limits.

    A quiet day is one short embed, or no message at all in "silent" mode. Items are
    never cut: a section too long for one field continues in the next field, embed or
    message, and what does not fit in ``MAX_MESSAGES`` is counted in a closing note.
    """
    if digest.quiet:
        if digest.quiet_mode == QUIET_SILENT:
            return []
        return [[{"description": _quiet_line(digest), "color": COLOR_HEADER}]]

    packer = _Packer()
    packer.add_embed(_header(digest), group="header")
    titles = {
        "followed": ("Following", COLOR_FOLLOWED),
        "countries": ("By country", COLOR_COUNTRIES),
        "people": ("People", COLOR_PEOPLE),
        "other": ("Other", COLOR_OTHER),
    }
    for section in digest.sections:
        title, color = titles[section.group]
        name = _field_name(section)
        lines = [_item_line(item, person=section.group == "people") for item in section.items]
        more = section.total - len(section.items)
        if more > 0 and section.more_hint:
            lines.append(f"*…and {more} more:* `{_code(section.more_hint)}`")
        for index, value in enumerate(_chunks(lines, FIELD_VALUE)):
            field_name = name if index == 0 else _clip(f"{name} (continued)", FIELD_NAME)
            packer.add_field(field_name, value, group=section.group, title=title, color=color)
    if digest.more_countries:
        title, color = titles["countries"]
        entries = [f"{escape_markdown(n)} ({k})" for n, k in digest.more_countries]
        for index, value in enumerate(_chunks(entries, FIELD_VALUE, sep=" · ")):
            packer.add_field(
                "Also in the news" if index == 0 else "Also in the news (continued)",
                value,
                group="countries",
                title=title,
                color=color,
            )
    return packer.finish()


def _quiet_line(digest: Digest) -> str:
    zone = ZoneInfo(digest.zone)
    since = digest.since.astimezone(zone)
    return (
        f"**{_long_date(digest.local_date)}** — a quiet day: no new stories since "
        f"{since:%d %b %H:%M}."
    )


def _header(digest: Digest) -> Embed:
    zone = ZoneInfo(digest.zone)
    since = digest.since.astimezone(zone)
    until = digest.until.astimezone(zone)
    counts = (
        f"**{digest.story_count}** {_plural(digest.story_count, 'story', 'stories')} from "
        f"**{digest.source_count}** {_plural(digest.source_count, 'source', 'sources')} · "
        f"{digest.country_count} {_plural(digest.country_count, 'country', 'countries')} · "
        f"{digest.person_count} {_plural(digest.person_count, 'person', 'people')}"
    )
    lines = [counts, f"{since:%d %b %H:%M} – {until:%d %b %H:%M} ({escape_markdown(digest.zone)})"]
    if digest.followed_quiet:
        quiet = ", ".join(escape_markdown(n) for n in digest.followed_quiet)
        lines.append(_clip(f"Nothing new on: {quiet}", 1000))
    return {
        "title": _clip(f"Daily briefing — {_long_date(digest.local_date)}", EMBED_TITLE),
        "description": "\n".join(lines),
        "color": COLOR_HEADER,
        "footer": {"text": "newsbot · /country and /person list more"},
    }


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _code(text: str) -> str:
    return text.replace("`", "'")[:80]


def _clip(text: str, limit: int) -> str:
    """For composed labels only (never for an item): fit a limit, ending with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _field_name(section: DigestSection) -> str:
    heading = escape_markdown(shorten(section.heading, 120))
    if section.group == "people":
        return heading
    return _clip(f"{heading} · {section.total}", FIELD_NAME)


def _item_line(item: DigestItem, *, person: bool = False) -> str:
    """One item as one line of at most ``FIELD_VALUE`` characters, detail dropped in
    steps until it fits (never cut in the middle of markdown)."""
    for step in range(6):
        title_limit = TITLE_CHARS if step < 4 else 80
        sentence_limit = (SENTENCE_CHARS, SENTENCE_CHARS, 120, 0, 0, 0)[step]
        linked_sources = step == 0
        with_link = step < 5
        parts = ["•"]
        if person:
            parts.append(f"**{escape_markdown(shorten(item.label, 60))}** ({item.count}) —")
        title = shorten(item.title, title_limit)
        parts.append(markdown_link(title, item.url) if with_link else escape_markdown(title))
        if sentence_limit and item.sentence:
            parts.append("— " + escape_markdown(shorten(item.sentence, sentence_limit)))
        parts.append("· " + _sources(item.sources, linked=linked_sources))
        if item.published:
            parts.append(f"({item.published.isoformat()})")
        line = " ".join(parts)
        if len(line) <= FIELD_VALUE:
            return line
    return line[:FIELD_VALUE]  # pragma: no cover - step 5 is at most ~400 characters


def _sources(sources: tuple[Source, ...], *, linked: bool) -> str:
    names = []
    for index, src in enumerate(sources[:SOURCES_SHOWN]):
        label = shorten(src.site, 40)
        names.append(markdown_link(label, src.url) if linked and index else escape_markdown(label))
    extra = len(sources) - SOURCES_SHOWN
    if extra > 0:
        names.append(f"+{extra} more")
    return ", ".join(names)


def _chunks(lines: list[str], limit: int, sep: str = "\n") -> list[str]:
    """Join lines into values of at most ``limit`` characters, never splitting a line."""
    out: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}{sep}{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                out.append(current)
            current = line
    if current:
        out.append(current)
    return out


def embed_chars(embed: Embed) -> int:
    """Characters Discord counts toward a message's 6,000."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("footer", {}).get("text", ""))
    total += len(embed.get("author", {}).get("name", ""))
    for f in embed.get("fields", ()):
        total += len(f["name"]) + len(f["value"])
    return total


class _Packer:
    """Fills embeds and messages in order, opening a new one when a limit would break."""

    def __init__(self) -> None:
        self.messages: list[list[Embed]] = []
        self.embed: Embed | None = None
        self.group = ""
        self.dropped_fields = 0
        self.dropped_items = 0
        self.full = False  # once something is dropped, so is everything after it

    def _chars(self) -> int:
        return sum(embed_chars(e) for e in self.messages[-1]) if self.messages else 0

    def _budget(self) -> int:
        return MESSAGE_EMBED_CHARS - _NOTE_RESERVE

    def _new_message(self) -> bool:
        if len(self.messages) >= MAX_MESSAGES:
            return False
        self.messages.append([])
        self.embed = None
        return True

    def add_embed(self, embed: Embed, *, group: str) -> None:
        if not self.messages:
            self._new_message()
        self.messages[-1].append(embed)
        self.embed = embed
        self.group = group

    def add_field(self, name: str, value: str, *, group: str, title: str, color: int) -> None:
        size = len(name) + len(value)
        if not self.messages:
            self._new_message()
        # At most: a new embed, a new message, a new embed there, then the field.
        for _ in range(0 if self.full else 4):
            same = self.embed is not None and self.group == group
            room = self.embed is not None and len(self.embed.get("fields", [])) < EMBED_FIELDS
            if same and room and self._chars() + size <= self._budget():
                self.embed["fields"].append({"name": name, "value": value, "inline": False})
                return
            head = f"{title} (continued)" if self.group == group else title
            if (
                len(self.messages[-1]) < MESSAGE_EMBEDS
                and self._chars() + len(head) + size <= self._budget()
            ):
                embed = {"title": head, "color": color, "fields": []}
                self.messages[-1].append(embed)
                self.embed = embed
                self.group = group
                continue
            if not self._new_message():
                break
        self.full = True
        self.dropped_fields += 1
        self.dropped_items += value.count("\n") + 1

    def finish(self) -> list[list[Embed]]:
        if self.dropped_fields and self.messages:
            note = (
                f"{self.dropped_items} more lines did not fit in this digest; "
                "/country, /person and /latest list everything."
            )
            last = self.messages[-1][-1]
            footer = last.get("footer", {}).get("text", "")
            text = f"{footer} · {note}" if footer else note
            last["footer"] = {"text": _clip(text, min(EMBED_FOOTER, _NOTE_RESERVE))}
        return [m for m in self.messages if m]


# ---------------------------------------------------------------- the terminal


def digest_text(digest: Digest) -> str:
    """The same digest as plain text for ``newsbot digest`` (no markdown, full URLs)."""
    zone = ZoneInfo(digest.zone)
    since = digest.since.astimezone(zone)
    until = digest.until.astimezone(zone)
    head = f"Daily briefing — {_long_date(digest.local_date)} (server {digest.guild_id})"
    window = f"{since:%Y-%m-%d %H:%M} – {until:%Y-%m-%d %H:%M} ({digest.zone})"
    if digest.quiet:
        note = "a quiet day: no new stories."
        if digest.quiet_mode == QUIET_SILENT:
            note += " (Nothing would be posted: quiet-day mode is silent.)"
        return f"{head}\n{window}\n{note}\n"
    out = [
        head,
        window,
        f"{digest.story_count} {_plural(digest.story_count, 'story', 'stories')} "
        f"({digest.article_count} {_plural(digest.article_count, 'article', 'articles')}) from "
        f"{digest.source_count} {_plural(digest.source_count, 'source', 'sources')} · "
        f"{digest.country_count} {_plural(digest.country_count, 'country', 'countries')} · "
        f"{digest.person_count} {_plural(digest.person_count, 'person', 'people')}",
    ]
    if digest.followed_quiet:
        out.append("Nothing new on: " + ", ".join(digest.followed_quiet))
    group = ""
    names = {
        "followed": "FOLLOWING",
        "countries": "BY COUNTRY",
        "people": "PEOPLE IN THE NEWS",
        "other": "OTHER STORIES",
    }
    for section in digest.sections:
        if section.group != group:
            group = section.group
            out += ["", f"== {names[group]} =="]
        if section.group != "people":
            out.append(f"{section.heading} ({section.total})")
        for item in section.items:
            label = f"{item.label} ({item.count}): " if item.label else ""
            line = f"  - {label}{one_line(item.title)}"
            if item.published:
                line += f" ({item.published.isoformat()})"
            out.append(line)
            if item.sentence:
                out.append(f"    {shorten(item.sentence, SENTENCE_CHARS)}")
            sites = ", ".join(s.site for s in item.sources)
            out.append(f"    {item.url}  [{sites}]")
        more = section.total - len(section.items)
        if more > 0 and section.more_hint:
            out.append(f"  …and {more} more: {section.more_hint}")
    if digest.more_countries:
        also = ", ".join(f"{n} ({k})" for n, k in digest.more_countries)
        out += ["", f"Also in the news: {also}"]
    return "\n".join(out) + "\n"
