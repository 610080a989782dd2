"""Run any ``discord.Client``/``commands.Bot`` against the emulator until the block ends."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import discord

    from bot.sandbox.emulator import Emulator

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def connected_bot(
    emulator: Emulator,
    bot: discord.Client,
    *,
    sync: bool | None = None,
    timeout: float = 10.0,
) -> AsyncIterator[discord.Client]:
    """Log ``bot`` in with the emulator's token, connect it, wait for READY and for its
    application commands, then close it on exit.

    The bot must have been built with ``**emulator.client_kwargs()``. ``sync=None`` syncs the
    command tree only if the bot did not do it itself (e.g. in ``setup_hook``); True always
    syncs, False never."""
    runner: asyncio.Task[None] | None = None
    try:
        await bot.login(emulator.token)  # runs the bot's setup_hook
        runner = asyncio.create_task(bot.connect(reconnect=True), name="sandbox-bot")
        emulator.watch_bot(runner)
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, runner}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if runner in done:
            ready.cancel()
            runner.result()  # raises the reason it stopped
            raise RuntimeError("the bot stopped before it was ready")
        if ready not in done:
            ready.cancel()
            raise TimeoutError(f"the bot was not ready after {timeout:g} s")
        tree = getattr(bot, "tree", None)
        if tree is not None and (sync or (sync is None and emulator.syncs == 0)):
            await tree.sync()
        yield bot
    finally:
        emulator.watch_bot(None)
        await bot.close()
        if runner is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(runner, timeout=5)


def bot_kwargs(emulator: Emulator, **extra: Any) -> dict[str, Any]:
    """``emulator.client_kwargs()`` merged with the caller's keyword arguments."""
    return {**emulator.client_kwargs(), **extra}
