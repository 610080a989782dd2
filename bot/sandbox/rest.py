"""The REST routes a bot uses, answered and checked the way Discord does.

Every request is recorded (``Emulator.requests``) with its body, status and, when refused,
the ``Rejection`` Discord would have sent. Errors always carry Discord's JSON shape and
exactly ``Content-Type: application/json`` (discord.py compares it with ``==``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from bot.sandbox.faults import RestFault
from bot.sandbox.state import ATTACHMENT_SIZE_LIMIT, EPHEMERAL, LOADING, Interaction, Request
from bot.sandbox.uploads import Upload, part_index
from bot.sandbox.validation import FormErrors, Rejection

if TYPE_CHECKING:
    from bot.sandbox.emulator import Emulator

log = logging.getLogger(__name__)

API = "/api/v{version:\\d+}"
INTERACTION_DEADLINE = 3.0
TOKEN_LIFETIME = 15 * 60.0

UNKNOWN_INTERACTION = Rejection(404, 10062, "Unknown interaction")
ALREADY_ACKNOWLEDGED = Rejection(400, 40060, "Interaction has already been acknowledged.")
UNKNOWN_CHANNEL = Rejection(404, 10003, "Unknown Channel")
UNKNOWN_MESSAGE = Rejection(404, 10008, "Unknown Message")
UNKNOWN_WEBHOOK = Rejection(404, 10015, "Unknown Webhook")
MISSING_PERMISSIONS = Rejection(403, 50013, "Missing Permissions")
UNAUTHORIZED = Rejection(401, 0, "401: Unauthorized")
NOT_FOUND = Rejection(404, 0, "404: Not Found")
NOT_AUTHOR = Rejection(403, 50005, "Cannot edit a message authored by another user")
INVALID_BODY = Rejection(400, 50109, "The request body contains invalid JSON.")
TOO_LARGE = Rejection(413, 40005, "Request entity too large")

BODY = web.RequestKey("sandbox_body", object)
RESPONSE = web.RequestKey("sandbox_response", object)
INTERACTION_ID = web.RequestKey("sandbox_interaction_id", int)

# Which callback types each interaction type accepts.
CALLBACKS_FOR = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}


class Refused(Exception):
    def __init__(self, rejection: Rejection, interaction: Interaction | None = None) -> None:
        super().__init__(str(rejection))
        self.rejection = rejection
        self.interaction = interaction


def json_response(data: Any, status: int = 200) -> web.Response:
    if data is None:
        return web.Response(status=204)
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


Handler = Callable[[web.Request], Awaitable[web.Response]]


class RestApi:
    def __init__(self, emulator: Emulator) -> None:
        self.emu = emulator

    # ---------------------------------------------------------------- plumbing
    def routes(self) -> list[web.RouteDef]:
        r: list[tuple[str, str, Handler, bool]] = [
            # method, path, handler, needs the bot token
            ("GET", "/users/@me", self.get_me, True),
            ("GET", "/gateway", self.get_gateway, False),
            ("GET", "/gateway/bot", self.get_gateway_bot, True),
            ("GET", "/oauth2/applications/@me", self.get_application, True),
            ("GET", "/applications/@me", self.get_application, True),
            ("GET", "/applications/{app}/commands", self.get_commands, True),
            ("PUT", "/applications/{app}/commands", self.put_commands, True),
            ("GET", "/applications/{app}/guilds/{guild}/commands", self.get_commands, True),
            ("PUT", "/applications/{app}/guilds/{guild}/commands", self.put_commands, True),
            ("POST", "/interactions/{iid}/{token}/callback", self.callback, False),
            ("POST", "/webhooks/{app}/{token}", self.followup, False),
            ("GET", "/webhooks/{app}/{token}/messages/{mid}", self.get_webhook_message, False),
            ("PATCH", "/webhooks/{app}/{token}/messages/{mid}", self.edit_webhook_message, False),
            (
                "DELETE",
                "/webhooks/{app}/{token}/messages/{mid}",
                self.delete_webhook_message,
                False,
            ),
            ("GET", "/channels/{cid}", self.get_channel, True),
            ("GET", "/channels/{cid}/messages", self.list_messages, True),
            ("POST", "/channels/{cid}/messages", self.create_message, True),
            ("GET", "/channels/{cid}/messages/{mid}", self.get_message, True),
            ("PATCH", "/channels/{cid}/messages/{mid}", self.edit_message, True),
            ("DELETE", "/channels/{cid}/messages/{mid}", self.delete_message, True),
            ("PUT", "/channels/{cid}/messages/{mid}/reactions/{emoji}/@me", self.react, True),
            ("DELETE", "/channels/{cid}/messages/{mid}/reactions/{emoji}/@me", self.unreact, True),
            ("GET", "/guilds/{guild}", self.get_guild, True),
            ("GET", "/guilds/{guild}/channels", self.get_guild_channels, True),
            ("GET", "/guilds/{guild}/members/{uid}", self.get_member, True),
        ]
        defs = [web.route(m, API + p, self._wrap(h, p, auth)) for m, p, h, auth in r]
        defs.append(web.route("*", "/api/{tail:.*}", self._wrap(self.not_found, "?", False)))
        return defs

    def _wrap(self, handler: Handler, route: str, auth: bool) -> Handler:
        async def wrapped(request: web.Request) -> web.Response:
            emu = self.emu
            body: Any = None
            fault: RestFault | None = None
            record = Request(
                request.method, request.path_qs, route, None, 0, None, at=emu.clock.now()
            )
            try:
                if auth and not emu.token_ok(
                    request.headers.get("Authorization", "").removeprefix("Bot ")
                ):
                    raise Refused(UNAUTHORIZED)
                body = await self._read_body(request)
                record.body = body
                request[BODY] = body
                held = emu.faults.take_hold(request.method, request.path)
                if held is not None and not held.after:
                    await held.wait()
                fault = emu.faults.take(request.method, request.path)
                if held is not None and held.dropped:
                    fault = RestFault(503, request.method)
                if fault is None or fault.after:
                    response = await handler(request)
                    record.status = response.status
                    record.response = request.get(RESPONSE)
                    record.interaction_id = request.get(INTERACTION_ID)
                if held is not None and held.after:
                    await held.wait()
            except Refused as refused:
                rejection = refused.rejection
                record.status, record.rejection = rejection.status, rejection
                record.response = rejection.to_json()
                if refused.interaction is not None:
                    record.interaction_id = refused.interaction.id
                    refused.interaction.rejections.append(rejection)
                    emu.touch(refused.interaction)
                log.info("sandbox refused %s %s: %s", request.method, request.path, rejection)
                response = json_response(rejection.to_json(), rejection.status)
            if fault is not None:
                response = fault.response()
                record.status, record.fault = fault.status, fault
                log.info(
                    "sandbox injected %s on %s %s%s",
                    fault.status,
                    request.method,
                    request.path,
                    " after carrying it out" if fault.after else "",
                )
            else:
                # Discord's answers come through Google's front end; discord.py reads a 429
                # without ``Via`` as a Cloudflare ban and does not retry.
                response.headers["Via"] = "1.1 google"
            emu.requests.append(record)
            emu.notify()
            return response

        return wrapped

    async def _read_body(self, request: web.Request) -> Any:
        if request.method in ("GET", "DELETE") or not request.can_read_body:
            return None
        if request.content_type.startswith("multipart/"):
            return await self._read_multipart(request)
        raw = await request.read()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise Refused(INVALID_BODY) from None

    async def _read_multipart(self, request: web.Request) -> Any:
        """``payload_json`` is the body; each ``files[n]`` part becomes an ``Upload`` in the
        body's ``_files`` (what the validator and the message builder read)."""
        body: Any = {}
        files: list[Upload] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            if part.name == "payload_json":
                try:
                    body = json.loads(data)
                except ValueError:
                    raise Refused(INVALID_BODY) from None
            elif part.filename is not None:
                if len(data) > ATTACHMENT_SIZE_LIMIT:
                    raise Refused(TOO_LARGE)
                upload = Upload(
                    part.name or "",
                    part_index(part.name),
                    part.filename,
                    bytes(data),
                    part.headers.get("Content-Type"),
                )
                files.append(upload)
        if files and isinstance(body, dict):
            body["_files"] = files
        return body

    def _answer(self, request: web.Request, data: Any, status: int = 200) -> web.Response:
        request[RESPONSE] = data
        return json_response(data, status)

    @staticmethod
    def _body(request: web.Request) -> Any:
        return request[BODY]

    # ------------------------------------------------------------------ basics
    async def not_found(self, request: web.Request) -> web.Response:
        raise Refused(NOT_FOUND)

    async def get_me(self, request: web.Request) -> web.Response:
        return self._answer(request, self.emu.bot_user.to_json())

    async def get_gateway(self, request: web.Request) -> web.Response:
        return self._answer(request, {"url": self.emu.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        # AutoShardedClient without shard_count asks here first.
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        data = {
            "url": self.emu.gateway_url,
            "shards": self.emu.shards,
            "session_start_limit": limit,
        }
        return self._answer(request, data)

    async def get_application(self, request: web.Request) -> web.Response:
        emu = self.emu
        owner = next(iter(emu.users.values()))
        return self._answer(
            request,
            {
                "id": str(emu.application_id),
                "name": emu.bot_user.username,
                "icon": None,
                "description": "newsbot sandbox",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": owner.to_json(),
                "team": None,
                "flags": 0,
                "rpc_origins": [],
            },
        )

    def _app(self, request: web.Request) -> None:
        if request.match_info.get("app") != str(self.emu.application_id):
            raise Refused(Rejection(404, 10002, "Unknown Application"))

    def _guild_id(self, request: web.Request) -> int | None:
        raw = request.match_info.get("guild")
        if raw is None:
            return None
        if not raw.isdigit() or int(raw) not in self.emu.guilds:
            raise Refused(Rejection(404, 10004, "Unknown Guild"))
        return int(raw)

    # ---------------------------------------------------------------- commands
    async def get_commands(self, request: web.Request) -> web.Response:
        self._app(request)
        guild_id = self._guild_id(request)
        store = self.emu.commands
        data = store.guild_commands.get(guild_id, []) if guild_id else store.global_commands
        return self._answer(request, data)

    async def put_commands(self, request: web.Request) -> web.Response:
        self._app(request)
        guild_id = self._guild_id(request)
        body = self._body(request)
        template = (
            "/applications/{application_id}/guilds/{guild_id}/commands"
            if guild_id
            else "/applications/{application_id}/commands"
        )
        rejection = self.emu.validator.commands(template, body)
        if rejection:
            raise Refused(rejection)
        stored = self.emu.commands.overwrite(
            guild_id, list(body or []), self.emu.application_id, self.emu.ids
        )
        self.emu.syncs += 1
        return self._answer(request, stored)

    # ------------------------------------------------------------ interactions
    async def callback(self, request: web.Request) -> web.Response:
        emu = self.emu
        interaction = emu.interactions.get(
            int(request.match_info["iid"]) if request.match_info["iid"].isdigit() else 0
        )
        if interaction is None or interaction.token != request.match_info["token"]:
            raise Refused(UNKNOWN_INTERACTION)
        request[INTERACTION_ID] = interaction.id
        if emu.clock.now() - interaction.created_at > INTERACTION_DEADLINE:
            raise Refused(UNKNOWN_INTERACTION, interaction)
        if interaction.callback_type is not None:
            raise Refused(ALREADY_ACKNOWLEDGED, interaction)
        body = self._body(request)
        rejection = emu.validator.callback(
            "/interactions/{interaction_id}/{interaction_token}/callback", body
        )
        if rejection:
            raise Refused(rejection, interaction)
        kind = body["type"]
        if kind not in CALLBACKS_FOR.get(interaction.type, set()):
            errors = FormErrors()
            errors.add(
                ["type"],
                "INTERACTION_CALLBACK_TYPE_INVALID",
                "Invalid callback type for this interaction.",
            )
            raise Refused(errors.rejection(), interaction)
        data = dict(body.get("data") or {})
        if body.get("_files"):  # multipart: the files belong to the message in ``data``
            data["_files"] = body["_files"]
        message = self._apply_callback(interaction, kind, data)
        interaction.callback_type = kind
        emu.touch(interaction)
        if request.query.get("with_response") not in ("1", "true", "True"):
            return self._answer(request, None, 204)
        response: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "activity_instance_id": None,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(message and message.get("flags", 0) & EPHEMERAL),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            response["resource"]["message"] = message
        return self._answer(request, response)

    def _apply_callback(
        self, interaction: Interaction, kind: int, data: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Do what the callback asks; returns the message it created or edited."""
        emu = self.emu
        message: dict[str, Any] | None = None
        if kind == 4:
            message = emu.new_message(interaction.channel_id, data, interaction=interaction)
            interaction.original = message
        elif kind == 5:  # "thinking…": a placeholder that the first follow-up or edit replaces
            flags = LOADING | (data.get("flags", 0) & EPHEMERAL)
            message = emu.new_message(
                interaction.channel_id, {"content": "", "flags": flags}, interaction=interaction
            )
            interaction.original = message
        elif kind in (6, 7):  # on a component: the message with the component is the original
            source = interaction.source_message
            if source is not None:
                source = emu.messages_by_id.get(int(source["id"]), source)
                if kind == 7:
                    emu.edit_message(source, data)
                    message = source
            interaction.original = source
        elif kind == 8:
            interaction.choices = list(data.get("choices") or [])
        elif kind == 9:
            interaction.modal = data
        return message

    def _interaction_for_token(self, request: web.Request) -> Interaction:
        self._app(request)
        interaction = self.emu.interactions_by_token.get(request.match_info["token"])
        if interaction is None:
            raise Refused(Rejection(401, 50027, "Invalid Webhook Token"))
        request[INTERACTION_ID] = interaction.id
        if self.emu.clock.now() - interaction.created_at > TOKEN_LIFETIME:
            raise Refused(UNKNOWN_INTERACTION, interaction)
        return interaction

    def _webhook_message(self, interaction: Interaction, mid: str) -> dict[str, Any]:
        if mid == "@original":
            if interaction.original is None or interaction.original_deleted:
                raise Refused(UNKNOWN_MESSAGE, interaction)
            return interaction.original
        for message in interaction.followups:
            if message["id"] == mid and not message.get("_deleted"):
                return message
        raise Refused(UNKNOWN_MESSAGE, interaction)

    async def followup(self, request: web.Request) -> web.Response:
        emu = self.emu
        interaction = self._interaction_for_token(request)
        if interaction.callback_type is None:
            raise Refused(UNKNOWN_WEBHOOK, interaction)
        body = self._body(request)
        rejection = emu.validator.message(
            "POST", "/webhooks/{webhook_id}/{webhook_token}", body, creating=True
        )
        if rejection:
            raise Refused(rejection, interaction)
        original = interaction.original
        if interaction.callback_type == 5 and original is not None and original["flags"] & LOADING:
            # The first follow-up after a defer replaces the "thinking…" message.
            emu.edit_message(original, body, clear_loading=True)
            message = original
        else:
            message = emu.new_message(interaction.channel_id, body, interaction=interaction)
            interaction.followups.append(message)
        emu.touch(interaction)
        wait = request.query.get("wait") in ("1", "true", "True")
        return self._answer(request, message if wait else None, 200 if wait else 204)

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._interaction_for_token(request)
        return self._answer(request, self._webhook_message(interaction, request.match_info["mid"]))

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        emu = self.emu
        interaction = self._interaction_for_token(request)
        message = self._webhook_message(interaction, request.match_info["mid"])
        body = self._body(request)
        rejection = emu.validator.message(
            "PATCH",
            "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
            body,
            creating=False,
        )
        if rejection:
            raise Refused(rejection, interaction)
        emu.edit_message(message, body or {}, clear_loading=True)
        if message is interaction.original:
            interaction.edited_after_ack = True
        emu.touch(interaction)
        return self._answer(request, message)

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._interaction_for_token(request)
        message = self._webhook_message(interaction, request.match_info["mid"])
        if message is interaction.original:
            interaction.original_deleted = True
        self.emu.delete_message(message)
        self.emu.touch(interaction)
        return self._answer(request, None, 204)

    # ---------------------------------------------------------------- channels
    def _channel(self, request: web.Request, *, sending: bool = False):
        raw = request.match_info["cid"]
        channel = self.emu.channels.get(int(raw)) if raw.isdigit() else None
        if channel is None:
            raise Refused(UNKNOWN_CHANNEL)
        if sending and channel.denied_to_bot:
            raise Refused(MISSING_PERMISSIONS)
        return channel

    def _message(self, request: web.Request, channel_id: int) -> dict[str, Any]:
        raw = request.match_info["mid"]
        message = self.emu.messages_by_id.get(int(raw)) if raw.isdigit() else None
        if message is None or int(message["channel_id"]) != channel_id or message.get("_deleted"):
            raise Refused(UNKNOWN_MESSAGE)
        if message.get("flags", 0) & EPHEMERAL:
            # Ephemeral messages exist only for the interaction's webhook, not the channel.
            raise Refused(UNKNOWN_MESSAGE)
        return message

    async def get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        return self._answer(request, channel.to_json(self.emu.bot_user.id))

    async def list_messages(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        try:
            limit = max(1, min(100, int(request.query.get("limit", "50"))))
        except ValueError:
            limit = 50
        messages = [m for m in self.emu.channel_messages(channel.id)][::-1][:limit]
        return self._answer(request, messages)

    async def create_message(self, request: web.Request) -> web.Response:
        emu = self.emu
        channel = self._channel(request, sending=True)
        body = self._body(request)
        rejection = emu.validator.message(
            "POST", "/channels/{channel_id}/messages", body, creating=True
        )
        if rejection:
            raise Refused(rejection)
        earlier = emu.earlier_message_for_nonce(emu.bot_user, body or {})
        if earlier is not None:
            return self._answer(request, earlier)
        body = self._resolve_reference(channel.id, body or {})
        message = emu.new_message(channel.id, body)
        emu.remember_nonce(message, body or {})
        await emu.announce(message)
        return self._answer(request, message)

    def _resolve_reference(self, channel_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """A reply to a message that does not exist is refused, unless the body says
        ``fail_if_not_exists: false``: then it is sent as a plain message."""
        reference = body.get("message_reference")
        if not isinstance(reference, dict):
            return body
        raw = str(reference.get("message_id", ""))
        target = self.emu.messages_by_id.get(int(raw)) if raw.isdigit() else None
        wanted_channel = str(reference.get("channel_id") or channel_id)
        if (
            target is not None
            and not target.get("_deleted")
            and target["channel_id"] == wanted_channel
        ):
            return body
        if reference.get("fail_if_not_exists") is False:
            return {key: value for key, value in body.items() if key != "message_reference"}
        errors = FormErrors()
        errors.add(["message_reference"], "REPLIES_UNKNOWN_MESSAGE", "Unknown message")
        raise Refused(errors.rejection())

    async def get_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        return self._answer(request, self._message(request, channel.id))

    async def edit_message(self, request: web.Request) -> web.Response:
        emu = self.emu
        channel = self._channel(request, sending=True)
        message = self._message(request, channel.id)
        if message["author"]["id"] != str(emu.bot_user.id):
            raise Refused(NOT_AUTHOR)
        body = self._body(request)
        rejection = emu.validator.message(
            "PATCH", "/channels/{channel_id}/messages/{message_id}", body, creating=False
        )
        if rejection:
            raise Refused(rejection)
        emu.edit_message(message, body or {})
        return self._answer(request, message)

    async def delete_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(request, channel.id)
        if message["author"]["id"] != str(self.emu.bot_user.id) and channel.denied_to_bot:
            raise Refused(MISSING_PERMISSIONS)
        self.emu.delete_message(message)
        return self._answer(request, None, 204)

    async def react(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(request, channel.id)
        if channel.denied_to_bot:
            raise Refused(MISSING_PERMISSIONS)
        emoji = request.match_info["emoji"]
        reactions = message.setdefault("reactions", [])
        if not any(r["emoji"]["name"] == emoji for r in reactions):
            reactions.append({"emoji": {"id": None, "name": emoji}, "count": 1, "me": True})
        return self._answer(request, None, 204)

    async def unreact(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(request, channel.id)
        emoji = request.match_info["emoji"]
        message["reactions"] = [
            r for r in message.get("reactions", []) if r["emoji"]["name"] != emoji
        ]
        return self._answer(request, None, 204)

    # ------------------------------------------------------------------ guilds
    async def get_guild(self, request: web.Request) -> web.Response:
        guild = self.emu.guilds[self._guild_id(request) or 0]
        data = self.emu.guild_json(guild)
        for key in ("members", "channels", "threads", "presences", "voice_states"):
            data.pop(key, None)
        return self._answer(request, data)

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        guild = self.emu.guilds[self._guild_id(request) or 0]
        return self._answer(
            request, [c.to_json(self.emu.bot_user.id) for c in guild.channels.values()]
        )

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self.emu.guilds[self._guild_id(request) or 0]
        raw = request.match_info["uid"]
        user = guild.members.get(int(raw)) if raw.isdigit() else None
        if user is None:
            raise Refused(Rejection(404, 10007, "Unknown Member"))
        return self._answer(request, guild.member_json(user, self.emu.joined_at))
