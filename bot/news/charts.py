"""Charts of developments over time: what to draw (from the store's counts) and the PNG.

``trend_chart`` and ``timeline_chart`` read daily counts from the store's per-entity
indexes (no article is read). ``render_png`` draws a ``Chart`` with matplotlib's headless
Agg backend; it is CPU work and runs in a worker process (``bot.ui.charts``). A chart
with nothing to show is ``empty`` and is not drawn.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.news.model import EntityKind
from bot.news.store.interface import Articles
from bot.news.understanding.countries import country_name

DAY = 86400.0
WIDTH_PX = 800
HEIGHT_PX = 400
SMALL_HEIGHT_PX = 240
DPI = 100
MAX_PNG_BYTES = 512 * 1024  # far below Discord's upload limit; a chart is ~30-60 kB
MAX_DAYS = 366
TREND_PER_KIND = 3


class ChartTooLarge(Exception):
    """The PNG came out larger than ``MAX_PNG_BYTES``."""


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    counts: tuple[int, ...]  # one per day of the chart


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    days: tuple[date, ...]
    series: tuple[Series, ...]
    small: bool = False  # a timeline under a list, not a chart of its own

    @property
    def empty(self) -> bool:
        """Nothing to show: no development at all, or several lines all on one day (they
        would only hide each other; the list above says the same)."""
        counts = [s.counts for s in self.series]
        days_with_news = sum(1 for day in zip(*counts, strict=True) if any(day))
        return days_with_news == 0 or (len(self.series) > 1 and days_with_news < 2)

    @property
    def size(self) -> tuple[int, int]:
        return (WIDTH_PX, SMALL_HEIGHT_PX if self.small else HEIGHT_PX)


def day_starts(now: float, days: int) -> list[float]:
    """The UTC midnights of the last ``days`` days, today's last."""
    today = (now // DAY) * DAY
    days = max(1, min(days, MAX_DAYS))
    return [today - (days - 1 - i) * DAY for i in range(days)]


async def daily(
    articles: Articles, guild_id: str, kind: EntityKind, key: str, starts: list[float]
) -> tuple[int, ...]:
    """One entity's developments on each day that starts at ``starts``."""
    return tuple(
        [
            await articles.count(guild_id, kind, key, since=start, until=start + DAY)
            for start in starts
        ]
    )


def _days(starts: list[float]) -> tuple[date, ...]:
    return tuple(datetime.fromtimestamp(s, UTC).date() for s in starts)


async def trend_chart(articles: Articles, guild_id: str, *, now: float, days: int) -> Chart:
    """Daily developments of the most mentioned countries and people of the last ``days``."""
    starts = day_starts(now, days)
    since, until = starts[0], starts[-1] + DAY
    names = await articles.person_names(guild_id)
    series = []
    for kind in ("country", "person"):
        counts = await articles.entity_counts(guild_id, kind, since=since, until=until)
        top = sorted(counts, key=lambda k: (-counts[k], k))[:TREND_PER_KIND]
        for key in top:
            label = (country_name(key) or key) if kind == "country" else names.get(key, key)
            series.append(Series(label, await daily(articles, guild_id, kind, key, starts)))
    title = f"Developments per day, last {len(starts)} days"
    return Chart(title, _days(starts), tuple(series))


async def timeline_chart(
    articles: Articles,
    guild_id: str,
    kind: EntityKind,
    key: str,
    label: str,
    *,
    now: float,
    days: int,
) -> Chart:
    """One entity's developments per day over the last ``days`` days."""
    starts = day_starts(now, days)
    counts = await daily(articles, guild_id, kind, key, starts)
    title = f"{label}: developments per day"
    return Chart(title, _days(starts), (Series(label, counts),), small=True)


def render_png(chart: Chart) -> bytes:
    """The chart as PNG bytes (``WIDTH_PX`` wide). Raises ``ChartTooLarge``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    width, height = chart.size
    # Names come from web pages: never read "$...$" in them as math.
    with matplotlib.rc_context({"text.parse_math": False, "font.size": 9}):
        fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
        ax = fig.add_subplot()
        x = list(chart.days)
        if len(chart.series) == 1:
            ax.bar(x, chart.series[0].counts, color="#2B6CB0", width=0.8)
        else:
            for s in chart.series:
                ax.plot(x, s.counts, marker="o", markersize=3, linewidth=1.6, label=s.label[:40])
            ax.legend(loc="upper left", fontsize=8, frameon=False)
        ax.set_title(chart.title[:120])
        ax.set_ylabel("developments")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylim(bottom=0)
        first, last = mdates.date2num(x[0]), mdates.date2num(x[-1])
        ax.set_xlim(first - 0.6, last + 0.6)
        locator = mdates.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI)
    data = out.getvalue()
    if len(data) > MAX_PNG_BYTES:
        raise ChartTooLarge(f"chart PNG of {len(data)} bytes")
    return data
