"""``newsbot sandbox``: the prompt's parsing, scripts, exit codes and --serve."""

from __future__ import annotations

import io

import pytest

from bot.cli import main
from bot.config import Settings
from bot.sandbox.cli import run_sandbox
from bot.sandbox.terminal import parse_slash
from tests.sandbox.bots import make_sample_bot

COMMANDS = [
    {
        "name": "country",
        "description": "d",
        "options": [
            {"type": 3, "name": "name", "description": "d", "required": True},
            {"type": 4, "name": "limit", "description": "d"},
        ],
    },
    {
        "name": "news",
        "description": "d",
        "options": [
            {"type": 1, "name": "latest", "description": "d", "options": [
                {"type": 3, "name": "country", "description": "d"}]},
        ],
    },
]  # fmt: skip


@pytest.fixture
def synced(emulator):
    emulator.commands.overwrite(None, COMMANDS, emulator.application_id, emulator.ids)
    return emulator


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/country Ecuador", ("country", {"name": "Ecuador"})),
        ("/country Costa Rica limit:3", ("country", {"name": "Costa Rica", "limit": "3"})),
        ("/country name:Costa Rica", ("country", {"name": "Costa Rica"})),
        ('/country "Costa Rica"', ("country", {"name": "Costa Rica"})),
        ("/news latest country:EC", ("news latest", {"country": "EC"})),
    ],
)
def test_parse_slash(synced, line: str, expected) -> None:
    assert parse_slash(line, synced) == expected


def test_parse_slash_unknown_command_lists_the_real_ones(synced) -> None:
    with pytest.raises(ValueError, match=r"unknown command /nope; the bot has: /country, /news"):
        parse_slash("/nope", synced)


async def run(tmp_path, *lines: str, serve=None) -> tuple[int, str]:
    out = io.StringIO()
    settings = Settings(data_dir=tmp_path)
    code = await run_sandbox(
        settings,
        runs=list(lines),
        serve=serve,
        timeout=5,
        bot_factory=make_sample_bot,
        out=out,
        settle=0.02,
    )
    return code, out.getvalue()


async def test_script_prints_rendered_replies_and_clicks(tmp_path) -> None:
    code, text = await run(tmp_path, "/country Ecuador", "click Next", "type country name E")
    assert code == 0, text
    assert "News: Ecuador" in text and "[Next]" in text and "Page 2" in text
    assert "suggestions: Ecuador, Egypt, Estonia" in text


async def test_a_refused_reply_makes_the_script_fail(tmp_path) -> None:
    code, text = await run(tmp_path, "/country Peru", "/huge")
    assert code == 1
    assert "refused" in text and "MAX_EMBED_SIZE_EXCEEDED" in text
    assert "1 of 2 failed" in text


async def test_unknown_command_fails_clearly(tmp_path) -> None:
    code, text = await run(tmp_path, "/nope")
    assert code == 1 and "unknown command /nope" in text


async def test_serve_lets_the_bot_fetch_from_loopback(tmp_path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "article.txt").write_text("Quito, Ecuador: news.")
    code, text = await run(tmp_path, "/fetch url:{serve}/article.txt", serve=pages)
    assert code == 0, text
    assert "200: Quito, Ecuador: news." in text


def test_cli_entry_runs_a_script(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path))
    argv = ["sandbox", "--bot", "tests.sandbox.bots:make_sample_bot", "--run", "/slow"]
    assert main(argv) == 0
    assert "done after thinking" in capsys.readouterr().out


async def test_a_bot_whose_parts_are_missing_says_so(tmp_path) -> None:
    def factory(settings, **kw):
        import newsbot_part_that_does_not_exist  # noqa: F401

    out = io.StringIO()
    code = await run_sandbox(
        Settings(data_dir=tmp_path), runs=["/country Ecuador"], out=out, bot_factory=factory
    )
    assert code == 1 and "could not be loaded" in out.getvalue()


async def test_commands_lists_sub_commands(synced) -> None:
    from bot.sandbox.terminal import Terminal

    outcome = await Terminal(synced, out=io.StringIO()).run_line("commands")
    assert outcome.text.splitlines() == [
        "/country name: [limit:] — d",
        "/news latest [country:] — d",
    ]


async def test_a_bot_that_fails_to_start_is_reported_and_closed(tmp_path) -> None:
    from tests.sandbox.bots import SampleBot

    class Broken(SampleBot):
        async def setup_hook(self) -> None:
            raise RuntimeError("no store")

    out = io.StringIO()
    code = await run_sandbox(
        Settings(data_dir=tmp_path), runs=["/x"], out=out,
        bot_factory=lambda settings, **kw: Broken(None, settings, **kw),
    )  # fmt: skip
    assert code == 1 and "the bot did not start: no store" in out.getvalue()


async def test_prompt_reads_lines_until_quit(tmp_path) -> None:
    lines = iter(["/country Ecuador", "click Next", "quit", "/never"])
    out = io.StringIO()
    code = await run_sandbox(
        Settings(data_dir=tmp_path), out=out, settle=0.02,
        bot_factory=make_sample_bot, read_line=lambda: next(lines),
    )  # fmt: skip
    text = out.getvalue()
    assert code == 0 and "Page 2" in text and text.rstrip().endswith("bye")
