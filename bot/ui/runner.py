"""``newsbot run``: start the bot on real Discord, with clear words for the usual failures."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord

from bot.config import Settings

log = logging.getLogger(__name__)


async def serve(settings: Settings) -> None:
    """Run the bot until Discord closes it or the process gets SIGTERM/SIGINT (then it
    closes cleanly: jobs it waits for stay recorded for the next gateway to answer)."""
    from bot.sandbox.transport import client_kwargs_from_env
    from bot.ui.client import NewsBot

    assert settings.discord_token
    # ``$NEWSBOT_SANDBOX_DISCORD`` points a bot started beside the emulator at it (tests,
    # ``newsbot fleet`` against the sandbox); unset, the bot talks to Discord.
    bot = NewsBot(settings, **client_kwargs_from_env())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with bot:
        running = asyncio.create_task(bot.start(settings.discord_token), name="discord")
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if running.done():
            running.result()
        else:
            await bot.close()
            running.cancel()


def run_bot(settings: Settings) -> int:
    from bot.news.store import StoreBusy, StoreError

    try:
        asyncio.run(serve(settings))
    except discord.LoginFailure:
        sys.stderr.write(
            "newsbot: Discord rejected the token. Reset it in the Developer Portal "
            "(Bot -> Reset Token) and set DISCORD_TOKEN again.\n"
        )
        return 1
    except discord.PrivilegedIntentsRequired:
        sys.stderr.write(
            "newsbot: NEWSBOT_MESSAGE_CONTENT_INTENT is on, but the Message Content intent is "
            "not enabled for this application. Enable it in the Developer Portal (Bot -> "
            "Privileged Gateway Intents) or turn the setting off.\n"
        )
        return 1
    except StoreBusy:
        sys.stderr.write(
            f"newsbot: the data in {settings.data_dir} is in use by another running newsbot. "
            "Stop it first, or give this one its own NEWSBOT_DATA_DIR.\n"
        )
        return 1
    except StoreError as exc:
        sys.stderr.write(f"newsbot: {exc.message}\n")
        return 2
    return 0
