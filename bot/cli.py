"""The ``newsbot`` command line.

Each sub-command is a small function; the domain work lives in ``bot.news`` and the
Discord side in ``bot.ui``/``cogs``, imported lazily so that ``newsbot stats`` does not
pay for discord.py or spaCy.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence

from bot.config import ConfigError, Settings, load_settings
from bot.news.clock import Clock

log = logging.getLogger("newsbot")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

TOKEN_HELP = """\
newsbot: no Discord token is set.

To run the bot on Discord:
  1. Open https://discord.com/developers/applications, choose "New Application".
  2. In "Bot", press "Reset Token" and copy the token.
  3. Set it for newsbot, either in the environment:
       export DISCORD_TOKEN='paste-the-token-here'
     or in newsbot.toml beside where you run it:
       discord_token = "paste-the-token-here"
  4. Invite the bot with the scopes "bot" and "applications.commands" and the
     permissions Send Messages and Embed Links (see README.md).

To try newsbot with no Discord account at all:  uv run newsbot sandbox
"""


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.fleet.cli import gateway_refusal, gateway_settings

    try:
        settings = gateway_settings(args, settings)
    except ConfigError as exc:
        sys.stderr.write(f"newsbot: configuration error: {exc}\n")
        return EXIT_USAGE
    refusal = gateway_refusal(settings)
    if refusal:
        sys.stderr.write(refusal)
        return EXIT_USAGE
    if not settings.discord_token:
        sys.stderr.write(TOKEN_HELP)
        return EXIT_USAGE
    from bot.ui.runner import run_bot

    return run_bot(settings)


Handler = Callable[[argparse.Namespace, Settings], int]

_COMMAND_MODULES = (
    "bot.cli_store",  # stats, country, person
    "bot.cli_pipeline",  # analyze, ingest
    "bot.cli_digest",  # digest
    "bot.sandbox.cli",  # sandbox
    "bot.fleet.cli",  # worker, fleet
    "bot.cli_db",  # db upgrade, db status
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot", description="A Discord bot that turns article links into a briefing."
    )
    parser.add_argument("--data-dir", help="where the TinyDB files live (NEWSBOT_DATA_DIR)")
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="start the Discord bot (needs DISCORD_TOKEN)")
    from bot.fleet.cli import add_gateway_options

    add_gateway_options(run)
    run.set_defaults(handler=_cmd_run)

    # Each area registers its own sub-commands, so they can grow without touching this file.
    for module in _COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """Run one ``newsbot`` command; its handler reads "now" from ``args.clock`` (the
    system clock unless a test passes a fixed one)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.clock = clock or Clock()
    try:
        settings = load_settings()
        overrides = {}
        if args.data_dir:
            from pathlib import Path

            overrides["data_dir"] = Path(args.data_dir)
        if args.log_level:
            from bot.config import _parse_log_level

            try:
                overrides["log_level"] = _parse_log_level(args.log_level)
            except ValueError as exc:
                raise ConfigError(f"--log-level: {exc}") from None
        if overrides:
            from bot.config import with_overrides

            settings = with_overrides(settings, **overrides)
    except ConfigError as exc:
        sys.stderr.write(f"newsbot: configuration error: {exc}\n")
        return EXIT_USAGE
    setup_logging(settings.log_level)
    handler: Handler = args.handler
    try:
        return handler(args, settings)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
