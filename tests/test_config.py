from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings


def test_defaults_without_env_or_file(tmp_path: Path) -> None:
    settings = load_settings(env={}, config_file=tmp_path / "absent.toml")
    assert settings.data_dir == Path("data")
    assert settings.discord_token is None
    assert settings.allow_loopback is False


def test_environment_wins_over_file(tmp_path: Path) -> None:
    cfg = tmp_path / "newsbot.toml"
    cfg.write_text('data_dir = "from-file"\nlog_level = "debug"\n')
    settings = load_settings(env={"NEWSBOT_DATA_DIR": "from-env"}, config_file=cfg)
    assert settings.data_dir == Path("from-env")
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("var", "value", "named"),
    [
        ("NEWSBOT_FETCH_TIMEOUT", "soon", "NEWSBOT_FETCH_TIMEOUT"),
        ("NEWSBOT_FETCH_MAX_BYTES", "-3", "NEWSBOT_FETCH_MAX_BYTES"),
        ("NEWSBOT_ALLOW_LOOPBACK", "maybe", "NEWSBOT_ALLOW_LOOPBACK"),
        ("NEWSBOT_LOG_LEVEL", "LOUD", "NEWSBOT_LOG_LEVEL"),
        ("NEWSBOT_DEV_GUILD_ID", "my-server", "NEWSBOT_DEV_GUILD_ID"),
    ],
)
def test_wrong_value_names_the_setting(tmp_path: Path, var: str, value: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(env={var: value}, config_file=tmp_path / "absent.toml")


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "newsbot.toml"
    cfg.write_text("data_dir = \n")
    with pytest.raises(ConfigError, match=r"newsbot\.toml"):
        load_settings(env={}, config_file=cfg)


def test_unknown_key_in_the_file_is_an_error_naming_it(tmp_path: Path) -> None:
    cfg = tmp_path / "newsbot.toml"
    cfg.write_text('data_dir = "here"\nfetch_timout = 5\n')
    with pytest.raises(ConfigError) as info:
        load_settings(env={}, config_file=cfg)
    assert str(info.value) == (
        f"{cfg}: unknown setting: fetch_timout (did you mean fetch_timeout?)."
    )


def test_run_without_token_explains_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("NEWSBOT_CONFIG", str(tmp_path / "none.toml"))
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err and "Reset Token" in err


def test_bad_setting_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("NEWSBOT_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("NEWSBOT_FETCH_TIMEOUT", "abc")
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "NEWSBOT_FETCH_TIMEOUT" in err[0]
