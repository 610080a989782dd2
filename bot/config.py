"""Settings from the environment and an optional ``newsbot.toml``.

Environment variables win over the file. A wrong value raises ``ConfigError`` with one
line naming the setting, which the CLI prints instead of a traceback.
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True, slots=True)
class Settings:
    discord_token: str | None = None
    data_dir: Path = Path("data")
    # Where the store lives (bot/news/store/url.py); None: the default store in data_dir
    database_url: str | None = None
    log_level: str = "INFO"
    # Fetching: tests and the sandbox allow loopback explicitly; production never does.
    allow_loopback: bool = False
    # Exact "host:port" origins fetched despite the address policy (the sandbox's served
    # folder): one listener on loopback, never loopback as a whole.
    fetch_allow: frozenset[str] = frozenset()
    # When set, host names resolve only through this table (name -> addresses), never
    # through the system's DNS: tests give names to loopback listeners this way.
    fetch_hosts: Mapping[str, tuple[str, ...]] | None = None
    fetch_timeout: float = 20.0
    fetch_max_bytes: int = 5 * 1024 * 1024
    # Work limits
    max_concurrent_ingests: int = 4
    ingest_queue_size: int = 50
    extract_timeout: float = 20.0
    # Discord
    dev_guild_id: int | None = None  # sync commands to one guild for fast iteration
    message_content_intent: bool = False  # needed only for auto-ingest of posted links
    # Digest and feeds
    digest_grace_hours: float = 6.0
    feed_interval_minutes: float = 15.0
    # Scaling out: CPU worker processes of the single-process default (at most one per core),
    # the shards this gateway process owns, and the broker that carries jobs to workers
    ingest_workers: int = 4
    shards: tuple[int, ...] | None = None
    shard_count: int | None = None
    broker_url: str | None = None
    broker_queue: str = "newsbot"
    job_answer_seconds: float = 14 * 60.0  # under Discord's 15 minutes for follow-ups
    fetches_per_host_per_minute: int = 60  # by the fleet's workers, all together
    heartbeat_file: Path | None = None  # touched while healthy (container health checks)

    @property
    def articles_dir(self) -> Path:
        return self.data_dir / "articles"

    @property
    def settings_path(self) -> Path:
        return self.data_dir / "guilds.json"


# setting name -> (environment variable, parser)
def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _parse_positive_float(value: Any) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(f"must be greater than 0, got {value!r}")
    return number


def _parse_positive_int(value: Any) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(f"must be a whole number greater than 0, got {value!r}")
    return number


def _parse_log_level(value: Any) -> str:
    level = str(value).strip().upper()
    if level not in logging.getLevelNamesMapping():
        raise ValueError(f"unknown log level {value!r} (use DEBUG, INFO, WARNING or ERROR)")
    return level


def _parse_origins(value: Any) -> frozenset[str]:
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    origins = frozenset(str(item).strip().lower() for item in items if str(item).strip())
    for origin in origins:
        host, _, port = origin.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"expected host:port, got {origin!r}")
    return origins


def _parse_host_table(value: Any) -> dict[str, tuple[str, ...]] | None:
    """``name=ip,ip;name=ip`` (or a TOML table of lists) -> {name: (ip, ...)}."""
    if value in (None, ""):
        return None
    if isinstance(value, Mapping):
        pairs = [(str(k), v if isinstance(v, list | tuple) else [v]) for k, v in value.items()]
    else:
        pairs = []
        for entry in str(value).split(";"):
            if entry.strip():
                name, sep, ips = entry.partition("=")
                if not sep:
                    raise ValueError(f"expected name=address, got {entry.strip()!r}")
                pairs.append((name, ips.split(",")))
    table: dict[str, tuple[str, ...]] = {}
    for name, ips in pairs:
        addresses = tuple(str(ip).strip() for ip in ips if str(ip).strip())
        for ip in addresses:
            ipaddress.ip_address(ip)  # ValueError names the bad one
        table[name.strip().lower().rstrip(".")] = addresses
    return table


def _parse_optional_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"must be a numeric Discord id, got {value!r}")
    return int(text)


def parse_shards(value: Any) -> tuple[int, ...] | None:
    """``"0-3"``, ``"0,2,5"`` or ``"0-1,4"`` -> the shard ids, sorted, without repeats."""
    if value in (None, ""):
        return None
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    ids: set[int] = set()
    for part in str(value).replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError(f"expected shard ids like 0-3 or 0,2,5, got {value!r}")
        low, high = int(first), int(last) if dash else int(first)
        if high < low:
            raise ValueError(f"the range {part} goes backwards")
        ids.update(range(low, high + 1))
    return tuple(sorted(ids))


def _parse_broker_url(value: Any) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not text.startswith(("amqp://", "amqps://")):
        raise ValueError(f"expected an amqp:// address of RabbitMQ, got {text!r}")
    return text


def _parse_queue_name(value: Any) -> str:
    text = str(value).strip()
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,200}", text):
        raise ValueError(f"expected letters, digits and . _ : - only, got {value!r}")
    return text


_FIELDS: dict[str, tuple[str, Any]] = {
    "discord_token": ("DISCORD_TOKEN", lambda v: str(v).strip() or None),
    "data_dir": ("NEWSBOT_DATA_DIR", lambda v: Path(str(v)).expanduser()),
    "database_url": ("NEWSBOT_DATABASE_URL", lambda v: str(v).strip() or None),
    "log_level": ("NEWSBOT_LOG_LEVEL", _parse_log_level),
    "allow_loopback": ("NEWSBOT_ALLOW_LOOPBACK", _parse_bool),
    "fetch_allow": ("NEWSBOT_FETCH_ALLOW", _parse_origins),
    "fetch_hosts": ("NEWSBOT_FETCH_HOSTS", _parse_host_table),
    "fetch_timeout": ("NEWSBOT_FETCH_TIMEOUT", _parse_positive_float),
    "fetch_max_bytes": ("NEWSBOT_FETCH_MAX_BYTES", _parse_positive_int),
    "max_concurrent_ingests": ("NEWSBOT_MAX_CONCURRENT_INGESTS", _parse_positive_int),
    "ingest_queue_size": ("NEWSBOT_INGEST_QUEUE_SIZE", _parse_positive_int),
    "extract_timeout": ("NEWSBOT_EXTRACT_TIMEOUT", _parse_positive_float),
    "dev_guild_id": ("NEWSBOT_DEV_GUILD_ID", _parse_optional_id),
    "message_content_intent": ("NEWSBOT_MESSAGE_CONTENT_INTENT", _parse_bool),
    "digest_grace_hours": ("NEWSBOT_DIGEST_GRACE_HOURS", _parse_positive_float),
    "feed_interval_minutes": ("NEWSBOT_FEED_INTERVAL_MINUTES", _parse_positive_float),
    "ingest_workers": ("NEWSBOT_INGEST_WORKERS", _parse_positive_int),
    "shards": ("NEWSBOT_SHARDS", parse_shards),
    "shard_count": ("NEWSBOT_SHARD_COUNT", _parse_positive_int),
    "broker_url": ("NEWSBOT_BROKER_URL", _parse_broker_url),
    "broker_queue": ("NEWSBOT_BROKER_QUEUE", _parse_queue_name),
    "job_answer_seconds": ("NEWSBOT_JOB_ANSWER_SECONDS", _parse_positive_float),
    "fetches_per_host_per_minute": ("NEWSBOT_FETCHES_PER_HOST_PER_MINUTE", _parse_positive_int),
    "heartbeat_file": (
        "NEWSBOT_HEARTBEAT_FILE",
        lambda v: Path(str(v)).expanduser() if str(v).strip() else None,
    ),
}


def load_settings(
    env: Mapping[str, str] | None = None, config_file: Path | None = None
) -> Settings:
    """Read settings: defaults, then ``newsbot.toml`` (if present), then the environment."""
    env = os.environ if env is None else env
    path = config_file or Path(env.get("NEWSBOT_CONFIG", "newsbot.toml"))
    raw: dict[str, Any] = {}
    if path.is_file():
        try:
            raw.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the configuration file: {exc}") from exc
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise ConfigError(_unknown_keys(path, unknown))
    sources: dict[str, tuple[str, Any]] = {}
    for name in _FIELDS:
        if name in raw:
            sources[name] = (f"{name} in {path}", raw[name])
    for name, (var, _) in _FIELDS.items():
        if var in env:
            sources[name] = (var, env[var])
    values: dict[str, Any] = {}
    for name, (where, value) in sources.items():
        try:
            values[name] = _FIELDS[name][1](value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {exc}") from None
    check_shards(values.get("shards"), values.get("shard_count"))
    return Settings(**values)


def check_shards(shards: tuple[int, ...] | None, count: int | None) -> None:
    """ConfigError unless the shard ids exist among ``count`` shards."""
    if shards is None:
        return
    if count is None:
        raise ConfigError("NEWSBOT_SHARDS needs NEWSBOT_SHARD_COUNT, the fleet's total shards.")
    if shards[-1] >= count:
        raise ConfigError(
            f"--shards (NEWSBOT_SHARDS): shard {shards[-1]} does not exist with {count} shards "
            f"(they are numbered 0 to {count - 1})."
        )


def _unknown_keys(path: Path, unknown: list[str]) -> str:
    """One sentence naming the keys ``newsbot.toml`` does not know, with the likely meant
    one (a typo would otherwise be silently ignored)."""
    named = []
    for key in unknown:
        close = difflib.get_close_matches(key, _FIELDS, n=1)
        named.append(f"{key} (did you mean {close[0]}?)" if close else key)
    noun = "setting" if len(unknown) == 1 else "settings"
    return f"{path}: unknown {noun}: {', '.join(named)}."


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """A copy of ``settings`` with some fields replaced (used by tests and the CLI)."""
    return dataclasses.replace(settings, **changes)
