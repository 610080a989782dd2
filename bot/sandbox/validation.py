"""Request validation as Discord does it: the OpenAPI spec plus the rules it lacks.

The spec (``bot/sandbox/spec/openapi.json``, Discord's own, MIT; its licence and source sit
beside it) ships inside the package and is checked with jsonschema Draft 2020-12;
each operation's schema is combined with the spec's ``components`` so ``$ref``s resolve.
Its unions are discriminated by ``type``: ``oneOf`` is relaxed to ``anyOf`` (several branches
may match a value) and, on failure, the branch whose ``type`` matches names the error, as
Discord's own messages do. Formats are checked too (``uri``, ``date-time`` as ISO 8601), and
integers stay integers. One error is reported per faulty field.

The hand-written rules (command names, option order and kinds, min/max pairs, 6000 characters
across embeds, 2000 characters of content, empty messages, URL schemes, buttons and selects,
5 components a row, allowed_mentions, uploads) come from Discord's documentation and live
behaviour; the error codes it does not document are named in its style.
"""

from __future__ import annotations

import copy
import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import regex
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

log = logging.getLogger(__name__)

SPEC_ENV = "NEWSBOT_DISCORD_OPENAPI"
SPEC_RESOURCE = "openapi.json"

MAX_CONTENT = 2000  # the spec says 4000; bots get 2000
MAX_EMBED_TOTAL = 6000
MAX_ROW_COMPONENTS = 5
MAX_ROWS = 5
MAX_CHOICES = 25
MAX_CHAT_INPUT_COMMANDS = 100
COMPONENTS_V2_FLAG = 1 << 15

COMMAND_NAME = regex.compile(r"^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$")

Path_ = Sequence[str | int]


@dataclass
class Rejection:
    """An error answer as Discord sends it: status, JSON code, message, and form errors."""

    status: int
    code: int
    message: str
    errors: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body

    def items(self) -> list[tuple[str, str]]:
        """(dotted path, error code) for every form error, e.g. ``("embeds.0.title", ...)``."""
        found: list[tuple[str, str]] = []

        def walk(node: Mapping[str, Any], prefix: list[str]) -> None:
            for key, value in node.items():
                if key == "_errors":
                    found.extend((".".join(prefix), item["code"]) for item in value)
                elif isinstance(value, Mapping):
                    walk(value, [*prefix, key])

        walk(self.errors or {}, [])
        return found

    def paths(self) -> list[str]:
        """Dotted paths of the form errors, each once (handy in tests)."""
        return list(dict.fromkeys(path for path, _ in self.items()))

    def error_codes(self) -> list[str]:
        return [code for _, code in self.items()]

    def __str__(self) -> str:
        detail = ", ".join(f"{path or '(body)'}: {code}" for path, code in self.items())
        text = f"{self.status} {self.code} {self.message}"
        return f"{text} ({detail})" if detail else text


@dataclass
class FormErrors:
    """Discord's nested ``errors`` object, built one failing path at a time."""

    tree: dict[str, Any] = field(default_factory=dict)
    _seen: set[tuple[str, str]] = field(default_factory=set)

    def add(self, path: Path_, code: str, message: str) -> None:
        key = (".".join(map(str, path)), code)
        if key in self._seen:
            return
        self._seen.add(key)
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def merge(self, other: FormErrors) -> None:
        """Add ``other``'s errors on paths that have none yet: one error per fault, the
        first reported (the hand-written rule, more precise than the spec) wins."""
        known = {tuple(path) for path, _, _ in self.items()}
        for path, code, message in other.items():
            if tuple(path) not in known:
                self.add(path, code, message)

    def items(self) -> Iterable[tuple[list[str], str, str]]:
        def walk(node: Mapping[str, Any], prefix: list[str]):
            for key, value in node.items():
                if key == "_errors":
                    for item in value:
                        yield prefix, item["code"], item["message"]
                else:
                    yield from walk(value, [*prefix, key])

        yield from walk(self.tree, [])

    def __bool__(self) -> bool:
        return bool(self.tree)

    def rejection(self) -> Rejection:
        return Rejection(400, 50035, "Invalid Form Body", self.tree)


# ---------------------------------------------------------------------------- the spec


def _relax(node: Any) -> Any:
    """Make the spec accept what Discord accepts: snowflakes as numbers or strings, and
    unions where several branches may match. Integers stay integers (an integer option
    choice sent as a string is refused, as Discord does)."""
    if isinstance(node, list):
        return [_relax(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _relax(value) for key, value in node.items()}
    if "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    if out.get("format") == "snowflake" and out.get("type") == "string":
        out["type"] = ["string", "integer"]
    return out


_SHARED: dict[Path | None, SpecValidator | None] = {}

FORMATS = FormatChecker(formats=())


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or url_fault(value, schemes=None) is None


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    """ISO 8601, as Discord asks of embed timestamps."""
    if isinstance(value, str):
        datetime.fromisoformat(value)
    return True


URL_SCHEMES = ("http", "https")
MEDIA_URL_SCHEMES = ("http", "https", "attachment")


def url_fault(value: str, schemes: Sequence[str] | None = URL_SCHEMES) -> tuple[str, str] | None:
    """(code, message) when ``value`` is not a URL Discord takes, else None; ``schemes=None``
    checks only that it is well formed."""
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    malformed = "URL_TYPE_INVALID_URL", "Not a well formed URL."
    if parts is None or not parts.scheme:
        return malformed
    if schemes is not None and parts.scheme.lower() not in schemes:
        allowed = ", ".join(f"'{s}'" for s in schemes)
        return (
            "URL_TYPE_INVALID_SCHEME",
            f'Scheme "{parts.scheme}" is not supported. Scheme must be one of ({allowed}).',
        )
    if not (parts.netloc or parts.scheme == "attachment") or any(c.isspace() for c in value):
        return malformed
    return None


def read_bundled_spec() -> dict[str, Any]:
    """Discord's OpenAPI document as shipped inside the package."""
    text = resources.files("bot.sandbox.spec").joinpath(SPEC_RESOURCE).read_text(encoding="utf-8")
    return json.loads(text)


def _chosen_path(path: Path | None) -> Path | None:
    """An explicit path, else ``$NEWSBOT_DISCORD_OPENAPI``, else None (the bundled spec)."""
    if path is not None:
        return path
    env = os.environ.get(SPEC_ENV)
    return Path(env) if env else None


class SpecValidator:
    """Validates request bodies against Discord's OpenAPI document (one validator per route)."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self._paths = spec.get("paths", {})
        self._components = _relax(spec.get("components", {}))
        # Permission strings ("8") are what discord.py sends for default_member_permissions.
        self._relax_permissions()
        self._cache: dict[tuple[str, str], Draft202012Validator | None] = {}

    def _relax_permissions(self) -> None:
        for schema in self._components.get("schemas", {}).values():
            props = schema.get("properties") if isinstance(schema, dict) else None
            perms = props.get("default_member_permissions") if props else None
            if isinstance(perms, dict) and isinstance(perms.get("type"), list):
                perms["type"] = [*perms["type"], "string"]
                perms["pattern"] = "^[0-9]+$"

    @classmethod
    def load(cls, path: Path | None = None) -> SpecValidator | None:
        """Load the spec from ``path``, ``$NEWSBOT_DISCORD_OPENAPI`` or the package's copy.

        Returns None (and logs a warning) when it cannot be read: only the hand-written
        rules then apply."""
        chosen = _chosen_path(path)
        try:
            if chosen is None:
                spec = read_bundled_spec()
            else:
                spec = json.loads(chosen.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning(
                "Discord OpenAPI spec not usable at %s (%s): only hand-written rules apply",
                chosen or f"bot.sandbox.spec/{SPEC_RESOURCE}",
                exc,
            )
            return None
        return cls(spec)

    @classmethod
    def shared(cls, path: Path | None = None) -> SpecValidator | None:
        """One loaded spec per process and path (its compiled validators are reused)."""
        chosen = _chosen_path(path)
        if chosen not in _SHARED:
            _SHARED[chosen] = cls.load(chosen)
        return _SHARED[chosen]

    def _validator(self, method: str, template: str) -> Draft202012Validator | None:
        key = (method.lower(), template)
        if key not in self._cache:
            operation = self._paths.get(template, {}).get(key[0], {})
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                self._cache[key] = None
            else:
                root = {"components": self._components, **_relax(copy.deepcopy(schema))}
                self._cache[key] = Draft202012Validator(root, format_checker=FORMATS)
        return self._cache[key]

    def knows(self, method: str, template: str) -> bool:
        return self._validator(method, template) is not None

    def check(self, method: str, template: str, body: Any) -> FormErrors:
        errors = FormErrors()
        validator = self._validator(method, template)
        if validator is None:
            return errors
        for error in validator.iter_errors(body):
            for leaf in _leaves(error):
                _add_schema_error(errors, leaf)
        return errors


def _branch_rank(branch_errors: list[ValidationError]) -> tuple[int, int]:
    """Lower is better: a branch whose ``type`` (or whole-value type) fits, with fewest errors."""
    mismatched = 0
    for err in branch_errors:
        rel = list(err.relative_path)
        if rel == [] and err.validator in ("type", "enum", "const"):
            mismatched = 1
        if rel == ["type"]:
            mismatched = 1
    return (mismatched, len(branch_errors))


def _leaves(error: ValidationError) -> list[ValidationError]:
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    best = min(branches.values(), key=_branch_rank)
    if _branch_rank(best)[0]:
        # No alternative of the oneOf has the right ``type``: the discriminator itself is the error.
        return [error]
    out: list[ValidationError] = []
    for sub in best:
        out.extend(_leaves(sub))
    return out


def _add_schema_error(errors: FormErrors, error: ValidationError) -> None:
    path: list[str | int] = list(error.absolute_path)
    value = error.validator_value
    kind = error.validator
    if kind == "additionalProperties":
        return  # Discord ignores fields it does not know
    if kind == "required":
        instance = error.instance if isinstance(error.instance, Mapping) else {}
        for name in value:
            if name not in instance:
                errors.add([*path, name], "BASE_TYPE_REQUIRED", "This field is required")
        return
    if kind in ("maxLength", "maxItems", "maxProperties"):
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {value} or fewer in length.")
    elif kind in ("minLength", "minItems", "minProperties"):
        errors.add(path, "BASE_TYPE_MIN_LENGTH", f"Must be {value} or more in length.")
    elif (
        kind in ("anyOf", "oneOf")
        and isinstance(error.instance, Mapping)
        and "type" in error.instance
    ):
        errors.add([*path, "type"], "BASE_TYPE_CHOICES", "Value is not a valid type.")
    elif kind in ("enum", "const", "anyOf", "oneOf"):
        choices = value if kind == "enum" else None
        message = f"Value must be one of {choices}." if choices else "Invalid value."
        errors.add(path, "BASE_TYPE_CHOICES", message)
    elif kind == "type":
        errors.add(path, "BASE_TYPE_BAD_TYPE", f"Must be of type {value}.")
    elif kind == "pattern":
        errors.add(path, "STRING_TYPE_REGEX", "String value did not match validation regex.")
    elif kind in ("maximum", "exclusiveMaximum"):
        errors.add(path, "NUMBER_TYPE_MAX", f"Value should be less than or equal to {value}.")
    elif kind in ("minimum", "exclusiveMinimum"):
        errors.add(path, "NUMBER_TYPE_MIN", f"Value should be greater than or equal to {value}.")
    elif kind == "format" and value == "uri":
        errors.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")
    elif kind == "format" and value == "date-time":
        errors.add(
            path, "DATE_TIME_TYPE_PARSE", f"Could not parse {error.instance}. Should be ISO8601."
        )
    else:
        errors.add(path, "BASE_TYPE_INVALID", error.message[:200])


# ------------------------------------------------------------------- hand-written rules


def check_commands(commands: Any) -> FormErrors:
    """Rules for a bulk overwrite of application commands that the spec does not state."""
    errors = FormErrors()
    if not isinstance(commands, list):
        return errors
    seen: set[tuple[int, str]] = set()
    chat_input = 0
    for index, command in enumerate(commands):
        if not isinstance(command, Mapping):
            continue
        kind = command.get("type") or 1
        name = command.get("name")
        if not isinstance(name, str):
            continue
        if kind == 1:
            chat_input += 1
            _check_chat_input_name(errors, [index, "name"], name, "APPLICATION_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 100:
                errors.add(
                    [index, "description"],
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            _check_options(errors, [index, "options"], command.get("options"))
        elif not 1 <= len(name) <= 32:
            errors.add(
                [index, "name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."
            )
        if (kind, name) in seen:
            errors.add(
                [],
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique ({name})",
            )
        seen.add((kind, name))
    if chat_input > MAX_CHAT_INPUT_COMMANDS:
        errors.add(
            [], "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CHAT_INPUT_COMMANDS} or fewer in length."
        )
    return errors


SUB_COMMAND_TYPES = {1, 2}


def _check_chat_input_name(errors: FormErrors, path: Path_, name: str, code: str) -> None:
    if not COMMAND_NAME.match(name) or name != name.lower():
        errors.add(path, f"{code}_NAME", "Command name is invalid")


def _check_options(errors: FormErrors, path: list[str | int], options: Any) -> None:
    if not isinstance(options, list):
        return
    if len(options) > 25:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    kinds = {o.get("type") for o in options if isinstance(o, Mapping)}
    if kinds & SUB_COMMAND_TYPES and kinds - SUB_COMMAND_TYPES:
        errors.add(
            path,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Sub-command and sub-command group option types are mutually exclusive to all "
            "other types",
        )
    seen_optional = False
    names: set[str] = set()
    for index, option in enumerate(options):
        if not isinstance(option, Mapping):
            continue
        here = [*path, index]
        name = option.get("name")
        if isinstance(name, str):
            _check_chat_input_name(
                errors, [*here, "name"], name, "APPLICATION_COMMAND_OPTION_INVALID"
            )
            if name in names:
                errors.add(
                    [*here, "name"],
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                    "Option names must be unique",
                )
            names.add(name)
        description = option.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 100:
            errors.add(
                [*here, "description"],
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        if option.get("type") in SUB_COMMAND_TYPES:  # its own options
            _check_options(errors, [*here, "options"], option.get("options"))
            continue
        for low_key, high_key in (("min_value", "max_value"), ("min_length", "max_length")):
            low, high = option.get(low_key), option.get(high_key)
            numbers = (int, float)
            if isinstance(low, numbers) and isinstance(high, numbers) and low > high:
                errors.add(
                    [*here, low_key],
                    "APPLICATION_COMMAND_OPTION_MIN_GREATER_THAN_MAX",
                    f"The {low_key} cannot be greater than the {high_key}.",
                )
        if option.get("required"):
            if seen_optional:
                errors.add(
                    [*here, "required"],
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = option.get("choices")
        if isinstance(choices, list):
            if len(choices) > MAX_CHOICES:
                errors.add(
                    [*here, "choices"],
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {MAX_CHOICES} or fewer in length.",
                )
            if choices and option.get("autocomplete"):
                errors.add(
                    [*here, "autocomplete"],
                    "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_CHOICES_EXCLUSIVE",
                    "Autocomplete and choices cannot both be set",
                )


def embed_length(embed: Mapping[str, Any]) -> int:
    """Characters Discord counts towards the 6000 across a message's embeds."""

    def text(value: Any) -> int:
        return len(value) if isinstance(value, str) else 0

    total = text(embed.get("title")) + text(embed.get("description"))
    for part, key in (("footer", "text"), ("author", "name")):
        sub = embed.get(part)
        if isinstance(sub, Mapping):
            total += text(sub.get(key))
    for item in embed.get("fields") or []:
        if isinstance(item, Mapping):
            total += text(item.get("name")) + text(item.get("value"))
    return total


def is_empty_message(body: Mapping[str, Any]) -> bool:
    content = body.get("content")
    has_content = isinstance(content, str) and content.strip() != ""
    return not (
        has_content
        or body.get("embeds")
        or body.get("attachments")
        or body.get("sticker_ids")
        or body.get("components")
        or body.get("poll")
        or body.get("_files")
    )


def check_message(body: Any, prefix: Path_ = ()) -> FormErrors:
    """Rules for a message body (create or edit) that the spec does not state."""
    errors = FormErrors()
    if not isinstance(body, Mapping):
        return errors
    pre = list(prefix)
    content = body.get("content")
    if isinstance(content, str) and len(content) > MAX_CONTENT:
        errors.add(
            [*pre, "content"], "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CONTENT} or fewer in length."
        )
    embeds = body.get("embeds")
    if isinstance(embeds, list):
        _check_embeds(errors, [*pre, "embeds"], embeds)
        total = sum(embed_length(e) for e in embeds if isinstance(e, Mapping))
        if total > MAX_EMBED_TOTAL:
            errors.add(
                [*pre, "embeds"],
                "MAX_EMBED_SIZE_EXCEEDED",
                f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}",
            )
    _check_components(errors, [*pre, "components"], body.get("components"), body.get("flags"))
    _check_allowed_mentions(errors, [*pre, "allowed_mentions"], body.get("allowed_mentions"))
    return errors


EMBED_LIMITS = {"title": 256, "description": 4096}
EMBED_PART_LIMITS = {("footer", "text"): 2048, ("author", "name"): 256}
MAX_EMBEDS = 10
MAX_FIELDS = 25


def _too_long(errors: FormErrors, path: list[str | int], value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _check_embeds(errors: FormErrors, path: list[str | int], embeds: list[Any]) -> None:
    """Per-embed limits (also in the spec; kept here for when the spec is absent)."""
    if len(embeds) > MAX_EMBEDS:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_EMBEDS} or fewer in length.")
    for index, embed in enumerate(embeds):
        if not isinstance(embed, Mapping):
            continue
        here = [*path, index]
        for key, limit in EMBED_LIMITS.items():
            _too_long(errors, [*here, key], embed.get(key), limit)
        for (part, key), limit in EMBED_PART_LIMITS.items():
            sub = embed.get(part)
            if isinstance(sub, Mapping):
                _too_long(errors, [*here, part, key], sub.get(key), limit)
        fields = embed.get("fields")
        if isinstance(fields, list):
            if len(fields) > MAX_FIELDS:
                errors.add(
                    [*here, "fields"],
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {MAX_FIELDS} or fewer in length.",
                )
            for number, item in enumerate(fields):
                if not isinstance(item, Mapping):
                    continue
                for key, limit in (("name", 256), ("value", 1024)):
                    text = item.get(key)
                    if isinstance(text, str) and not text.strip():
                        errors.add(
                            [*here, "fields", number, key],
                            "BASE_TYPE_REQUIRED",
                            "This field is required",
                        )
                    _too_long(errors, [*here, "fields", number, key], text, limit)
        for part, key, schemes in EMBED_URLS:
            holder = embed.get(part) if part else embed
            where = [*here, part, key] if part else [*here, key]
            if isinstance(holder, Mapping):
                _check_url(errors, where, holder.get(key), schemes)


# (part of the embed or None for the embed itself, key, schemes Discord accepts there)
EMBED_URLS = (
    (None, "url", URL_SCHEMES),
    ("image", "url", MEDIA_URL_SCHEMES),
    ("thumbnail", "url", MEDIA_URL_SCHEMES),
    ("author", "url", URL_SCHEMES),
    ("author", "icon_url", MEDIA_URL_SCHEMES),
    ("footer", "icon_url", MEDIA_URL_SCHEMES),
)
BUTTON_URL_SCHEMES = ("http", "https", "discord")


def _check_url(errors: FormErrors, path: Path_, value: Any, schemes: Sequence[str]) -> None:
    if isinstance(value, str):
        fault = url_fault(value, schemes)
        if fault is not None:
            errors.add(path, *fault)


def _check_components(errors: FormErrors, path: list[str | int], rows: Any, flags: Any) -> None:
    if not isinstance(rows, list):
        return
    v2 = isinstance(flags, int) and flags & COMPONENTS_V2_FLAG
    if not v2 and len(rows) > MAX_ROWS:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_ROWS} or fewer in length.")
    custom_ids: set[str] = set()
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping) or row.get("type") != 1:
            continue
        children = row.get("components") or []
        here = [*path, index, "components"]
        if len(children) > MAX_ROW_COMPONENTS:
            errors.add(
                here, "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_ROW_COMPONENTS} or fewer in length."
            )
        has_select = any(isinstance(c, Mapping) and c.get("type", 2) != 2 for c in children)
        if has_select and len(children) > 1:
            errors.add(
                here,
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        for position, child in enumerate(children):
            if not isinstance(child, Mapping):
                continue
            custom_id = child.get("custom_id")
            at = [*here, position]
            if child.get("type") == 2:
                _check_button(errors, at, child)
            elif not custom_id:
                errors.add([*at, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
            if child.get("type") in SELECT_TYPES:
                _check_select(errors, at, child)
            if isinstance(custom_id, str):
                if custom_id in custom_ids:
                    errors.add(
                        [*here, position, "custom_id"],
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                custom_ids.add(custom_id)


LINK_STYLE, PREMIUM_STYLE = 5, 6
SELECT_TYPES = (3, 5, 6, 7, 8)


def _check_button(errors: FormErrors, at: list[str | int], button: Mapping[str, Any]) -> None:
    """A link button has a URL and no custom id; any other button the reverse; every button
    but a premium one shows a label or an emoji."""
    style = button.get("style")
    if style == LINK_STYLE:
        if not button.get("url"):
            errors.add([*at, "url"], "BASE_TYPE_REQUIRED", "This field is required")
        else:
            _check_url(errors, [*at, "url"], button["url"], BUTTON_URL_SCHEMES)
        if button.get("custom_id") is not None:
            errors.add(
                [*at, "custom_id"],
                "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                "A link button cannot have a custom id.",
            )
    elif style != PREMIUM_STYLE:
        if not button.get("custom_id"):
            errors.add([*at, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
        if button.get("url") is not None:
            errors.add(
                [*at, "url"],
                "BUTTON_COMPONENT_URL_NOT_ALLOWED",
                "Only a link button can have a URL.",
            )
    if style != PREMIUM_STYLE and not button.get("label") and not button.get("emoji"):
        errors.add(
            [*at, "label"],
            "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED",
            "A button needs a label or an emoji.",
        )


def _check_select(errors: FormErrors, at: list[str | int], select: Mapping[str, Any]) -> None:
    low, high = select.get("min_values"), select.get("max_values")
    options = select.get("options")
    count = len(options) if isinstance(options, list) else None
    if isinstance(low, int) and isinstance(high, int) and low > high:
        errors.add(
            [*at, "min_values"],
            "SELECT_COMPONENT_MIN_VALUES_GREATER_THAN_MAX",
            "The minimum number of values cannot be greater than the maximum.",
        )
    elif select.get("type") == 3 and count is not None:
        most = high if isinstance(high, int) else 1
        if most > count:
            errors.add(
                [*at, "max_values"],
                "SELECT_COMPONENT_MAX_VALUES_EXCEEDS_OPTIONS",
                f"The maximum number of values cannot be more than the {count} options.",
            )
    if isinstance(options, list):
        values: set[Any] = set()
        for number, option in enumerate(options):
            value = option.get("value") if isinstance(option, Mapping) else None
            if value is None:
                continue
            if value in values:
                errors.add(
                    [*at, "options", number, "value"],
                    "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                    "Select option values must be unique.",
                )
            values.add(value)


def _check_allowed_mentions(errors: FormErrors, path: list[str | int], mentions: Any) -> None:
    if not isinstance(mentions, Mapping):
        return
    parse = mentions.get("parse") or []
    if isinstance(parse, list):
        for index, item in enumerate(parse):
            if item not in ("roles", "users", "everyone"):
                errors.add(
                    [*path, "parse", index],
                    "BASE_TYPE_CHOICES",
                    "Value must be one of ('roles', 'users', 'everyone').",
                )
    for kind in ("users", "roles"):
        ids = mentions.get(kind)
        if not isinstance(ids, list):
            continue
        if ids and kind in parse:
            errors.add(
                path,
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )
        if len(ids) > 100:
            errors.add([*path, kind], "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")


MAX_FILES = 10


def check_uploads(
    body: Any, files: Sequence[Any], prefix: Path_ = (), *, creating: bool
) -> FormErrors:
    """Multipart files against the message's ``attachments``: parts named ``files[0]`` to
    ``files[9]`` (as the spec lists them), each once; a new message's ``attachments`` may
    only name uploaded files (``id: n``)."""
    errors = FormErrors()
    pre = list(prefix)
    seen: set[int] = set()
    for upload in files:
        index = getattr(upload, "index", None)
        if index is None or index >= MAX_FILES:
            errors.add(
                [upload.part or "files"],
                "BASE_TYPE_INVALID",
                f"Files are sent as parts files[0] to files[{MAX_FILES - 1}].",
            )
        elif index in seen:
            errors.add([upload.part], "BASE_TYPE_INVALID", "Each file part may appear once.")
        else:
            seen.add(index)
    entries = body.get("attachments") if isinstance(body, Mapping) else None
    if not isinstance(entries, list):
        return errors
    for number, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            continue
        raw = entry.get("id")
        index = int(raw) if isinstance(raw, int | str) and str(raw).isdigit() else None
        uploaded = index is not None and index in seen
        # On an edit, a large id names an attachment the message already has.
        existing = not creating and index is not None and index >= MAX_FILES
        if not uploaded and not existing:
            errors.add(
                [*pre, "attachments", number, "id"],
                "ATTACHMENT_NOT_FOUND",
                "No file was uploaded for this attachment.",
            )
    return errors


EMPTY_MESSAGE = Rejection(400, 50006, "Cannot send an empty message")


class RequestValidator:
    """The spec (when available) and the hand-written rules, per kind of request."""

    def __init__(self, spec: SpecValidator | None) -> None:
        self.spec = spec

    def _spec(self, method: str, template: str, body: Any) -> FormErrors:
        return self.spec.check(method, template, body) if self.spec else FormErrors()

    # The hand-written rules go first: where both report the same path and code, theirs is
    # the message Discord gives bots (e.g. 2000 characters of content, not the spec's 4000).
    def commands(self, template: str, body: Any) -> Rejection | None:
        errors = check_commands(body)
        errors.merge(self._spec("PUT", template, body))
        return errors.rejection() if errors else None

    def message(
        self, method: str, template: str, body: Any, *, creating: bool, prefix: Path_ = ()
    ) -> Rejection | None:
        inner = body
        for part in prefix:
            inner = inner.get(part) if isinstance(inner, Mapping) else None
        files = body.get("_files") if isinstance(body, Mapping) else None
        if prefix and files:
            inner = {**(inner or {}), "_files": files}  # files count as content
        errors = check_message(inner, prefix)
        if files:
            errors.merge(check_uploads(inner, files, prefix, creating=creating))
        errors.merge(self._spec(method, template, body))
        if errors:
            return errors.rejection()
        if creating and isinstance(inner, Mapping | None) and is_empty_message(inner or {}):
            return EMPTY_MESSAGE
        return None

    def callback(self, template: str, body: Any) -> Rejection | None:
        kind = body.get("type") if isinstance(body, Mapping) else None
        creating = kind == 4
        if kind in (4, 7):
            return self.message("POST", template, body, creating=creating, prefix=("data",))
        errors = self._spec("POST", template, body)
        return errors.rejection() if errors else None
