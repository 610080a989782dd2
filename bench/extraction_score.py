"""Score article extraction against the shared dev pages.

Word 4-gram (shingle) overlap between the extracted text and the hand-made ``articleBody``:
precision, recall and F1 per page, averaged over pages (the scrapinghub benchmark's
measure, ``bot.news.understanding.scoring``).

    uv run python -m bench.extraction_score [--data ../shared/data] [--method NAME] [--worst 10]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.news.understanding.scoring import shingle_prf

ROOT = Path(__file__).resolve().parent.parent


def load_pages(data: Path) -> list[tuple[str, str, str, bytes]]:
    """(id, url, gold text, html bytes) for every dev page."""
    dev = data / "extraction" / "dev"
    truth = json.loads((dev / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        html = gzip.decompress((dev / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((page_id, truth[page_id].get("url", ""), truth[page_id]["articleBody"], html))
    return pages


def _method(name: str) -> Callable[[bytes, str], str]:
    if name == "newsbot":
        from bot.news.understanding.extract import NotAnArticle, extract_html

        def run(html: bytes, url: str) -> str:
            try:
                return extract_html(html, url).text
            except NotAnArticle:
                return ""

        return run
    if name in {"trafilatura", "trafilatura-precision"}:
        import trafilatura

        precision = name.endswith("precision")

        def run(html: bytes, url: str) -> str:
            return trafilatura.extract(html, url=url, favor_precision=precision) or ""

        return run
    if name == "readability":
        import lxml.html
        from readability import Document

        def run(html: bytes, url: str) -> str:
            summary = Document(html).summary(html_partial=True)
            return lxml.html.fromstring(summary).text_content()

        return run
    raise SystemExit(f"unknown method {name!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument(
        "--method",
        default="newsbot",
        help="newsbot, trafilatura, trafilatura-precision or readability",
    )
    parser.add_argument("--worst", type=int, default=10, help="pages to list, worst first")
    args = parser.parse_args(argv)
    if not (args.data / "extraction" / "dev").is_dir():
        print(f"no extraction data at {args.data}", file=sys.stderr)
        return 1
    pages = load_pages(args.data)
    run = _method(args.method)
    rows = []
    started = time.perf_counter()
    for page_id, url, gold, html in pages:
        t0 = time.perf_counter()
        pred = run(html, url)
        elapsed = time.perf_counter() - t0
        p, r, f = shingle_prf(pred, gold)
        rows.append({"id": page_id, "url": url, "p": p, "r": r, "f1": f, "seconds": elapsed})
    total = time.perf_counter() - started
    summary = {
        "method": args.method,
        "pages": len(rows),
        "precision": statistics.fmean(r["p"] for r in rows),
        "recall": statistics.fmean(r["r"] for r in rows),
        "f1": statistics.fmean(r["f1"] for r in rows),
        "share_below_0_5": sum(r["f1"] < 0.5 for r in rows) / len(rows),
        "pages_per_second": len(rows) / total,
    }
    print(f"{'page':<14} {'P':>6} {'R':>6} {'F1':>6} {'s':>6}  url")
    for row in sorted(rows, key=lambda r: r["f1"])[: args.worst]:
        print(
            f"{row['id'][:12]:<14} {row['p']:6.3f} {row['r']:6.3f} {row['f1']:6.3f} "
            f"{row['seconds']:6.2f}  {row['url'][:70]}"
        )
    print(
        f"\n{args.method}: {summary['pages']} pages  P {summary['precision']:.3f}  "
        f"R {summary['recall']:.3f}  F1 {summary['f1']:.3f}  "
        f"<0.5: {summary['share_below_0_5']:.1%}  {summary['pages_per_second']:.1f} pages/s"
    )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
