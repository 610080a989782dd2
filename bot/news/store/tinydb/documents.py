"""Stored documents back into ``Article`` objects: every listing pays this per row.

A document as the store writes it holds every field, so the objects are built from
positional arguments, without the keyword dicts that ``Article(**fields)`` costs (about
40% of a newest-10 query). A document that lacks a field or has an unknown one (an
older or hand-edited file) takes the keyword path, which fills defaults and rejects
unknown keys exactly as ``Article.from_dict`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from bot.news.model import Article, CountryMention, Development, PersonMention

Doc = dict[str, Any]
T = TypeVar("T")

PLAIN_FIELDS = frozenset(Article.__dataclass_fields__) - {
    "countries", "persons", "developments", "notes", "guilds"
}  # fmt: skip


def _items(cls: type[T], first: str, second: str, third: str, raw: Sequence[Doc]) -> list[T]:
    """``[cls(**d) for d in raw]`` for classes of three fields named in their order."""
    try:
        built = [cls(d[first], d[second], d[third]) for d in raw if len(d) == 3]  # type: ignore[call-arg]
    except KeyError:
        built = []
    if len(built) == len(raw):
        return built
    return [cls(**d) for d in raw]


def article_of(doc: Doc, guild: str | None = None) -> Article:
    """A fresh ``Article`` from a stored document (callers may mutate it freely).

    Read for one guild, it shows only that guild's link: a server never learns which
    other servers stored the same article."""
    get = doc.get
    guilds = get("guilds") or {}
    countries = _items(CountryMention, "code", "count", "salient", get("countries", ()))
    persons = _items(PersonMention, "name", "count", "salient", get("persons", ()))
    developments = _items(Development, "kind", "key", "sentence", get("developments", ()))
    notes = list(get("notes") or ())
    links = dict(guilds) if guild is None else {guild: guilds[guild]}
    try:
        return Article(
            doc["url"],
            doc["canonical_url"],
            doc["title"],
            get("text", ""),  # never stored: the field's default
            doc["summary"],
            doc["site"],
            doc["published"],
            doc["language"],
            doc["fingerprint"],
            countries,
            persons,
            developments,
            notes,
            doc["id"],
            doc["ingested_at"],
            links,
        )
    except KeyError:
        fields = {k: v for k, v in doc.items() if k in PLAIN_FIELDS}
        return Article(
            **fields,
            countries=countries,
            persons=persons,
            developments=developments,
            notes=notes,
            guilds=links,
        )
