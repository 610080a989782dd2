"""Round trips of /country, /person and their autocompletes: the real NewsBot, the Discord
emulator, a store of synthetic articles (prints a table, then JSON).

    uv run python -m bench.commands                   # 100k articles, 200 runs each
    uv run python -m bench.commands --quick           # 10k articles
    uv run python -m bench.commands --articles 50000 --runs 100 --json out.json

How it is measured: an interaction is sent through the emulator's gateway and the clock
stops when the emulator has received the bot's answer to it (``Interaction.answered``: the
callback POST for autocomplete and for a command's message). The emulator's "settle" wait
for follow-ups is not in the number (it is set to 1 ms and only awaited afterwards, to check
the reply). Everything runs in one process on one event loop, like ``bot/sandbox/bench.py``.

The store is filled by writing its week files directly (as its compactor would, and as
``bench/store.py`` does), then the bot opens it from the files. Countries are real ISO codes
and persons made-up full names, both with Zipf-like skew.

Targets: autocomplete p95 <= 20 ms, commands p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import inspect
import json
import logging
import random
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path
from typing import Any

from bench.store import synth  # its article generator, entities replaced
from bot.config import load_settings, with_overrides
from bot.news.model import (
    Article,
    CountryMention,
    Development,
    PersonMention,
    person_key,
)
from bot.news.store.tinydb import partitions as parts
from bot.news.understanding.countries import all_codes

DAY = 86400.0
SPAN_DAYS = 365
TARGET_AUTOCOMPLETE_MS = 20.0
TARGET_COMMAND_MS = 100.0

GIVEN = [
    *("Daniel", "Ana", "José", "Marie", "Olaf", "Fumio", "Cyril", "Lula", "Andrés", "Emma"),
    *("Kwame", "Aiko", "Priya", "Sven", "Fatima", "Liam", "Chen", "Olga", "Mateo", "Nadia"),
    *("Omar", "Ingrid", "Hiroshi", "Zanele", "Pablo", "Elif", "Tomasz", "Amara", "Raúl", "Yuki"),
]
SYLLABLES = [
    *("no", "bo", "cas", "ti", "llo", "pé", "rez", "ma", "kar", "sen", "dor", "vi"),
    *("lan", "tu", "ros", "ber", "ga", "mi", "shi", "ko", "wa", "del", "fer", "and"),
]


def surnames(count: int, rng: random.Random) -> list[str]:
    made: dict[str, None] = {}
    while len(made) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        made[word.capitalize()] = None
    return list(made)


def zipf_cumulative(n: int, s: float) -> list[float]:
    return list(accumulate(1 / (rank + 1) ** s for rank in range(n)))


@dataclasses.dataclass
class World:
    countries: list[str]  # most common first
    persons: list[str]  # most common first
    end: float


def make_world(n_countries: int, n_persons: int, rng: random.Random) -> World:
    codes = all_codes()
    rng.shuffle(codes)
    # about two persons per surname, so that a surname alone is sometimes ambiguous
    last = surnames(n_persons // 2 + 1, rng)
    persons: dict[str, None] = {}
    while len(persons) < n_persons:
        persons[f"{rng.choice(GIVEN)} {rng.choice(last)}"] = None
    return World(codes[:n_countries], list(persons), time.time() - 3600)


def make_article(i: int, world: World, rng: random.Random, cum: dict[str, list[float]]) -> Article:
    when = world.end - rng.random() * SPAN_DAYS * DAY
    base = synth(i, rng, when)
    codes = list(
        dict.fromkeys(
            rng.choices(world.countries, cum_weights=cum["c"], k=rng.choice((1, 1, 2, 2, 3)))
        )
    )
    names = list(
        dict.fromkeys(
            rng.choices(world.persons, cum_weights=cum["p"], k=rng.choice((0, 1, 1, 2, 3)))
        )
    )
    return dataclasses.replace(
        base,
        countries=[CountryMention(c, rng.randint(1, 6), rng.random() < 0.3) for c in codes],
        persons=[PersonMention(p, rng.randint(1, 5)) for p in names],
        developments=[Development("country", c, f"In {c}, talks went on.") for c in codes]
        + [Development("person", person_key(p), f"{p} spoke about it.") for p in names],
    )


def fill(data_dir: Path, n: int, guild_id: str, world: World, seed: int = 1) -> float:
    """Write ``n`` articles of ``guild_id`` into the store's week files; seconds taken."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    cum = {
        "c": zipf_cumulative(len(world.countries), 1.1),
        "p": zipf_cumulative(len(world.persons), 1.0),
    }
    weeks: dict[str, dict[str, Any]] = {}
    for i in range(n):
        article = make_article(i, world, rng, cum)
        doc = article.to_dict(with_text=False)
        doc["guilds"] = {guild_id: article.ingested_at}
        doc["event_time"] = article.event_time
        weeks.setdefault(parts.week_of(doc["event_time"]), {})[doc["id"]] = doc
    weeks_dir = data_dir / "articles" / "weeks"
    weeks_dir.mkdir(parents=True, exist_ok=True)
    for week, docs in weeks.items():
        parts.write_week(weeks_dir, week, docs)
    return time.perf_counter() - t0


# ---------------------------------------------------------------- statistics


def summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 3)

    return {"p50_ms": at(0.5), "p95_ms": at(0.95), "max_ms": round(ordered[-1] * 1000, 3),
            "n": len(ordered)}  # fmt: skip


async def time_calls(fn: Callable[[], Any], runs: int, warmup: int = 5) -> dict[str, float]:
    """Time ``fn()``, awaiting what it returns when that is awaitable (the store's calls)."""

    async def call() -> None:
        result = fn()
        if inspect.isawaitable(result):
            await result

    for _ in range(warmup):
        await call()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await call()
        times.append(time.perf_counter() - t0)
    return summary(times)


# ---------------------------------------------------------------- round trips


async def round_trip(emulator: Any, send: Callable[[], Any]) -> float:
    """Seconds from sending the interaction to the emulator holding the bot's answer."""
    t0 = time.perf_counter()
    handle = send()
    inter = handle.interaction
    await emulator.wait_for(lambda: inter.answered or bool(inter.rejections), timeout=10)
    elapsed = time.perf_counter() - t0
    reply = await handle  # the settle wait, outside the measured time
    if not reply.ok:
        raise RuntimeError(f"refused or no answer: {reply.rejections or reply.text()}")
    return elapsed


class FullCollections:
    """Full (generation 2) garbage collections while measuring: the usual cause of the
    rare slow round trip, so the table says how many there were and how long they took."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.times.append(time.perf_counter() - self._started)

    def __enter__(self) -> FullCollections:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


async def measure(emulator: Any, send: Callable[[], Any], runs: int, warmup: int) -> dict:
    for _ in range(warmup):
        await round_trip(emulator, send)
    with FullCollections() as full:
        row = summary([await round_trip(emulator, send) for _ in range(runs)])
    row["full_gc"] = len(full.times)
    row["full_gc_ms"] = round(sum(full.times) * 1000, 1)
    return row


def cases(world: World, store: Any, guild_id: str) -> list[tuple[str, str, Callable]]:
    from bot.news.queries import _country_matches

    common_c, rare_c = world.countries[0], world.countries[-1]
    counts = store.entity_counts(guild_id, "person")
    names = store.person_names(guild_id)
    ranked = sorted(counts, key=lambda k: -counts[k])
    common_p = names[ranked[0]]
    rare_p = names[ranked[-1]]
    surname = common_p.split()[-1]
    typo = common_p[:3] + common_p[4:]  # a letter left out
    return [
        ("command", f"/country {common_c} (common)", lambda u: u.slash("country", name=common_c)),
        ("command", f"/country {rare_c} (rare)", lambda u: u.slash("country", name=rare_c)),
        ("command", f"/person {common_p} (full name)",
         lambda u: u.slash("person", name=common_p)),
        ("command", f"/person {surname} (surname)", lambda u: u.slash("person", name=surname)),
        ("command", f"/person {rare_p} (rare)", lambda u: u.slash("person", name=rare_p)),
        ("autocomplete", "country name: ''", lambda u: u.autocomplete("country", "name", "")),
        ("autocomplete", "country name: 'a'", lambda u: u.autocomplete("country", "name", "a")),
        ("autocomplete", "country name: 'ger'",
         lambda u: u.autocomplete("country", "name", "ger")),
        ("autocomplete", "country name: 'xqz'",
         lambda u: u.autocomplete("country", "name", "xqz")),
        ("autocomplete", "country name: 'ger' (first time typed: uncached)",
         lambda u: (_country_matches.cache_clear(), u.autocomplete("country", "name", "ger"))[1]),
        ("autocomplete", "person name: ''", lambda u: u.autocomplete("person", "name", "")),
        ("autocomplete", "person name: 'a'", lambda u: u.autocomplete("person", "name", "a")),
        ("autocomplete", f"person name: '{surname[:3].lower()}'",
         lambda u: u.autocomplete("person", "name", surname[:3].lower())),
        ("autocomplete", f"person name: '{common_p[:8]}'",
         lambda u: u.autocomplete("person", "name", common_p[:8])),
        ("autocomplete", "person name: 'zzqx' (no match, fuzzy)",
         lambda u: u.autocomplete("person", "name", "zzqx")),
        ("autocomplete", f"person name: '{typo}' (typo, fuzzy)",
         lambda u: u.autocomplete("person", "name", typo)),
    ]  # fmt: skip


async def query_timings(bot: Any, world: World, guild_id: str, runs: int) -> dict[str, Any]:
    """In-process timings of what the commands call, to find the slow part."""
    from bot.news.queries import _country_matches

    finder, store = bot.services.finder, bot.services.store.articles
    common_c, rare_c = world.countries[0], world.countries[-1]
    since = time.time() - 7 * DAY
    out: dict[str, Any] = {}
    for text in ("", "a", "ger", "xqz"):
        out[f"finder.suggest_countries({text!r})"] = await time_calls(
            lambda t=text: finder.suggest_countries(guild_id, t), runs
        )
    for text in ("ger", "xqz"):
        # the first time a text is typed: the gazetteer scan, not the finder's cache
        out[f"finder.suggest_countries({text!r}) uncached"] = await time_calls(
            lambda t=text: (_country_matches.cache_clear(), finder.suggest_countries(guild_id, t))[
                1
            ],
            runs,
        )
    person = world.persons[0]
    for text in ("", "a", "mar", "zzqx", person[:8], person[:3] + person[4:]):
        out[f"finder.suggest_persons({text!r})"] = await time_calls(
            lambda t=text: finder.suggest_persons(guild_id, t), runs
        )
    out["finder.resolve_person(surname)"] = await time_calls(
        lambda: finder.resolve_person(guild_id, world.persons[0].split()[-1]), runs
    )
    for label, code in (("common", common_c), ("rare", rare_c)):
        out[f"store.count(country {label}, 7 days)"] = await time_calls(
            lambda c=code: store.count(guild_id, "country", c, since=since), runs
        )
        out[f"store.by_country({label}, 7 days, 5)"] = await time_calls(
            lambda c=code: store.by_country(guild_id, c, since=since, limit=5), runs
        )
    out["finder person index rebuild (names changed)"] = await time_calls(
        lambda: (finder._persons.clear(), finder._person_index(guild_id))[1], min(runs, 50)
    )
    out["store.entity_counts(person)"] = await time_calls(
        lambda: store.entity_counts(guild_id, "person"), min(runs, 50)
    )
    out["store.entity_counts(country)"] = await time_calls(
        lambda: store.entity_counts(guild_id, "country"), runs
    )
    out["store.person_names"] = await time_calls(
        lambda: store.person_names(guild_id), min(runs, 50)
    )
    return out


async def run(n: int, runs: int, warmup: int) -> dict[str, Any]:
    from bot.sandbox.emulator import Emulator
    from bot.sandbox.harness import connected_bot
    from bot.ui.client import NewsBot

    result: dict[str, Any] = {
        "articles": n,
        "runs": runs,
        "measured": "send INTERACTION_CREATE -> emulator holds the bot's answer (callback "
        "received); settle wait excluded; one process, one event loop",
    }
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        async with Emulator(settle=0.001) as emulator:
            guild_id = str(emulator.guild.id)
            world = make_world(200, 20_000, random.Random(7))
            print(f"filling {n:,} articles ...", file=sys.stderr, flush=True)
            result["fill_s"] = round(fill(data_dir, n, guild_id, world), 2)
            base = load_settings(env={}, config_file=data_dir / "absent.toml")
            settings = with_overrides(base, data_dir=data_dir)
            t0 = time.perf_counter()
            bot = NewsBot(settings, **emulator.client_kwargs())
            async with connected_bot(emulator, bot, timeout=120) as bot:
                result["start_to_ready_s"] = round(time.perf_counter() - t0, 2)
                stats = (await bot.services.store.articles.stats(guild_id)).to_dict()
                result["store"] = {k: stats[k] for k in ("articles", "countries", "persons")}
                user = emulator.user("alice")
                # the first person autocomplete builds the guild's name list
                first = await round_trip(emulator, lambda: user.autocomplete("person", "name", "a"))
                result["first_person_autocomplete_ms"] = round(first * 1000, 1)
                trips: dict[str, Any] = {}
                for kind, label, send in cases(world, bot.services.store, guild_id):
                    print(f"  {label} ...", file=sys.stderr, flush=True)
                    row = await measure(emulator, lambda s=send: s(user), runs, warmup)
                    trips[label] = {"kind": kind, **row}
                result["round_trips"] = trips
                result["queries"] = await query_timings(bot, world, guild_id, runs)
    for kind, target in (("autocomplete", TARGET_AUTOCOMPLETE_MS), ("command", TARGET_COMMAND_MS)):
        worst = max(r["p95_ms"] for r in result["round_trips"].values() if r["kind"] == kind)
        result[f"{kind}_p95_worst_ms"] = worst
        result[f"{kind}_target_met"] = worst <= target
    return result


def table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['articles']:,} articles, {result['store']}; fill {result['fill_s']} s, "
        f"bot start to ready {result['start_to_ready_s']} s; first person autocomplete "
        f"(builds the name list) {result['first_person_autocomplete_ms']} ms",
        f"round trip = {result['measured']}",
        "",
        f"{'round trip':52} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'n':>5} "
        f"{'full GCs (ms)':>14}",
    ]
    for label, r in result["round_trips"].items():
        gcs = f"{r['full_gc']} ({r['full_gc_ms']:g})"
        lines.append(
            f"{label:52} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8} {r['n']:>5} {gcs:>14}"
        )
    lines.append("")
    lines.append(f"{'in-process query':52} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'n':>5}")
    for label, r in result["queries"].items():
        lines.append(f"{label:52} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8} {r['n']:>5}")
    lines.append("")
    for kind, target in (("autocomplete", TARGET_AUTOCOMPLETE_MS), ("command", TARGET_COMMAND_MS)):
        worst = result[f"{kind}_p95_worst_ms"]
        verdict = "met" if result[f"{kind}_target_met"] else "MISSED"
        lines.append(f"{kind}: worst p95 {worst} ms, target <= {target:g} ms: {verdict}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=None, help="default 100000")
    parser.add_argument("--quick", action="store_true", help="10,000 articles")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    n = args.articles or (10_000 if args.quick else 100_000)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord.client").setLevel(logging.ERROR)  # no voice: not used
    result = asyncio.run(run(n, args.runs, args.warmup))
    print(table(result))
    text = json.dumps(result, ensure_ascii=False)
    print(text)
    if args.json:
        with contextlib.suppress(FileNotFoundError):
            args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
