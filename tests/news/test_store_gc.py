"""The store's loaded index is kept out of the cyclic garbage collector's full passes."""

from __future__ import annotations

import gc
import random
from pathlib import Path

from bot.news.store import ArticleStore
from tests.news.store_helpers import make_article


async def test_open_freezes_the_loaded_index(tmp_path: Path) -> None:
    rng = random.Random(3)
    store = await ArticleStore.open(tmp_path / "articles", compact_every=3600.0)
    for n in range(20):
        await store.add(make_article(n, rng, start=1.78e9, span=86400.0), "g1")
    await store.close()
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    store = await ArticleStore.open(tmp_path / "articles", compact_every=3600.0)
    try:
        assert len(store.index) == 20
        assert gc.get_freeze_count() > 0
        tracked = {id(o) for o in gc.get_objects()}
        assert id(store.index.post) not in tracked  # not traversed by a full collection
    finally:
        await store.close()
        gc.unfreeze()
