"""Charts as Discord attachments, drawn in a worker process of their own.

matplotlib is CPU work (50-200 ms a chart) and must not run on the event loop; it also
should not wait behind article analysis, so charts get a one-process pool that starts on
the first chart (no spaCy in it).
"""

from __future__ import annotations

import io
import logging

import discord

from bot.news.charts import Chart, ChartTooLarge, render_png
from bot.news.understanding.pipeline import WorkerCrashed, WorkerPool, WorkerTimeout

log = logging.getLogger(__name__)

CHART_TIMEOUT = 30.0  # seconds for one chart once the worker runs
START_TIMEOUT = 60.0  # the first chart starts the process (imports matplotlib)


class ChartRenderer:
    def __init__(self) -> None:
        self.pool = WorkerPool(workers=1, initializer=None, start_timeout=START_TIMEOUT)

    async def attachment(self, chart: Chart, filename: str) -> discord.File | None:
        """The chart as a PNG attachment; ``None`` when there is nothing to show or it could
        not be drawn (logged: a list without its chart is still worth sending)."""
        if chart.empty:
            return None
        try:
            png = await self.pool.run(CHART_TIMEOUT, render_png, chart)
        except (WorkerTimeout, WorkerCrashed, ChartTooLarge) as exc:
            log.warning("chart %s not drawn: %r", filename, exc)
            return None
        return discord.File(io.BytesIO(png), filename=filename, description=chart.title[:1024])

    async def close(self) -> None:
        await self.pool.close()
