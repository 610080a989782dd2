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


def _cmd_fleet(args: argparse.Namespace, settings: Settings) -> int:
    import signal
    from pathlib import Path

    from bot.fleet.launcher import Supervisor, plan_roles, split_shards
    from bot.fleet.worker import WorkerSetupError, check_worker_settings

    try:
        check_worker_settings(settings)
        if args.gateway:
            gateways = [parse_shards(text) or () for text in args.gateway]
        else:
            gateways = split_shards(args.shard_count, args.gateways)
        for ids in gateways:
            check_shards(ids, args.shard_count)
    except WorkerSetupError as exc:
        sys.stderr.write(f"newsbot: {exc.message}\n")
        return EXIT_USAGE
    except (ValueError, ConfigError) as exc:
        sys.stderr.write(f"newsbot: --gateway/--shard-count: {exc}\n")
        return EXIT_USAGE
    if not settings.discord_token and gateways:
        sys.stderr.write("newsbot: the gateways need a Discord token: set DISCORD_TOKEN.\n")
        return EXIT_USAGE
    roles = plan_roles(gateways, args.shard_count, args.workers, args.concurrency)
    log_dir = Path(args.log_dir or settings.data_dir / "fleet-logs")
    supervisor = Supervisor(
        roles, log_dir=log_dir, state_file=Path(args.state) if args.state else None
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, supervisor.request_stop)
    return supervisor.run()


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    fleet = sub.add_parser(
        "fleet",
        help="start gateways and workers as processes on this machine, restarted if they die",
    )
    fleet.add_argument("--shard-count", type=int, default=2, help="the fleet's total shards")
    fleet.add_argument("--gateways", type=int, default=2, help="gateway processes (shards split)")
    fleet.add_argument(
        "--gateway",
        action="append",
        help="one gateway's shards, e.g. 0-1 (repeat; overrides --gateways)",
    )
    fleet.add_argument("--workers", type=int, default=2, help="worker processes")
    fleet.add_argument("--concurrency", type=int, help="CPU processes per worker")
    fleet.add_argument("--log-dir", help="one log file per role (default: DATA_DIR/fleet-logs)")
    fleet.add_argument("--state", help="a JSON file listing each role's pid")
    fleet.set_defaults(handler=_cmd_fleet)

    worker = sub.add_parser(
        "worker", help="take ingestion and feed jobs from RabbitMQ (NEWSBOT_BROKER_URL)"
    )
    worker.add_argument(
        "--concurrency", type=int, help="CPU worker processes (default: one per core)"
    )
    worker.set_defaults(handler=_cmd_worker)
