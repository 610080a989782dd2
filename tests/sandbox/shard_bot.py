"""A sharded bot process for the emulator's tests: ``python -m tests.sandbox.shard_bot
SHARD_IDS SHARD_COUNT`` (ids comma-separated) with ``$NEWSBOT_SANDBOX_DISCORD`` set.

It answers ``/whoami`` with the shards it runs and the shard of the asking guild, and prints
``ready`` once every shard is connected and its commands are synced."""

from __future__ import annotations

import asyncio
import os
import sys

import discord
from discord.ext import commands

from bot.sandbox.transport import client_kwargs_from_env


class ShardBot(commands.AutoShardedBot):
    def __init__(self, shard_ids: list[int], shard_count: int, **kwargs) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            shard_ids=shard_ids,
            shard_count=shard_count,
            **kwargs,
        )

    async def setup_hook(self) -> None:
        @self.tree.command(name="whoami", description="Which process and shard answer")
        async def whoami(interaction: discord.Interaction) -> None:
            shard = interaction.guild.shard_id if interaction.guild else None
            mine = ",".join(map(str, self.shard_ids or []))
            await interaction.response.send_message(
                f"pid {os.getpid()} shards {mine} guild shard {shard}"
            )

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # the emulator has no IDENTIFY rate limit


async def main() -> None:
    shard_ids = [int(part) for part in sys.argv[1].split(",")]
    bot = ShardBot(shard_ids, int(sys.argv[2]), **client_kwargs_from_env())

    async def on_ready() -> None:
        await bot.tree.sync()  # each process overwrites the same commands: harmless
        print("ready", flush=True)

    bot.add_listener(on_ready)
    async with bot:
        await bot.start(os.environ["NEWSBOT_SANDBOX_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main())
