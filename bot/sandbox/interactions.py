"""INTERACTION_CREATE payloads as Discord builds them, from the commands the bot synced.

Options are typed and checked against the synced definition (a wrong name, a missing
required option or a value outside the choices is a ``ValueError`` with a clear message,
as the Discord client would not let a user send it), and users, channels, roles and
attachments are put in ``resolved``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.sandbox.state import ATTACHMENT_SIZE_LIMIT, Channel, Interaction, User, new_token

if TYPE_CHECKING:
    from bot.sandbox.emulator import Emulator

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
OPTION_TYPE_NAMES = {
    STRING: "text", INTEGER: "whole number", BOOLEAN: "true/false", USER: "user",
    CHANNEL: "channel", ROLE: "role", MENTIONABLE: "user or role", NUMBER: "number",
    ATTACHMENT: "file",
}  # fmt: skip


class InteractionFactory:
    def __init__(self, emulator: Emulator) -> None:
        self.emu = emulator

    # ----------------------------------------------------------------- commands
    def find_command(self, name: str, kind: int, channel: Channel) -> dict[str, Any]:
        command = self.emu.commands.find(name, kind, channel.guild_id)
        if command is None:
            known = sorted(
                c["name"] for c in self.emu.commands.all(channel.guild_id) if c["type"] == kind
            )
            what = "slash command /" if kind == 1 else "context menu "
            raise ValueError(
                f"no {what}{name} is registered (the bot synced: {', '.join(known) or 'nothing'})"
            )
        return command

    def _walk_to(
        self, command: dict[str, Any], path: list[str]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """For ``/group sub``: the option definitions of the leaf and the nesting to wrap
        its values in."""
        definitions = command.get("options") or []
        nesting: list[dict[str, Any]] = []
        for part in path:
            match = next(
                (
                    o
                    for o in definitions
                    if o["name"] == part and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)
                ),
                None,
            )
            if match is None:
                subs = [
                    o["name"] for o in definitions if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)
                ]
                raise ValueError(
                    f"/{command['name']} has no sub-command {part!r} (has: {', '.join(subs)})"
                )
            nesting.append({"name": part, "type": match["type"]})
            definitions = match.get("options") or []
        if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in definitions):
            subs = [o["name"] for o in definitions]
            raise ValueError(f"/{command['name']} needs a sub-command: {', '.join(subs)}")
        return definitions, nesting

    @staticmethod
    def _nest(nesting: list[dict[str, Any]], leaf: list[dict[str, Any]]) -> list[dict[str, Any]]:
        options = leaf
        for level in reversed(nesting):
            options = [{**level, "options": options}]
        return options

    def slash(
        self, user: User, channel: Channel, command_line: str, values: Mapping[str, Any]
    ) -> Interaction:
        name, *path = command_line.lstrip("/").split()
        command = self.find_command(name, 1, channel)
        definitions, nesting = self._walk_to(command, path)
        resolved: dict[str, dict[str, Any]] = {}
        known = {o["name"]: o for o in definitions}
        for key in values:
            if key not in known:
                raise ValueError(
                    f"/{command_line} has no option {key!r} (options: {', '.join(known) or 'none'})"
                )
        leaf = []
        for definition in definitions:
            if definition["name"] not in values or values[definition["name"]] is None:
                if definition.get("required"):
                    raise ValueError(f"/{command_line} needs {definition['name']}: (required)")
                continue
            value = self._convert(definition, values[definition["name"]], resolved, channel)
            leaf.append({"name": definition["name"], "type": definition["type"], "value": value})
        data = self._command_data(command, channel, self._nest(nesting, leaf))
        if resolved:
            data["resolved"] = resolved
        return self._interaction(2, user, channel, data)

    def autocomplete(
        self,
        user: User,
        channel: Channel,
        command_line: str,
        option: str,
        typed: str,
        others: Mapping[str, Any],
    ) -> Interaction:
        name, *path = command_line.lstrip("/").split()
        command = self.find_command(name, 1, channel)
        definitions, nesting = self._walk_to(command, path)
        known = {o["name"]: o for o in definitions}
        if option not in known:
            raise ValueError(f"/{command_line} has no option {option!r}")
        if not known[option].get("autocomplete"):
            raise ValueError(f"/{command_line} {option}: has no autocomplete")
        leaf = []
        for definition in definitions:
            key = definition["name"]
            if key == option:
                leaf.append(
                    {"name": key, "type": definition["type"], "value": typed, "focused": True}
                )
            elif key in others:
                # Partially typed values arrive as the user typed them (strings).
                leaf.append({"name": key, "type": definition["type"], "value": others[key]})
        data = self._command_data(command, channel, self._nest(nesting, leaf))
        return self._interaction(4, user, channel, data)

    def context_menu(
        self, user: User, channel: Channel, name: str, target: Mapping[str, Any] | User
    ) -> Interaction:
        if isinstance(target, User):
            command = self.find_command(name, 2, channel)
            data = self._command_data(command, channel, None)
            data["target_id"] = str(target.id)
            data["resolved"] = self._resolve_user(target, channel)
        else:
            command = self.find_command(name, 3, channel)
            message = self.emu.messages_by_id.get(int(target["id"]), dict(target))
            data = self._command_data(command, channel, None)
            data["target_id"] = message["id"]
            data["resolved"] = {"messages": {message["id"]: copy.deepcopy(message)}}
        return self._interaction(2, user, channel, data)

    def component(
        self, user: User, channel: Channel, message: Mapping[str, Any], component: Mapping[str, Any]
    ) -> Interaction:
        data = {"custom_id": component["custom_id"], "component_type": component.get("type", 2)}
        interaction = self._interaction(
            3, user, channel, data, message=copy.deepcopy(dict(message))
        )
        interaction.source_message = self.emu.messages_by_id.get(int(message["id"]), dict(message))
        return interaction

    def select(
        self,
        user: User,
        channel: Channel,
        message: Mapping[str, Any],
        component: Mapping[str, Any],
        values: list[str],
    ) -> Interaction:
        options = component.get("options")
        chosen = list(values)
        if options is not None:  # a string select: values are option values (or labels)
            by_label = {str(o.get("label", "")).casefold(): o["value"] for o in options}
            known = {o["value"] for o in options}
            chosen = []
            for value in values:
                if value in known:
                    chosen.append(value)
                elif value.casefold() in by_label:
                    chosen.append(by_label[value.casefold()])
                else:
                    labels = ", ".join(str(o.get("label")) for o in options)
                    raise ValueError(f"{value!r} is not an option ({labels})")
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(chosen) <= high:
            raise ValueError(f"choose between {low} and {high} values")
        data = {
            "custom_id": component["custom_id"],
            "component_type": component.get("type", 3),
            "values": chosen,
        }
        interaction = self._interaction(
            3, user, channel, data, message=copy.deepcopy(dict(message))
        )
        interaction.source_message = self.emu.messages_by_id.get(int(message["id"]), dict(message))
        return interaction

    def modal_submit(
        self, user: User, channel: Channel, modal: Mapping[str, Any], values: Mapping[str, str]
    ) -> Interaction:
        """Fill a modal the bot opened: ``values`` by text-input label or custom_id."""
        used: set[str] = set()

        def text_input(component: Mapping[str, Any], label: str | None) -> dict[str, Any]:
            custom_id = component["custom_id"]
            names = [n for n in (label, component.get("label"), custom_id) if n]
            value = next((values[n] for n in names if n in values), None)
            used.update(n for n in names if n in values)
            if value is None:
                value = component.get("value") or ""
            if component.get("required", True) and not value:
                raise ValueError(f"the form needs {names[0]!r}")
            low, high = component.get("min_length", 0), component.get("max_length", 4000)
            if value and not low <= len(value) <= high:
                raise ValueError(f"{names[0]!r} must be {low}–{high} characters")
            return {"type": 4, "custom_id": custom_id, "value": value}

        def submitted(component: Mapping[str, Any], label: str | None = None) -> dict[str, Any]:
            kind = component.get("type")
            if kind == 1:
                return {"type": 1, "components": [submitted(c) for c in component["components"]]}
            if kind == 18:
                return {
                    "type": 18,
                    "component": submitted(component["component"], component.get("label")),
                }
            if kind == 4:
                return text_input(component, label)
            return {"type": kind, "custom_id": component.get("custom_id"), "values": []}

        components = [submitted(c) for c in modal.get("components") or []]
        unknown = set(values) - used
        if unknown:
            raise ValueError(f"the form has no field {sorted(unknown)[0]!r}")
        data = {"custom_id": modal["custom_id"], "components": components}
        return self._interaction(5, user, channel, data)

    # ----------------------------------------------------------------- helpers
    @staticmethod
    def _command_data(
        command: Mapping[str, Any], channel: Channel, options: list[dict[str, Any]] | None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": command["id"],
            "name": command["name"],
            "type": command["type"],
        }
        if options is not None:
            data["options"] = options
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return data

    def _convert(
        self,
        definition: Mapping[str, Any],
        raw: Any,
        resolved: dict[str, dict[str, Any]],
        channel: Channel,
    ) -> Any:
        kind = definition["type"]
        name = definition["name"]
        try:
            if kind == STRING:
                value: Any = str(raw)
                if "min_length" in definition and len(value) < definition["min_length"]:
                    raise ValueError(f"at least {definition['min_length']} characters")
                if "max_length" in definition and len(value) > definition["max_length"]:
                    raise ValueError(f"at most {definition['max_length']} characters")
            elif kind == INTEGER:
                value = int(raw)
            elif kind == NUMBER:
                value = float(raw)
            elif kind == BOOLEAN:
                value = (
                    raw
                    if isinstance(raw, bool)
                    else str(raw).strip().lower() in ("true", "yes", "1")
                )
            elif kind in (USER, MENTIONABLE):
                target = self._user(raw)
                resolved_user = self._resolve_user(target, channel)
                for key, items in resolved_user.items():
                    resolved.setdefault(key, {}).update(items)
                value = str(target.id)
            elif kind == CHANNEL:
                target = raw if isinstance(raw, Channel) else self._channel(raw)
                resolved.setdefault("channels", {})[str(target.id)] = {
                    **target.to_json(self.emu.bot_user.id),
                    "permissions": str((1 << 48) - 1),
                }
                value = str(target.id)
            elif kind == ROLE:
                guild = self.emu.guilds[channel.guild_id]
                everyone = self.emu.guild_json(guild)["roles"][0]
                resolved.setdefault("roles", {})[everyone["id"]] = everyone
                value = everyone["id"]
            elif kind == ATTACHMENT:
                value = self._attachment(raw, resolved)
            else:
                raise ValueError(f"option type {kind} is not supported")
        except (TypeError, ValueError, LookupError) as exc:
            expected = OPTION_TYPE_NAMES.get(kind, "value")
            raise ValueError(f"{name}: expects a {expected}, got {raw!r} ({exc})") from None
        if kind in (INTEGER, NUMBER):
            low, high = definition.get("min_value"), definition.get("max_value")
            if (low is not None and value < low) or (high is not None and value > high):
                raise ValueError(f"{name}: must be between {low} and {high}")
        choices = definition.get("choices")
        if choices:
            for choice in choices:
                if (
                    value == choice["value"]
                    or str(raw).casefold() == str(choice["name"]).casefold()
                ):
                    return choice["value"]
            names = ", ".join(str(c["name"]) for c in choices)
            raise ValueError(f"{name}: {raw!r} is not one of the choices ({names})")
        return value

    def _user(self, raw: Any) -> User:
        if isinstance(raw, User):
            return raw
        text = str(raw).strip().lstrip("@").strip("<>@!")
        for user in [*self.emu.users.values(), self.emu.bot_user]:
            if text in (user.username, str(user.id)):
                return user
        raise LookupError(f"no user {raw!r}")

    def _channel(self, raw: Any) -> Channel:
        text = str(raw).strip().strip("<>#")
        if text.isdigit() and int(text) in self.emu.channels:
            return self.emu.channels[int(text)]
        return self.emu.channel_named(text)

    def _resolve_user(self, user: User, channel: Channel) -> dict[str, dict[str, Any]]:
        guild = self.emu.guilds[channel.guild_id]
        member = guild.member_json(user, self.emu.joined_at)
        member.pop("user")
        member["permissions"] = str(guild.permissions_of(user))
        return {"users": {str(user.id): user.to_json()}, "members": {str(user.id): member}}

    def _attachment(self, raw: Any, resolved: dict[str, dict[str, Any]]) -> str:
        """``raw`` is ``(filename, bytes)``, a path-like, or raw bytes."""
        if isinstance(raw, tuple):
            filename, data = raw
        elif isinstance(raw, bytes | bytearray):
            filename, data = "file.bin", bytes(raw)
        else:
            from pathlib import Path

            path = Path(str(raw))
            filename, data = path.name, path.read_bytes()
        attachment_id = str(self.emu.ids.next())
        self.emu.attachments[attachment_id] = data
        url = f"https://cdn.discordapp.com/attachments/0/{attachment_id}/{filename}"
        resolved.setdefault("attachments", {})[attachment_id] = {
            "id": attachment_id, "filename": filename, "size": len(data), "url": url,
            "proxy_url": url, "content_type": "application/octet-stream",
        }  # fmt: skip
        return attachment_id

    def _interaction(
        self,
        kind: int,
        user: User,
        channel: Channel,
        data: dict[str, Any],
        message: dict[str, Any] | None = None,
    ) -> Interaction:
        emu = self.emu
        guild = emu.guilds[channel.guild_id]
        interaction_id = emu.ids.next()
        token = new_token()
        member = guild.member_json(user, emu.joined_at)
        member["permissions"] = str(guild.permissions_of(user))
        bot_permissions = guild.permissions_of(emu.bot_user) & ~channel.denied_to_bot
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(emu.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": channel.to_json(emu.bot_user.id),
            "member": member,
            "token": token,
            "version": 1,
            "app_permissions": str(bot_permissions),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = message
        return Interaction(
            id=interaction_id,
            token=token,
            type=kind,
            payload=payload,
            created_at=emu.clock.now(),
            user=user,
            channel_id=channel.id,
            guild_id=guild.id,
        )
