"""Which backend and where: ``NEWSBOT_DATABASE_URL`` (or ``database_url`` in newsbot.toml).

- absent or empty      -> TinyDB in the data folder (``data_dir``), as for every new user;
- ``tinydb:///abs/dir`` -> TinyDB in that folder;
- ``postgresql://user@host:port/db`` (or ``postgres://``) -> PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from bot.news.store.errors import BadStoreURL

Backend = Literal["tinydb", "postgres"]
POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True, slots=True)
class StoreURL:
    """A parsed store location: ``path`` for TinyDB, ``dsn`` for PostgreSQL."""

    backend: Backend
    path: Path | None = None
    dsn: str | None = None

    def __str__(self) -> str:
        if self.backend == "tinydb":
            return f"tinydb://{self.path}"
        return redact(self.dsn or "")


def redact(dsn: str) -> str:
    """The DSN without its password, for logs and messages."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.rsplit("@", 1)
    user = (parts.username or "") + ":***"
    return parts._replace(netloc=f"{user}@{netloc[-1]}").geturl()


def parse_store_url(text: str | None, data_dir: Path) -> StoreURL:
    """Parse the setting; ``BadStoreURL`` (one sentence) when it cannot be used."""
    raw = (text or "").strip()
    if not raw:
        return StoreURL("tinydb", path=Path(data_dir))
    shown = raw if len(raw) <= 80 else raw[:80] + "…"
    if "://" not in raw:
        raise BadStoreURL(
            f"The database URL “{redact(shown)}” has no scheme: use tinydb:///path/to/folder "
            "or postgresql://user@host:port/database."
        )
    scheme = raw.split("://", 1)[0].lower()
    if scheme == "tinydb":
        parts = urlsplit(raw)
        if parts.netloc or not parts.path.startswith("/"):
            raise BadStoreURL(
                f"The TinyDB URL “{shown}” must name an absolute folder with three slashes, "
                "for example tinydb:///srv/newsbot/data."
            )
        if parts.query or parts.fragment:
            raise BadStoreURL(f"The TinyDB URL “{shown}” takes no options after the folder.")
        return StoreURL("tinydb", path=Path(unquote(parts.path)))
    if scheme in POSTGRES_SCHEMES:
        try:
            parts = urlsplit(raw)
            port = parts.port
        except ValueError:
            raise BadStoreURL(
                f"The PostgreSQL URL “{redact(shown)}” has a port that is not a number."
            ) from None
        if not parts.hostname and "host=" not in parts.query:
            raise BadStoreURL(
                f"The PostgreSQL URL “{redact(shown)}” names no server: use "
                "postgresql://user@host:port/database."
            )
        if port == 0:
            raise BadStoreURL(f"The PostgreSQL URL “{redact(shown)}” has port 0.")
        return StoreURL("postgres", dsn=raw)
    raise BadStoreURL(
        f"A “{scheme[:20]}” URL is not a store newsbot can use: use tinydb:///path/to/folder "
        "or postgresql://user@host:port/database."
    )
