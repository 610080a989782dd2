"""A local Discord for the real discord.py client: gateway + REST on 127.0.0.1.

    emulator = Emulator()
    await emulator.start()
    bot = MyBot(**emulator.client_kwargs())        # inside a running event loop
    async with connected_bot(emulator, bot):       # see fixtures.py
        reply = await emulator.user("alice").slash("country", name="Ecuador")

The world: one guild ("Sandbox") with a text channel ``#general`` (and ``#news``), two
users (alice, the owner, and bob) and the bot. Everything the bot sends is recorded in
``emulator.requests``; refused requests carry Discord's error in ``.rejection``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.sandbox import transport
from bot.sandbox.clock import Clock
from bot.sandbox.faults import Faults
from bot.sandbox.gateway import Gateway
from bot.sandbox.interactions import InteractionFactory
from bot.sandbox.replies import NoReply, Reply, ReplyHandle
from bot.sandbox.rest import RestApi
from bot.sandbox.state import (
    EMBED_LINKS,
    EPHEMERAL,
    LOADING,
    SEND_MESSAGES,
    Channel,
    CommandStore,
    Guild,
    Interaction,
    Request,
    Snowflakes,
    User,
    shard_of,
    world_id,
)
from bot.sandbox.uploads import Upload, content_type_of, free_name, image_size
from bot.sandbox.validation import RequestValidator, SpecValidator

log = logging.getLogger(__name__)

GUILD_MESSAGES = 1 << 9
MESSAGE_CONTENT = 1 << 15
ALL_PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15)
# Discord checks an enforced nonce's uniqueness over "the past few minutes".
NONCE_WINDOW = 5 * 60.0


class Emulator:
    def __init__(
        self,
        *,
        token: str = "sandbox.bot.token",
        spec_path: Path | None = None,
        validator: RequestValidator | None = None,
        clock: Clock | None = None,
        settle: float = 0.02,
        reply_timeout: float = 5.0,
        granted_intents: int = ALL_PRIVILEGED,
        shards: int = 1,
        save_attachments: Path | None = None,
    ) -> None:
        self.token = token
        self.clock = clock or Clock()
        self.validator = validator or RequestValidator(SpecValidator.shared(spec_path))
        self.settle = settle
        self.reply_timeout = reply_timeout
        self.granted_intents = granted_intents
        self.ids = Snowflakes(self.clock.epoch_ms)
        self._world_ids = 0
        self.application_id = self._next_world_id()
        self.bot_user = User(self.application_id, "newsbot", bot=True)
        self.users: dict[str, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages_by_id: dict[int, dict[str, Any]] = {}
        self._channel_log: dict[int, list[dict[str, Any]]] = {}
        self.commands = CommandStore()
        self.interactions: dict[int, Interaction] = {}
        self.interactions_by_token: dict[str, Interaction] = {}
        self.attachments: dict[str, bytes] = {}
        self.save_attachments = save_attachments  # a folder that receives every upload
        self.saved_files: dict[str, Path] = {}  # attachment id -> where it was written
        self.requests: list[Request] = []
        self.syncs = 0
        self.shards = shards  # what GET /gateway/bot recommends to AutoShardedClient
        # (author id, nonce) -> (message, when): Discord returns the earlier message for a
        # repeated nonce with ``enforce_nonce`` within a few minutes.
        self._nonces: dict[tuple[str, str], tuple[dict[str, Any], float]] = {}
        self.joined_at = self.clock.iso()
        self.faults = Faults()  # REST failures on command (rate limits, 5xx)
        self._changed = asyncio.Event()
        self._bot_task: asyncio.Task[Any] | None = None
        self.gateway = Gateway(self)
        self.rest = RestApi(self)
        self.factory = InteractionFactory(self)
        self._runner: web.AppRunner | None = None
        self._cert: transport.Certificate | None = None
        self.port = 0
        self._build_world()

    # ------------------------------------------------------------------- world
    def _next_world_id(self) -> int:
        self._world_ids += 1
        return world_id(self._world_ids)

    def _build_world(self) -> None:
        alice = self.add_user("alice")
        self.add_user("bob")
        guild = self.add_guild("Sandbox", owner=alice)
        self.add_channel(guild, "general")
        self.add_channel(guild, "news")

    def add_user(self, name: str) -> User:
        user = User(self._next_world_id(), name)
        self.users[name] = user
        for guild in self.guilds.values():
            guild.members[user.id] = user
        return user

    def add_guild(self, name: str, owner: User) -> Guild:
        """A guild whose id's timestamp is one millisecond after the previous guild's, so
        consecutive guilds fall on consecutive shards."""
        self._world_ids += 1
        guild = Guild(world_id(self._world_ids, ms=len(self.guilds)), name, owner.id)
        guild.members[self.bot_user.id] = self.bot_user
        for user in self.users.values():
            guild.members[user.id] = user
        self.guilds[guild.id] = guild
        return guild

    def add_guilds(self, count: int, *, prefix: str = "Server") -> list[Guild]:
        """``count`` more guilds ("Server 1", …), each with a ``#general`` channel."""
        owner = next(iter(self.users.values()))
        made = []
        for number in range(len(self.guilds), len(self.guilds) + count):
            guild = self.add_guild(f"{prefix} {number}", owner=owner)
            self.add_channel(guild, "general")
            made.append(guild)
        return made

    def guilds_of_shard(self, shard_id: int, shard_count: int | None = None) -> list[Guild]:
        """The guilds whose events go to shard ``shard_id`` (of ``shard_count`` or ``shards``)."""
        count = shard_count or self.shards
        return [g for g in self.guilds.values() if shard_of(g.id, count) == shard_id]

    def add_channel(self, guild: Guild, name: str) -> Channel:
        channel = Channel(self._next_world_id(), name, guild.id, position=len(guild.channels))
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        self._channel_log[channel.id] = []
        return channel

    @property
    def guild(self) -> Guild:
        """The first guild (most tests need only one)."""
        return next(iter(self.guilds.values()))

    @property
    def channel(self) -> Channel:
        """``#general`` of the first guild."""
        return next(iter(self.guild.channels.values()))

    def channel_named(self, name: str) -> Channel:
        for channel in self.channels.values():
            if channel.name == name.lstrip("#"):
                return channel
        raise LookupError(f"no channel #{name}")

    def guild_json(self, guild: Guild) -> dict[str, Any]:
        return guild.to_json(self.bot_user.id, self.joined_at)

    def deny(self, channel: Channel | int, permissions: int = SEND_MESSAGES | EMBED_LINKS) -> None:
        """Take permissions away from the bot in a channel: its posts there get 403 / 50013."""
        target = self.channels[channel if isinstance(channel, int) else channel.id]
        target.denied_to_bot = permissions

    def token_ok(self, token: str) -> bool:
        return token == self.token

    # -------------------------------------------------------------- rate limits
    def throttle(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        retry_after: float = 0.01,
    ) -> None:
        """Answer the next ``times`` matching requests with 429 (``path`` is a regex); see
        ``faults`` for the other failures."""
        self.faults.rate_limit(method=method, path=path, times=times, retry_after=retry_after)

    # ----------------------------------------------------------------- messages
    def new_message(
        self,
        channel_id: int,
        body: Mapping[str, Any],
        *,
        author: User | None = None,
        interaction: Interaction | None = None,
    ) -> dict[str, Any]:
        author = author or self.bot_user
        channel = self.channels[channel_id]
        message_id = self.ids.next()
        files = body.get("_files") or []
        described = _attachment_entries(body)
        message: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "guild_id": str(channel.guild_id),
            "author": author.to_json(),
            "content": body.get("content") or "",
            "timestamp": self.clock.iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [self._attachment(channel_id, f, described.get(f.index)) for f in files],
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "components": copy.deepcopy(body.get("components") or []),
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags") or 0),
        }
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if body.get("message_reference"):
            message["type"] = 19
            message["message_reference"] = body["message_reference"]
        if interaction is not None:
            message["webhook_id"] = str(self.application_id)
            message["application_id"] = str(self.application_id)
            message["type"] = 20 if interaction.type == 2 else message["type"]
            message["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user.to_json(),
                "authorizing_integration_owners": {"0": str(channel.guild_id)},
            }
        self.messages_by_id[message_id] = message
        if not message["flags"] & EPHEMERAL:
            self._channel_log[channel_id].append(message)
        return message

    def earlier_message_for_nonce(
        self, author: User, body: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The message ``author`` already created with this body's nonce, when the body asks
        for ``enforce_nonce`` and that message is recent and not deleted."""
        nonce = body.get("nonce")
        if nonce is None or not body.get("enforce_nonce"):
            return None
        found = self._nonces.get((str(author.id), str(nonce)))
        if found is None:
            return None
        message, created = found
        if self.clock.now() - created > NONCE_WINDOW or message.get("_deleted"):
            return None
        return message

    def remember_nonce(self, message: dict[str, Any], body: Mapping[str, Any]) -> None:
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            key = (message["author"]["id"], str(nonce))
            self._nonces[key] = (message, self.clock.now())

    def _attachment(
        self, channel_id: int, upload: Upload, entry: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """An uploaded file as Discord lists it on the message; its bytes are kept (served
        at its CDN URL) and written to ``save_attachments`` when that is set."""
        attachment_id = self.ids.next()
        name = Path(str((entry or {}).get("filename") or upload.filename or "file")).name
        url = f"https://cdn.discordapp.com/attachments/{channel_id}/{attachment_id}/{name}"
        data: dict[str, Any] = {"id": str(attachment_id), "filename": name, "size": upload.size,
                                "url": url, "proxy_url": url}  # fmt: skip
        if (entry or {}).get("description"):
            data["description"] = entry["description"]  # type: ignore[index]
        content_type = content_type_of(upload)
        if content_type:
            data["content_type"] = content_type
        size = image_size(upload.data)
        if size is not None:
            data["width"], data["height"] = size
        self.attachments[str(attachment_id)] = upload.data
        if self.save_attachments is not None:
            self.save_attachments.mkdir(parents=True, exist_ok=True)
            target = free_name(self.save_attachments, name)
            target.write_bytes(upload.data)
            self.saved_files[str(attachment_id)] = target
        return data

    def edit_message(
        self, message: dict[str, Any], body: Mapping[str, Any], *, clear_loading: bool = False
    ) -> None:
        for key in ("content", "components"):
            if key in body and body[key] is not None:
                message[key] = copy.deepcopy(body[key])
        if body.get("embeds") is not None:
            message["embeds"] = [{"type": "rich", **e} for e in body["embeds"]]
        if body.get("attachments") is not None:
            keep = {str(a.get("id")) for a in body["attachments"]}
            message["attachments"] = [a for a in message["attachments"] if a["id"] in keep]
        if body.get("_files"):
            channel_id = int(message["channel_id"])
            described = _attachment_entries(body)
            message["attachments"] += [
                self._attachment(channel_id, f, described.get(f.index)) for f in body["_files"]
            ]
        if clear_loading:
            message["flags"] &= ~LOADING
        message["edited_timestamp"] = self.clock.iso()

    def delete_message(self, message: dict[str, Any]) -> None:
        message["_deleted"] = True
        log_ = self._channel_log.get(int(message["channel_id"]), [])
        if message in log_:
            log_.remove(message)

    def channel_messages(self, channel: Channel | int | None = None) -> list[dict[str, Any]]:
        """Messages visible in a channel (oldest first; ephemeral ones are not)."""
        if channel is None:
            channel = self.channel
        channel_id = channel if isinstance(channel, int) else channel.id
        return list(self._channel_log.get(channel_id, []))

    async def announce(self, message: dict[str, Any]) -> None:
        """MESSAGE_CREATE to the bot (content hidden without the message-content intent,
        unless the bot wrote it or is mentioned)."""
        guild_id = int(message["guild_id"]) if message.get("guild_id") else None
        await self.gateway.dispatch(
            "MESSAGE_CREATE", message, intent=GUILD_MESSAGES, guild_id=guild_id
        )

    def visible_to_bot(self, message: dict[str, Any], intents: int) -> dict[str, Any]:
        if intents & MESSAGE_CONTENT or message["author"]["id"] == str(self.bot_user.id):
            return message
        if any(m.get("id") == str(self.bot_user.id) for m in message.get("mentions", [])):
            return message
        return {**message, "content": "", "embeds": [], "attachments": [], "components": []}

    # --------------------------------------------------------------- the record
    @property
    def rejections(self) -> list[Request]:
        return [r for r in self.requests if r.rejection is not None]

    def bot_messages(self) -> list[dict[str, Any]]:
        """Every message the bot made (channel posts, replies, follow-ups, ephemeral ones),
        oldest first, in their current state."""
        bot_id = str(self.bot_user.id)
        return [
            m
            for m in self.messages_by_id.values()
            if m["author"]["id"] == bot_id and not m.get("_deleted")
        ]

    def requests_to(self, route: str, method: str | None = None) -> list[Request]:
        return [
            r for r in self.requests if r.route == route and (method is None or r.method == method)
        ]

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def touch(self, interaction: Interaction) -> None:
        interaction.activity += 1
        self.notify()

    async def wait_for_change(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    async def wait_for(self, predicate, timeout: float | None = None) -> None:
        """Wait until ``predicate()`` is true (checked after every request the bot makes)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (timeout or self.reply_timeout)
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise NoReply("the awaited condition did not happen in time")
            await self.wait_for_change(min(remaining, 0.05))

    def watch_bot(self, task: asyncio.Task[Any] | None) -> None:
        """Let waiting handles fail fast if the bot's connection task dies."""
        self._bot_task = task

    def bot_failure(self) -> BaseException | None:
        task = self._bot_task
        if task is None or not task.done():
            return None
        if task.cancelled():
            return asyncio.CancelledError("the bot task was cancelled")
        return task.exception() or RuntimeError("the bot disconnected")

    # ----------------------------------------------------------- injection API
    def user(self, name: str = "alice") -> SandboxUser:
        if name not in self.users:
            raise LookupError(f"no user {name!r}; the guild has: {', '.join(self.users)}")
        return SandboxUser(self, self.users[name])

    def send_interaction(
        self, interaction: Interaction, timeout: float | None = None
    ) -> ReplyHandle:
        self.interactions[interaction.id] = interaction
        self.interactions_by_token[interaction.token] = interaction
        handle = ReplyHandle(self, interaction, timeout or self.reply_timeout)
        # Send now; the handle's waiting starts when awaited but the answer is never missed
        # because it reads state, not events.
        handle.sent = asyncio.ensure_future(
            self.gateway.dispatch(
                "INTERACTION_CREATE",
                interaction.payload,
                guild_id=interaction.guild_id,
                delivered=interaction.delivered_to,
                live=interaction.delivered_live,
            )
        )
        return handle

    async def post_message(
        self, user: User, content: str, channel: Channel | None = None, **extra: Any
    ) -> dict[str, Any]:
        channel = channel or self.channel
        message = self.new_message(channel.id, {"content": content, **extra}, author=user)
        mention = f"<@{self.bot_user.id}>"
        if mention in content:
            message["mentions"] = [self.bot_user.to_json()]
        await self.announce(message)
        return message

    async def bot_messages_after(
        self, message: Mapping[str, Any], *, count: int = 1, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Wait for the bot's next ``count`` messages in the channel after ``message``."""
        channel_id = int(message["channel_id"])
        after = int(message["id"])

        def found() -> list[dict[str, Any]]:
            return [
                m
                for m in self._channel_log.get(channel_id, [])
                if int(m["id"]) > after and m["author"]["id"] == str(self.bot_user.id)
            ]

        await self.wait_for(lambda: len(found()) >= count, timeout)
        return found()

    # ---------------------------------------------------------------- lifecycle
    @property
    def gateway_url(self) -> str:
        return "wss://gateway.discord.gg"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._cert = transport.certificate()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_get("/attachments/{cid}/{aid}/{name}", self._serve_attachment)
        app.router.add_routes(self.rest.routes())
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, host, port, ssl_context=transport.server_ssl_context(self._cert)
        )
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("sandbox Discord listening on %s:%s", host, self.port)

    async def stop(self) -> None:
        self.faults.clear()  # a held request would keep the server from shutting down
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for a ``commands.Bot``/``Client`` to talk to this emulator:
        ``connector`` (loopback resolver + trusted certificate) and a short
        ``guild_ready_timeout``. Call it inside a running event loop."""
        if self._cert is None or not self.port:
            raise RuntimeError("start the emulator before asking for client_kwargs()")
        return transport.client_kwargs(self.port, self._cert)

    def endpoint(self) -> str:
        """The value of ``$NEWSBOT_SANDBOX_DISCORD`` that lets a bot in another process
        connect here (see ``transport.client_kwargs_from_env``)."""
        if self._cert is None or not self.port:
            raise RuntimeError("start the emulator before asking for its endpoint")
        return transport.endpoint_value(self.port, self._cert)

    async def request_reconnect(self, timeout: float = 5.0) -> None:
        """Send op 7 and wait until every connected session has RESUMED."""
        gateway = self.gateway
        expected = gateway.resumes + sum(1 for s in gateway.sessions.values() if s.ws is not None)
        await gateway.request_reconnect()
        await self.wait_for(lambda: gateway.resumes >= expected, timeout)

    async def _serve_attachment(self, request: web.Request) -> web.StreamResponse:
        data = self.attachments.get(request.match_info["aid"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")


def _attachment_entries(body: Mapping[str, Any]) -> dict[int | None, Mapping[str, Any]]:
    """The body's ``attachments`` entries for new uploads, by file index (``id: n``)."""
    found: dict[int | None, Mapping[str, Any]] = {}
    for entry in body.get("attachments") or []:
        raw = entry.get("id") if isinstance(entry, Mapping) else None
        if raw is not None and str(raw).isdigit():
            found[int(raw)] = entry
    return found


def _find_component(
    messages: Iterable[Mapping[str, Any]], wanted: str, kinds: tuple[int, ...] = (2,)
) -> tuple[dict, dict]:
    """A button (by label or custom_id) or a select menu (by placeholder or custom_id)."""
    names = []
    for message in messages:
        for row in message.get("components") or []:
            for child in row.get("components") or []:
                if child.get("type") not in kinds:
                    continue
                label = child.get("label") or child.get("placeholder") or ""
                names.append(label or child.get("custom_id", "?"))
                if wanted in (label, child.get("custom_id")) or (
                    label and label.casefold() == wanted.casefold()
                ):
                    return dict(message), child
    what = "button" if kinds == (2,) else "menu"
    raise LookupError(f"no {what} {wanted!r}; the message has: {', '.join(names) or 'none'}")


class SandboxUser:
    """A person in the guild: runs commands, clicks buttons, types, posts messages."""

    def __init__(self, emulator: Emulator, user: User) -> None:
        self.emulator = emulator
        self.user = user

    def _channel(self, channel: Channel | str | None) -> Channel:
        if channel is None:
            return self.emulator.channel
        return self.emulator.channel_named(channel) if isinstance(channel, str) else channel

    def slash(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        in_channel: Channel | str | None = None,
        timeout: float | None = None,
        **named: Any,
    ) -> ReplyHandle:
        """Run ``/command`` (``"group sub"`` for sub-commands) with named options (or an
        ``options`` dict, for option names such as ``timeout``)."""
        values = {**(options or {}), **named}
        channel = self._channel(in_channel)
        interaction = self.emulator.factory.slash(self.user, channel, command, values)
        return self.emulator.send_interaction(interaction, timeout)

    def autocomplete(
        self,
        command: str,
        option: str,
        typed: str,
        *,
        in_channel: Channel | str | None = None,
        timeout: float | None = None,
        **others: Any,
    ) -> ReplyHandle:
        """Type ``typed`` into ``option`` of ``/command``; the reply's ``choices`` are the
        suggestions."""
        interaction = self.emulator.factory.autocomplete(
            self.user, self._channel(in_channel), command, option, typed, others
        )
        return self.emulator.send_interaction(interaction, timeout)

    def click(
        self, target: Reply | Mapping[str, Any], button: str, *, timeout: float | None = None
    ) -> ReplyHandle:
        """Click the button labelled (or with custom_id) ``button`` on a reply or message."""
        messages = target.messages if isinstance(target, Reply) else [target]
        live = [self.emulator.messages_by_id.get(int(m["id"]), m) for m in messages]
        message, component = _find_component(live, button)
        if component.get("disabled"):
            raise LookupError(f"button {button!r} is disabled")
        if component.get("style") == 5:
            raise LookupError(f"button {button!r} is a link to {component.get('url')}")
        channel = self.emulator.channels[int(message["channel_id"])]
        interaction = self.emulator.factory.component(self.user, channel, message, component)
        return self.emulator.send_interaction(interaction, timeout)

    def select(
        self,
        target: Reply | Mapping[str, Any],
        menu: str,
        *values: str,
        timeout: float | None = None,
    ) -> ReplyHandle:
        """Choose ``values`` in the select menu with placeholder (or custom_id) ``menu``."""
        messages = target.messages if isinstance(target, Reply) else [target]
        live = [self.emulator.messages_by_id.get(int(m["id"]), m) for m in messages]
        message, component = _find_component(live, menu, kinds=(3, 5, 6, 7, 8))
        channel = self.emulator.channels[int(message["channel_id"])]
        interaction = self.emulator.factory.select(
            self.user, channel, message, component, list(values)
        )
        return self.emulator.send_interaction(interaction, timeout)

    def submit(
        self,
        reply: Reply,
        values: Mapping[str, str] | None = None,
        *,
        timeout: float | None = None,
        **fields: str,
    ) -> ReplyHandle:
        """Fill in and send the modal (form) the bot opened in ``reply``."""
        if reply.modal is None:
            raise LookupError("the bot did not open a form in this reply")
        channel = self.emulator.channels[reply.interaction.channel_id]
        interaction = self.emulator.factory.modal_submit(
            self.user, channel, reply.modal, {**(values or {}), **fields}
        )
        return self.emulator.send_interaction(interaction, timeout)

    def context_menu(
        self, command: str, target: Mapping[str, Any] | User, *, timeout: float | None = None
    ) -> ReplyHandle:
        """Use a message (or user) context-menu command on ``target``."""
        if isinstance(target, User):
            channel = self.emulator.channel
        else:
            channel = self.emulator.channels[int(target["channel_id"])]
        interaction = self.emulator.factory.context_menu(self.user, channel, command, target)
        return self.emulator.send_interaction(interaction, timeout)

    async def say(self, content: str, *, in_channel: Channel | str | None = None) -> dict[str, Any]:
        """Post a message as this user (MESSAGE_CREATE); returns the message."""
        return await self.emulator.post_message(self.user, content, self._channel(in_channel))
