"""A prompt where a person uses the bot as in Discord: ``/country Ecuador``, ``click Next``.

Lines are parsed against the commands the bot synced, so the options are the bot's own:
``/ingest url:https://...`` names an option, a bare value fills the first option not given
(``/country Costa Rica``). ``{serve}`` stands for the base URL of ``--serve DIR``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shlex
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from bot.sandbox.emulator import Emulator
from bot.sandbox.render import render_message
from bot.sandbox.replies import NoReply, Reply

HELP = """\
Type as in Discord:
  /country Ecuador               a slash command; a bare value fills the first option
  /ingest url:https://...        name options with name:value (quotes for spaces are optional)
  /news latest country:EC        sub-commands are words after the command name
  click Next                     click a button of the last reply (by label)
  say some text                  post a message in #general as alice
  menu Ingest links              use a message context menu on the last message you said
  type country name Ecu          what autocomplete suggests for /country name: "Ecu"
  commands                       list the bot's commands
  channel news                   run the next commands in #news
  user bob                       act as bob (a member without Manage Server); user alice: back
  help, quit
"""

OPTION = re.compile(r"^([\w-]+):(.*)$", re.DOTALL)


class _ErrorLogCounter(logging.Handler):
    """Counts ERROR log records while a command runs (a traceback in the bot is a failure)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Outcome:
    ok: bool
    text: str
    quit: bool = False


def parse_slash(
    line: str, emulator: Emulator, guild_id: int | None = None
) -> tuple[str, dict[str, Any]]:
    """``/name [sub ...] [option:value ...] [bare value]`` -> ("name sub", {option: value})."""
    try:
        tokens = shlex.split(line.lstrip("/"))
    except ValueError as exc:
        raise ValueError(f"cannot read that line: {exc}") from None
    if not tokens:
        raise ValueError("type a command name after /")
    name = tokens.pop(0)
    command = emulator.commands.find(name, 1, guild_id or emulator.guild.id)
    if command is None:
        known = sorted(
            c["name"] for c in emulator.commands.all(emulator.guild.id) if c["type"] == 1
        )
        raise ValueError(f"unknown command /{name}; the bot has: /" + ", /".join(known))
    path = [name]
    definitions = command.get("options") or []
    while tokens:
        sub = next((o for o in definitions if o["type"] in (1, 2) and o["name"] == tokens[0]), None)
        if sub is None:
            break
        path.append(tokens.pop(0))
        definitions = sub.get("options") or []
    names = [o["name"] for o in definitions if o["type"] not in (1, 2)]
    values: dict[str, Any] = {}
    bare: list[str] = []
    current: str | None = None
    for token in tokens:
        match = OPTION.match(token)
        if match and match.group(1) in names:
            current = match.group(1)
            values[current] = match.group(2)
        elif current is not None:
            values[current] += " " + token
        else:
            bare.append(token)
    if bare:
        free = [n for n in names if n not in values]
        if not free:
            raise ValueError(f"/{' '.join(path)} has no option left for {' '.join(bare)!r}")
        values[free[0]] = " ".join(bare)
    return " ".join(path), values


def _usage(path: list[str], node: dict[str, Any]) -> list[str]:
    """``/feed add url: — description`` lines, one per (sub-)command."""
    options = node.get("options") or []
    subs = [o for o in options if o["type"] in (1, 2)]
    if subs:
        return [line for sub in subs for line in _usage([*path, sub["name"]], sub)]
    usage = " ".join(f"{o['name']}:" if o.get("required") else f"[{o['name']}:]" for o in options)
    return [f"/{' '.join(path)} {usage}".rstrip() + f" — {node.get('description', '')}"]


class Terminal:
    def __init__(
        self,
        emulator: Emulator,
        *,
        out: TextIO | None = None,
        user: str = "alice",
        serve_url: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.emulator = emulator
        self.out = out or sys.stdout
        self.user = emulator.user(user)
        self.serve_url = serve_url
        self.timeout = timeout
        self.channel = emulator.channel
        self.last_reply: Reply | None = None
        self.last_message: dict[str, Any] | None = None
        self._shown: set[str] = {m["id"] for m in self._channel_posts()}

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def expand(self, line: str) -> str:
        if "{serve}" in line:
            if self.serve_url is None:
                raise ValueError("{serve} needs --serve DIR")
            line = line.replace("{serve}", self.serve_url)
        return line

    async def run_line(self, raw: str) -> Outcome:
        line = raw.strip()
        if not line or line.startswith("#"):
            return Outcome(True, "")
        counter = _ErrorLogCounter()
        logging.getLogger().addHandler(counter)
        try:
            outcome = await self._dispatch(self.expand(line))
        except (ValueError, LookupError) as exc:
            outcome = Outcome(False, f"✗ {exc}")
        except NoReply as exc:
            outcome = Outcome(False, f"✗ {exc}")
        finally:
            logging.getLogger().removeHandler(counter)
        posts = self._new_channel_posts()
        if posts:
            outcome = Outcome(
                outcome.ok, "\n".join(filter(None, [outcome.text, posts])), outcome.quit
            )
        if counter.records and outcome.ok:
            first = counter.records[0]
            outcome = Outcome(
                False, f"{outcome.text}\n✗ the bot logged an error: {first.getMessage()}"
            )
        return outcome

    async def _dispatch(self, line: str) -> Outcome:
        word, _, rest = line.partition(" ")
        word = word.lower()
        if line.startswith("/"):
            command, options = parse_slash(line, self.emulator)
            return await self._interaction(
                self.user.slash(command, options, in_channel=self.channel, timeout=self.timeout)
            )
        if word in ("quit", "exit"):
            return Outcome(True, "bye", quit=True)
        if word in ("help", "?"):
            return Outcome(True, HELP)
        if word == "commands":
            return Outcome(True, self._commands())
        if word == "click":
            if self.last_reply is None:
                raise LookupError("nothing to click yet: run a command first")
            return await self._interaction(
                self.user.click(self.last_reply, rest.strip(), timeout=self.timeout)
            )
        if word == "say":
            self.last_message = await self.user.say(rest, in_channel=self.channel)
            # Give the bot a moment to react (auto-ingest); its posts are shown after.
            await asyncio.sleep(self.emulator.settle)
            return Outcome(True, render_message(self.last_message))
        if word == "menu":
            if self.last_message is None:
                raise LookupError("say a message first; menu acts on the last one")
            return await self._interaction(
                self.user.context_menu(rest.strip(), self.last_message, timeout=self.timeout)
            )
        if word == "type":
            parts = rest.split(maxsplit=2)
            if len(parts) < 2:
                raise ValueError("usage: type COMMAND OPTION [TEXT]")
            typed = parts[2] if len(parts) > 2 else ""
            return await self._interaction(
                self.user.autocomplete(
                    parts[0], parts[1], typed, in_channel=self.channel, timeout=self.timeout
                )
            )
        if word == "user":
            self.user = self.emulator.user(rest.strip())
            return Outcome(True, f"you are now {rest.strip()}")
        if word == "channel":
            self.channel = self.emulator.channel_named(rest.strip())
            return Outcome(True, f"now in #{self.channel.name}")
        raise ValueError(f"unknown input {word!r}; commands start with / (type help)")

    async def _interaction(self, handle) -> Outcome:
        reply = await handle
        if reply.messages:
            self.last_reply = reply
        return Outcome(reply.ok, reply.text())

    def _channel_posts(self) -> list[dict[str, Any]]:
        bot_id = str(self.emulator.bot_user.id)
        return [
            m
            for channel in self.emulator.channels.values()
            for m in self.emulator.channel_messages(channel)
            if m["author"]["id"] == bot_id and "interaction_metadata" not in m
        ]

    def _new_channel_posts(self) -> str:
        """What the bot posted in channels by itself (digests, replies to messages)."""
        lines = []
        for message in self._channel_posts():
            if message["id"] not in self._shown:
                self._shown.add(message["id"])
                channel = self.emulator.channels[int(message["channel_id"])]
                lines.append(f"in #{channel.name}: {render_message(message)}")
        return "\n".join(lines)

    def _commands(self) -> str:
        lines = []
        for command in self.emulator.commands.all(self.emulator.guild.id):
            if command["type"] == 1:
                lines.extend(_usage([command["name"]], command))
            else:
                kind = "message" if command["type"] == 3 else "user"
                lines.append(f"menu {command['name']}   ({kind} context menu)")
        return "\n".join(lines) or "(the bot has no commands)"

    async def run_script(self, lines: Iterable[str]) -> int:
        """Run each line, print what happened; returns how many failed."""
        failures = 0
        for line in lines:
            self.print(f"> {line}")
            outcome = await self.run_line(line)
            if outcome.text:
                self.print(outcome.text)
            failures += not outcome.ok
            if outcome.quit:
                break
        return failures

    async def repl(self, read_line=None) -> None:
        """Prompt until ``quit`` or end of input.

        Standard input is watched by the event loop (no thread blocked in ``input()``, so
        Ctrl-C ends at once); ``read_line`` replaces it in tests."""
        lines = _LineSource(read_line)
        self.print(
            f"newsbot sandbox — a local Discord; you are {self.user.user.username} "
            f"in #{self.channel.name}. Type help."
        )
        try:
            while True:
                self.out.write("you> ")
                self.out.flush()
                line = await lines.next()
                if line is None:
                    self.print()
                    return
                outcome = await self.run_line(line)
                if outcome.text:
                    self.print(outcome.text)
                if outcome.quit:
                    return
        finally:
            lines.close()


class _LineSource:
    def __init__(self, read_line=None) -> None:
        self._read_line = read_line
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._buffer = b""
        self._fd: int | None = None
        if read_line is None:
            try:
                fd = sys.stdin.fileno()
                asyncio.get_running_loop().add_reader(fd, self._on_readable)
                self._fd = fd
            except (AttributeError, OSError, ValueError, NotImplementedError):
                self._read_line = sys.stdin.readline  # no selectable stdin: read in a thread

    def _on_readable(self) -> None:
        assert self._fd is not None
        chunk = os.read(self._fd, 65536)
        if not chunk:
            if self._buffer:
                self._queue.put_nowait(self._buffer.decode(errors="replace"))
                self._buffer = b""
            self._queue.put_nowait(None)
            self.close()
            return
        self._buffer += chunk
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            self._queue.put_nowait(line.decode(errors="replace"))

    async def next(self) -> str | None:
        if self._read_line is None:
            return await self._queue.get()
        try:
            line = await asyncio.get_running_loop().run_in_executor(None, self._read_line)
        except (EOFError, KeyboardInterrupt):
            return None
        return line if line != "" or self._read_line is not sys.stdin.readline else None

    def close(self) -> None:
        if self._fd is not None:
            asyncio.get_running_loop().remove_reader(self._fd)
            self._fd = None
