"""RSS/Atom subscriptions per server: new articles are ingested as they appear.

Discord-free; the ``/feed`` cog talks to ``FeedService`` only.
"""

from bot.news.feeds.parse import FeedItem, NotAFeed, ParsedFeed, parse_feed
from bot.news.feeds.service import FeedError, FeedInfo, FeedService

__all__ = [
    "FeedError",
    "FeedInfo",
    "FeedItem",
    "FeedService",
    "NotAFeed",
    "ParsedFeed",
    "parse_feed",
]
