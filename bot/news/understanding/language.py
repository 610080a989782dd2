"""A light language guess: the writing system, then the most frequent function words.

Good enough for its one job, deciding whether the English NER model may run: it only has to
tell English from everything else, on whole articles, not short strings."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# the commonest function words of languages written in Latin script; words shared across
# languages ("a", "de", "la") are kept only where they are characteristic
_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to in is that for it with was on as are be by this have from at "
        "not but they his her he she said has which were their will would been an or",
        "de": "der die und das ist nicht ein eine zu den mit sich des auf für im dem von auch "
        "es wird sind bei wie nach noch aus einem einer werden oder ich über",
        "fr": "le la les et des est une pour dans que qui un du au pas sur par plus avec ce "
        "sont il elle ont été aux mais cette ses nous vous",
        "es": "el la los las que y en del por con una para es se lo como más pero sus al fue "
        "este esta ha sido también muy entre sin sobre",
        "pt": "o os as que e em do da dos das um uma para com não por mais foi são está "
        "também ao como mas seu sua pelo pela isso ele ela",
        "it": "il lo la gli le che di e un una per non con del della sono è anche più come "
        "alla nel questo ma ha dei delle nella",
        "nl": "de het een en van is dat op te in niet met voor zijn er aan ook maar bij door "
        "als dan om nog wel naar deze wordt",
        "id": "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga ke karena ada "
        "oleh sebagai atau kami mereka adalah bahwa",
        "sv": "och att det som en på är av för med den till har inte om ett var men jag från",
        "tr": "ve bir bu da de için ile olarak çok daha ne gibi olan en ama değil",
        "pl": "i w nie na się z że do jest to jak po co ale od za przez dla są",
    }.items()
}
# scripts (from Unicode character names) that settle the language, or narrow it
_SCRIPTS = {
    "CJK": "zh",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "HANGUL": "ko",
    "CYRILLIC": "ru",
    "ARABIC": "ar",
    "HEBREW": "he",
    "GREEK": "el",
    "THAI": "th",
    "DEVANAGARI": "hi",
    "BENGALI": "bn",
    "TAMIL": "ta",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
}
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str, *, sample: int = 4000) -> str:
    """An ISO 639-1 code for the text's language ("en" when unsure, "und" when no words)."""
    text = text[:sample]
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "und"
    scripts: Counter[str] = Counter()
    for ch in letters:
        if ch.isascii():
            scripts["LATIN"] += 1
            continue
        name = unicodedata.name(ch, "")
        script = next((s for s in _SCRIPTS if name.startswith(s)), "LATIN")
        scripts[script] += 1
    script, count = scripts.most_common(1)[0]
    if script != "LATIN" and count >= 0.3 * len(letters):
        if script == "CJK" and (scripts["HIRAGANA"] + scripts["KATAKANA"]) > 0.05 * count:
            return "ja"
        return _SCRIPTS[script]
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return "und"
    hits = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(hits, key=lambda lang: hits[lang])
    if hits[best] == 0:
        return "en"
    # English wins ties and near-ties: loanwords and names sprinkle other languages' words
    if best != "en" and hits[best] <= 1.2 * hits["en"]:
        return "en"
    return best
