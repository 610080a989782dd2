"""The daily digest as data: which stories, in which sections, in what order.

``build_digest`` is pure: from a plain iterable of ``Article``s it groups the window's
articles into stories (``bot.news.stories``) and lays them out. Rendering is elsewhere:
``bot.ui.digest`` makes Discord embeds of it, ``bot.cli_digest`` plain text.

Layout rules. Every story is listed once and numbered in reading order. Followed
countries and people come first with their stories (a story already listed under an
earlier follow is referred to by its number); then every other story under its main
country; then "People in the news": names with how many stories mention them, what
happened to them, and the numbers of the stories to read — not the stories again; then
the stories with no country. Long sections list the top stories and say how many
more there are and which command shows them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.news.guild_settings import Follow, GuildSettings
from bot.news.model import Article, fold
from bot.news.stories import Source, Story, group_stories
from bot.news.stories.group import arrival
from bot.news.understanding.countries import country_name

# How much a digest shows: a briefing, not an archive (the slash commands page the rest).
FOLLOWED_ITEMS = 5
COUNTRY_SECTIONS = 10
COUNTRY_ITEMS = 3
PEOPLE_LINES = 8
PEOPLE_REFS = 4
OTHER_ITEMS = 3


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One story: its number in the digest, headline and link, what happened, who reported."""

    number: int
    title: str
    url: str
    sentence: str
    sources: tuple[Source, ...]
    published: date | None = None  # shown only when older than the digest's window


@dataclass(frozen=True, slots=True)
class PersonLine:
    """One person in the news: how many stories, what happened, which stories to read."""

    name: str
    key: str
    count: int
    sentence: str
    refs: tuple[int, ...]  # numbers of listed stories about them, newest first


@dataclass(frozen=True, slots=True)
class DigestSection:
    group: str  # "followed", "countries", "other"
    kind: str | None  # "country" / "person" for an entity's section
    key: str
    heading: str  # raw text: a country's name, a person's name; renderers escape it
    items: tuple[DigestItem, ...]
    total: int  # stories about this entity in the window
    more_hint: str = ""  # which command lists the rest
    refs: tuple[int, ...] = ()  # stories about it already listed above, by number


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
    people: tuple[PersonLine, ...] = ()
    people_total: int = 0
    followed_quiet: tuple[str, ...] = ()  # followed entities with no news
    more_countries: tuple[tuple[str, int], ...] = ()  # countries beyond the shown ones
    quiet_mode: str = "note"

    @property
    def quiet(self) -> bool:
        return self.story_count == 0

    @property
    def story_sections(self) -> tuple[DigestSection, ...]:
        return tuple(s for s in self.sections if s.group != "other")

    @property
    def other_sections(self) -> tuple[DigestSection, ...]:
        return tuple(s for s in self.sections if s.group == "other")


def country_label(code: str) -> str:
    """A country's name, or its code when the table does not know it."""
    return country_name(code) or code


class _Numbering:
    """Numbers stories in the order they are listed; each story gets one number."""

    def __init__(self, since: datetime) -> None:
        self.since = since
        self.numbers: dict[int, int] = {}

    def item(self, story: Story, kind: str, key: str) -> DigestItem:
        number = self.numbers.setdefault(id(story), len(self.numbers) + 1)
        return _item(story, number, kind, key, self.since)

    def listed(self, story: Story) -> bool:
        return id(story) in self.numbers

    def number(self, story: Story) -> int | None:
        return self.numbers.get(id(story))


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
    zone = guild_settings.tz
    follows = list(guild_settings.follows if follows is None else follows)
    gid = guild_settings.guild_id
    window = [
        a for a in _unique(articles) if since.timestamp() <= arrival(a, gid) < now.timestamp()
    ]
    stories = group_stories(window, gid)
    stories.sort(key=Story.rank, reverse=True)
    numbering = _Numbering(since)

    sections: list[DigestSection] = []
    followed_quiet: list[str] = []
    for follow in follows:
        about = [s for s in stories if s.mentions(follow.kind, follow.key)]
        if not about:
            followed_quiet.append(_follow_label(follow))
            continue
        earlier = tuple(n for s in about if (n := numbering.number(s)) is not None)
        fresh = [s for s in about if not numbering.listed(s)][:FOLLOWED_ITEMS]
        sections.append(
            DigestSection(
                "followed",
                follow.kind,
                follow.key,
                _follow_label(follow),
                tuple(numbering.item(s, follow.kind, follow.key) for s in fresh),
                len(about),
                _hint(follow.kind, follow.key, follow.display),
                refs=earlier,
            )
        )

    followed_keys = {(f.kind, f.key) for f in follows}
    by_country: dict[str, list[Story]] = defaultdict(list)
    mentions: dict[str, int] = defaultdict(int)
    for story in stories:
        for code in story.countries:
            mentions[code] += 1
        if numbering.listed(story) or not story.countries:
            continue
        main = next((c for c in story.countries if ("country", c) not in followed_keys), None)
        if main is not None:
            by_country[main].append(story)
    ordered = sorted(by_country, key=lambda c: (-len(by_country[c]), -mentions[c], c))
    for code in ordered[:COUNTRY_SECTIONS]:
        group = by_country[code][:COUNTRY_ITEMS]
        sections.append(
            DigestSection(
                "countries",
                "country",
                code,
                country_label(code),
                tuple(numbering.item(s, "country", code) for s in group),
                mentions[code],
                _hint("country", code, code),
            )
        )
    more_countries = tuple((c, len(by_country[c])) for c in ordered[COUNTRY_SECTIONS:])

    loose = [s for s in stories if not s.countries and not numbering.listed(s)]
    if loose:
        sections.append(
            DigestSection(
                "other",
                None,
                "",
                "Other stories",
                tuple(numbering.item(s, "", "") for s in loose[:OTHER_ITEMS]),
                len(loose),
                "/latest",
            )
        )

    people, people_total = _people(stories, followed_keys, numbering)
    sources = {fold(src.site) for s in stories for src in s.sources}
    return Digest(
        guild_id=gid,
        local_date=local_date or now.astimezone(zone).date(),
        zone=str(zone.key),
        since=since.astimezone(UTC),
        until=now.astimezone(UTC),
        article_count=len(window),
        story_count=len(stories),
        source_count=len(sources),
        country_count=len({c for s in stories for c in s.countries}),
        person_count=len({p for s in stories for p in s.persons}),
        sections=tuple(sections),
        people=people,
        people_total=people_total,
        followed_quiet=tuple(followed_quiet),
        more_countries=more_countries,
        quiet_mode=guild_settings.quiet_mode,
    )


def _people(
    stories: list[Story], followed: set[tuple[str, str]], numbering: _Numbering
) -> tuple[tuple[PersonLine, ...], int]:
    """The people most in the news (not the followed ones, listed above), each pointing at
    the listed stories about them."""
    about: dict[str, list[Story]] = defaultdict(list)
    names: dict[str, str] = {}
    for story in stories:
        for key, display in story.persons.items():
            if ("person", key) not in followed:
                about[key].append(story)
                names.setdefault(key, display)
    top = sorted(about, key=lambda k: (-len(about[k]), names[k]))[:PEOPLE_LINES]
    lines = []
    for key in top:
        newest = sorted(about[key], key=lambda s: s.seen_at, reverse=True)
        refs = [n for s in newest if (n := numbering.number(s)) is not None]
        lines.append(
            PersonLine(
                name=names[key],
                key=key,
                count=len(about[key]),
                sentence=newest[0].sentence_for("person", key),
                refs=tuple(refs[:PEOPLE_REFS]),
            )
        )
    return tuple(lines), len(about)


def _unique(articles: Iterable[Article]) -> list[Article]:
    seen: set[str] = set()
    out = []
    for art in articles:
        key = art.id or art.canonical_url or art.url
        if key not in seen:
            seen.add(key)
            out.append(art)
    return out


def _follow_label(follow: Follow) -> str:
    if follow.kind == "country":
        name = country_name(follow.key)
        return name if name and name != follow.key else (follow.display or follow.key)
    return follow.display


def _hint(kind: str, key: str, display: str) -> str:
    return f"/country {key}" if kind == "country" else f"/person {display}"


def _item(story: Story, number: int, kind: str, key: str, since: datetime) -> DigestItem:
    sentence = story.sentence_for(kind, key) if kind else story.summary
    if fold(sentence) == fold(story.title):
        sentence = ""
    published = None
    when = story.primary.published_time
    if when is not None and when < (since - timedelta(days=1)).timestamp():
        published = datetime.fromtimestamp(when, UTC).date()
    return DigestItem(
        number=number,
        title=story.title,
        url=story.url,
        sentence=sentence,
        sources=story.sources,
        published=published,
    )
