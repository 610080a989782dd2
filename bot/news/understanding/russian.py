"""Russian text through Natasha: the persons it names, from slovnet's news NER (PER spans),
put into the nominative by pymorphy2's dictionary ("Дональдом Трампом" -> "Дональд Трамп") so
that mentions in different cases merge into one person; and the dictionary form of a word
("Китая" -> "Китай"), for country names.

No spaCy model for Russian is on the package registry; Natasha ships its models inside the
package, so nothing is downloaded at run time. The pipeline is loaded on the first Russian
text (about a second and some 100 MB), so a worker that never sees Russian never pays for it.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from natasha import MorphVocab

log = logging.getLogger(__name__)

_MAX_CHARS = 200_000  # as for spaCy: a pathological page must not take the worker down


@dataclass(frozen=True, slots=True)
class _Pipeline:
    segmenter: Any
    ner: Any
    morph: Any
    vocab: MorphVocab


_lock = threading.Lock()
_loaded: list[_Pipeline] = []


def _pipeline() -> _Pipeline:
    if _loaded:
        return _loaded[0]
    with _lock:
        if not _loaded:
            import pymorphy2_dicts_ru

            # natasha first: it imports yargy, which makes pymorphy2 work on Python 3.11
            from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter
            from natasha.morph.vocab import MorphForm
            from pymorphy2 import MorphAnalyzer

            class _Vocab(MorphVocab):
                # the dictionary's path given outright: pymorphy2 otherwise looks it up through
                # pkg_resources, which a virtual environment without setuptools lacks
                def __init__(self) -> None:
                    MorphAnalyzer.__init__(
                        self, path=pymorphy2_dicts_ru.get_path(), result_type=MorphForm
                    )

            embedding = NewsEmbedding()
            _loaded.append(
                _Pipeline(
                    Segmenter(), NewsNERTagger(embedding), NewsMorphTagger(embedding), _Vocab()
                )
            )
            log.info("natasha loaded for Russian persons")
    return _loaded[0]


def person_mentions(text: str) -> list[tuple[str, int, int]]:
    """(name in the nominative, start, end) of every PER span of ``text``, read line by line:
    the segmenter splits sentences at their punctuation only, and a name on a line of its own
    would otherwise run into the next line ("Андрей Рудьков\nАккаунт: @darkzip")."""
    from natasha import Doc

    pipeline = _pipeline()
    mentions = []
    for line in re.finditer(r"[^\n]*\S[^\n]*", text[:_MAX_CHARS]):
        doc = Doc(line.group())
        doc.segment(pipeline.segmenter)
        doc.tag_ner(pipeline.ner)
        if not any(span.type == "PER" for span in doc.spans):
            continue
        doc.tag_morph(pipeline.morph)
        for span in doc.spans:
            if span.type != "PER":
                continue
            if _nominative(span.text, pipeline.vocab):
                name = span.text
            else:
                span.normalize(pipeline.vocab)
                name = span.normal or span.text
            mentions.append((name, line.start() + span.start, line.start() + span.stop))
    return mentions


def _nominative(name: str, vocab: MorphVocab) -> bool:
    """Whether every word of ``name`` can be read in the nominative with one gender for all
    ("Яна Манакова"). Such a name is kept as written: the tagger, guessing case and gender
    from the words around, misreads a name standing alone ("Яна" as the genitive of "Ян")
    and its normal form would then change the person's gender."""
    shared = {"Masc", "Fem", None}
    for word in name.split():
        genders = {
            form.feats.get("Gender") for form in vocab(word) if form.feats.get("Case") == "Nom"
        }
        shared &= genders | ({"Masc", "Fem"} if None in genders else set())
        if not shared:
            return False
    return True


def lemma(word: str) -> str:
    """The most likely dictionary form of a word, in lower case ("Китая" -> "китай")."""
    forms = _pipeline().vocab(word)
    return forms[0].normal if forms else word.lower()
