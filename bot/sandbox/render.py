"""Messages, embeds and components as plain text, for the sandbox terminal and test output."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.sandbox.state import EPHEMERAL, LOADING

if TYPE_CHECKING:
    from bot.sandbox.replies import Reply

BAR = "┃ "
WIDTH = 88


def _wrap(text: str, prefix: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        wrapped = textwrap.wrap(paragraph, WIDTH - len(prefix)) or [""]
        lines.extend(prefix + line for line in wrapped)
    return lines


def render_embed(embed: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    author = embed.get("author") or {}
    if author.get("name"):
        lines += _wrap(author["name"], BAR)
    if embed.get("title"):
        title = embed["title"]
        if embed.get("url"):
            title += f"  <{embed['url']}>"
        lines += _wrap(title, BAR)
    if embed.get("description"):
        lines += _wrap(embed["description"], BAR)
    for item in embed.get("fields") or []:
        lines.append(BAR)
        lines += _wrap(f"{item.get('name', '')}:", BAR)
        lines += _wrap(str(item.get("value", "")), BAR + "  ")
    footer = embed.get("footer") or {}
    if footer.get("text") or embed.get("timestamp"):
        lines.append(BAR)
        stamp = f" · {embed['timestamp']}" if embed.get("timestamp") else ""
        lines += _wrap(f"{footer.get('text', '')}{stamp}".strip(" ·"), BAR)
    return lines


def render_components(rows: list[Mapping[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        parts = []
        for child in row.get("components") or []:
            kind = child.get("type")
            if kind == 2:
                label = child.get("label") or child.get("emoji", {}).get("name") or "?"
                if child.get("style") == 5:
                    parts.append(f"[{label} ↗ {child.get('url')}]")
                elif child.get("disabled"):
                    parts.append(f"({label})")
                else:
                    parts.append(f"[{label}]")
            elif kind == 3:
                options = ", ".join(o.get("label", "") for o in child.get("options") or [])
                parts.append(f"<{child.get('placeholder') or 'choose'}: {options}>")
            else:
                parts.append(f"<component type {kind}>")
        if parts:
            lines.append(" ".join(parts))
    return lines


def render_attachment(attachment: Mapping[str, Any]) -> str:
    """``[image: trend.png 800×400]`` for a picture, ``📎 name (n bytes)`` for other files."""
    name = attachment.get("filename")
    width, height = attachment.get("width"), attachment.get("height")
    if width and height:
        return f"[image: {name} {width}×{height}]"
    return f"📎 {name} ({attachment.get('size', 0)} bytes)"


def render_message(message: Mapping[str, Any]) -> str:
    flags = message.get("flags", 0) or 0
    author = (message.get("author") or {}).get("username", "?")
    header = author
    if flags & EPHEMERAL:
        header += "  (only you can see this)"
    lines = [header]
    if flags & LOADING:
        lines.append(f"  {author} is thinking…")
    if message.get("content"):
        lines += _wrap(message["content"], "  ")
    for number, embed in enumerate(message.get("embeds") or []):
        if number:
            lines.append("  " + "┄" * 40)  # where one embed ends and the next begins
        lines += ["  " + line for line in render_embed(embed)]
    lines += ["  " + render_attachment(a) for a in message.get("attachments") or []]
    lines += ["  " + line for line in render_components(message.get("components") or [])]
    return "\n".join(lines)


def render_reply(reply: Reply) -> str:
    parts = []
    if reply.interaction.choices is not None:
        names = [str(c.get("name")) for c in reply.choices]
        parts.append("suggestions: " + (", ".join(names) if names else "(none)"))
    if reply.modal is not None:
        fields = [
            c.get("label", c.get("custom_id", "?"))
            for row in reply.modal.get("components") or []
            for c in row.get("components") or []
        ]
        parts.append(f"form {reply.modal.get('title', '')!r}: " + ", ".join(fields))
    parts.extend(render_message(m) for m in reply.messages)
    for rejection in reply.rejections:
        parts.append(f"✗ Discord refused the bot's answer: {rejection}")
    if not parts:
        parts.append("(no visible answer)")
    return "\n".join(parts)
