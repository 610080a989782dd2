"""The article store: TinyDB week partitions, a durable journal and in-memory indexes.

``ArticleStore`` is the one interface the rest of newsbot uses; see ``store.py``.
"""

from bot.news.store.migrations import SCHEMA_VERSION
from bot.news.store.store import ArticleStore, StoreBusy

# The guild id the command line works in (``newsbot ingest`` stores there by default).
CLI_GUILD = "cli"

__all__ = ["CLI_GUILD", "SCHEMA_VERSION", "ArticleStore", "StoreBusy"]
