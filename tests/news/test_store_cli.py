"""``newsbot stats|country|person`` over a real store on disk."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.news.clock import Clock
from bot.news.model import Article, CountryMention, Development, PersonMention
from bot.news.store import CLI_GUILD, ArticleStore

# Just after midnight on New Year's Day: "a day ago" is in another day, month and year.
NOW = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)


def _article(n: int, days_ago: float, persons: list[str], countries: list[str]) -> Article:
    when = NOW - timedelta(days=days_ago)
    return Article(
        url=f"https://news.example/{n}",
        canonical_url=f"https://news.example/{n}",
        title=f"Story {n}",
        summary=f"Summary {n}.",
        site="news.example",
        published=when.isoformat(),
        countries=[CountryMention(c) for c in countries],
        persons=[PersonMention(p) for p in persons],
        developments=[Development("person", "daniel noboa", f"Noboa did thing {n}.")],
        ingested_at=when.timestamp(),
    )


@pytest.fixture
async def data_dir(tmp_path: Path) -> Path:
    store = await ArticleStore.open(tmp_path / "articles", clock=Clock(NOW))
    await store.add(_article(1, 1, ["Daniel Noboa"], ["EC"]), CLI_GUILD)
    await store.add(_article(2, 3, ["Daniel Noboa", "Luisa González"], ["EC", "PE"]), CLI_GUILD)
    await store.add(_article(3, 20, ["Daniel Noboa"], ["EC"]), CLI_GUILD)
    await store.add(_article(4, 1, ["Ana Noboa", "Ana Pérez"], ["PE"]), CLI_GUILD)
    await store.add(_article(5, 1, ["Daniel Noboa"], ["EC"]), "another-guild")
    await store.close()
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str, data_dir: Path) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv], clock=Clock(NOW))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_country_by_code_lists_developments_newest_first(data_dir: Path, capsys) -> None:
    code, out, _ = run(capsys, "country", "ec", data_dir=data_dir)
    assert code == 0
    lines = out.splitlines()
    assert "2 development(s) in the last 7 days" in lines[0]
    assert lines[1].startswith("2026-12-31")
    assert "Story 1" in lines[1] and "https://news.example/1" in lines[1]
    assert "[news.example]" in lines[1] and "Summary 1." in lines[1]  # no EC development
    assert "Story 2" in lines[2]
    code, out, _ = run(capsys, "country", "EC", "--days", "30", "--json", data_dir=data_dir)
    payload = json.loads(out)
    assert [d["title"] for d in payload["developments"]] == ["Story 1", "Story 2", "Story 3"]


def test_person_by_surname_and_development_sentence(data_dir: Path, capsys) -> None:
    code, out, _ = run(capsys, "person", "Daniel Noboa", data_dir=data_dir)
    assert code == 0 and "Noboa did thing 1." in out and "Story 3" not in out
    # two Noboas: a surname means the most mentioned one, as /person does in Discord
    code, out, _ = run(capsys, "person", "noboa", "--json", data_dir=data_dir)
    assert code == 0 and json.loads(out)["name"] == "Daniel Noboa"
    code, out, _ = run(capsys, "person", "Gonzalez", "--json", data_dir=data_dir)
    assert code == 0 and json.loads(out)["name"] == "Luisa González"


def test_scoped_to_the_guild(data_dir: Path, capsys) -> None:
    code, out, _ = run(capsys, "country", "EC", "--guild", "another-guild", data_dir=data_dir)
    assert code == 0 and "Story 5" in out and "Story 1" not in out


def test_unknown_names_exit_1_with_a_message(data_dir: Path, capsys) -> None:
    code, _, err = run(capsys, "person", "Nobody Atall", data_dir=data_dir)
    assert code == 1 and "no person called 'Nobody Atall'" in err
    code, _, err = run(capsys, "country", "Atlantis", data_dir=data_dir)
    assert code == 1 and "unknown country 'Atlantis'" in err


def test_country_by_name(data_dir: Path, capsys) -> None:
    code, out, _ = run(capsys, "country", "Ecuador", data_dir=data_dir)
    assert code == 0 and "Story 1" in out and "(EC)" in out


def test_stats(data_dir: Path, capsys) -> None:
    code, out, _ = run(capsys, "stats", "--json", data_dir=data_dir)
    stats = json.loads(out)
    assert code == 0 and stats["articles"] == 5 and stats["guilds"] == 2
    code, out, _ = run(capsys, "stats", "--guild", CLI_GUILD, data_dir=data_dir)
    assert code == 0 and "articles: 4" in out
