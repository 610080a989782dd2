"""The fleet's command-line roles: ``run --shards`` (a gateway) and ``newsbot worker``."""

from __future__ import annotations

import argparse
import os
import sys

from bot.config import ConfigError, Settings, check_shards, parse_shards, with_overrides

EXIT_USAGE = 2

TINYDB_GATEWAY = (
    "newsbot: a gateway of several processes needs PostgreSQL, because TinyDB is for one "
    "process only: set NEWSBOT_DATABASE_URL to a postgresql:// address.\n"
)


def add_gateway_options(run: argparse.ArgumentParser) -> None:
    run.add_argument(
        "--shards", help="run as a gateway owning these shards, e.g. 0-3 (NEWSBOT_SHARDS)"
    )
    run.add_argument(
        "--shard-count", type=int, help="the fleet's total shards (NEWSBOT_SHARD_COUNT)"
    )


def gateway_settings(args: argparse.Namespace, settings: Settings) -> Settings:
    """``settings`` with ``--shards``/``--shard-count`` applied; ConfigError when wrong."""
    changes: dict[str, object] = {}
    try:
        if getattr(args, "shards", None):
            changes["shards"] = parse_shards(args.shards)
        if getattr(args, "shard_count", None) is not None:
            if args.shard_count <= 0:
                raise ValueError("must be a whole number greater than 0")
            changes["shard_count"] = args.shard_count
    except ValueError as exc:
        raise ConfigError(f"--shards/--shard-count: {exc}") from None
    if changes:
        settings = with_overrides(settings, **changes)
    check_shards(settings.shards, settings.shard_count)
    return settings


def gateway_refusal(settings: Settings) -> str | None:
    """Why this gateway cannot run with these settings, or None."""
    if settings.shards is None:
        return None
    if not (settings.database_url or "").startswith(("postgresql://", "postgres://")):
        return TINYDB_GATEWAY
    return None


def _cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.fleet.worker import WorkerSetupError, check_worker_settings, run_worker

    concurrency = args.concurrency or os.cpu_count() or 1
    if concurrency <= 0:
        sys.stderr.write("newsbot: --concurrency must be a whole number greater than 0.\n")
        return EXIT_USAGE
    try:
        check_worker_settings(settings)
    except WorkerSetupError as exc:
        sys.stderr.write(f"newsbot: {exc.message}\n")
        return EXIT_USAGE
    return run_worker(settings, concurrency)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    worker = sub.add_parser(
        "worker", help="take ingestion and feed jobs from RabbitMQ (NEWSBOT_BROKER_URL)"
    )
    worker.add_argument(
        "--concurrency", type=int, help="CPU worker processes (default: one per core)"
    )
    worker.set_defaults(handler=_cmd_worker)
