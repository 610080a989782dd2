"""Charts: daily counts from a real store, PNG size, nothing drawn for an empty chart."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from bot.news.charts import DAY, Chart, Series, render_png, timeline_chart, trend_chart
from bot.news.store.tinydb.articles import TinyArticles

from .digest_support import article

NOW = 1_795_000_000.0  # a fixed instant; charts count whole UTC days up to it


async def test_trend_and_timeline_count_developments_per_day(tmp_path: Path) -> None:
    store = await TinyArticles.open(tmp_path / "articles")
    try:
        today = (NOW // DAY) * DAY
        for n, (day, countries, persons) in enumerate(
            [
                (0, ("CL",), ()),
                (0, ("CL", "BR"), ("Ana Uno",)),
                (-2, ("CL",), ()),
                (-9, ("BR",), ()),
            ]
        ):
            art = article(
                n, f"Story {n}", when=today + day * DAY + 60, countries=countries, persons=persons
            )
            await store.add(art, "1")
        trend = await trend_chart(store, "1", now=NOW, days=7)
        assert len(trend.days) == 7 and not trend.empty
        series = {s.label: s.counts for s in trend.series}
        assert series["Chile"] == (0, 0, 0, 0, 1, 0, 2)
        assert series["Brazil"] == (0, 0, 0, 0, 0, 0, 1)  # the one 9 days ago is outside
        assert series["Ana Uno"] == (0, 0, 0, 0, 0, 0, 1)
        timeline = await timeline_chart(store, "1", "country", "BR", "Brazil", now=NOW, days=14)
        assert sum(timeline.series[0].counts) == 2 and timeline.small
        assert (await trend_chart(store, "other guild", now=NOW, days=7)).empty
    finally:
        await store.close()


def test_png_has_the_chart_size_and_names_are_not_math() -> None:
    from datetime import date, timedelta

    days = tuple(date(2026, 11, 1) + timedelta(i) for i in range(14))
    chart = Chart("Trend", days, (Series("A $x^2$ name", (1,) * 14), Series("B", (0, 3) * 7)))
    png = render_png(chart)
    assert png.startswith(b"\x89PNG") and len(png) < 200_000
    assert Image.open(io.BytesIO(png)).size == (800, 400)
    small = Chart("One", days, (Series("A", (0, 1) * 7),), small=True)
    assert Image.open(io.BytesIO(render_png(small))).size == (800, 240)
    assert Chart("Nothing", days, (Series("A", (0,) * 14),)).empty
    one_day = (0,) * 13 + (2,)
    assert not Chart("One bar", days, (Series("A", one_day),)).empty
    assert Chart("Lines on one day", days, (Series("A", one_day), Series("B", one_day))).empty
