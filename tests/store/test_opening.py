"""Choosing the backend from one setting, and the errors a person reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.news.store import BadStoreURL, StoreURL, open_store, parse_store_url, store_url_of
from bot.news.store.url import redact


def test_absent_means_tinydb_in_the_data_folder(tmp_path: Path) -> None:
    assert parse_store_url(None, tmp_path) == StoreURL("tinydb", path=tmp_path)
    assert parse_store_url("  ", tmp_path) == StoreURL("tinydb", path=tmp_path)


def test_tinydb_url_names_a_folder(tmp_path: Path) -> None:
    url = parse_store_url("tinydb:///srv/news%20bot/data", tmp_path)
    assert url == StoreURL("tinydb", path=Path("/srv/news bot/data"))


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://postgres@127.0.0.1:5432/test",
        "postgres://user:secret@localhost/newsbot",
        "postgresql://u@127.0.0.1/db?sslmode=disable",
    ],
)
def test_postgres_urls(text: str, tmp_path: Path) -> None:
    url = parse_store_url(text, tmp_path)
    assert url.backend == "postgres" and url.dsn == text
    assert "secret" not in str(url)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("data/store", "has no scheme"),
        ("tinydb://relative/dir", "absolute folder"),
        ("tinydb:relative", "has no scheme"),
        ("tinydb:///dir?x=1", "takes no options"),
        ("mysql://root@localhost/db", "A “mysql” URL is not a store"),
        ("postgresql://u@host:notaport/db", "not a number"),
        ("postgresql:///db", "names no server"),
    ],
)
def test_bad_urls_get_one_sentence(text: str, says: str, tmp_path: Path) -> None:
    with pytest.raises(BadStoreURL) as caught:
        parse_store_url(text, tmp_path)
    message = caught.value.message
    assert says in message
    assert message.endswith(".") and "\n" not in message


def test_redact_hides_only_the_password() -> None:
    assert redact("postgresql://me:pw@h:5432/db") == "postgresql://me:***@h:5432/db"
    assert redact("postgresql://me@h/db") == "postgresql://me@h/db"


def test_settings_read_the_url_from_env_and_toml(tmp_path: Path) -> None:
    toml = tmp_path / "newsbot.toml"
    toml.write_text('database_url = "tinydb:///from/toml"\n', encoding="utf-8")
    settings = load_settings({}, toml)
    assert store_url_of(settings) == StoreURL("tinydb", path=Path("/from/toml"))
    env = {"NEWSBOT_DATABASE_URL": "tinydb:///from/env"}
    assert store_url_of(load_settings(env, toml)).path == Path("/from/env")
    plain = load_settings({"NEWSBOT_DATA_DIR": str(tmp_path / "d")}, tmp_path / "none.toml")
    assert store_url_of(plain) == StoreURL("tinydb", path=tmp_path / "d")


async def test_open_store_from_settings_uses_the_data_folder(tmp_path: Path) -> None:
    settings = load_settings({"NEWSBOT_DATA_DIR": str(tmp_path / "d")}, tmp_path / "none.toml")
    store = await open_store(settings)
    try:
        assert store.backend == "tinydb" and store.location == str(tmp_path / "d")
    finally:
        await store.close()
    assert (tmp_path / "d" / "articles").is_dir()
    assert (tmp_path / "d" / "guilds.json").is_file()
