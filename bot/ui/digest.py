"""The daily digest as Discord embeds, within Discord's limits.

``render_digest`` turns ``bot.news.digest.build.Digest`` (data) into messages, each a list
of embed dicts. Items are never cut: a section too long for one field continues in the
next field, embed or message, and what does not fit in ``MAX_MESSAGES`` is counted in a
closing note. Every string from the web goes through ``render.safe`` / ``render.link``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.news.digest.build import Digest, DigestItem, DigestSection, PersonLine
from bot.news.guild_settings import QUIET_SILENT
from bot.news.stories import Source
from bot.news.text import one_line, safe_url
from bot.news.understanding.countries import flag
from bot.ui.render import (
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    FOOTER_MAX,
    TITLE_MAX,
    clip,
    country_label,
    link,
    safe,
)

Embed = dict[str, Any]

MESSAGE_EMBEDS = 10
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

_GROUPS = {
    "followed": ("Following", COLOR_FOLLOWED),
    "countries": ("By country", COLOR_COUNTRIES),
    "people": ("People in the news", COLOR_PEOPLE),
    "other": ("Other stories", COLOR_OTHER),
}


def render_digest(digest: Digest) -> list[list[Embed]]:
    """Messages, each a list of embed dicts, each within Discord's limits. A quiet day is
    one short embed, or no message at all in "silent" mode."""
    if digest.quiet:
        if digest.quiet_mode == QUIET_SILENT:
            return []
        return [[{"description": quiet_line(digest), "color": COLOR_HEADER}]]

    # On a very full day the countries could push "People in the news" out: show fewer
    # countries (named under "Also in the news") until the people fit.
    countries = [s for s in digest.story_sections if s.group == "countries"]
    for shown in range(len(countries), -1, -1):
        packer = _pack(digest, countries[shown:])
        if not digest.people or packer.placed_people or shown == 0:
            return packer.finish()
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns at shown == 0


def _pack(digest: Digest, demoted: list[DigestSection]) -> _Packer:
    packer = _Packer()
    packer.add_embed(_header(digest), group="header")
    skip = {id(s) for s in demoted}
    for section in digest.story_sections:
        if id(section) not in skip:
            _add_section(packer, section)
    also = [(s.key, s.total) for s in demoted] + list(digest.more_countries)
    if also:
        title, color = _GROUPS["countries"]
        entries = [f"{country_label(code)} ({n})" for code, n in also]
        for index, value in enumerate(_chunks(entries, FIELD_VALUE_MAX, sep=" · ")):
            name = "Also in the news" + (" (continued)" if index else "")
            packer.add_field(name, value, group="countries", title=title, color=color)
    if digest.people:
        title, color = _GROUPS["people"]
        lines = [person_line(p) for p in digest.people]
        more = digest.people_total - len(digest.people)
        if more > 0:
            lines.append(f"*…and {more} more: `/person`*")
        name = f"Most mentioned · {digest.people_total}"
        for index, value in enumerate(_chunks(lines, FIELD_VALUE_MAX)):
            field_name = name if index == 0 else f"{name} (continued)"
            packer.placed_people = packer.add_field(
                field_name, value, group="people", title=title, color=color
            )
    for section in digest.other_sections:
        _add_section(packer, section)
    return packer


def digest_messages(digest: Digest) -> list[list[discord.Embed]]:
    """``render_digest`` as discord.py embeds, one list per message to send."""
    return [[discord.Embed.from_dict(e) for e in message] for message in render_digest(digest)]


def _add_section(packer: _Packer, section: DigestSection) -> None:
    title, color = _GROUPS[section.group]
    name = _field_name(section)
    lines = [item_line(item) for item in section.items]
    if section.refs:
        lines.append("Also: " + ", ".join(f"#{n}" for n in section.refs[:10]))
    more = section.total - len(section.items) - len(section.refs)
    if more > 0 and section.more_hint:
        lines.append(f"*…and {more} more:* `{_code(section.more_hint)}`")
    for index, value in enumerate(_chunks(lines, FIELD_VALUE_MAX)):
        field_name = name if index == 0 else clip(f"{name} (continued)", FIELD_NAME_MAX)
        packer.add_field(field_name, value, group=section.group, title=title, color=color)


def quiet_line(digest: Digest) -> str:
    since = digest.since.astimezone(ZoneInfo(digest.zone))
    return (
        f"**{long_date(digest.local_date)}** — a quiet day: no new stories since "
        f"{since:%d %b %H:%M}."
    )


def _header(digest: Digest) -> Embed:
    zone = ZoneInfo(digest.zone)
    since = digest.since.astimezone(zone)
    until = digest.until.astimezone(zone)
    counts = (
        f"**{digest.story_count}** {plural(digest.story_count, 'story', 'stories')} from "
        f"**{digest.source_count}** {plural(digest.source_count, 'source', 'sources')} · "
        f"{digest.country_count} {plural(digest.country_count, 'country', 'countries')} · "
        f"{digest.person_count} {plural(digest.person_count, 'person', 'people')}"
    )
    lines = [counts, f"{since:%d %b %H:%M} – {until:%d %b %H:%M} ({safe(digest.zone, 64)})"]
    if digest.followed_quiet:
        quiet = ", ".join(safe(n, 100) for n in digest.followed_quiet)
        lines.append(clip(f"Nothing new on: {quiet}", 1000))
    return {
        "title": header_title(digest.local_date),
        "description": clip("\n".join(lines), DESCRIPTION_MAX),
        "color": COLOR_HEADER,
        "footer": {"text": "newsbot · /country and /person list more"},
    }


def header_title(day: date) -> str:
    return clip(f"Daily briefing — {long_date(day)}", TITLE_MAX)


def opens_digest_of(embeds: Sequence[Mapping[str, Any]], day: date) -> bool:
    """Whether a message with these embeds is the first message of the digest of ``day``
    (its header, or the one quiet-day line): how a digest sent by a run that stopped
    before recording it is recognised in the channel."""
    if not embeds:
        return False
    first = embeds[0]
    if first.get("title") == header_title(day):
        return True
    return str(first.get("description", "")).startswith(f"**{long_date(day)}** — a quiet day")


def delivered_parts(
    posted: Sequence[tuple[int, Sequence[Mapping[str, Any]]]],
    planned: Sequence[Sequence[Mapping[str, Any]]],
    day: date,
) -> list[int]:
    """The ids of the messages of the digest of ``day`` already in a channel, in order.

    ``posted``: the bot's own messages there, oldest first, as (id, embeds). The digest's
    first message is recognised by ``opens_digest_of``; each later part by the titles of its
    embeds, which ``planned`` (the same claim rendered again) gives, so a digest cut between
    two of its messages is continued from the first one missing rather than sent again."""
    start = None
    for index, (_, embeds) in enumerate(posted):
        if opens_digest_of(embeds, day):
            start = index
    if start is None:
        return []
    found = [posted[start][0]]
    for (message_id, embeds), part in zip(posted[start + 1 :], planned[1:], strict=False):
        if _titles(embeds) != _titles(part):
            break
        found.append(message_id)
    return found


def _titles(embeds: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(e.get("title", "")) for e in embeds]


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _code(text: str) -> str:
    return text.replace("`", "'")[:80]


def _field_name(section: DigestSection) -> str:
    heading = safe(section.heading, 120)
    if section.kind == "country" and flag(section.key):
        heading = f"{flag(section.key)} {heading}"
    return clip(f"{heading} · {section.total}", FIELD_NAME_MAX)


def item_line(item: DigestItem) -> str:
    """One story as one line of at most ``FIELD_VALUE_MAX`` characters, detail dropped in
    steps until it fits (never cut in the middle of markdown)."""
    line = ""
    for step in range(6):
        title_limit = TITLE_CHARS if step < 4 else 80
        sentence_limit = (SENTENCE_CHARS, SENTENCE_CHARS, 120, 0, 0, 0)[step]
        parts = [f"**{item.number}.**"]
        if step < 5:
            target = safe_url(item.url) or ""
            parts.append(link(item.title, item.url, title_limit + len(target) + 4))
        else:
            parts.append(safe(item.title, title_limit))
        if sentence_limit and item.sentence:
            parts.append("— " + safe(item.sentence, sentence_limit))
        parts.append("· " + sources_text(item.sources, linked=step == 0))
        if item.published:
            parts.append(f"({item.published.isoformat()})")
        line = " ".join(parts)
        if len(line) <= FIELD_VALUE_MAX:
            return line
    return clip(line, FIELD_VALUE_MAX)


def person_line(person: PersonLine) -> str:
    """A person in the news: name, count, what happened, and where to read it (#n)."""
    head = f"• **{safe(person.name, 60)}** ({person.count})"
    if person.refs:
        refs = " → " + ", ".join(f"#{n}" for n in person.refs)
    else:  # none of their stories made it into the digest: say where they are
        refs = f" → `/person {_code(one_line(person.name))[:60]}`"
    sentence = safe(person.sentence, 110)
    line = f"{head} — {sentence}{refs}" if sentence else f"{head}{refs}"
    return clip(line, FIELD_VALUE_MAX)


def sources_text(sources: tuple[Source, ...], *, linked: bool) -> str:
    """ "Reuters", or "3 sources: Reuters, AP News, BBC" (the first is the item's link)."""
    names = []
    for index, src in enumerate(sources[:SOURCES_SHOWN]):
        names.append(link(src.site, src.url, 400) if linked and index else safe(src.site, 40))
    extra = len(sources) - SOURCES_SHOWN
    if extra > 0:
        names.append(f"+{extra} more")
    text = ", ".join(names)
    return f"{len(sources)} sources: {text}" if len(sources) > 1 else text


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
        self.placed_people = False

    def _chars(self) -> int:
        return sum(embed_chars(e) for e in self.messages[-1]) if self.messages else 0

    def _budget(self) -> int:
        return EMBED_TOTAL_MAX - _NOTE_RESERVE

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

    def add_field(self, name: str, value: str, *, group: str, title: str, color: int) -> bool:
        """Place a field; False when it did not fit (it is counted in the closing note)."""
        size = len(name) + len(value)
        if not self.messages:
            self._new_message()
        # At most: a new embed, a new message, a new embed there, then the field.
        for _ in range(0 if self.full else 4):
            same = self.embed is not None and self.group == group
            room = self.embed is not None and len(self.embed.get("fields", [])) < FIELDS_MAX
            if same and room and self._chars() + size <= self._budget():
                self.embed["fields"].append({"name": name, "value": value, "inline": False})
                return True
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
        return False

    def finish(self) -> list[list[Embed]]:
        if self.dropped_fields and self.messages:
            note = (
                f"{self.dropped_items} more lines did not fit in this digest; "
                "/country, /person and /latest list everything."
            )
            last = self.messages[-1][-1]
            footer = last.get("footer", {}).get("text", "")
            text = f"{footer} · {note}" if footer else note
            last["footer"] = {"text": clip(text, min(FOOTER_MAX, _NOTE_RESERVE))}
        return [m for m in self.messages if m]
