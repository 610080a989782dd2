"""English dictionary words: is a word an ordinary noun, verb, adjective or adverb?

The list is the lemma index the English spaCy model ships for its lemmatizer (WordNet's
~83,000 lemmas, lower case, with some proper nouns such as "nevada"). The pipeline runs
without the lemmatizer, so the table is read from the installed model package once, on the
first question. It tells "Brad Guzan" (a surname no dictionary has) from "Forest Hill"."""

from __future__ import annotations

import functools

from bot.news.understanding.nlp import MODELS


@functools.cache
def _load() -> frozenset[str]:
    from spacy.lookups import Lookups
    from spacy.util import get_package_path

    path = get_package_path(MODELS["en"].package)
    # the package directory holds one versioned model directory
    model_dir = next(p for p in path.iterdir() if (p / "lemmatizer").is_dir())
    table = Lookups().from_disk(model_dir / "lemmatizer" / "lookups")
    index = table.get_table("lemma_index")
    return frozenset(word for words in index.values() for word in words)


def is_english_word(word: str) -> bool:
    """Whether a word, or its singular with a final "s" dropped, is a dictionary lemma."""
    bare = word.strip(".,’'").lower()
    words = _load()
    return bare in words or (bare.endswith("s") and bare[:-1] in words)
