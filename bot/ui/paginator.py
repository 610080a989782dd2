"""A button paginator the cogs share: Previous / Next, only for the person who asked.

Pages are produced lazily by a callback so that a long list never builds every embed
up front; on timeout the buttons are disabled in place.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

log = logging.getLogger(__name__)

PageSource = Callable[[int], Awaitable[discord.Embed]]

NOT_YOURS = "Only the person who asked can page through these results."


class Paginator(discord.ui.View):
    def __init__(
        self, owner_id: int, page_count: int, source: PageSource, *, timeout: float = 180.0
    ) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.page_count = max(page_count, 1)
        self.source = source
        self.page = 0
        self.message: discord.Message | discord.InteractionMessage | None = None
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= self.page_count - 1
        self.position.label = f"{self.page + 1}/{self.page_count}"

    async def first_page(self) -> discord.Embed:
        return await self.source(0)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = min(max(page, 0), self.page_count - 1)
        self._sync_buttons()
        embed = await self.source(self.page)
        await interaction.response.edit_message(embed=embed, view=self)

    @discord.ui.button(label="Previous", emoji="◀", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="1/1", style=discord.ButtonStyle.secondary, disabled=True)
    async def position(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await interaction.response.defer()  # never enabled; here for the label

    @discord.ui.button(label="Next", emoji="▶", style=discord.ButtonStyle.primary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._show(interaction, self.page + 1)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException as exc:
                # the message may be gone or the token expired; nothing to lose
                log.debug("could not disable paginator buttons: %s", exc)
