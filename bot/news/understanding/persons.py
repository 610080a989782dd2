"""Person names: from a raw NER span to a canonical full name, and merging an article's
mentions ("President Daniel Noboa's", "Noboa") into one person ("Daniel Noboa").

Pure string work, no spaCy: it is tested on its own."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable

from spacy.lang.en.stop_words import STOP_WORDS

from bot.news.model import fold, person_key
from bot.news.understanding.countries import resolve_country, term_kind
from bot.news.understanding.english_words import is_english_word
from bot.news.understanding.given_names import is_given_name
from bot.news.understanding.sentences import split_words

# Words that precede a name as a title or role; stripped from the left, several may stack
# ("Former Prime Minister", "U.S. Attorney General"). Compared folded, dots removed.
_TITLE_WORDS = frozenset(
    split_words(
        """president presidents vice prime minister ministers mp mps mep sen senator senators
    rep reps
    representative congressman congresswoman gov governor lt lieutenant dr doctor mr mrs ms miss
    mx prof professor sir dame herr frau monsieur madame lord lady king queen prince princess
    pope rev reverend father
    fr sister brother general gen col colonel capt captain sgt sergeant maj major adm admiral
    cmdr commander judge justice chancellor secretary mayor ambassador coach chief ceo cfo coo
    cto chairman chairwoman chair chairperson speaker leader commissioner director deputy
    foreign defense defence interior finance health home attorney detective det officer
    inspector constable sheikh shaikh imam rabbi ayatollah cardinal archbishop bishop baron
    baroness crown grand duke
    duchess emperor empress sultan emir former late then acting interim state supreme
    majority minority whip house senate founder cofounder co-founder executive managing editor
    spokesman spokeswoman spokesperson agent private pvt cpl corporal staff the saint st
    presidente presiden prof. khalifah nabi sayyidina kh ustaz ustadz pastor elder
    superintendent sheriff marshal councillor councilman councilwoman alderman assemblyman
    assemblywoman legislator lawmaker premier chancellor first"""
    )
) | (
    # roles and occupations written before a name ("Defender X", "Veterinarian Y", "Rival Z")
    frozenset(
        split_words(
            """defender midfielder striker forward goalkeeper keeper winger fullback full-back
        centre-back center-back playmaker quarterback linebacker receiver pitcher catcher
        batsman batter bowler jockey trainer rider driver racer boxer fighter golfer skier
        rival star superstar singer rapper actor actress artist musician comedian comic
        designer chef author writer novelist poet photographer journalist reporter presenter
        broadcaster pundit producer filmmaker boss manager owner skipper veteran teenager
        schoolgirl schoolboy businessman businesswoman billionaire tycoon entrepreneur investor
        veterinarian vet surgeon nurse paramedic lawyer barrister solicitor prosecutor
        defendant victim suspect widow widower grandmother grandfather mum dad mom
        spokesman analyst economist scientist researcher astronaut pilot soldier marine
        guitarist drummer dancer model manager-elect striker-turned"""
        )
    )
)
# words that open a sentence or a phrase, never a name: "Following Trump", "Like Yahoo"
OPENERS = frozenset(
    split_words(
        """the a an and but or if as at in on by for of to from with when while after before
        since because although though then so yet why how what where who that this these those
        it he she they we i you me us him them his her their its our my your former late new old
        many some most several few both every each other another all
        young said says told according follow like unlike regarding following including despite
        during about against via per off over under between among amid monday tuesday wednesday
        thursday friday saturday sunday january february march april may june july august september
        october november december"""
    )
)
# words of organisation, product and place names that no person's name contains
_NON_NAME_WORDS = frozenset(
    split_words(
        """pro max mini plus lite ultra edition series switch mode note galaxy live smart hd uhd
        studio studios design productions bundle offer drop deal deals sale monitoring supplement
        salad jam comb reports report telescopes telescope order chronicle leathers brothers
        line clause night resolve odyssey fantasy sword shield move hybrid atmos thunderbolt
        keyboard state university college school hospital center centre institute foundation
        association council committee group inc corp ltd llc company records games network
        news times post journal magazine press media airlines airways motors bank capital
        partners holdings technologies labs systems solutions services team club league cup
        awards award festival show project program programme act street avenue road park square
        building airport station mountain hotel hotels resort resorts casino casinos international
        version console phone watch camera laptop tablet tv app apps edition xv xbox playstation
        nintendo samsung pokemon macbook iphone ipad android windows disney actress actor
        singer rapper party army government ministry parliament congress senate court police
        navy embassy economy northern southern eastern western central
        democrats republicans conservatives liberals statehouse capitol county city district
        province region united rovers athletic atletico wanderers albion hotspur rangers fc
        afc cf arena stadium oval magistrates scout scouts town winery wineries vineyard
        vineyards brewing brewery distillery books publishing publishers"""
    )
)
# words of place and thing names that are also surnames ("Stuart Hall", "Charlotte Dell",
# "Ricki Lake", "Adam West"): a thing after a word that is nobody's first name ("Carnegie Hall"), a
# person's surname after a known first name
_SURNAME_OR_THING = frozenset(
    split_words(
        """hall dell lake beach bridge bridges tower river rivers island valley north south
        east west"""
    )
)
# a romanised Korean or Chinese given name: two syllables joined by a hyphen ("Ji-sung")
_EAST_ASIAN_GIVEN = re.compile(r"[A-Z][a-z]{1,4}-[a-z]{1,5}")


def is_east_asian_given_name(word: str) -> bool:
    """A romanised Korean or Chinese given name ("Jae-in", "Ying-jeou"): two syllables joined
    by a hyphen, neither the whole nor its first part an English word ("Kick-off", "Co-op")."""
    return bool(_EAST_ASIAN_GIVEN.fullmatch(word)) and not (
        is_english_word(word) or is_english_word(word.split("-")[0])
    )


_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_PARTICLES = frozenset(
    {
        "de",
        "da",
        "do",
        "dos",
        "das",
        "del",
        "della",
        "di",
        "du",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "al",
        "el",
        "bin",
        "bint",
        "ibn",
        "y",
        "ter",
        "ten",
        "mac",
        "st",
        "abu",
        "ben",
    }
)
# function words a title capitalises and a name never holds after its first word ("A", "An",
# "To", "Do", "In" and "On" are left out: initials and Korean or Vietnamese name syllables)
_TITLE_CASE_FUNCTION_WORDS = frozenset(
    word.title()
    for word in split_words(
        """the and or but be is are was were has have had of for with from my your our their its
        his her him she they this that not"""
    )
)
# news agencies and picture desks the model sometimes takes for people
_NOT_PERSONS = frozenset(
    split_words(
        """reuters ap afp getty shutterstock epa upi ani pti xinhua bloomberg istock alamy rex
        twitter instagram facebook youtube tiktok reddit snapchat linkedin whatsapp google apple
        amazon microsoft netflix spotify moon sun earth mars god allah"""
    )
)
_APOSTROPHES = "'’‘`"
_EDGE_JUNK = " \t\n\"“”‘’'`()[]{}<>«»,.;:!?*-–—|/\\"


def clean_person(text: str) -> tuple[str, int] | None:
    """A canonical name from a raw PERSON span, with its offset inside the span; None for junk.

    Strips titles and roles on the left ("Ecuadorian President", "Sen.", "Dr."), possessives
    on the right ("Noboa’s"), quotes and punctuation at both ends. Keeps accents and "Jr."."""
    span = re.sub(r"\s+", " ", text)
    # a nickname in quotation marks inside the name: Sean "Diddy" Combs -> Sean Combs
    span = re.sub(r"(?<=\w) [\"“‘'][^\"“”‘’']{1,30}[\"”’'] (?=[A-Z])", " ", span)
    # possessive: "Noboa’s", "Jones'"; inside the span it ends the name ("Bezos’s Blue Origin")
    span = re.split(r"[’'`]s\b", span, maxsplit=1)[0]
    span = re.sub(r"[’'`]\s*$", "", span)
    words = span.split(" ")
    # a long span is a name with a role or team glued before it ("Browns DL Sheldon Richardson")
    # ("Jorge Alberto López Amores" starts with a first name: it is all name)
    while len([w for w in words if _is_name_core(w)]) > 3 and not is_given_name(words[0]):
        words.pop(0)
    # leading: titles, demonyms and country names ("Ecuadorian MP"), lower-case words
    while words:
        word = words[0]
        bare = fold(word.strip(_EDGE_JUNK)).replace(".", "")
        if not bare:
            words.pop(0)
            continue
        if bare in _TITLE_WORDS and _first_name_before_particle(words):
            break  # "Marine Le Pen": a first name that is also a role, before "Le Pen"
        if bare in _TITLE_WORDS or (len(words) > 1 and _describes_person(word, words[1])):
            words.pop(0)
            continue
        initial = re.fullmatch(r"(?:[A-Z]\.)+", word)
        if len(words) > 2 and word.isupper() and len(bare) <= 3 and bare.isalpha() and not initial:
            words.pop(0)  # a position or party code: "QB", "DL", "R-"
            continue
        if len(words) > 1 and (bare in OPENERS or (bare.endswith("ing") and len(bare) > 5)):
            words.pop(0)  # "Following Trump", "Questioning Vindman"
            continue
        if len(words) > 2 and _role_before_name(word, words[1]):
            words.pop(0)  # "Librarian Anne Gregory", "Golfer Rory McIlroy"
            continue
        if len(words) > 1 and _opening_word(word):
            words.pop(0)  # "Into Joe's apartment", "Apparently Lindsey": a headline's words
            continue
        if word[:1].islower() and bare not in _PARTICLES and len(words) > 1:
            words.pop(0)
            continue
        break
    while words and not words[-1].strip(_EDGE_JUNK):
        words.pop()
    # "George Russell third": the span ran on into the sentence
    while len(words) > 2 and words[-1][:1].islower() and fold(words[-1]) not in _PARTICLES:
        if _ARTICLE_PREFIX.match(words[-1]):
            break  # "Bashar al-Assad"
        words.pop()
    name = " ".join(words).strip(_EDGE_JUNK)
    # keep a final "Jr." dot that the edge strip removed
    if re.search(r"\b(?:Jr|Sr)$", name) and re.search(r"\b(?:Jr|Sr)\.", text):
        name += "."
    if not _plausible(name):
        return None
    offset = text.find(name.split(" ")[0])
    return name, max(offset, 0)


# the endings of nouns for people by what they do ("librarian", "golfer", "economist")
_AGENT_ENDINGS = ("ian", "er", "or", "ist", "ant", "ent")


def _role_before_name(word: str, following: str) -> bool:
    """A capitalised dictionary noun for a person by what they do, nobody's first name,
    before a first name: a role no title list has ("Librarian Anne Gregory")."""
    bare = word.strip(_EDGE_JUNK)
    return (
        bare[:1].isupper()
        and len(bare) > 5
        and bare.lower().endswith(_AGENT_ENDINGS)
        and is_english_word(bare)
        and not is_given_name(bare)
        and is_given_name(following.strip(_EDGE_JUNK))
    )


def _opening_word(word: str) -> bool:
    """A capitalised function word or "-ly" adverb that is nobody's first name ("Into",
    "Does", "Apparently"; not "Will", "Ally" or "Kelly")."""
    bare = word.strip(_EDGE_JUNK)
    if not bare[:1].isupper() or is_given_name(bare):
        return False
    lower = bare.lower()
    # an adverb made from a word the dictionary has ("apparent-ly"), not "Ally" or "Beverly"
    adverb = len(lower) > 5 and lower.endswith("ly") and is_english_word(lower[:-2])
    return lower in STOP_WORDS or adverb


def _first_name_before_particle(words: list[str]) -> bool:
    """A given name, a capitalised particle and a surname, and nothing else ("Marine Le Pen"):
    the surname has its particle, so the first word is no title."""
    return (
        len(words) == 3
        and is_given_name(words[0])
        and fold(words[1]) in _PARTICLES
        and words[1][:1].isupper()
        and words[2][:1].isupper()
    )


def _is_name_core(word: str) -> bool:
    """A word that is a name by itself: not a particle, a suffix or an initial ("R.")."""
    bare = fold(word).strip(".,")
    if re.fullmatch(r"(?:[A-Z]\.)+", word):
        return False
    return bool(bare) and bare not in _PARTICLES and bare not in _SUFFIXES


def is_title_word(word: str) -> bool:
    """Whether a word is a title or role that can stand before a name ("Sen.", "President")."""
    return fold(word.strip(_EDGE_JUNK)).replace(".", "") in _TITLE_WORDS


def _describes_person(word: str, following: str) -> bool:
    """A country word before a name: a demonym ("Ecuadorian MP"), or a country before a title
    ("U.S. Rep."). A city is kept: it is often a first name too ("Alexandria", "Sofia")."""
    kind = term_kind(word.strip(_EDGE_JUNK))
    if kind == "demonym":
        return True
    return kind in ("name", "alias") and is_title_word(following)


def _plausible(name: str) -> bool:
    if not name or len(name) > 60 or any(ch.isdigit() for ch in name):
        return False
    if "@" in name or "#" in name or "http" in name.lower():
        return False
    if re.search(r"[,/:]|-gate\b", name):
        return False  # "Zhang, Doudna": two names; "Benjamin: Hello"; "Sterling-gate"
    words = name.split()
    if len(words) > 6 or not name[0].isupper():
        return False
    if fold(name) in _NOT_PERSONS:
        return False
    # "ANALYSIS", shouted bylines: more than one letter and all capitals, single word
    if len(words) == 1 and name.isupper() and len(name) > 3:
        return False
    if any(_glued(w) for w in words):
        return False  # "MagSafe", "NoemKristi": a brand or two names run together
    if len(words) > 1 and any(_shouted_word(w) for w in words) and not name.isupper():
        return False  # "MKII Ford", "Fossil Hybrid HR"
    if any(w in _TITLE_CASE_FUNCTION_WORDS for w in words[1:]):
        return False  # "Sarah The Implausible", "Koko Be Good", "One S. The": titles, run-ons
    east_asian = any(_EAST_ASIAN_GIVEN.fullmatch(w) for w in words)  # "Park Ji-sung"
    # a first name that is also a product word opens a name ("Max Verstappen", not "Pro Max")
    rest = words[1:] if len(words) > 1 and is_given_name(words[0]) else words
    if any(fold(w).strip(".,") in _NON_NAME_WORDS for w in rest) and not east_asian:
        return False  # "Nintendo Switch", "Peter Koros Design", "Penn State"
    if any(fold(w).strip(".,") in _SURNAME_OR_THING for w in words) and not (
        (len(words) == 2 or (len(words) == 3 and is_given_name(words[1])))
        and fold(words[-1]).strip(".,") in _SURNAME_OR_THING
        and not any(fold(w).strip(".,") in _SURNAME_OR_THING for w in words[:-1])
        and is_given_name(words[0])
    ):
        return False  # "Carnegie Hall", "Lake Tahoe", "George Washington Bridge"
    if fold(name) in _NOT_PERSONS or resolve_country(name):
        return False  # "Twitter", "Sioux Falls"
    return all(
        w[:1].isupper()
        or fold(w) in _PARTICLES
        or w[:2] in ("d'", "d’")
        or _ARTICLE_PREFIX.match(w)
        for w in words
    )


def _joined_article(word: str) -> bool:
    """A surname with the Arabic article joined to it in lower case ("al-Assad", "el-Sisi")."""
    article = _ARTICLE_PREFIX.match(word)
    return bool(article) and word[:1].islower() and word[article.end() :][:1].isupper()


# the Arabic article written joined to a surname: "al-Assad", "el-Sisi", "ash-Sharaa"
_ARTICLE_PREFIX = re.compile(r"^(?:al|el|ad|an|ar|as|ash|at|az|ul|ud)-(?=[A-Za-z])", re.IGNORECASE)


_CREDIT_OPENING = re.compile(
    r"(?i)^\W*(?:(?:(?:with|and)\s+)?(?:additional\s+)?(?:reporting|editing|writing|compiled|produced|edited|"
    r"written|reported|words|text|story|tested|research|graphics?|illustrat(?:ions?|ed)|video|photos?|"
    r"photograph(?:s|y|ed)?|images?|pictures?|credits?)(?:\s+by)?|by|courtesy(?:\s+of)?|©)\b"
)
_CREDIT_AFTER = re.compile(
    r"(?i)^\W{0,3}(?:contributed (?:reporting|to this)|is a (?:reporter|writer|correspondent|"
    r"contributor|columnist|staff writer|freelance)|reports? for|writes for|"
    r"(?:is )?on (?:twitter|instagram|bluesky|threads|mastodon)\b|"
    r"(?:may|can) be (?:reached|contacted|emailed)|"
    r"/\s*(?:getty|ap|afp|reuters|shutterstock|epa))"
)


def _glued(word: str) -> bool:
    """A capital after two or more lower-case letters ("MagSafe", "YouTube"); "McGregor",
    "LeBron", "DiCaprio", "MacArthur" and "FitzGerald" are names."""
    for part in re.split(r"[-'’]", word):
        match = re.search(r"[a-z]{2,}[A-Z]", part)
        prefix = next((p for p in ("Mac", "Fitz") if part.startswith(p)), "")
        if match and not (prefix and match.start() == 1 and match.end() == len(prefix) + 1):
            return True
    return False


def _shouted_word(word: str) -> bool:
    bare = word.strip(".,")
    # "P.J." and "T.J." are initials, not a shouted word
    return len(bare) >= 3 and bare.isalpha() and bare.isupper() and bare.lower() not in _SUFFIXES


# a line that credits the people who reported: "A, B and C contributed to this report",
# "CNN's A reported from Kathmandu, and CNN's B wrote from Hong Kong", "Email A at ..."
_CREDIT_LINE = re.compile(
    r"(?i)\bcontributed\b[^.]{0,40}\b(?:report|reporting|story|article|research)\b|"
    r"\b(?:reported|wrote|reporting|writing)\s+from\b|^\W*(?:e-?mail|contact|follow)\s|"
    r"\bcan be reached at\b|\b(?:staff|senior|chief|contributing|freelance)\s+"
    r"(?:writer|reporter|correspondent|editor|photographer)\b|"
    # "This story was reported by A and written by B"
    r"\b(?:story|article|report)\s+was\s+(?:reported|written|produced|edited)\b|"
    # "Editor's note: Frida Ghitis is a world affairs commentator."
    r"\beditor['’]s note:\W*[A-Z][^.]{0,60}?\bis (?:a|an)\b"
)
_MAX_CREDIT_LINE = 300
# ", Staff Writer", ", Associated Press": a role or agency right after the name
_CREDIT_ROLE_AFTER = re.compile(
    r"(?i)^\s*(?:,|\||-|–|—)\s*(?:(?:staff|senior|chief|special|contributing|freelance|"
    r"political|sports|science|health|business)\s+)?(?:writer|reporter|correspondent|editor|"
    r"columnist|photographer|contributor)\b"
)


# a sentence ends after a word of two or more lower-case letters: not after "C." or "U.S."
_SENTENCE_BREAK = re.compile(r"\n|(?<=[a-z]{2}[.!?])[\"”’']?\s+(?=[\"“‘]?[A-Z])")


def _credit_line(text: str, start: int) -> bool:
    """Whether the line or sentence around ``start`` credits reporters (many pages, and
    agency copy, run the whole article as one paragraph)."""
    window = text[max(0, start - _MAX_CREDIT_LINE) : start + _MAX_CREDIT_LINE]
    at = start - max(0, start - _MAX_CREDIT_LINE)
    begin = 0
    for match in _SENTENCE_BREAK.finditer(window, 0, at):
        begin = match.end()
    after = _SENTENCE_BREAK.search(window, at)
    sentence = window[begin : after.start() if after else len(window)]
    return len(sentence) < _MAX_CREDIT_LINE and bool(_CREDIT_LINE.search(sentence))


# everything between the credit word and the name is names, "and" and commas. Possessive
# quantifiers: with plain ones a long word that ends in anything else ("by aaaa…a!") is
# split every possible way before the search fails, which takes exponential time.
_CREDITED_NAMES = re.compile(r"(?i)\b(?:by|:)\W*+(?:[A-Z][\w.'’-]*+\s*+(?:,|and|&)?\s*+)*+$")


_CREDIT_WINDOW = 400


def is_credit_context(text: str, start: int, end: int) -> bool:
    """True when a name sits in a byline or picture credit ("By Jane Doe", "Photo: J. Doe /
    Getty", "Reporting by A and B; Editing by C", "Follow Mike Wall on Twitter"): those
    people wrote or photographed, they are not the news."""
    # the checks below read a dozen words back: a segment longer than the window is no credit,
    # and a page written as one line must not make every name read the whole page
    window = max(0, start - _CREDIT_WINDOW)
    segment_start = max(window, *(text.rfind(ch, window, start) + 1 for ch in "\n;|("))
    segment = text[segment_start:start]
    clause = text[max(segment_start, text.rfind(",", window, start) + 1) : start]
    if _CREDIT_OPENING.search(clause) and len(clause.split()) <= 3:
        return True  # "..., editing by Martin Howell"
    credit_clause = _CREDIT_OPENING.search(clause) and len(clause.split()) <= 12
    if credit_clause and _CREDITED_NAMES.search(clause):
        return True  # "..., with reporting by Herb Lash and Megan Davies"
    if _CREDIT_OPENING.search(segment) and len(segment.split()) <= 12:
        if _CREDITED_NAMES.search(segment):
            return True
        if len(segment.split()) <= 3:
            return True
    if re.search(r"(?i)\b(?:follow|email|contact)\s+$", segment):
        return True
    if _CREDIT_ROLE_AFTER.search(text[end : end + 50]) or _credit_line(text, start):
        return True
    return bool(_CREDIT_AFTER.search(text[end : end + 40]))


def _core(name: str) -> list[str]:
    """The folded words of a name without suffixes ("Jr.") and single initials."""
    words = [fold(w).strip(".,") for w in name.split()]
    return [w for w in words if w and w.replace(".", "") not in _SUFFIXES]


def same_person(short: str, full: str) -> bool:
    """Whether a shorter mention refers to a fuller name of the same article."""
    a, b = _core(short), _core(full)
    if not a or not b or a == b:
        return a == b
    if len(a) < len(b) and a[0] in _PARTICLES and b[-len(a) :] == a:
        return True  # "Van Der Beek" / "James Van Der Beek"
    if 2 <= len(a) < len(b) and b[: len(a)] == a and b[len(a)] in _PARTICLES:
        return True  # "Frida Kahlo" / "Frida Kahlo de Rivera": a married name
    if len(a) == 1:
        if a[0] == b[-1] or a[0] == b[0] or (len(b) > 2 and a[0] in b[1:]):
            return True
        if _ARTICLE_PREFIX.sub("", a[0]) == _ARTICLE_PREFIX.sub("", b[-1]):
            return True  # "Assad" / "Bashar al-Assad"
        # a transliteration variant of the surname: "Zelenskyy" / "Zelensky" / "Zelenskiy"
        longer, shorter = sorted((a[0], b[-1]), key=len, reverse=True)
        if len(shorter) >= 5 and longer.startswith(shorter) and len(longer) - len(shorter) <= 1:
            return True
        return _variant_spelling(a[0], b[-1]) and abs(len(a[0]) - len(b[-1])) <= 1
    # "Pat Carlineo" / "Patrick W. Carlineo": same surname, compatible given name
    given = (
        b[0].startswith(a[0].rstrip("."))
        or a[0].startswith(b[0].rstrip("."))
        or (len(a) == 2 and a[0] in b[1:-1])  # "Pat Christie" / "Mary Pat Christie"
        or _one_letter_more(a[0], b[0])  # "Liana" / "Lianna": a misprint of the same name
    )
    if a[-1] != b[-1]:
        # "Volodymyr Zelensky" / "Volodymyr Zelenskiy": one name transliterated twice
        return given and a[0] == b[0] and _variant_spelling(a[-1], b[-1])
    return given


def _one_letter_more(x: str, y: str) -> bool:
    """Whether one given name is the other with one letter added ("Kyle" / "Kylie"); a letter
    changed instead ("Mario" / "Maria") makes another person's name."""
    short, long = sorted((x, y), key=len)
    if len(short) < 4 or len(long) != len(short) + 1 or short[:2] != long[:2]:
        return False
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _variant_spelling(x: str, y: str) -> bool:
    if min(len(x), len(y)) < 5 or x[:3] != y[:3]:
        return False
    return difflib.SequenceMatcher(None, x, y).ratio() >= 0.85


def _first_names_of(short: str, full: str, forms: dict[str, list[tuple[int, int]]]) -> bool:
    """ "Mary Pat" / "Mary Pat Christie" when "Christie" is also written alone: the given
    names of a fuller name (not "Gisele Freund" / "Gisele Freund Texts", a word glued on)."""
    a, b = _core(short), _core(full)
    return 2 <= len(a) < len(b) and b[: len(a)] == a and b[-1] in forms


def _display_rank(name: str, count: int) -> tuple[int, int, int, int, int]:
    core = _core(name)
    accented = int(name != fold(name) and any(ord(ch) > 127 for ch in name))
    initials = sum(1 for w in name.split() if len(w.strip(".")) == 1)
    # whole words first, then the fuller form ("C. Walsh" over "Walsh")
    return (len(core) - initials, len(name.split()), accented, count, -initials)


def merge_persons(mentions: list[tuple[str, int, int]]) -> list[tuple[str, list[tuple[int, int]]]]:
    """Group an article's mentions by person; each group named by its fullest form.

    A mention merges into a fuller name that it is a part of (surname, given name, a shorter
    form of the same name); a short form that fits several people goes to the fullest of
    them, then to the one named most."""
    forms: dict[str, list[tuple[int, int]]] = {}
    display: dict[str, Counter[str]] = {}
    for name, start, end in mentions:
        key = person_key(name)
        forms.setdefault(key, []).append((start, end))
        display.setdefault(key, Counter())[name] += 1
    keys = sorted(forms, key=lambda k: (-len(_core(k)), min(s for s, _ in forms[k])))
    parent: dict[str, str] = {}
    for key in keys:
        fuller = [
            other
            for other in keys
            if other != key
            and len(_core(other)) >= len(_core(key))
            and other not in parent
            and _core(other) != _core(key)
            and (same_person(key, other) or _first_names_of(key, other, forms))
        ]
        if not fuller:
            continue
        # the fullest name, then the one named most
        fuller.sort(key=lambda o: (-len(_core(o)), -len(forms[o]), min(s for s, _ in forms[o])))
        parent[key] = fuller[0]
    groups: dict[str, list[str]] = {}
    for key in keys:
        root = key
        seen = {root}
        while root in parent and parent[root] not in seen:
            root = parent[root]
            seen.add(root)
        groups.setdefault(root, []).append(key)
    # keys that fold to the same core ("Andres Castillo", "Andrés Castillo") share a group
    result: list[tuple[str, list[tuple[int, int]]]] = []
    for members in groups.values():
        names: Counter[str] = Counter()
        spans: list[tuple[int, int]] = []
        for member in members:
            names.update(display[member])
            spans.extend(forms[member])
        best = max(names, key=lambda n: _display_rank(n, names[n]))
        result.append((best, sorted(spans)))
    result.sort(key=lambda item: item[1][0])
    return result


def is_author(name: str, authors: Iterable[str]) -> bool:
    """A mention of the byline's author, also written with or without a middle initial
    ("Troy L Smith" / "Troy Smith")."""
    key = fold(name)
    for author in authors:
        if not author.strip():
            continue
        if fold(author) == key:
            return True
        several = len(name.split()) > 1 and len(author.split()) > 1
        if several and (same_person(name, author) or same_person(author, name)):
            return True
    return False
