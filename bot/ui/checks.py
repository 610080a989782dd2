"""Permission checks the cogs share."""

from __future__ import annotations

import discord
from discord import app_commands


def require_manage_guild(interaction: discord.Interaction) -> None:
    """Raise ``MissingPermissions`` unless the user may manage this server.

    ``default_permissions`` on a command is only a hint that server admins can override,
    so every settings command enforces the permission itself as well."""
    perms = getattr(interaction.user, "guild_permissions", None)
    if perms is None or not perms.manage_guild:
        raise app_commands.MissingPermissions(["manage_guild"])
