"""Build the vendored extra first names (``bot/news/understanding/data/given_names_extra.txt.gz``).

    uv run --with names-dataset==3.3.1 python -m tools.build_given_names [--out PATH]

The source is names-dataset (Philippe Remy; its metadata says MIT, the LICENSE file in its
wheel is Apache-2.0): 727,000 first names its author took from the 2021 leak of Facebook
profiles, each with its rank among the first names of up to ten countries. It is too big to
load at run time (about 1 GB of memory) and noisy: people put nicknames and ordinary words
in the first-name field ("Window" is ranked in Macau, "Table" in Hong Kong, "Forest" in
Canada). So only a small list is kept: names that gender-guesser's dictionary lacks and
that rank among the first ``RANK_LIMIT`` first names of a large English-speaking country
(where the news this bot reads is written, and where such a rank takes many profiles, not
a handful) and rank better there as a first name than as a surname ("Dougie", "Shaq",
"Raheem"). The bot still takes such a name only when it is no English word and no place
(``given_names.is_given_name``).
"""

from __future__ import annotations

import argparse
import gzip
import pickle
import re
from importlib import resources
from pathlib import Path

from bot.news.model import fold

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bot" / "news" / "understanding" / "data" / "given_names_extra.txt.gz"

# Large English-speaking countries of the data set (it has no Australia or New Zealand).
# Smaller ones (Jamaica, Malta) rank a name high from a handful of profiles, and Nigeria and
# Ghana rank many surnames, which people there often write first.
COUNTRIES = frozenset({"US", "GB", "CA", "IE"})
RANK_LIMIT = 5000

# one word of letters, inner hyphens and apostrophes allowed ("Mary-Kate", "D'Andre"), with
# a vowel: "Cbs" is ranked in Ireland, and a word without one is an abbreviation
_WORD = re.compile(r"(?=.*[aeiouy])[a-z][a-z'-]*[a-z]")

HEADER = (
    "# First names gender-guesser lacks, ranked in the top {limit} of {countries}"
    " in names-dataset 3.3.1 by Philippe Remy (MIT / Apache-2.0, see README.md);"
    " built by tools/build_given_names.py"
)


def _known() -> set[str]:
    """Names gender-guesser's dictionary has already, in any frequency."""
    from gender_guesser.detector import Detector

    return {fold(n.replace("+", " ")) for n in Detector(case_sensitive=False).names}


def _best_ranks(file: str) -> dict[str, int]:
    """Each name's best rank in ``COUNTRIES`` in one of the package's files (first or last
    names); names ranked in none of them are left out."""
    source = resources.files("names_dataset").joinpath(f"v3/{file}")
    with source.open("rb") as raw, gzip.open(raw) as unzipped:
        # the pinned package's own file, read by a build step, never at run time
        names: dict[str, dict] = pickle.load(unzipped)
    best: dict[str, int] = {}
    for name, info in names.items():
        ranks = [r for c, r in (info.get("rank") or {}).items() if c in COUNTRIES]
        if ranks:
            best[name] = min(ranks)
    return best


def extra_names() -> list[str]:
    """The folded names to vendor, sorted."""
    first = _best_ranks("first_names.pkl.gz")
    # a word ranked higher as a surname than as a first name is mostly a surname there, and
    # surnames name firms, clubs and places too ("Aston Villa", "Bentley")
    last = _best_ranks("last_names.pkl.gz")
    known = _known()
    keep = set()
    for name, rank in first.items():
        key = fold(name)
        if not _WORD.fullmatch(key) or key in known:
            continue
        if rank <= RANK_LIMIT and rank < last.get(name, RANK_LIMIT + 1):
            keep.add(key)
    return sorted(keep)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    names = extra_names()
    header = HEADER.format(limit=RANK_LIMIT, countries=", ".join(sorted(COUNTRIES)))
    body = "\n".join([header, *names]) + "\n"
    # mtime 0: the same names give the same bytes
    args.out.write_bytes(gzip.compress(body.encode("utf-8"), mtime=0))
    print(f"{len(names)} names -> {args.out}")


if __name__ == "__main__":
    main()
