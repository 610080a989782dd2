"""Build the story-merging pair set (``bench/stories_pairs.json``) from the shared dev data.

    uv run python -m bench.stories_set [--data ../shared/data] [--out bench/stories_pairs.json]

There is no corpus of one event told by several sites here; the set is built mostly from
real single-site articles (CNN/DailyMail with their editors' highlights; the extraction
dev pages) and each article is run through ``enrich`` as the bot would:

- ``brief`` (same event): a CNN/DailyMail article and a brief made of its highlights, a
  separate human write-up of the same event in other words, headlined by its first
  highlight, dated the same day;
- ``copy`` (same event): the article and a trimmed republication (first sentence and last
  40% dropped, the first highlight as a new headline), as a syndicating site would run it;
- ``real`` (same event): the few pairs of extraction dev pages that really are one event
  reported by two sites (``REAL_SAME``, judged by hand), with their real dates;
- ``related`` (different events): two different real articles sharing at least one
  country or person, with their real dates (the archive date in the URL), and the same
  pairs with both made the same day (``hard``: the date cannot help);
- ``related-brief`` (different events): a brief against another article that shares an
  entity with the brief's source, so a rule loose enough for briefs is punished.

Each source article goes to the ``dev`` or the ``test`` half by a hash of its id; a pair
whose two sources are in different halves is dropped. Thresholds are chosen on ``dev``
only; ``bench/stories.py`` reports both.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bench.extraction_score import load_pages
from bot.news.model import Article, CountryMention, Development, PersonMention
from bot.news.understanding.enrich import enrich
from bot.news.understanding.extract import NotAnArticle, extract_html
from bot.news.understanding.sentences import split_sentences

ROOT = Path(__file__).resolve().parent.parent
# Real reports of one event by different sites among the extraction dev pages (read and
# judged by hand: same happening, same day). Every other pair of pages is a different event.
REAL_SAME = (
    ("06e5123e4e", "1ace8c85aa"),  # New York's attorney general investigates WeWork
    ("156770d676", "3f65af7b6b", "776a1c0467"),  # South Dakota's "Meth. We're on it."
    ("2c46804d9d", "51d066b060"),  # video of a kidnapped girl's rescue in Fort Worth
    ("14cc2a0ca5", "686bb170ef"),  # water vapour plumes above Europa confirmed
    ("6ebac05f63", "7a457a4f71"),  # a New York man pleads guilty to threatening Ilhan Omar
)
_ARCHIVED = re.compile(r"/web/(\d{4})(\d{2})(\d{2})\d*id_/(.*)$")
_DETOKEN = [(" .", "."), (" ,", ","), (" 's", "'s"), (" '", "'"), ("£ ", "£"), (" :", ":")]


def split_of(source_id: str) -> str:
    return "dev" if hashlib.sha1(source_id.encode()).digest()[0] % 2 == 0 else "test"


def _detokenize(text: str) -> str:
    for a, b in _DETOKEN:
        text = text.replace(a, b)
    return " ".join(text.split())


def _slug_title(url: str) -> str:
    """The headline a DailyMail/CNN URL carries in its last path segments."""
    path = [p for p in urlsplit(url).path.split("/") if p and p != "index.html"]
    slug = path[-1].removesuffix(".html") if path else ""
    words = unquote(slug).replace("-", " ").replace("_", " ").split()
    return " ".join(words).capitalize()


def _record(rid: str, source: str, title: str, text: str, site: str, day: str) -> dict:
    found = enrich(title, text)
    art = Article(
        url=f"https://{site}/{rid}",
        canonical_url=f"https://{site}/{rid}",
        title=title,
        summary=found.summary,
        site=site,
        published=day,
        countries=found.countries,
        persons=found.persons,
        developments=found.developments,
    )
    data = art.to_dict(with_text=False)
    data.update(rid=rid, source=source, split=split_of(source))
    for key in ("guilds", "notes", "fingerprint", "ingested_at"):
        data.pop(key, None)
    return data


def load_record(data: dict) -> Article:
    """An ``Article`` back from a set record (only what the store would keep)."""
    return Article(
        url=data["url"],
        canonical_url=data["canonical_url"],
        title=data["title"],
        summary=data["summary"],
        site=data["site"],
        published=data["published"],
        countries=[CountryMention(**c) for c in data["countries"]],
        persons=[PersonMention(**p) for p in data["persons"]],
        developments=[Development(**d) for d in data["developments"]],
        id=data["rid"],
    )


def build(data: Path) -> dict:
    records: list[dict] = []
    pairs: list[dict] = []
    originals: list[dict] = []
    briefs: dict[str, dict] = {}
    rows = [
        json.loads(line)
        for line in (data / "summaries" / "cnndm-dev.jsonl").read_text().splitlines()
    ]
    for row in rows:
        match = _ARCHIVED.search(row["url"])
        day = f"{match[1]}-{match[2]}-{match[3]}" if match else "2015-04-01"
        real_url = match[4] if match else row["url"]
        site = "cnn.com" if "cnn.com" in real_url else "dailymail.co.uk"
        sid = row["id"]
        article = _record(sid, sid, _slug_title(real_url), row["article"], site, day)
        highlights = split_sentences(_detokenize(row["reference"]))
        if not highlights:
            continue
        headline = highlights[0].rstrip(".")
        brief = _record(f"{sid}/brief", sid, headline, " ".join(highlights), "brief.example", day)
        sentences = split_sentences(row["article"])
        kept = sentences[1 : max(2, int(len(sentences) * 0.6))]
        copy = _record(f"{sid}/copy", sid, headline, " ".join(kept), "copy.example", day)
        records += [article, brief, copy]
        originals.append(article)
        briefs[sid] = brief
        pairs.append(_pair(article, brief, True, "brief"))
        pairs.append(_pair(article, copy, True, "copy"))
    group_of = {page: group[0] for group in REAL_SAME for page in group}
    pages: dict[str, dict] = {}
    for page_id, url, body, html in load_pages(data):
        try:
            extracted = extract_html(html, url)
        except NotAnArticle:
            continue
        site = (urlsplit(url).hostname or "page.example").removeprefix("www.")
        day = (extracted.published or "2019-11-18")[:10]
        # the pages of one real event share a source id, so they land in the same half
        source = f"page/{group_of.get(page_id[:10], page_id)}"
        article = _record(f"page/{page_id}", source, extracted.title, body, site, day)
        records.append(article)
        originals.append(article)
        pages[page_id[:10]] = article
    for group in REAL_SAME:
        for a, b in itertools.combinations(group, 2):
            pairs.append(_pair(pages[a], pages[b], True, "real"))
    for a, b in itertools.combinations(originals, 2):
        if a["source"] == b["source"] or not _entities(a) & _entities(b):
            continue
        pairs.append(_pair(a, b, False, "related"))
        pairs.append(_pair(a, b, False, "related-hard", same_day=True))
        for x, y in ((a, b), (b, a)):
            if x["source"] in briefs:
                pairs.append(_pair(briefs[x["source"]], y, False, "related-brief", same_day=True))
    pairs = [p for p in pairs if p.pop("splits") == 1]
    return {"articles": records, "pairs": pairs}


def _entities(rec: dict) -> set[str]:
    return {c["code"] for c in rec["countries"]} | {p["name"] for p in rec["persons"]}


def _pair(a: dict, b: dict, same: bool, kind: str, *, same_day: bool = False) -> dict:
    splits = {a["split"], b["split"]}
    return {
        "a": a["rid"],
        "b": b["rid"],
        "same_event": same,
        "kind": kind,
        "same_day": same_day,
        "split": a["split"],
        "splits": len(splits),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "stories_pairs.json")
    args = parser.parse_args(argv)
    built = build(args.data)
    args.out.write_text(json.dumps(built, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    kinds: dict[str, int] = {}
    for p in built["pairs"]:
        kinds[f"{p['split']}/{p['kind']}"] = kinds.get(f"{p['split']}/{p['kind']}", 0) + 1
    print(json.dumps({"articles": len(built["articles"]), "pairs": kinds}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
