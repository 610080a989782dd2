"""Ingestion as jobs: one interface, run in this process (the default) or by a worker fleet.

Cogs, auto-ingest and the feed poller call ``IngestJobs.ingest`` and get the same
``IngestResult`` (or ``IngestError``) whichever runs it; see ``local`` and ``broker``.
"""

from bot.news.jobs.interface import IngestJobs, JobOutcome, ReplyTo, StillWorking

__all__ = ["IngestJobs", "JobOutcome", "ReplyTo", "StillWorking"]
