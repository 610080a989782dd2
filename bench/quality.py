"""Quality of extraction, entities and summaries, on the tune and held halves side by side.

    uv run python -m bench.quality [--data ../shared/data] [--json out.json] [--only PART]
        [--show-errors]

Every labelled item is in one fixed half (``bench/split.py``): "tune" is what rules were
written against, "held" is never read while writing them. Both are printed.

1. extraction: word-4-gram shingle precision/recall/F1 of ``extract_html`` against the
   hand-made ``articleBody`` (averaged over pages), and the pages scoring below 0.5.
2. entities: countries and persons from ``enrich`` against ``entities/dev.json`` (on the
   extracted text, and on the gold body to separate extraction errors from NLP errors) and
   against ``bench/labels/cnndm-entities.json`` (CNN/DailyMail article text), micro-averaged
   over (item, entity) pairs; English items and non-English pages (``labels/languages.json``)
   separately.
3. summaries: ROUGE-1/2/L F1 (``bench/rouge.py``: lower-cased alphanumeric tokens, no
   stemming) of ``summarize`` and of Lead-3 (the first three sentences of the same splitter).

``--show-errors`` lists entity errors of the tune half only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from bench.extraction_score import load_pages
from bench.rouge import rouge
from bench.split import PARTS, part_of
from bot.news.model import person_key
from bot.news.understanding.enrich import enrich
from bot.news.understanding.extract import NotAnArticle, extract_html
from bot.news.understanding.scoring import shingle_prf
from bot.news.understanding.sentences import split_sentences
from bot.news.understanding.summary import summarize

ROOT = Path(__file__).resolve().parent.parent

LABELS = ROOT / "bench" / "labels"


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "tp": tp, "fp": fp, "fn": fn}  # fmt: skip


def extraction_part(data: Path) -> tuple[dict, dict[str, tuple[str, str, str | None, list[str]]]]:
    scores: dict[str, list[tuple[float, float, float]]] = {p: [] for p in PARTS}
    extracted: dict[str, tuple[str, str, str | None, list[str]]] = {}
    started = time.perf_counter()
    for page_id, url, gold, html in load_pages(data):
        try:
            result = extract_html(html, url)
            title, text, lang = result.title, result.text, result.language
            authors = result.authors
        except NotAnArticle:
            title, text, lang, authors = "", "", None, []
        extracted[page_id] = (title, text, lang, authors)
        scores[part_of(page_id)].append(shingle_prf(text, gold))
    elapsed = time.perf_counter() - started
    out: dict[str, dict] = {}
    for part, rows in scores.items():
        out[part] = {
            "pages": len(rows),
            "precision": round(statistics.mean(s[0] for s in rows), 4),
            "recall": round(statistics.mean(s[1] for s in rows), 4),
            "f1": round(statistics.mean(s[2] for s in rows), 4),
            "below_0_5": sum(1 for s in rows if s[2] < 0.5),
        }
    out["pages_per_s"] = round(len(extracted) / elapsed, 1)
    return out, extracted


def _count(gold: Iterable[str], pred: Iterable[str]) -> tuple[int, int, int, set, set]:
    g, p = set(gold), set(pred)
    return len(g & p), len(p - g), len(g - p), p - g, g - p


def _entity_items(
    data: Path,
    texts: dict[str, tuple[str, str, str | None, list[str]]],
    gold_bodies: dict[str, str],
) -> list[tuple[str, str, dict, dict[str, tuple[str, str, str | None, list[str]]]]]:
    """(id, language, labels, {source: (title, text, declared language, byline)}) per item."""
    languages = json.loads((LABELS / "languages.json").read_text(encoding="utf-8"))
    items = []
    dev = json.loads((data / "entities" / "dev.json").read_text(encoding="utf-8"))
    for page_id, label in sorted(dev.items()):
        sources = {
            "extracted": texts.get(page_id, ("", "", None, [])),
            "gold_text": ("", gold_bodies.get(page_id, ""), None, []),
        }
        items.append((page_id, languages.get(page_id, "en"), label, sources))
    articles = {
        row["id"]: row["article"]
        for row in map(json.loads, (data / "summaries" / "cnndm-dev.jsonl").open(encoding="utf-8"))
    }
    cnndm = json.loads((LABELS / "cnndm-entities.json").read_text(encoding="utf-8"))
    for article_id, label in sorted(cnndm.items()):
        body = ("", articles[article_id], None, [])
        items.append((article_id, "en", label, {"extracted": body, "gold_text": body}))
    return items


def entities_part(
    data: Path,
    texts: dict[str, tuple[str, str, str | None, list[str]]],
    gold_bodies: dict[str, str],
    show_errors: bool,
) -> dict:
    totals: dict[str, list[int]] = {}
    errors: list[str] = []
    started = time.perf_counter()
    calls = 0
    items = _entity_items(data, texts, gold_bodies)
    for item_id, language, label, sources in items:
        part = part_of(item_id)
        scope = "english" if language == "en" else "other"
        gold_c = {c.upper() for c in label["countries"]}
        gold_p = {person_key(p) for p in label["persons"]}
        for source, (title, text, lang, authors) in sources.items():
            result = enrich(title, text, language=lang, authors=authors) if text.strip() else None
            calls += 1
            pred_c = {c.code for c in result.countries} if result else set()
            pred_p = {p.key for p in result.persons} if result else set()
            for kind, gold, pred in (("countries", gold_c, pred_c), ("persons", gold_p, pred_p)):
                tp, fp, fn, extra, missed = _count(gold, pred)
                row = totals.setdefault(f"{part}/{source}/{scope}/{kind}", [0, 0, 0])
                row[0] += tp
                row[1] += fp
                row[2] += fn
                if show_errors and part == "tune" and source == "extracted" and (extra or missed):
                    errors.append(
                        f"{item_id[:12]} {kind:9} +{sorted(extra)} -{sorted(missed)}"
                        f"{'' if language == 'en' else f' ({language})'}"
                    )
    elapsed = time.perf_counter() - started
    out: dict = {key: prf(*row) for key, row in sorted(totals.items())}
    for part in PARTS:
        in_part = [i for i in items if part_of(i[0]) == part]
        out[f"{part}/items"] = len(in_part)
        out[f"{part}/english_items"] = sum(1 for i in in_part if i[1] == "en")
    out["ms_per_enrich"] = round(1000 * elapsed / max(1, calls), 1)
    if show_errors:
        print("\n".join(errors))
    return out


def lead3(text: str) -> str:
    return " ".join(split_sentences(text)[:3])


def summaries_part(data: Path) -> dict:
    rows = [
        json.loads(line)
        for line in (data / "summaries" / "cnndm-dev.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    systems = {"newsbot": lambda a: summarize("", a), "lead3": lead3}
    out: dict[str, dict] = {}
    for part in PARTS:
        chosen = [row for row in rows if part_of(row["id"]) == part]
        out[part] = {"articles": len(chosen)}
        for name, system in systems.items():
            scores: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeL": []}
            lengths = []
            for row in chosen:
                candidate = system(row["article"])
                lengths.append(len(candidate))
                for metric, value in rouge(candidate, row["reference"]).items():
                    scores[metric].append(value)
            out[part][name] = {m: round(100 * statistics.mean(v), 2) for m, v in scores.items()}
            out[part][name]["mean_chars"] = round(statistics.mean(lengths))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--only", choices=["extraction", "entities", "summaries"])
    parser.add_argument(
        "--show-errors", action="store_true", help="list entity errors of the tune half"
    )
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no shared data at {args.data}", file=sys.stderr)
        return 2
    results: dict[str, dict] = {}
    if args.only in (None, "extraction", "entities"):
        results["extraction"], texts = extraction_part(args.data)
        gold = {page_id: body for page_id, _, body, _ in load_pages(args.data)}
        if args.only != "extraction":
            results["entities"] = entities_part(args.data, texts, gold, args.show_errors)
    if args.only in (None, "summaries"):
        results["summaries"] = summaries_part(args.data)
    _print_table(results)
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def _print_table(results: dict[str, dict]) -> None:
    if "extraction" in results:
        e = results["extraction"]
        print(f"extraction (shingle P/R/F1 averaged over pages; {e['pages_per_s']} pages/s)")
        for part in PARTS:
            row = e[part]
            print(
                f"  {part:5} {row['pages']:3} pages  P {row['precision']:.3f}  "
                f"R {row['recall']:.3f}  F1 {row['f1']:.3f}  pages < .5: {row['below_0_5']}"
            )
    if "entities" in results:
        e = results["entities"]
        print(
            f"\nentities (dev pages + labelled CNN/DailyMail; micro-averaged over (item, entity)"
            f" pairs; {e['ms_per_enrich']} ms per enrich)"
        )
        print(
            "  items: "
            + ", ".join(
                f"{part} {e[f'{part}/items']} ({e[f'{part}/english_items']} English)"
                for part in PARTS
            )
        )
        print(
            f"  {'text':10} {'pages':8} {'kind':10} {'tune P':>7} {'R':>6}  {'held P':>7} "
            f"{'R':>6}  tp/fp/fn tune | held"
        )
        keys = sorted({k.split("/", 1)[1] for k in e if k.startswith("tune/") and "/" in k[5:]})
        for key in keys:
            tune, held = e.get(f"tune/{key}"), e.get(f"held/{key}")
            if not isinstance(tune, dict) or not isinstance(held, dict):
                continue
            source, scope, kind = key.split("/")
            print(
                f"  {source:10} {scope:8} {kind:10} {tune['precision']:7.3f} {tune['recall']:6.3f}"
                f"  {held['precision']:7.3f} {held['recall']:6.3f}"
                f"  {tune['tp']}/{tune['fp']}/{tune['fn']} | {held['tp']}/{held['fp']}/{held['fn']}"
            )
    if "summaries" in results:
        s = results["summaries"]
        print(
            "\nsummaries (CNN/DailyMail; ROUGE F1 x100, lower-case alphanumeric tokens, "
            "no stemming)"
        )
        for part in PARTS:
            for name in ("newsbot", "lead3"):
                row = s[part][name]
                print(
                    f"  {part:5} ({s[part]['articles']:3}) {name:8} R1 {row['rouge1']:5.2f}  "
                    f"R2 {row['rouge2']:5.2f}  RL {row['rougeL']:5.2f}  {row['mean_chars']} chars"
                )


if __name__ == "__main__":
    raise SystemExit(main())
