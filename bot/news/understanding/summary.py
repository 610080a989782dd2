"""Extractive summary: about sixty words of the article's most central early sentences.

News puts the point first, so position is the strongest prior (NOTES.md: Lead-3 beats
TextRank, LexRank and centroid summaries on news). Each sentence is scored by its position,
plus its centrality (how much of its vocabulary the rest of the article repeats), less a
little for quotations (half its words or more inside quotation marks, counting a quotation
that began in an earlier sentence) and very long sentences; the best are taken until the
length budget is met, skipping a sentence that repeats one already taken, and shown in the
article's order.

The sentences shown are compressed (``compress_sentence``): spans a reader of a summary can
spare go where what is left still reads as a sentence — a time opener ("On Monday, "), a
description between commas after a name (", the current Georgian champion,"), a currency
conversion or acronym in brackets, a ", saying ..." or ", as ..." tail, and an attribution tail
(", a family spokesman confirmed."). The length budget is counted before compressing, so the
summary gets shorter rather than taking in one more sentence: the sentence that would come in
is a weaker one, and on the benchmark (bench/quality.py) it did no better than the shorter
summary.

Before scoring, the noise goes: a Daily Mail page header ("By . Name . PUBLISHED: . ..."),
bylines, datelines, captions run into the next sentence with no full stop (cut where a word
that only opens a sentence follows a lower-case word; the caption, having no full stop, then
goes), "Label: " captions, list numbers, captions repeating a sentence word for word, "Click
here" lines, and attribution tails (", police said").
"""

from __future__ import annotations

import math
import re
from collections import Counter

from bot.news.understanding.sentences import split_sentences, split_words

TARGET_WORDS = 60  # reference summaries of news run 45-60 words
_OVERSHOOT = 1.5  # a sentence that would take the summary past 1.5 x the target is skipped
_POSITION_DECAY = 6.0  # sentence i weighs exp(-i / 6)
_CENTRALITY_WEIGHT = 0.5
_QUOTE_PENALTY = 0.3
_LONG_WORDS = 35  # past this a sentence loses _LONG_PENALTY per 35 more words
_LONG_PENALTY = 0.3
_REDUNDANT = 0.5  # share of a sentence's content words already in a chosen one
_CANDIDATES = 25  # sentences considered (the position prior makes later ones moot)
_QUOTED_SHARE = 0.5  # a sentence with this share of its words inside quotation marks is a voice
_OPENING_MARKS = "“‘«"
_CLOSING_MARKS = "”’»"

_DAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|tonight)"
# "QUITO (Reuters) -", "WASHINGTON —", "LONDON, England (CNN) --", "(CNN)", "BUFFALO, N.Y. -"
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.' -]{1,40}(?:,\s*[A-Z][\w.' ]{1,30})?\s*(?:\([\w .&'-]{1,30}\))?\s*[-–—:]+\s+"
    r"|\([A-Z][\w .&'-]{1,30}\)\s*[-–—:]*\s*"
    # "New Delhi, India (CNN)As the earth shook": a place in mixed case before a wire name
    r"|[A-Z][\w.'’ -]{1,40}(?:,\s*[A-Z][\w.'’ ]{1,30})?\s*\((?:CNN|Reuters|AP|AFP)\)\s*[-–—:]*\s*)"
)
# The header of a Daily Mail page as plain text: "By . Sam Webb . and Lucy Crossley .
# PUBLISHED: . 10:27 EST, 2 April 2013 . | . UPDATED: . 10:30 EST, 2 April 2013 ." or "Last
# updated at 5:04 PM on 23rd January 2012 ." Every piece ends in a free-standing full stop,
# which a sentence of the article never does, so the run ends where the article starts.
_PAGE_HEADER = re.compile(
    r"^\s*(?:(?:By\b|PUBLISHED:|UPDATED:|Last updated\b)[^.\n]{0,80}?\s\.(?:\s+|$))"
    r"(?:[^.\n]{0,80}?\s\.(?:\s+|$))*"
)
# "10:27 EST, 2 April 2013": a time stamp left over from a page header
_TIME_STAMP = re.compile(r"\b\d{1,2}:\d{2}\s*(?:EST|EDT|GMT|BST|UTC|[AP]M)\b")
# ", JNS reported Sunday." — a second-hand source in the tail adds nothing to a summary
_REPORTED_TAIL = re.compile(
    r",\s+(?:the\s+)?[A-Z][\w.&'’ -]{1,40}\s+(?:reported|reports|has reported)"
    r"(?:\s+(?:on\s+)?" + _DAYS + r")?\s*(?=[.!]?$)"
)
# ", police said.", ", according to a study." — who said it, not what happened
_ATTRIBUTION_TAIL = re.compile(
    r",\s+(?:according to [^,.!?]{1,60}|(?:police|officials|authorities|he|she|they|it|"
    r"the \w+|[A-Z][\w.]*(?: [A-Z][\w.]*){0,2}) (?:said|says|added|told [^,.!?]{1,40}|"
    r"reported|revealed))(?=[.!?]?['’\"”]?$)"
)
# A caption run into the next sentence with no full stop ("... at the animal shelter Police in
# Ohio said ..."). Mid-sentence, a capitalised word after a lower-case word is nearly always a
# name ("the shelter in Ohio", "its manager Tom Hill"); it opens a sentence when it is a word
# that never starts a name: a pronoun, determiner, conjunction or opening adverb, or an
# ordinary word that the same article writes in lower case ("police").
_JUNCTION = re.compile(r"(?<=[a-z0-9’'\")]) (?=([A-Z][a-z’'-]*)(?: (\S+))?)")
_NAME_BEFORE = frozenset(
    split_words(
        """a an the and or nor of to in on at for with by from as into onto over under about
        against between among through during before after since until without within across
        along around behind near via per than like unlike including despite toward towards
        upon his her its their our my your whose this that these those which who whom
        is was were are be been being has have had do does did will would could should can
        may might must said says say told tells tell called named dubbed nicknamed titled
        ex former late fellow new old"""
    )
)
# words that open a sentence and are never part of a name in running text: these open one
# whatever follows ("In Ohio, ..."), the determiners below only before a lower-case word ("The
# shelter ..." but not "winner Many Clouds")
_OPENERS = frozenset(
    split_words(
        """He She They We It There But Yet However Meanwhile Although Though While When If As
        After Despite During Following According Earlier Later Instead In"""
    )
)
_DETERMINERS = frozenset(
    split_words(
        """The A An This These Those His Her Its Their Our My Some Many Most Both Each Every
        Another Millions Thousands Hundreds Dozens"""
    )
)
# "... the fraud charges Swindle: She is accused ...": a caption label run on mid-sentence
_RUN_ON_LABEL = re.compile(r"([A-Z][a-z’'-]*)((?: [a-z][\w’'-]*){0,4}): (?=[A-Z‘“'\"])")
# "... the big fight 1. Sweets are one of his ..." — the number of the next item in a list
_LIST_NUMBER = re.compile(r"(?<=[a-z]) (\d{1,2})\.$")
# "Wanted: Police in Maryland ..." — a caption label before the sentence
_LABEL = re.compile(r"^[A-Z][\w’'-]*(?: [\w’'-]+){0,3}: (?=[A-Z])")
_BOILERPLATE = re.compile(
    r"(?i)click here|sign up|subscribe|follow us|all rights reserved|newsletter|read more|"
    r"share this|cookies?\b|advertisement|scroll down|watch the video|for confidential support|"
    r"related articles?|^related:|^photo:|^image:|^credit:|^caption:|getty images|"
    r"\bcopyright\b|©|^(?:updated|published|last updated)\b|^by\s|^\s*by\s*\.|"
    r"please (?:enable|upgrade)|javascript|terms of (?:use|service)|privacy policy"
)
_STOPWORDS = frozenset(
    split_words(
        """a an the and or but of to in on at for with by from as is was were are be been has
        have had it its this that these those he she they his her their them him i we you
        said says will would could can not no after before over into about up out who which
        what when where there than then also more most very just one two"""
    )
)
_TOKEN = re.compile(r"[^\W_]+")


# "(pictured)", "(left)", "(file photo)": picture directions inside a sentence
_PICTURE_NOTE = re.compile(
    r"\s*\((?:pictured|picture|left|right|centre|center|above|below|top|"
    r"bottom|inset|file|file photo|stock image)[^)]{0,30}\)"
)


# Compression: spans inside a chosen sentence that a reader of a summary can do without. Each
# goes only where what is left still reads as a sentence.
_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_TIME_UNITS = (
    r"(?:week|weekend|month|year|morning|afternoon|evening|night|days|weeks|months|years|hours"
    r"|season)"
)
# "On Monday, ", "Earlier this year, ", "In 2012, ", "In recent months, ", "In court today, "; not
# a time still to come ("In about five years, ", "Over the next decade, "), which is the news
_TIME_OPENER = re.compile(
    r"^(?:(?:On|In|By|During|Since|Last|This|Earlier|Later|Early|Late|Over|Until)\s"
    r"(?![^,]*\bnext\b)(?!(?:about |around |some )?\w+ (?:years|months|weeks|days)\b)"
    r"(?:[^,]{0,25}?\s)?(?:" + _DAYS + "|" + _MONTHS + r"|\d{4}|" + _TIME_UNITS + r")\b[^,]{0,12}"
    r"|(?:Earlier|Later|Yesterday|Today|Now|Last night|Recently)), (?=[a-zA-Z])"
)
# "Karo, now living in Los Angeles, claims": a description between commas after a name, when
# a lower-case word (the verb) follows; not a clause ("a man who was ...") nor a list
_APPOSITIVE = re.compile(
    r"\b([A-Z][\w’'-]*),\s((?:a|an|the|now|then|also|formerly)\s[^,;:'\"‘’“”()]{3,60}?),"
    r"(?=\s(?!(?:who|whom|which|whose|where|and|but|or)\b)[a-z])"
)
_VERB_LIKE = re.compile(
    r"\b(?:is|was|were|are|has|have|had|said|says|will|would|can|could|been)\b|\w+ed\b"
)
_NOT_A_NAME = frozenset(
    split_words(
        """However Meanwhile Instead Indeed Still Now Today Yesterday Earlier Later Then Also But
        And So Yet Overall Otherwise Again Here There Tonight Afterwards Nevertheless Moreover
        Furthermore"""
    )
)
# " (£16)", " (CDF)": a currency conversion or an acronym spelt out just before
_CONVERSION = re.compile(r"\s\((?:[£$€][\d.,]+\s?(?:[mb]n?|million|billion)?|[A-Z]{2,6}s?)\)")
# ", adding that she did not love him." / ", saying it was unfair." — a second thing said
_ADDING_TAIL = re.compile(
    r",\s(?:adding|saying|explaining|insisting|claiming|warning)\b.*?[.!?]?['’\"”]?$"
)
# ", as his sibling began to well up." / ", although he did at least sign off in style."
_ASIDE_TAIL = re.compile(r"(?<=\w),\s(?:as|while|whereas|although|though)\s[^,;:'\"‘’“”()]*[.!?]$")
_SUBORDINATE_START = re.compile(
    r"(?i)(?:whether|while|as|if|when|although|though|because|after|before|since)\b"
)
# ", American astronaut Scott Kelly said Wednesday." / ", Roscosmos, the Russian space agency,
# said." / ", the Old Bailey heard." / ", a family spokesman confirmed."
_SAID_TAIL = re.compile(
    r"(?<=[\w)]),\s+(?P<who>[^,;:'\"‘’“”!?]{1,60}?(?:,\s[^,;:'\"‘’“”!?]{1,60}?,)?)\s"
    r"(?P<verb>said|says|added|told|explained|claimed|revealed|admitted|insisted|warned|"
    r"confirmed|announced|stated|wrote|reported|heard|found)"
    r"(?P<rest>(?:\s[^\s,;:'\"‘’“”.!?]+){0,6})[.!?]$"
)
_CLAUSE_WORD = re.compile(
    r"(?i)\b(?:while|when|as|before|after|because|if|that|who|which|whose|where|and|but|or|so|"
    r"than|to|it|she|he|they|we|i|you)\b"
)
_SOURCE_WORDS = frozenset(
    split_words("he she they it police officials authorities experts researchers scientists")
)
_OPEN_QUOTE = re.compile(r"(?:^|\s)['\"‘“]")
_CLOSE_QUOTE = re.compile(r"['\"’”](?=[\s,.;:!?]|$)")


def _is_source(match: re.Match[str]) -> bool:
    """Whether a ", X said ..." tail names only who said it (and maybe when or to whom)."""
    who = match.group("who")
    name = re.sub(r",\s[^,]*,$", "", who)  # "Roscosmos, the space agency," -> "Roscosmos"
    if who.lower() not in _SOURCE_WORDS:
        if len(name.split()) > 6 or _CLAUSE_WORD.search(name):
            return False  # "..., she thought she had found the perfect home."
        if _VERB_LIKE.search(name.replace("-", " ")):
            return False
    rest = match.group("rest").split()
    if match.group("verb") == "told":
        # "told CNN", "told the Post", not "told his friends to take videos"
        return not rest or rest[0][:1].isupper() or rest[0] in ("the", "a", "reporters")
    return not _VERB_LIKE.search(" ".join(rest))


def _cut_tail(sentence: str, start: int) -> str:
    head = sentence[:start]
    if len(head.split()) < 8 or _SUBORDINATE_START.match(head):
        return sentence  # the tail carries the sentence ("While ..., as ...")
    return head + sentence[-1]


def compress_sentence(sentence: str) -> str:
    """The sentence without the spans a summary can spare: a time opener ("On Monday, "), a
    description between commas after a name, a currency conversion or acronym in brackets, a
    ", saying ..." or ", as ..." tail and an attribution tail (", a spokesman confirmed.")."""
    out = _TIME_OPENER.sub("", sentence, count=1)

    def appositive(match: re.Match[str]) -> str:
        name, description = match.group(1), match.group(2)
        if name in _NOT_A_NAME or name.endswith("ly") or len(description.split()) > 9:
            return match.group(0)
        if _VERB_LIKE.search(description.split(None, 1)[1]):
            return match.group(0)  # "..., the plaintiffs said the joke was, ..."
        return name

    out = _APPOSITIVE.sub(appositive, out)
    out = _CONVERSION.sub("", out)
    if out[-1:] in ".!?":
        # the first comma that opens a whole attribution tail: the longest tail
        for comma in (i for i, ch in enumerate(out) if ch == ","):
            said = _SAID_TAIL.match(out, comma)
            if said and _is_source(said):
                out = out[:comma] + out[-1]
                break
    aside = _ASIDE_TAIL.search(out)
    if aside:
        out = _cut_tail(out, aside.start())
    adding = _ADDING_TAIL.search(out)
    if adding:
        head = out[: adding.start()]
        opened = list(_OPEN_QUOTE.finditer(head))
        if not opened or _CLOSE_QUOTE.search(head, opened[-1].end()):
            out = head + "."  # not when the tail closes a quotation opened before it
    if out == sentence:
        return sentence
    out = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(out.split()))
    out = out[:1].upper() + out[1:]
    return out if len(out.split()) >= 5 else sentence


def clean_sentence(sentence: str) -> str:
    """A sentence without its dateline, caption label, picture notes and attribution tail."""
    sentence = _DATELINE.sub("", sentence, count=1).strip()
    sentence = _PICTURE_NOTE.sub("", sentence)
    sentence = _LABEL.sub("", sentence, count=1)
    sentence = _REPORTED_TAIL.sub("", sentence).strip()
    sentence = _ATTRIBUTION_TAIL.sub("", sentence).strip()
    return sentence


def is_summary_worthy(sentence: str) -> bool:
    """False for bylines, captions, headings and boilerplate."""
    words = sentence.split()
    if len(words) < 5 or _BOILERPLATE.search(sentence) or _TIME_STAMP.search(sentence):
        return False
    if not any(ch.islower() for ch in sentence):
        return False  # shouted heading
    # a heading or caption has no closing punctuation
    return sentence.rstrip("\"”’')]").endswith((".", "!", "?", "…"))


def split_glued_captions(sentence: str, lower_words: frozenset[str] = frozenset()) -> list[str]:
    """A sentence cut where a caption with no full stop runs into it. ``lower_words`` are the
    words the article writes in lower case: one of them capitalised mid-sentence opens one."""
    pieces: list[str] = []
    start = 0
    for match in _JUNCTION.finditer(sentence):
        word, after = match.group(1), match.group(2) or ""
        before = sentence[sentence.rfind(" ", 0, match.start()) + 1 : match.start()]
        if before.lower().strip("'’\"") in _NAME_BEFORE or word == "I":
            continue
        # "fight 1", "pornography", "‘poor’" but not "Court", "al-Khansa"
        lower_before = before[:1].isdigit() or (
            any(c.isalpha() for c in before) and not any(c.isupper() for c in before)
        )
        lower_after = after[:1].islower() or after[:1].isdigit()
        label = _RUN_ON_LABEL.match(sentence, match.end())
        if label:
            # "Charged:", "Musical team:" but not a name ("Tom Hill:")
            opens = lower_before and (bool(label.group(2)) or word.lower() in lower_words)
        elif not after:
            continue
        elif word in _OPENERS or word.startswith(("It’", "It'")):
            opens = lower_before or lower_after  # "Midnight In Paris" stays whole
        elif word in _DETERMINERS:
            opens = lower_after
        else:
            # an ordinary word the article writes in lower case, then a lower-case word,
            # after a lower-case one: "... pornography Police in Ohio"
            bare = re.sub(r"[’']s?$", "", word).lower()
            opens = (
                lower_before and not before[:1].isdigit() and lower_after and bare in lower_words
            )
        if not opens:
            continue
        pieces.append(sentence[start : match.start()])
        start = match.end()
    pieces.append(sentence[start:])
    return [p for p in (piece.strip() for piece in pieces) if p]


def _in_a_list(number: int, text: str) -> bool:
    """Whether the text numbers items on and a number next to ``number`` does too."""
    return any(f" {n}. " in text for n in (number - 1, number + 1) if n > 0)


def lead_sentences(text: str) -> list[str]:
    """The article's sentences in order, cleaned, without the ones a summary must skip."""
    out: list[str] = []
    text = _PAGE_HEADER.sub("", text, count=1)
    lower = frozenset(re.findall(r"(?<![\w’'-])[a-z][a-z’'-]+", text))
    for sentence in split_sentences(text):
        pieces = split_glued_captions(sentence, lower)
        if len(pieces) > 1 and _BOILERPLATE.search(sentence):
            continue  # what follows "Scroll down for video" is a caption too
        for piece in pieces:
            number = _LIST_NUMBER.search(piece)
            if number and _in_a_list(int(number.group(1)), text):
                piece = piece[: number.start()] + "."
            cleaned = clean_sentence(piece.strip())
            # a caption often repeats a sentence of the text word for word
            if is_summary_worthy(cleaned) and cleaned not in out:
                out.append(cleaned)
    return out


def _content(sentence: str) -> Counter[str]:
    return Counter(
        t for t in _TOKEN.findall(sentence.lower()) if t not in _STOPWORDS and len(t) > 1
    )


def quoted_shares(sentences: list[str]) -> list[float]:
    """The share of each sentence's words inside quotation marks. A quotation still open at
    the end of a sentence goes on in the next one, and a closing mark with no opening one
    means the sentence began inside a quotation ("I was told ... a problem.' She said")."""
    shares: list[float] = []
    inside = False
    for sentence in sentences:
        words = sentence.split()
        quoted = 0
        for count, word in enumerate(words, 1):
            body = word.lstrip("\"'“‘«([")
            for mark in word[: len(word) - len(body)]:
                if mark in _OPENING_MARKS or (mark in "\"'" and not inside):
                    inside = True
                elif mark == '"':
                    inside = False
            quoted += inside
            stripped = body.rstrip("\"'”’».,;:!?)]")
            for mark in reversed(body[len(stripped) :]):
                if mark not in "\"'”’»":
                    continue
                if mark in "'’" and stripped.endswith(("s", "S")) and not inside:
                    continue  # "the players' union": a plural possessive
                if inside:
                    inside = False
                elif mark != "'":
                    quoted = count  # closed but never opened here: all so far was quoted
        shares.append(quoted / len(words) if words else 0.0)
    return shares


def _scores(sentences: list[str], words: list[Counter[str]]) -> list[float]:
    document: Counter[str] = Counter()
    for counts in words:
        document.update(counts)
    scores = []
    quoted = quoted_shares(sentences)
    for index, (sentence, counts) in enumerate(zip(sentences, words, strict=True)):
        rest = document - counts
        shared = sum(min(n, rest[w]) for w, n in counts.items())
        centrality = shared / (sum(counts.values()) + 1)
        length = len(sentence.split())
        score = math.exp(-index / _POSITION_DECAY) + _CENTRALITY_WEIGHT * centrality
        if quoted[index] >= _QUOTED_SHARE:
            score -= _QUOTE_PENALTY  # a voice, not the event
        score -= _LONG_PENALTY * max(0, length - _LONG_WORDS) / _LONG_WORDS
        scores.append(score)
    return scores


def summary_sentences(title: str, text: str, *, max_chars: int = 500) -> list[str]:
    """The summary's sentences in the article's order, together at most ``max_chars``
    characters (with a space between them). A first pick longer than that is cut at a word
    ("…"); a later one that does not fit is left out."""
    sentences = [s for s in lead_sentences(text) if not (title and _same_text(s, title))]
    sentences = sentences[:_CANDIDATES]
    if not sentences:
        return []
    words = [_content(s) for s in sentences]
    scores = _scores(sentences, words)
    chosen: list[int] = []
    length_words = 0
    length_chars = -1
    for index in sorted(range(len(sentences)), key=lambda i: -scores[i]):
        if length_words >= TARGET_WORDS:
            break
        sentence = sentences[index]
        size = len(sentence.split())
        if chosen and length_words + size > TARGET_WORDS * _OVERSHOOT:
            continue
        if chosen and length_chars + 1 + len(sentence) > max_chars:
            continue
        own = set(words[index])
        if any(len(own & set(words[j])) > _REDUNDANT * (len(own) + 1) for j in chosen):
            continue
        chosen.append(index)
        length_words += size
        length_chars += 1 + len(sentence)
        if length_chars > max_chars:  # the first pick alone is too long
            return [_truncate(compress_sentence(sentence), max_chars)]
    return [compress_sentence(sentences[i]) for i in sorted(chosen)]


def summarize(title: str, text: str, *, max_chars: int = 500) -> str:
    """The summary as one paragraph (the text itself, cut, when no sentence qualifies)."""
    chosen = summary_sentences(title, text, max_chars=max_chars)
    if not chosen:
        return _truncate(" ".join(text.split()) or title.strip(), max_chars)
    return " ".join(chosen)


def _same_text(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(re.findall(r"\w+", s.lower()))

    return norm(a) == norm(b)


def _truncate(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"
