"""Countries and persons of one analysed text (a spaCy ``Doc``).

Countries come from the gazetteer scan (``countries.scan``), with the NER model used as a
filter: a country word inside an organisation, a person's name, a work or a language does not
count, and an ambiguous word (a first name, a US state sharing a country's name) counts only
where the model also sees a place. Persons come from the model's PERSON spans, cleaned to
canonical full names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.news.model import EntityKind, fold, person_key
from bot.news.understanding.clubs import club_mentions
from bot.news.understanding.countries import (
    BLOCKED,
    TermMatch,
    country_name,
    resolve_country,
    scan,
    term_kind,
)
from bot.news.understanding.english_words import is_english_word
from bot.news.understanding.given_names import is_common_given_name, is_given_name
from bot.news.understanding.line_ups import line_up_names
from bot.news.understanding.person_evidence import (
    has_person_cue,
    listed_with_people,
    names_an_animal,
    referred_back,
)
from bot.news.understanding.persons import (
    OPENERS,
    clean_person,
    is_author,
    is_credit_context,
    is_east_asian_given_name,
    is_title_word,
    merge_persons,
)
from bot.news.understanding.sentences import split_words
from bot.news.understanding.text_lookup import count_word, covering, inside, spans_by_start
from bot.news.understanding.thing_evidence import described_as_thing, played_role

if TYPE_CHECKING:  # spaCy is imported by the worker that analyses, not by importers of types
    from spacy.tokens import Doc, Span

# spans whose country words are names of something else
_NAME_LABELS = {"ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "FAC", "LAW"}
_PLACE_LABELS = {"GPE", "LOC", "NORP"}
# an organisation that starts with a country word and is one of its institutions still names
# the country ("the U.S. Senate", "the Nigerian Senate", "U.S. Securities and Exchange Commission")
_STATE_WORDS = frozenset(
    split_words(
        """senate house congress parliament assembly government ministry department embassy
    consulate army navy air force forces military police attorney court supreme securities
    commission federal treasury state coast guard marines defense defence foreign space agency
    customs border central bank national cabinet administration presidency authorities
    intelligence election electoral office"""
    )
)
_LANGUAGE_BEFORE = frozenset(
    split_words(
        """in into speak speaks spoke spoken speaking learn learned learning learnt fluent
    translated translate translation dubbed"""
    )
)
_LANGUAGE_AFTER = frozenset(
    split_words(
        """language languages speaking speaker speakers translation translations subtitles
    subtitled dub dubbed cuisine food foods restaurant restaurants dish dishes dressing fries
    toast cooking recipe recipes accent accents word words phrase phrases dialect dialects
    slang lesson lessons grammar vocabulary alphabet"""
    )
)


@dataclass
class Found:
    """One entity of an article with where it is mentioned (character offsets in the doc)."""

    kind: EntityKind
    key: str  # country code or person key
    name: str  # display name (persons) or code
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.spans)


def find_countries(doc: Doc, persons: Iterable[Found] = ()) -> list[Found]:
    """The countries a text names, each with the offsets of its counted mentions. A place word
    inside the name of one of ``persons`` names no country ("Jordan Spieth", "Paris Hilton")."""
    text = doc.text  # spaCy builds it anew at each access: read once
    ents = list(doc.ents)
    persons = list(persons)
    named = [span for person in persons for span in person.spans]
    inside_names = spans_by_start(named)
    surnames = {fold(p.name.split()[-1]) for p in persons if len(p.name.split()) > 1}
    people = [(e.start_char, e.end_char) for e in ents if e.label_ == "PERSON"]
    counted: dict[str, Found] = {}
    ambiguous: list[TermMatch] = []
    matches, club_indexes = _scanned(text)
    for index, match in enumerate(matches):
        if BLOCKED in match.codes or not _counts(match, text, ents, named):
            continue
        if index in club_indexes:
            continue  # "Swansea City striker", "victory over Malaga": a club, not its town
        if _placed_elsewhere(text, match, matches[max(0, index - 1) : index + 3]):
            continue
        if inside(inside_names, match.start, match.end):
            continue
        if match.kind == "place" and _STAKE_IN.search(text, max(0, match.start - 20), match.start):
            continue  # "Carlyle already held a stake in Ithaca": a firm named after a town
        if fold(match.text) in surnames and has_person_cue(
            text, [(match.start, match.end)], loose=False
        ):
            continue  # "Joaquin Phoenix ... Phoenix said": the person, not the city
        if match.weak and listed_with_people(text, [(match.start, match.end)], people):
            continue  # "were Charlotte, Fiona and Pauline": first names, not a city
        if len(match.codes) > 1:
            ambiguous.append(match)
            continue
        code = match.codes[0]
        counted.setdefault(code, Found("country", code, code)).spans.append(
            (match.start, match.end)
        )
    countries_named = [
        (m.start, m.end)
        for m in matches
        if m.kind == "name"
        and len(m.codes) == 1
        and m.codes[0] in counted
        and (m.start, m.end) in counted[m.codes[0]].spans
    ]
    for match in ambiguous:
        # "Georgia": the country of that name when listed with countries ("Turkey, Mali and
        # Georgia"), else the country with other evidence in the same text, else neither
        supported = [code for code in match.codes if code in counted]
        if listed_with_people(text, [(match.start, match.end)], countries_named):
            supported = [code for code in match.codes if country_name(code) == match.text]
        if len(supported) == 1:
            counted.setdefault(supported[0], Found("country", supported[0], supported[0]))
            counted[supported[0]].spans.append((match.start, match.end))
    return sorted(counted.values(), key=lambda f: f.spans[0])


@lru_cache(maxsize=8)
def _scanned(text: str) -> tuple[tuple[TermMatch, ...], frozenset[int]]:
    """The gazetteer's matches in ``text`` and the indexes of the towns among them that name a
    club. Both finders read them for the same text, so they are found once."""
    matches = tuple(scan(text))
    towns = [i for i, match in enumerate(matches) if match.kind == "place"]
    clubs = club_mentions(text, [(matches[i].start, matches[i].end) for i in towns])
    return matches, frozenset(towns[i] for i in clubs)


def _placed_elsewhere(text: str, match: TermMatch, around: Sequence[TermMatch]) -> bool:
    """A town written with the region or country it is in, elsewhere than where the name
    alone points: "Paris, Texas", "London, Ontario". ``around``: the matches from the one
    before ``match`` to the two after it. A list of places ("Paris, London and Berlin") is
    no town with its region."""
    at = around.index(match)
    before, following = around[:at], around[at + 1 :]
    if match.kind != "place" or not following:
        return False
    region = following[0]
    if not re.fullmatch(r",\s*", text[match.end : region.start]):
        return False
    if BLOCKED in region.codes or set(region.codes) & set(match.codes):
        return False
    listed = [(before[-1].end, match.start)] if before else []
    listed += [(region.end, following[1].start)] if len(following) > 1 else []
    return not any(_PLACE_LIST_GAP.fullmatch(text, start, end) for start, end in listed)


_PLACE_LIST_GAP = re.compile(r",\s*(?:(?:and|or)\s+)?|,?\s+(?:and|or)\s+")


def _counts(
    match: TermMatch, text: str, ents: list[Span], named: Sequence[tuple[int, int]] = ()
) -> bool:
    over = covering(ents, match.start, match.end)
    labels = {e.label_ for e in over}
    one_of = _a_person_from(text, match)
    if ("LANGUAGE" in labels and not one_of) or _reads_as_language(text, match):
        return False
    # "the US Food and Drug Administration" is a state body, not food
    state_body = any(e.label_ != "GPE" and _names_state_body(text, e, match) for e in over)
    if not state_body and _names_a_thing(text, match):
        return False
    if _in_credit_line(text, match.start) or _epithet(text, match):
        return False
    if match.weak and not labels & _PLACE_LABELS:
        return False
    for ent in over:
        label = ent.label_
        within = match.start <= ent.start_char and ent.end_char <= match.end
        if within and _strip_the(ent.text) != _strip_the(match.text):
            continue  # "Trinidad" GPE, "Tobago" ORG: the model cut a name the gazetteer knows
        exact = _strip_the(ent.text) == match.text
        if label == "PERSON" and (one_of or _names_state_body(text, ent, match)):
            continue  # "the 19-year-old Scot"; "Birmingham Magistrates' Court" taken for a name
        if label == "PERSON" and not (exact and match.kind in ("name", "alias") and not match.weak):
            if match.end == ent.end_char and any(
                ent.start_char <= start and end <= match.start for start, end in named
            ):
                continue  # "Sviatlana Tsikhanouskaya Belarus": the name ends before the country
            if (
                exact
                and match.kind == "place"
                and not match.weak
                and _LOCATED_BEFORE.search(text, max(0, match.start - 20), match.start)
            ):
                continue  # "towns across Yorkshire": where things happen, not who
            return False
        if label in _NAME_LABELS and not exact:
            if label in ("EVENT", "FAC") and match.kind != "demonym":
                continue  # "Bangkok International Motor Show" happens in Bangkok
            if not _names_state_body(text, ent, match):
                return False
    return True


# prepositions that put what follows on a map ("across Yorkshire", "visited Manchester")
_LOCATED_BEFORE = re.compile(
    r"\b(?:in|across|near|outside|around|throughout|from|to|towards|visited|visit)[ \t]+$"
)
_THING_AFTER = frozenset(
    split_words(
        """chile chili chilli pepper peppers cheese sauce sprouts wings mustard terrier style
        cuisine food dish dressing fries toast recipe yogurt yoghurt bbq barbecue salad beer wine
        coffee tea whisky whiskey vodka bread pizza sausage noodles dumplings curry takeout
        takeaway cigar cigars shepherd shepherds sea roulette whispers wave courage breakfast
        bath delight massage wax kiss standoff muffin muffins horn doors setter bulldog bulldogs
        pastry pastries rug rugs onion soup stone"""
    )
)
_CREDIT_LINE = re.compile(
    r"(?i)contributed (?:reporting|to this report)|^\W*(?:additional )?(?:reporting|editing|"
    r"writing) by\b"
)


_THE_BEFORE = re.compile(r"\b[Tt]he (?:\d{1,3}-year-old )?$")


def _a_person_from(text: str, match: TermMatch) -> bool:
    """A demonym naming a person or a people ("the Scot", "the 19-year-old Filipino's
    promoter"), which the model may call a person or a language."""
    return match.kind == "demonym" and bool(
        _THE_BEFORE.search(text, max(0, match.start - 20), match.start)
    )


def _names_a_thing(text: str, match: TermMatch) -> bool:
    """A place word naming a thing: "Fresno chile", "Buffalo wings", or a title such as
    "The Hollywood Reporter" (a capital "The" inside a sentence, then another capital word)."""
    after = re.match(r"[ \t]+([A-Za-z]+)", text[match.end : match.end + 30])
    if after and after.group(1).lower() in _THING_AFTER:
        return True
    if match.kind == "place" and _TREATY_AFTER.match(text, match.end):
        return True  # "the Paris Agreement", "the Kyoto Protocol": a treaty, not its town
    if _NAMED_AFTER.match(text, match.end):
        return True  # "Congo Square" in New Orleans, a "Cuba-style embargo"
    before = text[max(0, match.start - 6) : match.start]
    if not re.search(r"[a-z,:;] The $", before) or not after:
        return False
    following = after.group(1)
    return following[:1].isupper() and following.lower() not in _STATE_WORDS


_TREATY_AFTER = re.compile(
    r"[ \t]+(?:(?:climate|peace|nuclear|ceasefire|cease-fire)[ \t]+)?"
    r"(?i:agreements?|accords?|protocols?|conventions?|treaty|declaration|consensus)\b"
)
_STAKE_IN = re.compile(r"\b(?i:stakes?|shares|stock|holding) (?:in|of) $")
# a street or square named after a place, and a style named after one
_NAMED_AFTER = re.compile(
    r"[ \t]+(?:Square|Street|Avenue|Road|Boulevard|Lane|Terrace|Crescent)\b|-style\b"
)
_GIVEN_OF = re.compile(r"\b([A-Z][a-z]+) of (?:the )?$")


def _epithet(text: str, match: TermMatch) -> bool:
    """A place in a person's by-name ("Katherine of Alexandria", "Joan of Arc"): a first name,
    no title, then "of"."""
    given = _GIVEN_OF.search(text, max(0, match.start - 30), match.start)
    if given is None:
        return False
    word = given.group(1)
    return is_given_name(word) and not is_title_word(word) and not term_kind(word)


def _in_credit_line(text: str, start: int) -> bool:
    """ "Keith Bradsher contributed reporting from Hong Kong": where the reporter sat."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return len(line) < 300 and bool(_CREDIT_LINE.search(line))


def _strip_the(text: str) -> str:
    """A name without its article or possessive: "the Pentagon", "Sierra Leone's"."""
    return re.sub(r"['’]s?$", "", re.sub(r"^(?i:the)\s+", "", text).strip())


def _names_state_body(text: str, ent: Span, match: TermMatch) -> bool:
    """True for "the U.S. Senate"-like organisations: the country word first, then a state
    body. False for "British Airways", "University of Florida", "The New York Times"."""
    before = text[ent.start_char : match.start]
    if before.strip().lower() not in ("", "the"):
        return False
    rest = text[match.end : ent.end_char].lower()
    return any(word in _STATE_WORDS for word in re.findall(r"[a-z]+", rest))


def _reads_as_language(text: str, match: TermMatch) -> bool:
    """A demonym used as a language or cuisine word ("written in French", "Chinese food"),
    or listed with one ("speaks fluent Spanish and some Portuguese", "Thai and Indian food")."""
    if match.kind != "demonym":
        return False
    if _language_word(text, match.start, match.end):
        return True
    for pattern, backwards in ((_LISTED_BEFORE, True), (_LISTED_AFTER, False)):
        start, end = match.start, match.end
        for _ in range(4):  # along the list, one neighbour at a time
            if backwards:
                listed = pattern.search(text, max(0, start - 40), start)
            else:
                listed = pattern.match(text, end, end + 40)
            word = listed.group(1) if listed else ""
            # a list of accents or dialects names some no gazetteer has ("Cockney")
            if not word or term_kind(word) not in ("demonym", None):
                break
            start, end = listed.span(1)
            if _language_word(text, start, end):
                return True
    return False


# a word before or after a demonym in a list ("Spanish and some Portuguese")
_LIST_WORDS = (
    r"(?:,[ \t]*|,?[ \t]+(?:and|or)[ \t]+)(?:(?:some|a little|basic|broken|fluent)[ \t]+)?"
)
_LISTED_BEFORE = re.compile(r"\b([A-Z][a-z]+)" + _LIST_WORDS + r"$")
_LISTED_AFTER = re.compile(_LIST_WORDS + r"([A-Z][a-z]+)\b")


def _language_word(text: str, start: int, end: int) -> bool:
    """Whether the demonym at ``start:end`` is written as a language or a cuisine."""
    before = re.findall(r"[A-Za-z]+", text[max(0, start - 30) : start])
    after_text = text[end : end + 30]
    after = re.findall(r"[A-Za-z]+", after_text)
    if after_text.startswith("-") and after and after[0].lower() in ("language", "speaking"):
        return True
    if after and after[0].lower() in _LANGUAGE_AFTER:
        return True
    if before and before[-1].lower() in _LANGUAGE_BEFORE:
        # "in French." is the language; "in French cities" is the country
        next_char = after_text.lstrip()[:1]
        return before[-1].lower() != "in" or not next_char.isalpha() or after[0] in ("and", "or")
    return False


_TITLED = (
    r"(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|President|Prince|Princess|Queen|King|Senator|"
    r"Judge|Coach|Pope|Professor|Sheikh|Imam|General|Minister|Chancellor|Sir|Dame|Lord|Lady)"
)


# a lower-case role noun right before a one-word name says it is a person
_ROLE_BEFORE = (
    r"\b(?:star|singer|rapper|player|striker|forward|midfielder|defender|goalkeeper|"
    r"quarterback|actor|actress|artist|musician|comedian|designer|chef|painter|poet|author|"
    r"writer|novelist|director|dictator|leader|president|founder|boss|manager|coach|captain|"
    r"legend|icon|pop star|superstar|center|centre|receiver|rusher|linebacker|tackle|guard|"
    r"keeper|pitcher|catcher|batter|bowler|batsman|winger|journalist|reporter|photographer|"
    r"lawyer|attorney|spokesman|spokeswoman|professor|scientist|researcher|economist|analyst|"
    r"investor|billionaire|entrepreneur|executive|official|senator|congresswoman|congressman|"
    r"judge|nurse|doctor|teacher|student|victim|suspect|survivor|widow|mother|father|son|"
    r"daughter|wife|husband|brother|sister)\s+"
)


def find_persons(doc: Doc, authors: Iterable[str] = ()) -> list[Found]:
    """The persons a text names, merged to canonical full names. ``authors`` (the page's
    byline) wrote the article: they are not in the news."""
    text = doc.text
    ents = doc.ents  # spaCy builds the text and the entities anew at each access
    other_labels: Counter[str] = Counter()
    for ent in ents:
        if ent.label_ != "PERSON" and not _given_name_as_group(ent):
            other_labels[_entity_key(ent.text)] += 1
    raw: list[tuple[str, int, int]] = []
    for ent in ents:
        if ent.label_ != "PERSON":
            continue
        if is_credit_context(text, ent.start_char, ent.end_char):
            continue
        piece, piece_start = _name_piece(text, _particle_name_start(text, ent), ent.end_char)
        cleaned = clean_person(piece) if piece else None
        if cleaned is None:
            continue
        name, offset = cleaned
        start = piece_start + offset
        name = _complete_cut_name(name, text, start + len(name))
        if name is None:
            continue
        name, start = _extend_cut_name(name, text, start)
        if _INSTITUTION_AFTER.match(text, start + len(name)):
            continue
        if re.match(r"-[a-z]", text[start + len(name) : start + len(name) + 2]):
            continue  # "Flash-forward", "Trump-style": a word made with the name
        raw.append((name, start, start + len(name)))
    raw.extend(_possessed_names(doc))
    raw.extend(_untagged_names(doc))
    raw.extend(_untagged_east_asian_names(doc))
    raw.extend(_honoured_names(doc))
    raw.extend(_speakers(doc))
    lined_up = line_up_names(text)
    raw.extend(lined_up)
    raw.extend(_persons_tagged_otherwise(doc, raw))
    raw = _trim_glued_words(raw, text, other_labels, _club_towns(text))
    raw = [m for m in raw if not is_author(m[0], authors)]
    # a name written once as an animal's ("his horse Monbeg Dude", "lamb Jean") is that
    # animal throughout; a fuller name ("Jean Morris") is still someone else
    animals = {fold(n) for n, s, e in raw if names_an_animal(text, [(s, e)])}
    raw = [m for m in raw if fold(m[0]) not in animals]
    person_counts = Counter(fold(name) for name, _, _ in raw)
    # mentions that are people on the evidence of their name alone
    people = [(s, e) for n, s, e in raw if len(n.split()) > 1 and _named_like_person(n.split())]
    cued = _untagged_names_with_cue(doc, raw, people)
    raw += cued
    person_counts.update(fold(name) for name, _, _ in cued)
    surnames = {fold(n.split()[-1]) for n, _, _ in raw if len(n.split()) > 1}
    players = {fold(name) for name, _, _ in lined_up}  # a line-up's cells are people
    persons: list[Found] = []
    for name, spans in merge_persons(raw):
        key = fold(name)
        if other_labels[key] > person_counts[key]:
            continue  # mostly an organisation, product or place in this text ("Steelers")
        if _common_word_first(name, text):
            continue  # "Skin Laundry", "Top Rank", "Medicine Bow": a shop, a firm, a town
        if all(_quoted(text, start, end) for start, end in spans):
            continue  # “Mary Poppins”: a title in quotation marks
        if all(_in_heading(text, start) for start, _ in spans):
            continue  # named only in headings: links to other stories, not this one
        if all(_placed(text, start, end, ents) for start, end in spans):
            continue  # "near Melton Mowbray, Leicestershire": a town, named as towns are
        if all(_traded(text, s, e) for s, e in spans):
            continue  # "shares in Ralph Lauren": a firm named after its founder
        if any(_acts_as_firm(text, s, e) for s, e in spans) and not has_person_cue(
            text, spans, None, (), speech=False, loose=False
        ):
            continue  # "Ted Baker collapsed into administration": a firm, not its founder
        if all(played_role(text, s, e) for s, e in spans):
            continue  # "playing vet Siegfried Farnon": a character, not a person in the news
        if any(described_as_thing(text, e) for _, e in spans):
            continue  # "Ansar al-Sharia, an al-Qaeda-linked organization"
        if all(_thing_after_the(text, s, e, name) for s, e in spans):
            continue  # "the Herald Sun", "the Red Devils": a thing or a team, never a person
        if len(name.split()) == 1:
            if all(_owned_by_person(text, start, surnames) for start, _ in spans):
                continue  # "Elon Musk's Tesla": what a person owns or runs
            fuller = _fuller_name(name, text, other_labels) or _shared_surname(name, spans, text)
            # a word the model also takes for a firm, a party or a place needs a title or a
            # role: firms "say" things too ("Roscosmos said", "Labour")
            only_person = other_labels[key] == 0
            if fuller:
                name = fuller
            elif not (
                key in players
                or _keeps_single(name, len(spans), text, only_person)
                or has_person_cue(text, spans, None, people, speech=only_person, loose=False)
                or (only_person and listed_with_people(text, spans, people))
            ):
                continue
        words = name.split()
        # the last word alone counts as this person's surname unless the model names
        # something else with it more often ("Aston Villa" ... "Villa")
        last = _entity_key(words[-1])
        surname = words[-1] if other_labels[last] <= person_counts[last] else None
        if (
            len(words) > 1
            and key not in players
            and not _named_like_person(words)
            and not has_person_cue(text, spans, surname, people)
            # "Jacinda Ardern", "Nayib Bukele": first names no list has; things the model
            # calls persons are mostly named with words ("Oxy Pure", "Enter Lugg")
            and not (
                len(words) == 2
                and all(_surname_like(w, text) for w in words)
                and not other_labels[_entity_key(words[0])]
            )
        ):
            continue  # "Oxy Pure", "Enter Lugg": no first name, nothing says a person
        persons.append(Found("person", person_key(name), name, spans))
    return persons


# faiths and parties that are also first names: a NORP label on them is right
_GROUP_NAMES = frozenset(split_words("christian christians hindu sikh liberal tory"))


_SHARES_IN = re.compile(r"\b(?i:shares|stock|stake|stakes|investors) (?:in|of) $")
_SHARES_AFTER = re.compile(r"(?:['’]s?)? (?:shares|stock|share price|stock price)\b")


def _traded(text: str, start: int, end: int) -> bool:
    """A name traded on a stock market ("shares in Ralph Lauren", "Calvin Klein shares")."""
    return bool(
        _SHARES_IN.search(text, max(0, start - 20), start) or _SHARES_AFTER.match(text, end)
    )


# what only a firm does or has, right after its name: "Hugo Boss reported record sales", "Ted
# Baker collapsed into administration", "Louis Vuitton opened a store", "Tim Hortons is
# expanding in China", "Ted Baker's shops"
_FIRM_AFTER = re.compile(
    r"(?:['’]s?)?[ \t]+(?:(?:has|have|had|will|is|was|also|then)[ \t]+)?(?:"
    r"report(?:s|ed)?[ \t]+(?:[\w-]+[ \t]+){0,2}(?:sales|profits?|revenues?|earnings|losses)\b"
    r"|(?:collapsed|went|fell|plunged|falls?|goes)[ \t]+into[ \t]+administration\b"
    r"|(?:opened|opens|open|opening|closed|closes|close|closing)[ \t]+"
    r"(?:(?:a|its|the|\d+|[\w-]+)[ \t]+){0,2}"
    r"(?:stores?|shops?|outlets?|boutiques?|branch(?:es)?)\b"
    r"|expand(?:s|ed|ing)?[ \t]+(?:in|into|to|across)\b"
    r"|(?:stores|shops|outlets|boutiques|brand|label|customers|shareholders)\b"
    r")"
)


def _acts_as_firm(text: str, start: int, end: int) -> bool:
    """A name followed by what only a firm does or has (see ``_FIRM_AFTER``)."""
    return bool(_FIRM_AFTER.match(text, end))


# "the Harry Potter films": a title, whose hero is nobody in the news
_WORKS_AFTER = re.compile(
    r"[ \t]+(?:films?|movies?|franchise|books|novels?|series|saga|musical|stories)\b"
)


def _thing_after_the(text: str, start: int, end: int, name: str) -> bool:
    """ "the Herald Sun": a name after "the" is a thing, unless it is a first name and a
    surname used to describe what follows ("the Peyton Manning record breaking season"), and
    what follows is no work named after its hero ("the Harry Potter films")."""
    if not re.search(r"\b[Tt]he\s+$", text[max(0, start - 4) : start]):
        return False
    words = name.split()
    describes = re.match(r"[ \t]+[a-z]", text[end : end + 2]) and not _WORKS_AFTER.match(text, end)
    return not (len(words) > 1 and is_given_name(words[0]) and describes)


def _given_name_as_group(ent: Span) -> bool:
    """A first name alone that the model labels a nationality or group ("Adrian", "Sarah"):
    only a nationality or a faith is a group, and a first name is neither."""
    word = ent.text.strip()
    return (
        ent.label_ == "NORP"
        and len(word.split()) == 1
        and is_given_name(word)
        and term_kind(word) is None
        and fold(word) not in _GROUP_NAMES
    )


# a name that begins the name of a firm, a building or an institution ("Walt Disney Co.",
# "Johns Hopkins Hospital", "Kennedy Center"): that mention is the institution, not the person
_INSTITUTION_AFTER = re.compile(
    r"(?:['’]s?)?[ \t]+(?:Inc|Corp|Corporation|Co|Company|Companies|LLC|Ltd|Limited|PLC|plc|GmbH|"
    r"AG|SA|LLP|Group|Holdings|Foundation|Institute|University|College|School|Academy|"
    r"Hospital|Clinic|Center|Centre|Stadium|Arena|Park|Airport|Museum|Library|Memorial|Bridge|"
    r"Street|Avenue|Road|Boulevard|Square|Hall|Theater|Theatre|Studios|Productions|Records|"
    r"Entertainment|Enterprises|Industries|Motors|Partners|Capital|Ventures|Brands|Trust|"
    r"Fund|Award|Awards|Prize|Trophy|Cup|Festival|Day)\b"
)


def _name_piece(text: str, start: int, end: int) -> tuple[str, int]:
    """The part of a PERSON span that can be a name, with its offset in the text.

    A span never runs across lines ("Peter Snijder\nSpider", a heading above a name); a
    hashtag or handle glued before it is not part of the name ("#Browns Greedy Williams")."""
    if start > 0 and text[start - 1] in "#@":
        first = re.match(r"\S+\s*", text[start:end])
        start += first.end() if first else end - start
    # a link's hover card repeats the name glued to it ("Alexandria Ocasio-CortezAlexandria
    # Ocasio-CortezSanders"): the name ends where its first word comes again after a letter
    first_word = re.match(r"[A-Z][a-z]+", text[start:end])
    if first_word:
        repeat = re.search(r"(?<=[a-z])" + first_word.group() + r"\b", text[start:end])
        end = start + repeat.start() if repeat else end
    pieces = [(m.group(), start + m.start()) for m in re.finditer(r"[^\n]+", text[start:end])]
    pieces = [(p, at) for p, at in pieces if p.strip()]
    if not pieces:
        return "", start
    if len(pieces) == 1:
        return pieces[0]
    several = [p for p in pieces if len(p[0].split()) > 1]
    return several[0] if several else max(pieces, key=lambda p: len(p[0]))


_OPEN_QUOTES = "“\"‘'«"
_CLOSE_QUOTES = "”\"’'»"


def _quoted(text: str, start: int, end: int) -> bool:
    """A mention that is the whole content of quotation marks (“Mary Poppins,”)."""
    before = text[max(0, start - 1) : start]
    after = re.match(r"[,.!?]?([”\"’'»])", text[end : end + 2])
    return bool(before) and before in _OPEN_QUOTES and after is not None


# "in Melton Mowbray, Leicestershire", "near Port Arthur, Texas": a town and its county,
# state or country, the way news says where something happened
_PLACE_BEFORE = re.compile(r"\b(?:in|near|outside|around|at|to)\s+$")
_PLACE_AFTER = re.compile(r",[ \t]+([A-Z][\w.'’-]+)")


_FROM_PLACE_TO = re.compile(r"\bfrom (\S[^,;.]{0,40}?) to $")
_TO_AFTER = re.compile(r" to ([A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,3})")


def _on_a_route(text: str, start: int, end: int, ents: Sequence[Span]) -> bool:
    """The other end of a way from or to a place ("from Port Talbot to Merthyr Tydfil")."""
    other = _FROM_PLACE_TO.search(text, max(0, start - 50), start)
    if other is None and text[max(0, start - 5) : start] == "from ":
        other = _TO_AFTER.match(text, end)
    if other is None:
        return False
    at, until = other.span(1)
    return any(
        e.start_char == at and e.end_char == until and e.label_ in ("GPE", "LOC") for e in ents
    )


def _placed(text: str, start: int, end: int, ents: Sequence[Span]) -> bool:
    """A mention written as a place: after "in"/"near" and before ", <region or country>", or
    on a way to or from a place."""
    if _on_a_route(text, start, end, ents):
        return True
    if not _PLACE_BEFORE.search(text[max(0, start - 8) : start]):
        return False
    after = _PLACE_AFTER.match(text, end)
    if after is None:
        return False
    region = after.group(1).strip(".")
    if term_kind(region) in ("name", "alias", "place") or region.endswith("shire"):
        return True
    at = after.start(1)
    return any(e.start_char == at and e.label_ in ("GPE", "LOC") for e in ents)


# words a title-case heading leaves in lower case
_HEADING_SMALL_WORDS = frozenset(split_words("a an the of in on to for and or at by with"))


_POST_SIGNATURE = re.compile(r"\s*[—–-]\s.{1,80}\(@\w{1,30}\)")


def _in_heading(text: str, start: int) -> bool:
    """A line written in title case ("Trump Slams Democrats Over Impeachment Vote")."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    words = re.findall(r"[A-Za-z][\w'’-]*", line)
    if len(words) < 4 or "|" in line or line.rstrip().endswith((".", "!", "”", '"', ":")):
        return False  # a sentence, one opening a quotation, or a table row (a line-up)
    if _POST_SIGNATURE.match(line):
        return False  # "— Mike Beauvais (@MikeBeauvais) November 18, 2019": who posted
    question = text[max(0, line_start - 300) : line_start].rstrip().endswith("?")
    if question or re.match(r"\s*A:", line):
        return False  # an interview's answer ("Q: Favorite artists?\nA: Bob Marley, ...")
    capitals = [w[0].isupper() for w in words if w.lower() not in _HEADING_SMALL_WORDS]
    return sum(capitals) >= 0.8 * len(capitals)


def _shared_surname(name: str, spans: list[tuple[int, int]], text: str) -> str | None:
    """ "Brian and Charlotte Smith", "Ruth and Peter Gaver": a first name joined to a full
    name shares its surname."""
    if not is_given_name(name):
        return None
    for start, end in spans:
        if re.search(_TITLED + r"\.?\s+$", text[max(0, start - 20) : start]):
            continue  # "President Clinton and Prince Harry"
        joined = re.match(r" (?:and|&) ([A-Z][\w'’-]+) ([A-Z][\w'’-]+)\b", text[end : end + 60])
        if joined is None or not is_given_name(joined.group(1)):
            continue
        shared = f"{name} {joined.group(2)}"
        # "Marshall and Solomon Islands": places share a last word too
        if not any(is_title_word(word) for word in joined.groups()) and clean_person(shared):
            return shared
    return None


def _named_like_person(words: list[str]) -> bool:
    """A name that reads as a person's on its own: a known first name or initials first
    ("T.J. Carrie"), a family name before a romanised East Asian given name ("Ma Ying-jeou"),
    or a surname that is also a first name ("Adarius Taylor", "Pharrell Williams")."""
    first, last = words[0], words[-1].strip(".,")
    if is_given_name(first) or re.fullmatch(r"(?:[A-Z]\.){1,3}", first):
        return True
    if len(words) == 2 and len(first) <= 6 and is_east_asian_given_name(last):
        return True  # the family name first: "Ma Ying-jeou", "Moon Jae-in"
    # "Williams", "Edwards": a surname made of a first name and "s"; not after a dictionary
    # word or a place ("Port Elizabeth", "Camp David"), which names a thing
    if is_english_word(first) or term_kind(first):
        return False
    return is_given_name(last) or (last.endswith("s") and is_given_name(last[:-1]))


# "Serbia’s Novak Djokovic": the small model often misses a name after a country possessive
_POSSESSED = re.compile(
    r"\b([A-Z][\w.]*(?: [A-Z][\w.]*)?)['’]s ([A-Z][a-z][\w'’-]*(?: [A-Z][a-z][\w'’-]*){1,2})\b"
)


_ROLE_NAMED = re.compile(_ROLE_BEFORE + r"([A-Z][a-z][\w'’-]*(?: [A-Z][a-z][\w'’-]*){1,2})\b")


def _possessed_names(doc: Doc) -> list[tuple[str, int, int]]:
    """Full names the model left untagged after "Serbia’s" or a role noun ("center Maurkice
    Pouncey")."""
    ents = doc.ents  # built anew at each access
    found: list[tuple[str, int, int]] = []
    candidates = [
        (m.span(2), m.group(2))
        for m in _POSSESSED.finditer(doc.text)
        if term_kind(m.group(1)) in ("name", "alias")
    ]
    candidates += [(m.span(1), m.group(1)) for m in _ROLE_NAMED.finditer(doc.text)]
    for (start, end), text in candidates:
        if covering(ents, start, end):
            continue  # the model has a view on it already
        cleaned = clean_person(text)
        if cleaned is None or len(cleaned[0].split()) < 2:
            continue
        if any(term_kind(word) for word in cleaned[0].split()):
            continue  # "Britain’s Prime Minister" leftovers, "Israel’s West Bank"
        name, offset = cleaned
        found.append((name, start + offset, start + offset + len(name)))
    return found


_TWO_WORDS = re.compile(r"(?<![\w'’.-])([A-Z][a-z]+) ([A-Z][a-z]+)(?![\w-])")
# a third name word written right after ("Nuno Espirito Santo")
_THIRD_WORD = re.compile(r" ([A-Z][a-z]+)(?![\w'’-])")


def _untagged_pairs(doc: Doc) -> Iterator[tuple[str, str, int, int]]:
    """(first, surname, start, end) of two capitalised words the model tagged nothing, the
    first a known first name that opens no phrase, neither a place, outside credit lines."""
    ents = doc.ents  # built anew at each access
    text = doc.text
    for match in _TWO_WORDS.finditer(text):
        start, end = match.span()
        if covering(ents, start, end):
            continue  # the model has a view on it already
        first, surname = match.groups()
        if fold(first) in OPENERS or not is_given_name(first) or term_kind(first):
            continue
        if term_kind(surname) or is_credit_context(text, start, end):
            continue
        yield first, surname, start, end


def _untagged_names(doc: Doc) -> list[tuple[str, int, int]]:
    """Names the model left untagged ("can you picture Laurent Koscielny nodding"): a first
    name in common use that is no English word, then a surname that is no dictionary word
    or place and is never written in lower case."""
    text = doc.text
    return [
        (f"{first} {surname}", start, end)
        for first, surname, start, end in _untagged_pairs(doc)
        if is_common_given_name(first)
        and not is_given_name(surname)
        and _surname_like(surname, text)
    ]


_FAMILY_GIVEN = re.compile(r"(?<![\w’'.-])([A-Z][a-z]{0,4}) ([A-Z][a-z]{1,4}-[a-z]{1,5})(?![\w-])")


def _untagged_east_asian_names(doc: Doc) -> list[tuple[str, int, int]]:
    """A family name and a romanised Korean or Chinese given name the model left untagged
    ("Tottenham's Son Heung-min", "Ahn Cheol-soo" read as a place)."""
    ents = doc.ents  # built anew at each access
    text = doc.text
    found = []
    for match in _FAMILY_GIVEN.finditer(text):
        start, end = match.span()
        family, given = match.groups()
        if any(e.label_ == "PERSON" for e in covering(ents, start, end)):
            continue  # the model's own span is read as the other names are
        if fold(family) in OPENERS or is_title_word(family) or _INSTITUTION_AFTER.match(text, end):
            continue
        if is_east_asian_given_name(given):
            found.append((match.group(), start, end))
    return found


# an honorific only people carry, right before a name ("Mr. Schiff", "Lord Justice Moore-Bick")
_HONOURED = re.compile(
    r"\b(?:Mr|Mrs|Ms|Mx|Dr|Sir|Dame|Lord Justice|Lady Justice|Mr Justice|Mrs Justice)\.?[ \t]+"
    r"((?:[A-Z][a-z][\w'’-]*)(?:[ \t]+[A-Z][a-z][\w'’-]*){0,2})\b"
)


def _honoured_names(doc: Doc) -> list[tuple[str, int, int]]:
    """Names the model left untagged after an honorific that only people carry."""
    ents = doc.ents  # built anew at each access
    found = []
    for match in _HONOURED.finditer(doc.text):
        start, end = match.span(1)
        if covering(ents, start, end):
            continue  # the model has a view on it already
        cleaned = clean_person(match.group(1))
        if cleaned is None:
            continue
        name, offset = cleaned
        found.append((name, start + offset, start + offset + len(name)))
    return found


def _untagged_names_with_cue(
    doc: Doc, raw: list[tuple[str, int, int]], people: list[tuple[int, int]]
) -> list[tuple[str, int, int]]:
    """Untagged names whose surname is also a word or whose first name is less common
    ("Paul Pogba and Raheem Sterling"): a known first name, a surname never written in lower
    case, and a cue of a person at the mention (listed with people, a role, speech)."""
    text = doc.text
    found = []
    for first, surname, start, end in _untagged_pairs(doc):
        if any(s < end and start < e for _, s, e in raw):
            continue  # already a mention
        if count_word(surname.lower(), text):
            continue
        at = [(start, end)]
        if has_person_cue(text, at, None, people, speech=True, loose=False) or listed_with_people(
            text, at, people
        ):
            found.append((f"{first} {surname}", start, end))
    return found


# a capitalised word that speaks: "Schiff asked", "Volker said"
_SPEAKER = re.compile(
    r"(?<![\w'’.-])([A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?) (?:said|says|asked|told|added)\b"
)


def _speakers(doc: Doc) -> list[tuple[str, int, int]]:
    """A surname alone that the model left untagged, right before a speech verb; a word
    of the dictionary or a place there is a group or a thing ("Police said")."""
    ents = doc.ents  # built anew at each access
    found = []
    text = doc.text
    for match in _SPEAKER.finditer(text):
        start, end = match.span(1)
        if covering(ents, start, end):
            continue
        word = match.group(1)
        if fold(word) in OPENERS or not _surname_like(word, text) or is_given_name(word):
            continue
        found.append((word, start, end))
    return found


def _surname_like(word: str, text: str) -> bool:
    """A capitalised word that can only be a surname here: no dictionary word, no place, never
    written in lower case in this text."""
    if is_english_word(word) or term_kind(word):
        return False
    return not count_word(word.lower(), text)


# "Schalk " + "van der Merwe": a given name the model left before a particle surname
_WORD_BEFORE = re.compile(r"(?<![\w’'.-])([A-Z][\w’'-]+)[ \t]$")


def _particle_name_start(text: str, ent: Span) -> int:
    """Where a PERSON span that opens with a lower-case particle really starts: at the
    capitalised word right before it, unless that word is a title or opens sentences."""
    if not (ent[0].text.islower() and fold(ent[0].text) in _PARTICLE_END):
        return ent.start_char
    before = _WORD_BEFORE.search(text, max(0, ent.start_char - 30), ent.start_char)
    if before is None or fold(before.group(1)) in OPENERS or is_title_word(before.group(1)):
        return ent.start_char
    return before.start(1)


_OWNER_BEFORE = re.compile(r"([A-Z][\w-]+)(?:['’]s|['’])\s+$")


def _owned_by_person(text: str, start: int, surnames: set[str]) -> bool:
    """Whether a name right follows the possessive of a person's surname ("Musk's Tesla")."""
    owner = _OWNER_BEFORE.search(text, max(0, start - 40), start)
    return owner is not None and fold(owner.group(1)) in surnames


def _fuller_name(name: str, text: str, other_labels: Counter[str]) -> str | None:
    """ "Morales" -> "Evo Morales" when the text writes the full name somewhere the model
    missed; not after a word the model names something else with ("Sky News Doaa")."""
    pattern = re.compile(r"\b([A-Z][\w'’-]+)\s+" + re.escape(name) + r"\b(?![\w-])")
    for match in pattern.finditer(text):
        first = match.group(1)
        if (
            fold(first) in OPENERS
            or first.lower().endswith("ing")
            or is_title_word(first)
            or resolve_country(first)
            or other_labels[_entity_key(first)]
        ):
            continue
        if first.isupper() and len(first) > 1:
            continue
        if re.search(r"['’]s?$", first):
            continue  # "Musk's Tesla": an owner, not a first name
        if clean_person(f"{first} {name}") is None:
            continue
        return f"{first} {name}"
    return None


def _entity_key(text: str) -> str:
    """How a non-person entity is counted: folded, without "the" and a possessive."""
    return fold(_strip_the(text))


def _keeps_single(name: str, mentions: int, text: str, only_person: bool = True) -> bool:
    """A one-word person is kept when a title names it ("President Trump", "Mr. Schiff") or the
    model saw it at least three times, never as anything but a person (``only_person``), and
    the word never appears in lower case."""
    if re.search(_TITLED + r"\.?\s+" + re.escape(name) + r"\b", text):
        return True
    role = re.search(_ROLE_BEFORE + re.escape(name) + r"\b", text)
    if role and mentions == 1:
        return True  # "Brazil star Neymar", "singer Adele"
    if mentions < 3 or not only_person:
        return False
    if is_english_word(name) and not is_given_name(name):
        return False  # "Messenger", "Pixel": a product named with a word needs a title
    if re.search(r"\b[Tt]he\s+" + re.escape(name) + r"\b", text):
        return False  # "the Browns": a team or a group, not a person
    return not count_word(name.lower(), text)


# honours and post-nominals after a name ("Stephen Kramer QC", "Jane Doe MP")
_POST_NOMINALS = frozenset(split_words("qc kc mp mep msp obe mbe cbe kbe dbe phd md esq"))
_PARTICLE_END = frozenset(split_words("van von der den de da del della di du le la al bin ibn"))


def _complete_cut_name(name: str, text: str, end: int) -> str | None:
    """ "Schalk van der" -> "Schalk van der Merwe" when the next word is written right after;
    a name that still ends with a particle is dropped."""
    words = name.split()
    if fold(words[-1]) not in _PARTICLE_END:
        return name
    following = re.match(r"[ \t]+((?:(?:van|von|der|den|de|la|le)\s+)*[A-Z][\w'’-]+)", text[end:])
    if following and len(words) > 1:
        return f"{name} {following.group(1)}"
    return None


# the rest of a name the model cut: particles and a surname after it ("Schalk" + " van der
# Merwe"), particles before it ("Van der " + "Merwe"), the syllable after a hyphen of an
# East Asian given name ("Moon Jae" + "-in", "Kim Jong" + "-un"), a third word that can only
# be a surname ("Nuno Espirito" + " Santo"), a surname that can only be one after a lone
# first name ("Lupita" + " Nyong'o")
_PARTICLES_AFTER = re.compile(
    r"[ \t]+((?:(?:van|von|der|den|de|du|da|di|del|della|dos|la|le|ter|ten)[ \t]+)+"
    r"[A-Z][\w'’-]+)"
)
_PARTICLES_BEFORE = re.compile(
    r"\b((?:[Vv]an|[Vv]on|[Dd]e|[Dd]i|[Dd]el|[Dd]u)(?:[ \t]+(?:der|den|de|la|le))*[ \t]+)$"
)
_SYLLABLE_AFTER = re.compile(r"-([a-z]{1,5})\b")
# a surname the model left after a first name ("Lupita" + " Nyong'o"), before any possessive
_SURNAME_AFTER = re.compile(r"[ \t]([A-Z][a-z]+(?:['’](?!s\b)[a-z]+)?)(?![\w-])")


def _extend_cut_name(name: str, text: str, start: int) -> tuple[str, int]:
    """A name with the parts the model left out of its span put back (see above)."""
    end = start + len(name)
    words = name.split()
    following = _PARTICLES_AFTER.match(text, end)
    if following:
        name, end = f"{name}{following.group(0)}", following.end()
    elif len(words) > 1 and len(words[-1]) <= 4:
        syllable = _SYLLABLE_AFTER.match(text, end)
        if syllable:
            name, end = f"{name}-{syllable.group(1)}", syllable.end()
    elif len(words) == 1 and is_given_name(name):
        surname = _SURNAME_AFTER.match(text, end)
        if surname and _surname_like(surname.group(1), text):
            name, end = f"{name}{surname.group(0)}", surname.end()
    elif len(words) == 2 and is_given_name(words[0]):
        third = _THIRD_WORD.match(text, end)
        if third and _surname_like(third.group(1), text) and _surname_like(words[1], text):
            name, end = f"{name}{third.group(0)}", third.end()
    before = _PARTICLES_BEFORE.search(text[max(0, start - 12) : start])
    family = _FAMILY_BEFORE.search(text[max(0, start - 8) : start])
    if len(words) == 1 and family and is_east_asian_given_name(name):
        start -= len(family.group(0))  # "Son" + "Heung-min": the family name comes first
        name = text[start:end]
    elif before and before.group(1)[:1].isupper() and " " not in name:
        start -= len(before.group(1))
        name = text[start:end]
    elif len(words) > 1:
        first = _FIRST_BEFORE.search(text[max(0, start - 30) : start])
        # "John" + "F. Kennedy": a middle initial never starts a name
        initial = re.fullmatch(r"[A-Z]\.", words[0]) and first and is_given_name(first.group(1))
        if first and (initial or _leading_given_name(first.group(1), words[0], text)):
            start -= len(first.group(0))
            name = text[start:end]
    return " ".join(name.split()), start


# a romanised Korean or Chinese family name: one short capitalised syllable ("Son", "Tsai")
_FAMILY_BEFORE = re.compile(r"(?<![\w’'.-])[A-Z][a-z]{0,4} $")
# "Luiz Inacio Lula da Silva" tagged from "Inacio": a first name left before the span
_FIRST_BEFORE = re.compile(r"(?<![\w’'.-])([A-Z][a-z]+) $")


def _leading_given_name(word: str, following: str, text: str) -> bool:
    """A word the model left before a name that can only be its first name: a known given
    name, no dictionary word, no place, never in lower case, and never written but before
    the name's first word (a club or a town before a name is written on its own too:
    "Chelsea Eden Hazard ... Chelsea won")."""
    alone = count_word(word, text)
    together = count_word(f"{word} {following}", text)
    return is_given_name(word) and _surname_like(word, text) and alone == together


def _club_towns(text: str) -> set[str]:
    """The towns (folded) this text uses as names of clubs ("Valencia boss")."""
    matches, clubs = _scanned(text)
    return {fold(matches[i].text) for i in clubs}


def _trim_glued_words(
    raw: list[tuple[str, int, int]],
    text: str,
    other_labels: Counter[str],
    clubs: frozenset[str] | set[str] = frozenset(),
) -> list[tuple[str, int, int]]:
    """Words glued to a name by the model: a club, place or country before it ("Valencia
    Enrique", "Burnley Olivier Giroud"), a country, caption word or post-nominal after it
    ("... Belarus", "Emma Jackson Quiet", "Stephen Kramer QC"), a dictionary word after a
    full name the article also writes without it ("Gisèle Freund Texts by")."""
    multi = {fold(name) for name, _, _ in raw if len(name.split()) > 1}
    by_surname: dict[str, set[str]] = {}
    for name, _, _ in raw:
        if len(name.split()) > 1:
            by_surname.setdefault(fold(name.split()[-1]), set()).add(fold(name))

    def named_elsewhere(rest: str, name: str) -> bool:
        """Whether the rest of a name is another person of this article, in full or by the
        surname of someone else's full name."""
        key = fold(rest)
        return (key in multi and key != fold(name)) or bool(
            by_surname.get(key, set()) - {fold(name)}
        )

    given_names = {fold(name.split()[0]) for name, _, _ in raw if len(name.split()) > 1}
    alone = {fold(name) for name, _, _ in raw if len(name.split()) == 1}

    def glued_before_name(words: list[str]) -> bool:
        """ "Isco Gareth Bale", "Aintree Liam Treadwell": a word that is nobody's first name
        (a person named alone, a club, a place) before a first name and a surname."""
        return (
            len(words) > 2
            and not is_given_name(words[0])
            and is_given_name(words[1])
            and (fold(words[0]) in alone or not_a_name_word(words[0]))
        )

    def place_word(word: str) -> bool:
        return term_kind(word.strip(".,")) in ("name", "alias", "demonym", "place")

    def not_a_name_word(word: str) -> bool:
        key = fold(word.strip(".,"))
        return other_labels[key] > 0 or key in clubs or place_word(word)

    def lower_elsewhere(word: str) -> bool:
        return bool(count_word(word.lower(), text))

    out = []
    for name, start, _ in raw:
        words = name.split()
        # leading: only when what is left is a person this article names anyway
        while glued_before_name(words) or (
            len(words) > 1
            and (
                not_a_name_word(words[0])
                or _common_word_first(" ".join(words), text)
                or (fold(words[0]) in alone and not is_given_name(words[0]))
            )
            and (named_elsewhere(" ".join(words[1:]), name) or fold(words[1]) in given_names)
            and fold(words[0]) not in given_names - {fold(name.split()[0])}
        ):
            start = text.find(words[1], start)
            words = words[1:]
        while len(words) > 1:
            last = words[-1].strip(".,")
            rest = " ".join(words[:-1])
            someones_surname = bool(by_surname.get(fold(last), set()) - {fold(name)})
            drop = fold(last) in _POST_NOMINALS or (
                not someones_surname
                and (
                    (len(words) > 2 and place_word(last))
                    or (
                        (
                            not_a_name_word(last)
                            or lower_elsewhere(last)
                            or (len(words) > 2 and is_english_word(last))
                        )
                        and named_elsewhere(rest, name)
                    )
                )
            )
            if not drop:
                break
            words = words[:-1]
        trimmed = " ".join(words)
        out.append((trimmed, start, start + len(trimmed)))
    return out


def _common_word_first(name: str, text: str) -> bool:
    """A name of two or more words whose first word is nobody's first name and is written in
    lower case elsewhere in the text: a thing named with ordinary words."""
    words = name.split()
    if len(words) < 2:
        return False
    first = words[0].strip(".,")
    if len(first) <= 2 or not first.isalpha() or is_given_name(first):
        return False
    return bool(re.search(r"(?<![.!?]\s)\b" + re.escape(first.lower()) + r"\b", text))


# words that open place names and are first names too ("San", "Santa", "Rio", "Los")
_PLACE_OPENERS = frozenset(
    split_words("san santa santo sao são los las rio puerto porto port fort mount lake saint st")
)


def _persons_tagged_otherwise(
    doc: Doc, persons: list[tuple[str, int, int]]
) -> list[tuple[str, int, int]]:
    """Full names the model labelled ORG or NORP ("Marcelo Claure", "Thibaut Courtois to")
    although it labels their surname alone PERSON elsewhere, or a cue says a person ("host
    Jeanine Pirro", "Aryavir Kumar and Margarita Kuritsyna", a cell of a line-up table): a
    first name and a surname that is a person in this very text. A first name and a surname
    that no dictionary has ("Brad Guzan", "Anas Sarwar") need no more: things the model
    takes for organisations or places are named with words ("Forest Hill", "Heinz Field").
    A first name no list knows needs a title, a role or an age, or, when no word of the name
    is a dictionary word or a place, being listed with people ("Zubizarreta and Txiki
    Begiristain")."""
    alone = {fold(name) for name, _, _ in persons if len(name.split()) == 1}
    other_labels = Counter(_entity_key(e.text) for e in doc.ents if e.label_ != "PERSON")
    people = [(s, e) for n, s, e in persons if len(n.split()) > 1 and _named_like_person(n.split())]
    text = doc.text
    found = []
    for ent in doc.ents:
        if ent.label_ not in ("ORG", "NORP", "GPE", "FAC", "PRODUCT", "WORK_OF_ART"):
            continue
        piece, piece_start = _name_piece(text, ent.start_char, ent.end_char)
        words = piece.split()
        while len(words) > 2 and words[-1][:1].islower():
            words.pop()  # "Thibaut Courtois to": the span ran into the sentence
        cleaned = clean_person(" ".join(words))
        if cleaned is None:
            continue
        name, offset = cleaned
        words = name.split()
        start = piece_start + offset
        at = [(start, start + len(name))]
        if not 2 <= len(words) <= 3:
            continue
        if fold(words[0]) in _PARTICLE_END or "-" in words[0]:
            continue  # "Al Qaeda", "El Nino": an article, not a first name
        if ent.label_ in ("GPE", "LOC", "FAC") and fold(words[0]) in _PLACE_OPENERS:
            continue  # "San Leandro", "Santa Rosa": a place, whatever it is listed with
        if not is_given_name(words[0]):
            # no known first name: only a title, a role or an age right at it says a person
            # ("Television star Bear Grylls", "Attorney General Raciel Lopez Salazar")
            if has_person_cue(text, at, None, (), speech=False, loose=False) or (
                not any(is_english_word(w) or term_kind(w) for w in words)
                and listed_with_people(text, at, people)
            ):
                found.append((name, start, start + len(name)))
            continue
        surname = words[-1]
        # the surname on its own, as news writes a person after the first mention
        by_itself = count_word(surname, text) > count_word(name, text)
        # no speech verb, no pronoun: organisations "said" too, and "he" may be anyone
        # "his"/"her" after it: a firm is "its" ("Amber Heard moved to Madrid with her
        # daughter")
        cue = (
            has_person_cue(text, at, None, people, speech=False, loose=False)
            or listed_with_people(text, at, people)
            or referred_back(text, start + len(name))
        )
        evidence = fold(surname) in alone or by_itself or cue
        if not evidence and not _unmistakable_name(words, text, other_labels, ent.label_):
            continue
        if is_credit_context(text, start, start + len(name)):
            continue  # "with reporting by Herb Lash and Megan Davies"
        found.append((name, start, start + len(name)))
    return found


def _unmistakable_name(words: list[str], text: str, other_labels: Counter[str], label: str) -> bool:
    """A known first name and a surname, one of them no English word (the dictionary has
    "izzard" and "spencer", not "eddie" or "freddie"), the surname never written in lower
    case, the first word not itself a place or a firm of this text ("Nissan Sentra")."""
    first, surname = words[0], words[-1]
    return (
        (
            len(words) == 2
            or (len(words) == 3 and is_given_name(words[1]) and not term_kind(" ".join(words[:2])))
        )
        and label in ("ORG", "FAC", "GPE")
        and not term_kind(first)
        and not other_labels[_entity_key(first)]
        and not (is_english_word(surname) and is_english_word(first))
        and not count_word(surname.lower(), text)
    )
