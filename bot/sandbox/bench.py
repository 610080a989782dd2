"""Timings of the emulator with the real discord.py client (prints a table, then JSON).

    uv run python -m bot.sandbox.bench [--rounds 50]

Not a test: numbers vary with the machine; tests never assert times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any


def _bot_class():
    import discord
    from discord import app_commands
    from discord.ext import commands

    class Pager(discord.ui.View):
        @discord.ui.button(label="Next")
        async def next_page(self, interaction: discord.Interaction, _button: Any) -> None:
            await interaction.response.edit_message(content="next", view=self)

    class BenchBot(commands.Bot):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(command_prefix="!", intents=discord.Intents.default(), **kwargs)

        async def setup_hook(self) -> None:
            @app_commands.command(name="ping", description="An embed and a button")
            async def ping(interaction: discord.Interaction, name: str = "x") -> None:
                embed = discord.Embed(title=f"pong {name}", description="d" * 500)
                await interaction.response.send_message(embed=embed, view=Pager(timeout=None))

            self.tree.add_command(ping)

    return BenchBot


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 2),
        "n": len(ordered),
    }


async def run(rounds: int) -> dict[str, Any]:
    from bot.sandbox.emulator import Emulator
    from bot.sandbox.harness import connected_bot
    from bot.sandbox.validation import RequestValidator, SpecValidator

    bot_class = _bot_class()
    results: dict[str, Any] = {}
    started = time.perf_counter()
    validator = RequestValidator(SpecValidator.shared())
    results["spec_load"] = _ms([time.perf_counter() - started])

    ready, syncs, slashes, clicks, resumes = [], [], [], [], []
    for attempt in range(3):
        async with Emulator() as emulator:
            t0 = time.perf_counter()
            bot = bot_class(**emulator.client_kwargs())
            async with connected_bot(emulator, bot, sync=False):
                ready.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                await bot.tree.sync()
                syncs.append(time.perf_counter() - t0)
                user = emulator.user()
                reply = None
                for _ in range(rounds if attempt == 0 else 5):
                    t0 = time.perf_counter()
                    reply = await user.slash("ping", name="Ecuador")
                    slashes.append(time.perf_counter() - t0 - emulator.settle)
                    t0 = time.perf_counter()
                    await user.click(reply, "Next")
                    clicks.append(time.perf_counter() - t0 - emulator.settle)
                t0 = time.perf_counter()
                await emulator.request_reconnect()
                resumes.append(time.perf_counter() - t0)
    results["start_to_ready"] = _ms(ready)
    results["command_sync"] = _ms(syncs)
    results["slash_round_trip_minus_settle"] = _ms(slashes)
    results["click_round_trip_minus_settle"] = _ms(clicks)
    results["op7_to_resumed"] = _ms(resumes)

    body = {"type": 4, "data": {"embeds": [{"title": "t", "description": "d" * 4000,
            "fields": [{"name": "n", "value": "v"}] * 10}]}}  # fmt: skip
    template = "/interactions/{interaction_id}/{interaction_token}/callback"
    validator.callback(template, body)  # compile once
    times = []
    for _ in range(200):
        t0 = time.perf_counter()
        validator.callback(template, body)
        times.append(time.perf_counter() - t0)
    results["validate_callback_body"] = _ms(times)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    results = asyncio.run(run(args.rounds))
    print(f"{'measure':34} {'median ms':>10} {'p90 ms':>8} {'n':>5}")
    for name, row in results.items():
        print(f"{name:34} {row['median_ms']:>10} {row['p90_ms']:>8} {row['n']:>5}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
