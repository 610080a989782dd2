"""``open_store``: the one way the bot, the CLI and the services get a ``Store``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.news.store.errors import StoreError
from bot.news.store.interface import Store
from bot.news.store.url import StoreURL, parse_store_url


def store_url_of(settings: Any) -> StoreURL:
    """The store a ``Settings`` names (``database_url``, else TinyDB in ``data_dir``)."""
    return parse_store_url(getattr(settings, "database_url", None), Path(settings.data_dir))


async def open_store(
    target: str | StoreURL | Any, *, read_only: bool = False, **options: Any
) -> Store:
    """Open the store named by a URL text, a parsed ``StoreURL`` or a ``Settings``.

    Raises a ``StoreError`` subclass (one sentence in ``message``) when the URL is bad,
    the server unreachable, the data newer than this newsbot, or the store busy.
    ``options`` go to the backend: every backend takes ``clock`` (a ``bot.news.clock.Clock``,
    what "now" is); others tune caches and cadences for tests and benches.
    """
    if isinstance(target, StoreURL):
        url = target
    elif isinstance(target, str):
        url = parse_store_url(target, Path("data"))
    else:
        url = store_url_of(target)
    if url.backend == "tinydb":
        from bot.news.store.tinydb import open_tinydb

        assert url.path is not None
        return await open_tinydb(url.path, read_only=read_only, **options)
    try:
        from bot.news.store.postgres import open_postgres  # type: ignore[import-not-found]
    except ImportError as exc:
        raise StoreError(f"This newsbot cannot use PostgreSQL: {exc.msg or exc}.") from None
    return await open_postgres(url, read_only=read_only, **options)
