"""Web text made safe to show in Discord.

Titles and sentences come from pages anyone can write, so before they reach a message
they lose their markdown (a title must not bold, hide or link anything), their mentions
(``@everyone`` must not ping; mentions are also disabled at send time, this is the second
lock) and their line breaks (``bot.news.text.one_line``). Links are rebuilt
(``bot.news.text.safe_url``) so that a URL can never close the ``[title](url)`` around it.

Both escapes are our own: ``discord.utils.escape_markdown`` leaves ``(``, ``)``, ``<`` and
a lone ``[`` or ``]`` alone, which can end a link label or start an autolink, and
``discord.utils.escape_mentions`` matches ``@everyone`` only in lower case and leaves
``<@id>`` alone.
"""

from __future__ import annotations

import re

from bot.news.text import one_line

ZWSP = "\u200b"

# Discord's markdown treats a backslash before any ASCII punctuation as a literal, so
# escaping every character that can start or end a construct is always safe.
_MARKDOWN_CHARS = "\\*_~`|>#-[]()<"
_MARKDOWN_RE = re.compile("([" + re.escape(_MARKDOWN_CHARS) + "])")
# "@everyone", "@here", and <@id>, <@!id>, <@&id>, <#id>, </cmd:id> style tokens.
_MASS_MENTION_RE = re.compile(r"@(everyone|here)", re.IGNORECASE)
_ANGLE_MENTION_RE = re.compile(r"<([@#/])")


def neutralise_mentions(text: str) -> str:
    """Break ``@everyone``, ``@here`` and ``<@id>``-style mentions with a zero-width space."""
    text = _MASS_MENTION_RE.sub(lambda m: "@" + ZWSP + m.group(1), text)
    return _ANGLE_MENTION_RE.sub(lambda m: "<" + ZWSP + m.group(1), text)


def escape_markdown(text: str) -> str:
    """Text that Discord shows literally: one line, no markdown, no mentions."""
    return _MARKDOWN_RE.sub(r"\\\1", neutralise_mentions(one_line(text)))
