from pathlib import Path

from tinydb import TinyDB

from bot.news.atomic import TEMP_SUFFIX
from bot.news.store.tinydb.storage import AtomicJSONStorage


def test_round_trip_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    db.insert({"a": 1})
    db.insert({"b": "é"})
    db.close()
    again = TinyDB(path, storage=AtomicJSONStorage)
    assert sorted(map(dict, again.all()), key=str) == [{"a": 1}, {"b": "é"}]


def test_corrupt_file_is_set_aside_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"_default": {"1": {"a": ')
    db = TinyDB(path, storage=AtomicJSONStorage)
    assert db.all() == []
    aside = [p for p in tmp_path.iterdir() if ".damaged-" in p.name]
    assert len(aside) == 1 and aside[0].read_text() == '{"_default": {"1": {"a": '
    db.insert({"ok": True})
    assert TinyDB(path, storage=AtomicJSONStorage).all() == [{"ok": True}]


def test_leftover_temp_files_are_cleaned(tmp_path: Path) -> None:
    (tmp_path / f"s.json.123{TEMP_SUFFIX}").write_text("half")
    TinyDB(tmp_path / "s.json", storage=AtomicJSONStorage)
    assert not list(tmp_path.glob(f"*{TEMP_SUFFIX}"))
