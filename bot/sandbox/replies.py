"""What a user sees after an interaction: the awaitable handle and the reply it yields."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.sandbox.state import EPHEMERAL, LOADING, Interaction
from bot.sandbox.validation import Rejection

if TYPE_CHECKING:
    from bot.sandbox.emulator import Emulator


class NoReply(TimeoutError):
    """The bot did not answer an interaction (or a message) in time."""


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for row in message.get("components") or []:
        for child in row.get("components") or []:
            if child.get("type") == 2:
                found.append(child)
    return found


@dataclass
class Reply:
    """The live state of one interaction's answer: the original response and follow-ups.

    It reads the emulator's state, so after a button edits the message, ``reply.message``
    shows the edit."""

    interaction: Interaction
    timed_out: bool = False

    @property
    def message(self) -> dict[str, Any] | None:
        """The main answer: the original response, else the first follow-up."""
        messages = self.messages
        return messages[0] if messages else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        out = []
        original = self.interaction.original
        if original is not None and not self.interaction.original_deleted:
            out.append(original)
        out.extend(m for m in self.interaction.followups if not m.get("_deleted"))
        return out

    @property
    def content(self) -> str:
        return (self.message or {}).get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list((self.message or {}).get("embeds") or [])

    @property
    def embed(self) -> dict[str, Any]:
        embeds = self.embeds
        if not embeds:
            raise LookupError("the reply has no embed")
        return embeds[0]

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [b for m in self.messages for b in _buttons(m)]

    @property
    def choices(self) -> list[dict[str, Any]]:
        return list(self.interaction.choices or [])

    @property
    def modal(self) -> dict[str, Any] | None:
        return self.interaction.modal

    @property
    def rejections(self) -> list[Rejection]:
        return list(self.interaction.rejections)

    @property
    def ephemeral(self) -> bool:
        return bool((self.message or {}).get("flags", 0) & EPHEMERAL)

    @property
    def thinking(self) -> bool:
        return bool((self.message or {}).get("flags", 0) & LOADING)

    @property
    def ok(self) -> bool:
        return self.interaction.answered and not self.interaction.rejections and not self.timed_out

    def text(self) -> str:
        from bot.sandbox.render import render_reply

        return render_reply(self)


class ReplyHandle:
    """Awaitable: resolves to the ``Reply`` once the bot answered (or was refused) and then
    stayed quiet for ``settle`` seconds, so follow-ups sent right after are included."""

    def __init__(self, emulator: Emulator, interaction: Interaction, timeout: float) -> None:
        self.emulator = emulator
        self.interaction = interaction
        self.timeout = timeout
        self._task: asyncio.Task[Reply] | None = None
        self.sent: asyncio.Future[int] | None = None  # the INTERACTION_CREATE dispatch

    async def _wait(self) -> Reply:
        emu, inter = self.emulator, self.interaction
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:
            if inter.answered or inter.rejections:
                seen = inter.activity
                await asyncio.sleep(emu.settle)
                if inter.activity == seen:
                    return Reply(inter)
                continue
            crashed = emu.bot_failure()
            if crashed is not None:
                raise NoReply(f"the bot stopped: {crashed!r}")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise NoReply(describe_silence(inter, self.timeout))
            await emu.wait_for_change(remaining)

    def result(self) -> asyncio.Task[Reply]:
        if self._task is None:
            self._task = asyncio.ensure_future(self._wait())
        return self._task

    def __await__(self) -> Generator[Any, None, Reply]:
        return self.result().__await__()


def describe_silence(inter: Interaction, timeout: float) -> str:
    what = {2: "command", 3: "button", 4: "autocomplete", 5: "modal"}.get(inter.type, "interaction")
    name = (inter.payload.get("data") or {}).get("name") or (inter.payload.get("data") or {}).get(
        "custom_id"
    )
    state = {
        None: "never acknowledged",
        5: "deferred and never completed",
        6: "deferred and never edited",
    }.get(inter.callback_type, f"callback type {inter.callback_type}")
    return f"no answer to {what} {name!r} within {timeout:g} s ({state})"
