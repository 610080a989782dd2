"""The emulator's world: users, one or more guilds with channels, messages, commands,
interactions, and the record of every request the bot made.

Plain data and small helpers only; the HTTP and gateway sides live in ``rest.py`` and
``gateway.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.sandbox.validation import Rejection

if TYPE_CHECKING:
    from bot.sandbox.faults import RestFault

# Permission bits (Discord's documented values).
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_HISTORY = 1 << 16
USE_APP_COMMANDS = 1 << 31
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
# What Discord gives @everyone in a new server (Add Reactions included).
MEMBER_PERMISSIONS = (
    ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_HISTORY
    | USE_APP_COMMANDS
)

EPHEMERAL = 1 << 6
LOADING = 1 << 7

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

_EPOCH_MS = 1420070400000


class Snowflakes:
    """Increasing Discord-shaped ids whose timestamp bits are the clock's time, so
    discord.py's ``created_at`` is right and later ids sort after earlier ones."""

    def __init__(self, now_ms: Callable[[], int]) -> None:
        self._now_ms = now_ms
        self._last = 0

    def next(self) -> int:
        candidate = (self._now_ms() - _EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


def world_id(n: int, ms: int = 0) -> int:
    """Fixed ids for the world (application, users, guilds, channels): the same on every
    run, so a bot's data folder still matches them the next time the sandbox starts.
    ``ms`` moves the id's timestamp bits: a guild's shard is ``(id >> 22) % count``, so
    guilds made with consecutive ``ms`` spread over every shard."""
    return ((_WORLD_MS + ms - _EPOCH_MS) << 22) | n


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's sharding formula: the shard whose connection receives a guild's events."""
    return (guild_id >> 22) % shard_count


_WORLD_MS = 1_767_225_600_000  # 2026-01-01


@dataclass
class User:
    id: int
    username: str
    bot: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": None if self.bot else self.username.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
        }


@dataclass
class Channel:
    id: int
    name: str
    guild_id: int
    type: int = 0
    position: int = 0
    denied_to_bot: int = 0  # permission bits the bot lacks here

    def to_json(self, bot_id: int | None = None) -> dict[str, Any]:
        overwrites = []
        if self.denied_to_bot and bot_id is not None:
            overwrites.append(
                {"id": str(bot_id), "type": 1, "allow": "0", "deny": str(self.denied_to_bot)}
            )
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": overwrites,
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, User] = field(default_factory=dict)
    admins: set[int] = field(default_factory=set)

    def member_json(self, user: User, joined_at: str) -> dict[str, Any]:
        return {
            "user": user.to_json(),
            "roles": [],
            "nick": None,
            "avatar": None,
            "joined_at": joined_at,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }

    def permissions_of(self, user: User) -> int:
        if user.id == self.owner_id or user.id in self.admins:
            return (1 << 48) - 1
        return MEMBER_PERMISSIONS

    def to_json(self, bot_id: int, joined_at: str) -> dict[str, Any]:
        everyone = {
            "id": str(self.id),
            "name": "@everyone",
            "permissions": str(MEMBER_PERMISSIONS),
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [everyone],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "unavailable": False,
            "large": False,
            "joined_at": joined_at,
            "member_count": len(self.members),
            "members": [self.member_json(u, joined_at) for u in self.members.values()],
            "channels": [c.to_json(bot_id) for c in self.channels.values()],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


@dataclass
class Request:
    """One request the bot made, as the emulator saw and answered it."""

    method: str
    path: str
    route: str
    body: Any
    status: int
    response: Any
    rejection: Rejection | None = None
    interaction_id: int | None = None
    at: float = 0.0
    fault: RestFault | None = None  # the failure the emulator injected instead of the answer

    @property
    def rejected(self) -> bool:
        return self.rejection is not None


@dataclass
class Interaction:
    """One interaction the emulator sent, and everything the bot answered to it."""

    id: int
    token: str
    type: int  # 2 command, 3 component, 4 autocomplete, 5 modal submit
    payload: dict[str, Any]
    created_at: float
    user: User
    channel_id: int
    guild_id: int | None
    source_message: dict[str, Any] | None = None  # the message a component was on
    callback_type: int | None = None
    original: dict[str, Any] | None = None
    original_deleted: bool = False
    followups: list[dict[str, Any]] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None
    rejections: list[Rejection] = field(default_factory=list)
    activity: int = 0
    edited_after_ack: bool = False
    # (shard id, shard count) of each gateway session INTERACTION_CREATE went to: only those
    # learnt the token, so only they can have answered.
    delivered_to: list[tuple[int, int]] = field(default_factory=list)
    # those of them whose socket was open when it was sent; Discord keeps nothing for a
    # connection that is gone, so an interaction with none here can only time out ("the
    # application did not respond")
    delivered_live: list[tuple[int, int]] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        """The user sees an answer: not just a 'thinking…' placeholder."""
        if self.callback_type in (4, 7, 8, 9):
            return True
        if self.followups:
            return True
        if self.callback_type == 5:
            return self.original is not None and not (self.original.get("flags", 0) & LOADING)
        if self.callback_type == 6:
            return self.edited_after_ack
        return False


def new_token() -> str:
    return "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)


@dataclass
class CommandStore:
    """Application commands as Discord keeps them: global and per guild, ids stable by name."""

    global_commands: list[dict[str, Any]] = field(default_factory=list)
    guild_commands: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    _ids: dict[tuple[int | None, int, str], int] = field(default_factory=dict)

    def overwrite(
        self,
        guild_id: int | None,
        commands: list[dict[str, Any]],
        application_id: int,
        ids: Snowflakes,
    ) -> list[dict[str, Any]]:
        stored = []
        for command in commands:
            kind = command.get("type") or 1
            key = (guild_id, kind, command["name"])
            if key not in self._ids:
                self._ids[key] = ids.next()
            item = {
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                "contexts": None,
                "integration_types": [0],
                **command,
                "type": kind,
                "id": str(self._ids[key]),
                "application_id": str(application_id),
                "version": str(ids.next()),
            }
            if guild_id is not None:
                item["guild_id"] = str(guild_id)
            stored.append(item)
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        return stored

    def find(self, name: str, kind: int, guild_id: int | None) -> dict[str, Any] | None:
        pools = [self.guild_commands.get(guild_id, [])] if guild_id is not None else []
        pools.append(self.global_commands)
        for pool in pools:
            for command in pool:
                if command["name"] == name and command["type"] == kind:
                    return command
        return None

    def all(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        extra = self.guild_commands.get(guild_id, []) if guild_id is not None else []
        return [*extra, *self.global_commands]
