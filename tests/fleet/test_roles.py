"""The fleet's settings and command-line roles (no services needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings, parse_shards
from bot.fleet.shards import ShardSet, format_shards, shard_of


@pytest.mark.parametrize(
    ("text", "ids"),
    [("0-3", (0, 1, 2, 3)), ("0,2,5", (0, 2, 5)), ("4-5, 0", (0, 4, 5)), ("7", (7,))],
)
def test_shard_lists_read_as_ranges_and_lists(text: str, ids: tuple[int, ...]) -> None:
    assert parse_shards(text) == ids
    assert parse_shards(format_shards(ids)) == ids


@pytest.mark.parametrize("text", ["a-b", "3-1", "1-", "-2", "1.5"])
def test_bad_shard_lists_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_shards(text)


def test_shards_need_a_count_that_contains_them(tmp_path: Path) -> None:
    absent = tmp_path / "absent.toml"
    with pytest.raises(ConfigError, match="NEWSBOT_SHARD_COUNT"):
        load_settings(env={"NEWSBOT_SHARDS": "0-1"}, config_file=absent)
    with pytest.raises(ConfigError, match="shard 6 does not exist"):
        load_settings(env={"NEWSBOT_SHARDS": "4-6", "NEWSBOT_SHARD_COUNT": "6"}, config_file=absent)
    settings = load_settings(
        env={"NEWSBOT_SHARDS": "2-3", "NEWSBOT_SHARD_COUNT": "6"}, config_file=absent
    )
    assert settings.shards == (2, 3) and settings.shard_count == 6


def test_broker_url_must_be_amqp(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="NEWSBOT_BROKER_URL"):
        load_settings(
            env={"NEWSBOT_BROKER_URL": "redis://127.0.0.1"}, config_file=tmp_path / "absent.toml"
        )


def test_a_server_belongs_to_exactly_one_shard_set() -> None:
    sets = [ShardSet((0, 1), 6), ShardSet((2, 3), 6), ShardSet((4, 5), 6)]
    for guild_id in range(10**17, 10**17 + 50 * 2**22, 2**22):
        owners = [s for s in sets if s.owns(guild_id)]
        assert len(owners) == 1
        assert shard_of(guild_id, 6) in owners[0].ids  # type: ignore[operator]
    assert ShardSet().owns(123)  # one process owns every server


def test_gateway_refuses_tinydb_in_one_sentence(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSBOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("DISCORD_TOKEN", "x")
    assert main(["run", "--shards", "0-1", "--shard-count", "6"]) == 2
    err = capsys.readouterr().err
    assert "needs PostgreSQL" in err and err.count("\n") == 1


def test_gateway_with_a_shard_outside_the_count_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--shards", "0-9", "--shard-count", "6"]) == 2
    assert "shard 9 does not exist" in capsys.readouterr().err


def test_worker_without_a_broker_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSBOT_BROKER_URL", raising=False)
    assert main(["worker"]) == 2
    assert "NEWSBOT_BROKER_URL" in capsys.readouterr().err
