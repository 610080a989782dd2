"""Evidence, read from the article itself, that a name the model tagged PERSON is no real
person in the news: a role an actor plays ("played vet Siegfried Farnon") or something an
apposition calls an organisation or a thing ("Ansar al-Sharia, an al-Qaeda-linked
organization"). Pure string work on the text and character offsets: tested without the model."""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

# between the verb and the name, a role description of one to four words ("vet", "the chaos
# theorist", "Minister for Magic"): articles and content words only. Function words end it
# ("the game was played Sunday when X scored"), and so do words that put a real person beside
# the actor ("played golf with X", "playing partner X")
_FUNCTION_WORDS = frozenset(STOP_WORDS - {"the", "a", "an"}) | {"partner", "partners"}
_STOP = "|".join(sorted(map(re.escape, _FUNCTION_WORDS), key=len, reverse=True))


def _words(least: int, most: int) -> str:
    """A run of ``least`` to ``most`` words, none a function word but "for"/"of" before a
    capital ("Minister for Magic")."""
    word = r"(?!(?:" + _STOP + r")\s)[A-Za-z][\w'’-]*\s+|(?:for|of)\s+(?=[A-Z])"
    return f"(?:{word}){{{least},{most}}}"


_PLAYED_BEFORE = re.compile(
    r"(?i:\b(?:play(?:s|ed|ing)?|portray(?:s|ed|ing)?|(?:appear(?:s|ed|ing)?|"
    r"star(?:s|red|ring)?|cast) as|role (?:of|as)))\s+" + _words(1, 4) + r"$"
)
# "played Cornelius Fudge, the Minister for Magic": the description after the name
_PLAYED_NAMED_BEFORE = re.compile(
    r"(?i:\b(?:play(?:s|ed|ing)?|portray(?:s|ed|ing)?|(?:appear(?:s|ed|ing)?|"
    r"star(?:s|red|ring)?|cast) as|role (?:of|as)))\s+$"
)
_DESCRIBED_AFTER = re.compile(r",\s+(?:the|a|an)\s+[A-Za-z]")

_THING_NOUNS = (
    r"organi[sz]ation|group|company|firm|militia|movement|party|band|brand|label|charity|"
    r"foundation|agency|network|outfit|faction|restaurant|hotel|chain|retailer|store|shop|"
    r"start-?up|studio|game|app|show|series|novel|album|film|documentary|podcast|website|"
    r"newspaper|magazine|channel|venue|winery|brewery|distillery|bakery|cafe|café|bar|pub|"
    r"club|school|university|college|hospital|airline|carrier|manufacturer|maker|publisher|"
    r"developer|insurer|lender|bank|fund|trust|consultancy|nonprofit|non-profit|charity"
)
# "X, an al-Qaeda-linked organization,", "X, the Dublin-based firm that ...": the noun must
# end the apposition, or "X, a company spokesman" (a person) would match
_THING_AFTER = re.compile(
    r"^,\s+(?:a|an|the)\s+" + _words(0, 3) + r"(?:" + _THING_NOUNS + r")"
    r"(?=\s*[,.;:)—–]|\s+(?:that|which|whose|based|founded|known|linked|in|of|with|from|"
    r"behind|run|owned)\b)"
)


def played_role(text: str, start: int, end: int) -> bool:
    """Whether the name at ``start:end`` is a role an actor plays: a playing verb and a role
    description before it ("playing vet Siegfried Farnon", "appeared as Minister for Magic
    Cornelius Fudge"), or the verb right before and a description after it ("played Cornelius
    Fudge, the Minister for Magic"). "He played Winston Churchill" says nothing: actors play
    real people too."""
    before = text[max(0, start - 80) : start]
    sentence_start = max(before.rfind(". "), before.rfind("\n"))
    before = before[sentence_start + 1 :]
    if _PLAYED_BEFORE.search(before):
        return True
    return bool(_PLAYED_NAMED_BEFORE.search(before) and _DESCRIBED_AFTER.match(text, end))


# "Qualcomm (NASDAQ: QCOM)": a listed company's exchange and ticker
_TICKER_AFTER = re.compile(
    r"^\s*\((?i:nasdaq|nyse|nyse american|nysearca|amex|otc|lse|tsx|asx|hkex|euronext)\s*:"
)


def described_as_thing(text: str, end: int) -> bool:
    """Whether an apposition right after a name calls it an organisation, a business or a
    work ("X, an al-Qaeda-linked organization", "X, the Dublin-based studio behind ..."), or
    a stock ticker follows it ("Qualcomm (NASDAQ: QCOM)")."""
    after = text[end : end + 120]
    return bool(_THING_AFTER.match(after) or _TICKER_AFTER.match(after))
