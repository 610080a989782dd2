"""``newsbot sandbox``: the real bot against a local Discord, driven from the terminal.

    newsbot sandbox                                   # a prompt: /country Ecuador, click Next
    newsbot sandbox --run "/country name:Ecuador"     # a script; exit 1 if any reply failed
    newsbot sandbox --serve ./pages --run "/ingest url:{serve}/article.txt"

The emulator and the bot share one process and one event loop; no Discord account or
network is needed. ``--serve DIR`` serves DIR on loopback, and the settings handed to the bot
allow fetches from exactly that address (host and port): the rest of loopback stays
closed to it, as it is in production.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from aiohttp import web
from yarl import URL

from bot.config import Settings, with_overrides

log = logging.getLogger(__name__)

BotFactory = Callable[..., Any]  # (settings, **client_kwargs) -> commands.Bot

NO_BOT = """\
newsbot sandbox: the bot could not be loaded: {error}
(The sandbox runs bot.ui.client.NewsBot; some part it imports is missing in this checkout.)
"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the ``newsbot`` parser."""
    parser = sub.add_parser(
        "sandbox",
        help="try the bot with no Discord account: a local Discord in this terminal",
        description="Start a local Discord emulator and the real bot, then type slash "
        "commands as in Discord (or run them with --run).",
    )
    parser.add_argument(
        "--run",
        action="append",
        metavar="COMMAND",
        help='run this line (repeatable), print the replies, exit; e.g. --run "/country Ecuador"',
    )
    parser.add_argument(
        "--serve", metavar="DIR", type=Path, help="serve DIR on loopback as {serve}"
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for each reply (default 60)"
    )
    parser.add_argument(
        "--save-attachments",
        metavar="DIR",
        type=Path,
        help="write every file the bot sends (charts, exports) into DIR",
    )
    parser.add_argument("--bot", metavar="MODULE:FACTORY", help=argparse.SUPPRESS)
    parser.set_defaults(handler=_cmd_sandbox)


def default_bot_factory(settings: Settings, **client_kwargs: Any) -> Any:
    from bot.ui.client import NewsBot  # lazily: the sandbox must not need it to import

    return NewsBot(settings, **client_kwargs)


def load_factory(spec: str) -> BotFactory:
    module, _, name = spec.partition(":")
    if not module or not name:
        raise ValueError(f"--bot expects MODULE:FACTORY, got {spec!r}")
    return getattr(importlib.import_module(module), name)


def _cmd_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    try:
        factory = load_factory(args.bot) if args.bot else default_bot_factory
    except (ImportError, AttributeError, ValueError) as exc:
        sys.stderr.write(f"newsbot sandbox: --bot: {exc}\n")
        return 2
    if settings.log_level != "DEBUG":
        # discord.py's start-up chatter (voice libraries, intents) is noise at the prompt.
        logging.getLogger("discord").setLevel(logging.ERROR)
        logging.getLogger("bot.sandbox").setLevel(logging.WARNING)
    if args.serve is not None and not args.serve.is_dir():
        sys.stderr.write(f"newsbot sandbox: --serve {args.serve}: not a folder\n")
        return 2
    return asyncio.run(
        run_sandbox(
            settings,
            runs=args.run,
            serve=args.serve,
            timeout=args.timeout,
            bot_factory=factory,
            save_attachments=args.save_attachments,
        )
    )


@contextlib.asynccontextmanager
async def serve_folder(folder: Path) -> AsyncIterator[str]:
    """Serve ``folder`` read-only on 127.0.0.1; yields its base URL."""
    app = web.Application()
    app.router.add_static("/", folder.resolve(), show_index=True)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def served_origins(serve_url: str) -> frozenset[str]:
    """The one origin ("127.0.0.1:PORT") the bot may fetch from besides the public web."""
    url = URL(serve_url)
    return frozenset({f"{url.host}:{url.port}"})


async def run_sandbox(
    settings: Settings,
    *,
    runs: Sequence[str] | None = None,
    serve: Path | None = None,
    timeout: float = 60.0,
    bot_factory: BotFactory = default_bot_factory,
    out=None,
    read_line=None,
    settle: float = 0.3,
    save_attachments: Path | None = None,
) -> int:
    """Start the emulator and the bot; run ``runs`` (exit code 1 if any failed) or a prompt.

    ``settle``: how long a reply must stay quiet before it is shown (follow-ups sent right
    after the first answer are shown with it)."""
    from bot.sandbox.emulator import Emulator
    from bot.sandbox.harness import connected_bot
    from bot.sandbox.terminal import Terminal
    from bot.sandbox.transport import SandboxError

    out = out or sys.stdout
    async with contextlib.AsyncExitStack() as stack:
        serve_url = await stack.enter_async_context(serve_folder(serve)) if serve else None
        emulator = Emulator(settle=settle, reply_timeout=timeout, save_attachments=save_attachments)
        try:
            await emulator.start()
        except SandboxError as exc:
            out.write(f"newsbot sandbox: {exc}\n")
            return 1
        stack.push_async_callback(emulator.stop)
        overrides: dict[str, Any] = {"discord_token": emulator.token, "dev_guild_id": None}
        if serve_url:
            overrides["fetch_allow"] = served_origins(serve_url)
        bot_settings = with_overrides(settings, **overrides)
        try:
            bot = bot_factory(bot_settings, **emulator.client_kwargs())
        except ImportError as exc:
            out.write(NO_BOT.format(error=exc))
            return 1
        try:
            await stack.enter_async_context(connected_bot(emulator, bot, timeout=30))
        except Exception as exc:  # the bot failed to start: say why, plainly
            log.error("the bot did not start in the sandbox: %r", exc)
            log.debug("the bot did not start", exc_info=True)
            out.write(f"newsbot sandbox: the bot did not start: {exc}\n")
            return 1
        terminal = Terminal(emulator, out=out, serve_url=serve_url, timeout=timeout)
        if serve_url:
            terminal.print(f"serving {serve} at {serve_url} (use {{serve}} in commands)")
        if save_attachments is not None:
            terminal.print(f"files the bot sends are written to {save_attachments}")
        if runs:
            failures = await terminal.run_script(runs)
            if failures:
                terminal.print(f"✗ {failures} of {len(runs)} failed")
            return 1 if failures else 0
        await terminal.repl(read_line)
        return 0
    return 0
