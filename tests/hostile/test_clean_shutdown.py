"""``newsbot sandbox --run "/latest"`` with the real bot ends cleanly: no ERROR, no
warning, even though the worker is still warming up when the script ends."""

from __future__ import annotations

import logging

import pytest

from bot.cli import main


def test_sandbox_run_ends_without_error_or_warning(
    tmp_path, caplog, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path))
    caplog.set_level(logging.WARNING)
    code = main(["sandbox", "--run", "/latest", "--timeout", "30"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "newsbot" in out  # the reply was printed
    noisy = [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= max(logging.WARNING, logging.getLogger(r.name).getEffectiveLevel())
    ]
    assert noisy == [], noisy
