"""pytest fixtures for the emulator (load with ``pytest_plugins = ["bot.sandbox.fixtures"]``).

- ``emulator``: a started ``Emulator`` on a free 127.0.0.1 port (guild "Sandbox", channels
  #general and #news, users alice and bob).
- ``user``: alice, ready to ``await user.slash("country", name="Ecuador")``,
  ``user.autocomplete(...)``, ``user.click(reply, "Next")``, ``user.context_menu(...)``.
- ``connected_bot``: ``async with connected_bot(bot):`` runs any ``commands.Bot`` built with
  ``**emulator.client_kwargs()`` until the block ends (ready and commands synced).
- ``discord_http``: an aiohttp session that reaches the emulator as ``https://discord.com``
  (for checking the API rules directly), and ``discord_spec``, the packaged OpenAPI spec.

Wiring the real bot (``bot.ui.client.NewsBot`` is an AutoShardedBot; the emulator answers
``GET /gateway/bot`` with one shard)::

    @pytest.fixture
    async def bot(emulator, connected_bot, tmp_path):
        from bot.ui.client import NewsBot

        settings = Settings(data_dir=tmp_path, allow_loopback=True)
        async with connected_bot(NewsBot(settings, **emulator.client_kwargs())) as running:
            yield running

Shards and other processes: ``Emulator(shards=n)`` (what ``GET /gateway/bot`` says) and
``emulator.add_guilds(k)`` spread guilds over shards (``guilds_of_shard(i, n)``). A bot in
another process connects with ``$NEWSBOT_SANDBOX_DISCORD`` set to ``emulator.endpoint()``
and ``**transport.client_kwargs_from_env()`` in its constructor (see
``tests/sandbox/shard_bot.py``); ``interaction.delivered_to`` names the shard that got it.

Faults on command: ``emulator.faults.rate_limit(...)`` / ``.fail(status=502, after=True)``
for REST, ``await emulator.gateway.close(1006)`` / ``.invalidate_session(resumable=False)``
for the gateway (see ``tests/hostile/test_discord_faults.py``).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported lazily: every test run loads this plugin
    import aiohttp

    from bot.sandbox.emulator import Emulator, SandboxUser
    from bot.sandbox.validation import SpecValidator

API_BASE = "https://discord.com/api/v10"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    from bot.sandbox.emulator import Emulator
    from bot.sandbox.transport import SandboxError

    emu = Emulator()
    try:
        await emu.start()
    except SandboxError as exc:
        pytest.skip(f"the Discord emulator cannot start here: {exc}")
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
def user(emulator: Emulator) -> SandboxUser:
    return emulator.user("alice")


@pytest.fixture
def connected_bot(
    emulator: Emulator,
) -> Callable[..., contextlib.AbstractAsyncContextManager[Any]]:
    from bot.sandbox.harness import connected_bot as _connected_bot

    return functools.partial(_connected_bot, emulator)


@pytest.fixture
async def discord_http(emulator: Emulator) -> AsyncIterator[aiohttp.ClientSession]:
    """Requests as the bot would send them (``Authorization: Bot <token>`` preset)."""
    import aiohttp

    kwargs = emulator.client_kwargs()
    async with aiohttp.ClientSession(
        connector=kwargs["connector"],
        headers={"Authorization": f"Bot {emulator.token}"},
    ) as session:
        yield session


@pytest.fixture
def discord_spec() -> SpecValidator:
    """Discord's OpenAPI spec as the package ships it (a test fails if it cannot be read)."""
    from bot.sandbox.validation import SpecValidator

    spec = SpecValidator.shared()
    if spec is None:
        pytest.fail("the packaged Discord OpenAPI spec (bot/sandbox/spec) cannot be read")
    return spec
