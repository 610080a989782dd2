"""The answer to an /ingest or an "Ingest links" interaction, from its jobs' results.

One place for both the process that asked and a process answering for it after a crash,
so that an answer looks the same whoever sends it."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord

from bot.news.text import as_clause
from bot.news.understanding.pipeline import IngestResult
from bot.ui.errors import UNEXPECTED, user_message
from bot.ui.render import ingest_failure_embed, ingest_result_embed, ingest_summary_embed

log = logging.getLogger(__name__)

Result = IngestResult | BaseException


def _reason(source: str, error: BaseException) -> str:
    message = user_message(error)
    if message is None:
        log.error("ingest of %s failed", source, exc_info=error)
        return UNEXPECTED
    log.info("ingest of %s refused: %s", source, message)
    return message


def ingest_answer(source: str, result: Result) -> discord.Embed:
    """The card of the stored article, or why it was not stored."""
    if isinstance(result, BaseException):
        return ingest_failure_embed(_reason(source, result))
    return ingest_result_embed(result)


def links_answer(links: Sequence[str], results: Sequence[Result]) -> discord.Embed:
    """One line per link: added, already known, or why not."""
    outcomes = []
    for url, result in zip(links, results, strict=True):
        if isinstance(result, BaseException):
            outcomes.append((url, None, False, as_clause(_reason(url, result))))
        else:
            outcomes.append((url, result.article, result.created, ""))
    return ingest_summary_embed(outcomes)
