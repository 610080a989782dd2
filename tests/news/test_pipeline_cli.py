"""``newsbot analyze`` / ``newsbot ingest`` in-process, on the example article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import EXAMPLE_ARTICLE


def test_analyze_and_ingest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = str(EXAMPLE_ARTICLE)
    missing = str(tmp_path / "missing.txt")
    data_dir = str(tmp_path / "data")

    assert main(["--data-dir", data_dir, "analyze", "--json", example, missing]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["error"] for line in lines] == [None, f"File not found: {missing}."]
    first = lines[0]
    assert first["published"] == "2025-06-09"
    assert first["title"].startswith("The Ecuadorian National Assembly")
    assert "Andrés Castillo" in first["text"]
    for key in ("url", "canonical_url", "site", "language", "summary", "countries", "persons"):
        assert key in first
    assert first["summary_sentences"] and " ".join(first["summary_sentences"]) == first["summary"]
    assert lines[1]["summary_sentences"] == []
    assert not (tmp_path / "data" / "articles").exists()  # analyze stores nothing

    assert main(["--data-dir", data_dir, "ingest", example]) == 0
    assert capsys.readouterr().out.startswith("stored ")
    assert main(["--data-dir", data_dir, "ingest", "--guild", "42", example, missing]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("already known ")
    assert out[1] == f"error: {missing}: File not found: {missing}."
