"""Story merging on pairs: precision and recall of ``same_event``, and grouping speed.

    uv run python -m bench.stories [--set bench/stories_pairs.json] [--json out.json]

Reads the pair set built by ``bench/stories_set.py`` (how it is made, and what is weak
about it, is said there). A pair is a true positive when both articles report the same
event and ``same_event`` says so. Precision and recall are printed for the ``dev`` half
(where the thresholds were chosen) and the ``test`` half (never tuned on), overall and
per kind of pair (for kinds with only different-event pairs, how many were wrongly
merged); then the median time of ``group_stories`` over the set's 445 articles and over
2,000 (the set repeated: every story told by four or five sites, a worst case).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bench.stories_set import load_record
from bot.news.stories import features, group_stories, same_event

ROOT = Path(__file__).resolve().parent.parent


def score(pairs: list[dict], verdicts: list[bool]) -> dict[str, float | int]:
    tp = sum(1 for p, v in zip(pairs, verdicts, strict=True) if v and p["same_event"])
    fp = sum(1 for p, v in zip(pairs, verdicts, strict=True) if v and not p["same_event"])
    fn = sum(1 for p, v in zip(pairs, verdicts, strict=True) if not v and p["same_event"])
    return {
        "pairs": len(pairs),
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def evaluate(data: dict) -> tuple[dict, list[dict]]:
    arts = {r["rid"]: load_record(r) for r in data["articles"]}
    feats = {rid: features(a) for rid, a in arts.items()}
    undated = {rid: features(_undated(a)) for rid, a in arts.items()}
    verdicts = []
    for p in data["pairs"]:
        source = undated if p["same_day"] else feats
        verdicts.append(same_event(source[p["a"]], source[p["b"]]))
    results: dict = {}
    errors = []
    for split in ("dev", "test"):
        chosen = [
            (p, v) for p, v in zip(data["pairs"], verdicts, strict=True) if p["split"] == split
        ]
        ps, vs = [p for p, _ in chosen], [v for _, v in chosen]
        results[split] = {"all": score(ps, vs)}
        for kind in sorted({p["kind"] for p in ps}):
            kp = [(p, v) for p, v in chosen if p["kind"] == kind]
            results[split][kind] = score([p for p, _ in kp], [v for _, v in kp])
        if split == "dev":
            errors = [
                {"kind": p["kind"], "a": arts[p["a"]].title, "b": arts[p["b"]].title}
                for p, v in chosen
                if v != p["same_event"]
            ]
    return results, errors


def _undated(article):
    article.published = None
    return article


def grouping_speed(data: dict, n: int = 2000, runs: int = 5) -> dict[str, float]:
    base = [load_record(r) for r in data["articles"]]
    arts = []
    for i in range(n):
        art = load_record(data["articles"][i % len(base)])
        art.canonical_url = art.url = f"{art.url}/{i}"
        art.id = str(i)
        arts.append(art)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        stories = group_stories(arts)
        times.append(time.perf_counter() - started)
    return {"articles": n, "stories": len(stories), "median_s": round(statistics.median(times), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=ROOT / "bench" / "stories_pairs.json")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--show-errors", action="store_true", help="list the dev half's errors")
    args = parser.parse_args(argv)
    data = json.loads(args.set.read_text(encoding="utf-8"))
    results, errors = evaluate(data)
    results["grouping"] = grouping_speed(data, len(data["articles"]))
    results["grouping_2000"] = grouping_speed(data, 2000)
    print(json.dumps(results, indent=1))
    print(f"\n{'split':6} {'kind':14} {'pairs':>6} {'precision':>9} {'recall':>7} {'merged':>7}")
    for split in ("dev", "test"):
        for kind, row in results[split].items():
            if row["tp"] + row["fn"]:  # has same-event pairs
                p, r = f"{row['precision']:9.3f}", f"{row['recall']:7.3f}"
            else:  # different events only: precision and recall say nothing, count merges
                p, r = f"{'':9}", f"{'':7}"
            print(f"{split:6} {kind:14} {row['pairs']:6} {p} {r} {row['tp'] + row['fp']:7}")
    print()
    for g in (results["grouping"], results["grouping_2000"]):
        print(
            f"group_stories: {g['articles']} articles -> {g['stories']} stories, "
            f"median {g['median_s']} s"
        )
    if args.show_errors:
        for e in errors:
            print(f"[{e['kind']}] {e['a']!r}  <>  {e['b']!r}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
