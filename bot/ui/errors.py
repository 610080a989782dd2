"""How failures reach people: one short sentence to the user, the detail to the log."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.news.errors import NewsError

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on our side. It has been logged; please try again later."


def user_message(error: BaseException) -> str | None:
    """The sentence to show for ``error``, or None when it is a bug to hide and log.

    A ``NewsError`` (a bad link, a blocked address, a busy queue, a refused setting) says
    what went wrong in a sentence written for users; anything else is unexpected.
    """
    if isinstance(error, NewsError):
        return error.message
    return None


def describe_app_command_error(error: app_commands.AppCommandError) -> str | None:
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: you can do that again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.MissingPermissions):
        return "You need the Manage Server permission to do that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server, not in direct messages."
    if isinstance(error, app_commands.TransformerError):
        return f"That value is not valid here: {error.value!r:.100}."
    if isinstance(error, app_commands.CheckFailure):
        return "You are not allowed to do that here."
    if isinstance(error, app_commands.CommandInvokeError):
        return user_message(error.original)
    return user_message(error)


async def send_ephemeral(interaction: discord.Interaction, message: str) -> None:
    """Reply privately whether or not the interaction was already answered or deferred."""
    from bot.ui.render import error_embed

    embed = error_embed(message)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("could not tell the user about an error: %s", exc)


async def on_app_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    message = describe_app_command_error(error)
    command = interaction.command.qualified_name if interaction.command else "?"
    if message is None:
        log.error(
            "command /%s failed (guild %s, user %s)",
            command,
            interaction.guild_id,
            interaction.user.id,
            exc_info=getattr(error, "original", error),
        )
        message = UNEXPECTED
    else:
        log.info("command /%s refused: %s", command, message)
    await send_ephemeral(interaction, message)
