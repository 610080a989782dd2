"""Typed errors of the store, whatever the backend.

Each carries ``message``: one sentence for a person (the CLI prints it and exits 2,
the bot logs it and stops). Callers recognise them by type, never by their text.
"""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot be opened or used; ``message`` says why in one sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadStoreURL(StoreError, ValueError):
    """``NEWSBOT_DATABASE_URL`` / ``database_url`` is not a URL newsbot can use."""


class StoreUnreachable(StoreError):
    """The database server did not answer (down, wrong host or port, refused login)."""


class SchemaTooNew(StoreError, ValueError):
    """The data was written by a newer newsbot: reading it could lose fields, so it is not read."""


class StoreBusy(StoreError, RuntimeError):
    """Another process holds the store (TinyDB allows one writing process at a time)."""


class StoreReadOnly(StoreError, RuntimeError):
    """A write was asked of a store opened read-only (the CLI's queries beside the bot)."""
