"""The article-text gate over real pages: how many real articles it would refuse.

    uv run python bench/quality_gate.py [--data ../shared/data]

Extracts every page of ``extraction/dev/html`` (real news pages), measures its text with
``bot.news.understanding.quality`` and prints the distribution of each measure and the
pages the gate refuses (each one is a real article refused: the false refusals).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
from pathlib import Path

from bot.news.understanding.extract import NotAnArticle, extract_html
from bot.news.understanding.fetch import decode_body
from bot.news.understanding.quality import NoArticleText, check_article_text, measure

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    folder = args.data / "extraction" / "dev" / "html"
    pages = sorted(folder.glob("*.html.gz"))
    if not pages:
        sys.stderr.write(f"no pages in {folder}\n")
        return 1
    rows = []
    refused = []
    for path in pages:
        html = decode_body(gzip.decompress(path.read_bytes()), None)
        try:
            text = extract_html(html, "https://example.org/").text
        except NotAnArticle:
            continue  # refused earlier, by extraction itself
        quality = measure(text, html)
        rows.append(quality)
        try:
            check_article_text(text, html)
        except NoArticleText as exc:
            refused.append({"page": path.name, "why": exc.message})

    def stats(name: str) -> dict[str, float]:
        values = [getattr(q, name) for q in rows]
        return {"min": min(values), "median": statistics.median(values), "max": max(values)}

    result = {
        "pages": len(pages),
        "extracted": len(rows),
        "refused_by_gate": len(refused),
        "printable": stats("printable"),
        "word_share": stats("word_share"),
        "link_density": stats("link_density"),
        "real_words": stats("real_words"),
        "refused": refused,
    }
    print(json.dumps(result, indent=1, default=str))
    print(f"\n{'measure':<14}{'min':>10}{'median':>10}{'max':>10}")
    for name in ("printable", "word_share", "link_density", "real_words"):
        s = result[name]
        print(f"{name:<14}{s['min']:>10.3f}{s['median']:>10.3f}{s['max']:>10.3f}")
    print(f"\n{len(refused)} of {len(rows)} extracted real articles refused by the gate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
