"""The domain's records: what an analysed article is, shared by every layer.

Plain dataclasses with a stable dict form (``to_dict``/``from_dict``) because the
same shape is written to TinyDB, printed as JSON by the CLI and rendered by the cogs.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

EntityKind = Literal["country", "person"]


def fold(text: str) -> str:
    """Lower-case and strip accents, so "Andrés" and "andres" match."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'", "´": "'"})


def person_key(name: str) -> str:
    """The matching key of a canonical person name (accents folded, every apostrophe
    written "'": "O’Brien" and "O'Brien" are one person)."""
    return fold(name).translate(_APOSTROPHES)


def article_id_for(canonical_url: str) -> str:
    """A short stable id for an article, derived from its canonical URL."""
    return hashlib.blake2s(canonical_url.encode("utf-8"), digest_size=6).hexdigest()


@dataclass(slots=True)
class CountryMention:
    code: str  # ISO 3166-1 alpha-2, upper case
    count: int = 1
    salient: bool = False  # named in the title or the lead


@dataclass(slots=True)
class PersonMention:
    name: str  # canonical display name, accents kept ("Andrés Castillo")
    count: int = 1
    salient: bool = False

    @property
    def key(self) -> str:
        return person_key(self.name)


@dataclass(slots=True)
class Development:
    """One article seen from one entity: the sentence that best says what happened."""

    kind: EntityKind
    key: str  # country code, or person key
    sentence: str


@dataclass(slots=True)
class Article:
    url: str  # the URL as submitted
    canonical_url: str
    title: str
    text: str = ""  # full text; not kept by the store (summary and developments are)
    summary: str = ""
    site: str = ""
    published: str | None = None  # ISO date "YYYY-MM-DD" (or full ISO timestamp)
    language: str = "en"
    fingerprint: str = ""  # content fingerprint for dedupe across URLs
    countries: list[CountryMention] = field(default_factory=list)
    persons: list[PersonMention] = field(default_factory=list)
    developments: list[Development] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "not English: no entities"
    id: str = ""
    ingested_at: float = 0.0  # epoch seconds of the first ingestion
    guilds: dict[str, float] = field(default_factory=dict)  # guild id -> when it ingested

    def __post_init__(self) -> None:
        if not self.id and self.canonical_url:
            self.id = article_id_for(self.canonical_url)

    @property
    def published_time(self) -> float | None:
        """The published date as epoch seconds, when the page gave a readable one."""
        if not self.published:
            return None
        try:
            when = datetime.fromisoformat(self.published)
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.timestamp()

    @property
    def event_time(self) -> float:
        """When the story entered the briefing (its first ingestion), as epoch seconds.

        Queries, windows (``days:``), trending and the digest use this: a briefing lists
        what was added, newest first, even when the page itself is older (its own date is
        still shown). Before ingestion it falls back to the published date."""
        return self.ingested_at or self.published_time or 0.0

    @property
    def country_codes(self) -> list[str]:
        return [c.code for c in self.countries]

    @property
    def person_keys(self) -> list[str]:
        return [p.key for p in self.persons]

    def development_for(self, kind: EntityKind, key: str) -> str:
        """The development sentence for one entity, or the summary's first sentence."""
        for dev in self.developments:
            if dev.kind == kind and dev.key == key:
                return dev.sentence
        return self.summary

    def to_dict(self, *, with_text: bool = True) -> dict[str, Any]:
        data = asdict(self)
        if not with_text:
            data.pop("text", None)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        data = dict(data)
        data["countries"] = [CountryMention(**c) for c in data.get("countries", [])]
        data["persons"] = [PersonMention(**p) for p in data.get("persons", [])]
        data["developments"] = [Development(**d) for d in data.get("developments", [])]
        known = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in data.items() if k in known})
