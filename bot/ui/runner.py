"""``newsbot run``: start the bot on real Discord, with clear words for the usual failures."""

from __future__ import annotations

import logging
import sys

import discord

from bot.config import Settings

log = logging.getLogger(__name__)


def run_bot(settings: Settings) -> int:
    from bot.news.store import StoreBusy, StoreError
    from bot.ui.client import NewsBot

    assert settings.discord_token
    bot = NewsBot(settings)
    try:
        bot.run(settings.discord_token, log_handler=None)
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
