"""How ``enrich`` time grows with a page's length: a page of N short sentences, each naming
a person and a country, enriched at several N. Time per page should grow in proportion to
N; a finder that rereads the whole page for every mention makes it grow with N squared.

    uv run python -m bench.enrich_length [--sizes 300,1000,3000] [--runs 3] [--json out.json]

Prints the median seconds per page at each size, and each size's ratio to the smallest
(for linear growth, about the ratio of the sizes).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bot.news.understanding.enrich import enrich

SENTENCE = "Ivan Petrov met officials in France. "


def measure(sizes: list[int], runs: int) -> dict[str, dict[str, float]]:
    enrich("", "Warm up the model with one sentence.")
    out: dict[str, dict[str, float]] = {}
    for size in sizes:
        text = SENTENCE * size
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            enrich("", text)
            times.append(time.perf_counter() - started)
        out[str(size)] = {"chars": len(text), "median_s": round(statistics.median(times), 3)}
    smallest = out[str(sizes[0])]["median_s"]
    for row in out.values():
        row["ratio"] = round(row["median_s"] / smallest, 2) if smallest else 0.0
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="300,1000,3000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    results = measure(sizes, args.runs)
    print(f"{'sentences':>9} {'chars':>8} {'median s':>9} {'ratio':>6}")
    for size, row in results.items():
        print(f"{size:>9} {row['chars']:>8} {row['median_s']:>9.3f} {row['ratio']:>6.2f}")
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
