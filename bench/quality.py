"""Quality of extraction, entities and summaries on the shared dev sets.

    uv run python -m bench.quality [--data ../shared/data] [--json out.json] [--only PART]
        [--show-errors]

1. extraction: word-4-gram shingle precision/recall/F1 of ``extract_html`` against the
   hand-made ``articleBody`` (averaged over pages).
2. entities: countries and persons from ``enrich`` on the extracted text against
   ``entities/dev.json``, micro-averaged over (page, entity) pairs; English pages (language of
   the gold body, by ``detect_language``) and all pages separately. Also on the gold body text,
   to separate extraction errors from NLP errors.
3. summaries: ROUGE-1/2/L F1 (``bench/rouge.py``: lower-cased alphanumeric tokens, no stemming)
   of ``summarize`` and of Lead-3 (the first three sentences of the same splitter), same run.

These are dev sets; the same measures are taken on held-out data.
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
from bot.news.model import person_key
from bot.news.understanding.enrich import enrich
from bot.news.understanding.extract import NotAnArticle, extract_html
from bot.news.understanding.language import detect_language
from bot.news.understanding.scoring import shingle_prf
from bot.news.understanding.sentences import split_sentences
from bot.news.understanding.summary import summarize

ROOT = Path(__file__).resolve().parent.parent


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def extraction_part(data: Path) -> tuple[dict, dict[str, tuple[str, str, str | None]]]:
    scores = []
    extracted: dict[str, tuple[str, str, str | None]] = {}
    started = time.perf_counter()
    for page_id, url, gold, html in load_pages(data):
        try:
            result = extract_html(html, url)
            title, text, lang = result.title, result.text, result.language
        except NotAnArticle:
            title, text, lang = "", "", None
        extracted[page_id] = (title, text, lang)
        scores.append(shingle_prf(text, gold))
    elapsed = time.perf_counter() - started
    summary = {
        "pages": len(scores),
        "precision": round(statistics.mean(s[0] for s in scores), 4),
        "recall": round(statistics.mean(s[1] for s in scores), 4),
        "f1": round(statistics.mean(s[2] for s in scores), 4),
        "pages_per_s": round(len(scores) / elapsed, 1),
    }
    return summary, extracted


def _count(gold: Iterable[str], pred: Iterable[str]) -> tuple[int, int, int, set, set]:
    g, p = set(gold), set(pred)
    return len(g & p), len(p - g), len(g - p), p - g, g - p


def entities_part(
    data: Path,
    texts: dict[str, tuple[str, str, str | None]],
    gold_bodies: dict[str, str],
    show_errors: bool,
) -> dict:
    labels = json.loads((data / "entities" / "dev.json").read_text(encoding="utf-8"))
    totals: dict[str, list[int]] = {}
    errors: list[str] = []
    started = time.perf_counter()
    calls = 0
    for page_id, label in sorted(labels.items()):
        english = detect_language(gold_bodies.get(page_id, "")) == "en"
        gold_c = {c.upper() for c in label["countries"]}
        gold_p = {person_key(p) for p in label["persons"]}
        for source in ("extracted", "gold_text"):
            if source == "extracted":
                title, text, lang = texts.get(page_id, ("", "", None))
            else:
                title, text, lang = "", gold_bodies.get(page_id, ""), None
            result = enrich(title, text, language=lang) if text.strip() else None
            calls += 1
            pred_c = {c.code for c in result.countries} if result else set()
            pred_p = {p.key for p in result.persons} if result else set()
            for kind, gold, pred in (("countries", gold_c, pred_c), ("persons", gold_p, pred_p)):
                tp, fp, fn, extra, missed = _count(gold, pred)
                for scope in ("all", "english") if english else ("all",):
                    row = totals.setdefault(f"{source}/{scope}/{kind}", [0, 0, 0])
                    row[0] += tp
                    row[1] += fp
                    row[2] += fn
                if show_errors and source == "extracted" and (extra or missed):
                    errors.append(
                        f"{page_id[:8]} {kind:9} +{sorted(extra)} -{sorted(missed)}"
                        f"{'' if english else ' (non-English)'}"
                    )
    elapsed = time.perf_counter() - started
    out = {key: prf(*row) for key, row in sorted(totals.items())}
    out["pages"] = len(labels)
    out["english_pages"] = sum(
        1 for page_id in labels if detect_language(gold_bodies.get(page_id, "")) == "en"
    )
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
    for name, system in systems.items():
        scores = {"rouge1": [], "rouge2": [], "rougeL": []}
        lengths = []
        for row in rows:
            candidate = system(row["article"])
            lengths.append(len(candidate))
            for metric, value in rouge(candidate, row["reference"]).items():
                scores[metric].append(value)
        out[name] = {m: round(100 * statistics.mean(v), 2) for m, v in scores.items()}
        out[name]["mean_chars"] = round(statistics.mean(lengths))
    out["articles"] = len(rows)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--only", choices=["extraction", "entities", "summaries"])
    parser.add_argument("--show-errors", action="store_true", help="list entity errors per page")
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
        print(f"extraction ({e['pages']} pages, shingle P/R/F1 averaged over pages)")
        print(
            f"  P {e['precision']:.3f}  R {e['recall']:.3f}  F1 {e['f1']:.3f}"
            f"  {e['pages_per_s']} pages/s"
        )
    if "entities" in results:
        e = results["entities"]
        print(
            f"\nentities ({e['pages']} pages, {e['english_pages']} English; micro-averaged "
            f"over (page, entity) pairs; {e['ms_per_enrich']} ms per enrich)"
        )
        print(f"  {'text':10} {'pages':8} {'kind':10} {'P':>6} {'R':>6} {'F1':>6}  tp/fp/fn")
        for key, row in e.items():
            if not isinstance(row, dict):
                continue
            source, scope, kind = key.split("/")
            print(
                f"  {source:10} {scope:8} {kind:10} {row['precision']:6.3f} "
                f"{row['recall']:6.3f} {row['f1']:6.3f}  {row['tp']}/{row['fp']}/{row['fn']}"
            )
    if "summaries" in results:
        s = results["summaries"]
        print(
            f"\nsummaries ({s['articles']} CNN/DailyMail articles; ROUGE F1 x100, lower-case "
            "alphanumeric tokens, no stemming)"
        )
        for name in ("newsbot", "lead3"):
            row = s[name]
            print(
                f"  {name:8} R1 {row['rouge1']:5.2f}  R2 {row['rouge2']:5.2f}  "
                f"RL {row['rougeL']:5.2f}  {row['mean_chars']} chars"
            )


if __name__ == "__main__":
    raise SystemExit(main())
