"""From dated sentences to events: what happened, when, and where.

A sentence that carries a date ("On June 20, …", "… since Russia invaded Ukraine in 2022")
reports an event. Its date becomes ISO 8601 at the precision the text gives (``2024-06-20``;
``2024-06`` for "June 2024"; ``1953`` for a bare year; ``--06-20`` when the article's year is
unknown), which exports keep as it is; readers see it as the text put it (:func:`date_text`:
"20 June 2024", "June 2024", "1953"). Its place is chosen by the clause the date belongs
to, in this order:

1. a city, region or feature the clause names outside its subject (the subject is usually
   who acted: "South Korean troops fired…", "Russia invaded Ukraine");
2. a border word ("border", "frontier", "demarcation line") with the neighbouring countries
   the sentence, its paragraph and then the article talk about: their shared border feature
   (the Korean DMZ),
   or the nearest points of their outlines when no curated feature exists;
3. a country the clause names outside its subject;
4. a named event that carries a place ("the Korean War");
5. any place the clause or the sentence names;
6. the last place named before it (what "there" refers to).
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

from .gazetteer import Candidate, Gazetteer, distance_km
from .mentions import Mention, Sentence, sentence_at, token_mentions
from .resolve import Place

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "Event",
    "date_text",
    "dated_sentences",
    "find_events",
    "parse_date",
    "period_of",
    "precision_of",
    "shared_border",
]

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"((?:1[0-9]|20)\d{2})"
_DATE_PATTERNS = (
    ("mdy", re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR}\b)?", re.I)),
    (
        "dmy",
        re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR}\b)?", re.I),
    ),
    ("my", re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b", re.I)),
    (
        "y",
        re.compile(
            rf"^(?:(?:in|since|by|until|from|during|the year|early|late|mid)\s+)*"
            rf"{_YEAR}$",
            re.I,
        ),
    ),
)
BORDER_WORDS = frozenset(
    {"border", "borders", "frontier", "frontiers", "boundary", "demarcation", "dmz", "borderline"}
)
#: Most specific first: the order in which a clause's places are preferred.
SPECIFICITY = {
    "city": 0,
    "capital": 0,
    "border": 1,
    "feature": 1,
    "region": 2,
    "sea": 3,
    "country": 4,
    "historical": 5,
    "continent": 6,
}
LOCAL_KINDS = frozenset({"city", "capital", "border", "feature", "region"})
SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})


@dataclass(frozen=True, slots=True)
class Event:
    """Something the article reports as happening on a date, at a place."""

    date: str
    name: str
    sentence: Sentence
    where: Candidate
    places: tuple[str, ...]
    reason: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"(\d{4}|--)(-\d{2}(-\d{2})?)?|\d{4}|--\d{2}-\d{2}", self.date):
            raise ValueError(f"event date {self.date!r} is not ISO 8601")

    @property
    def period(self) -> tuple[dt.date, dt.date] | None:
        """The days the date covers, as (first day, day after): see :func:`period_of`."""
        return period_of(self.date)

    @property
    def precision(self) -> str:
        """How precise the article was: ``"year"``, ``"month"`` or ``"day"``."""
        return precision_of(self.date)

    @property
    def when(self) -> str:
        """The date as readers see it, at the article's precision: see :func:`date_text`."""
        return date_text(self.date)

    @property
    def lat(self) -> float:
        return self.where.lat

    @property
    def lon(self) -> float:
        return self.where.lon


def parse_date(text: str, year: int | None) -> str | None:
    """The ISO 8601 date a DATE entity names, or None for relative or vague dates.

    >>> parse_date("June 20", 2024), parse_date("June 20", None), parse_date("in 2022", None)
    ('2024-06-20', '--06-20', '2022')
    """
    text = " ".join(text.split())
    for form, pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        groups = match.groups()
        if form == "y":
            return groups[0]
        if form == "my":
            return f"{groups[1]}-{MONTHS[groups[0].lower().rstrip('.')]:02d}"
        month_text, day_text, year_text = (
            groups if form == "mdy" else (groups[1], groups[0], groups[2])
        )
        month, day = MONTHS[month_text.lower().rstrip(".")], int(day_text)
        if not 1 <= day <= 31:
            continue
        known = int(year_text) if year_text else year
        return f"{known:04d}-{month:02d}-{day:02d}" if known else f"--{month:02d}-{day:02d}"
    return None


#: What an ISO 8601 date's number of parts says of its precision (``--06-20`` is a day).
_PRECISIONS = {1: "year", 2: "month", 3: "day"}


def precision_of(date: str) -> str:
    """How precise an event's ISO 8601 date is: ``"year"`` (``1953``), ``"month"``
    (``2024-06``) or ``"day"`` (``2024-06-20``, and ``--06-20``, a day of an unknown year).

    >>> [precision_of(d) for d in ("1953", "2024-06", "2024-06-20", "--06-20")]
    ['year', 'month', 'day', 'day']
    """
    if date.startswith("--"):
        return "day"
    return _PRECISIONS[len(date.split("-"))]


_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def date_text(date: str) -> str:
    """An event's ISO 8601 date as a reader would write it, no more precise than the article:
    "1953", "June 2024", "20 June 2024", "20 June" (day and month, year unknown). Day before
    month, as in most English outside the United States, and never ambiguous in words.

    >>> [date_text(d) for d in ("1953", "2024-06", "2024-06-09", "--06-20", "2024-13")]
    ['1953', 'June 2024', '9 June 2024', '20 June', '2024-13']
    """
    parts = date.removeprefix("--").split("-")
    if date.startswith("--"):
        parts = ["", *parts]  # no year
    if len(parts) == 1:
        return parts[0]
    if not 1 <= int(parts[1]) <= 12:
        return date  # not a month: shown as written rather than guessed at
    words = [str(int(parts[2])) if len(parts) == 3 else "", _MONTH_NAMES[int(parts[1]) - 1]]
    return " ".join(w for w in (*words, parts[0]) if w)


def period_of(date: str) -> tuple[dt.date, dt.date] | None:
    """The time an ISO 8601 date covers, as its first day and the day after it ends: a whole
    year for ``1953``, a month for ``2024-06``, one day for ``2024-06-20``. None for a date
    without a year (``--06-20``) or a day its month does not have (``2024-06-31``).

    >>> [str(day) for day in period_of("2024-12")]
    ['2024-12-01', '2025-01-01']
    """
    parts = date.split("-")
    if date.startswith("--") or not 1 <= len(parts) <= 3:
        return None
    try:
        numbers = [int(part) for part in parts]
        if len(numbers) == 1:
            return dt.date(numbers[0], 1, 1), dt.date(numbers[0] + 1, 1, 1)
        if len(numbers) == 2:
            year, month = numbers
            after = dt.date(year + month // 12, month % 12 + 1, 1)
            return dt.date(year, month, 1), after
        first = dt.date(*numbers)
        return first, first + dt.timedelta(days=1)
    except ValueError:
        return None


def _clause_verb(token: Token) -> Token | None:
    """The verb whose clause holds ``token``: the first verb among its heads."""
    current = token
    while True:
        if current.pos_ in ("VERB", "AUX") and current.dep_ != "amod":
            return current
        if current.head.i == current.i:
            return None
        current = current.head


def shared_border(gazetteer: Gazetteer, first: str, second: str) -> Candidate | None:
    """The border feature between two neighbouring countries: a curated one (the Korean DMZ)
    when we have it, else the midpoint of the closest points of their outlines."""
    features = gazetteer.features_between(first, second)
    if features:
        return features[0]
    a, b = gazetteer.shape(first), gazetteer.shape(second)
    countries = gazetteer.countries()
    if a is None or b is None or first not in countries or second not in countries:
        return None
    points_a, points_b = _vertices(a), _vertices(b)
    if not points_a or not points_b:
        return None
    (lon1, lat1), (lon2, lat2) = min(
        ((p, q) for p in points_a for q in points_b),
        key=lambda pq: distance_km(pq[0][1], pq[0][0], pq[1][1], pq[1][0]),
    )
    names = f"{countries[first].name}–{countries[second].name} border"
    return Candidate(
        key=f"border:{min(first, second)}-{max(first, second)}",
        name=names,
        kind="border",
        lat=round((lat1 + lat2) / 2, 4),
        lon=round((lon1 + lon2) / 2, 4),
        countries=(first, second),
        feature_code="BDLN",
        source="nearest points of the countries' outlines (countryinfo)",
    )


def _vertices(geometry: dict[str, Any]) -> list[tuple[float, float]]:
    rings: list[Any] = []
    if geometry.get("type") == "Polygon":
        rings = geometry["coordinates"]
    elif geometry.get("type") == "MultiPolygon":
        rings = [ring for polygon in geometry["coordinates"] for ring in polygon]
    return [(float(x), float(y)) for ring in rings for x, y, *_ in ring]


class _EventFinder:
    def __init__(
        self,
        doc: Doc,
        sentences: Sequence[Sentence],
        places: Sequence[Place],
        gazetteer: Gazetteer,
    ) -> None:
        self.doc = doc
        self.sentences = sentences
        self.gazetteer = gazetteer
        self.place_of: dict[Mention, Place] = {m: p for p in places for m in p.mentions}
        self.mentions = sorted(self.place_of, key=lambda m: m.start)
        self.by_token = token_mentions(doc, self.mentions)
        # spaCy builds its tokens and entities anew on every pass over the doc: once here,
        # not once per event (long articles took minutes).
        self.token_starts = [token.idx for token in doc]
        self.named_events = [ent for ent in doc.ents if ent.label_ == "EVENT"]

    def _tokens_of(self, sentence: Sentence) -> list[Token]:
        """The tokens that start inside ``sentence``."""
        first = bisect_left(self.token_starts, sentence.start)
        last = bisect_left(self.token_starts, sentence.end)
        return list(self.doc[first:last])

    def _places_in(self, tokens: Sequence[Token]) -> list[Place]:
        seen: dict[str, Place] = {}
        for token in tokens:
            mention = self.by_token.get(token.i)
            if mention is not None:
                place = self.place_of[mention]
                seen.setdefault(place.key, place)
        return list(seen.values())

    def find(self, year: int | None) -> list[Event]:
        events: list[Event] = []
        seen: set[tuple[int, str]] = set()
        for ent in self.doc.ents:
            if ent.label_ != "DATE":
                continue
            date = parse_date(ent.text, year)
            verb = _clause_verb(ent.root)
            if date is None or verb is None:
                continue
            sentence = sentence_at(self.sentences, ent.start_char)
            if (sentence.index, date) in seen:
                continue
            event = self._event(ent, verb, sentence, date)
            if event is not None:
                seen.add((sentence.index, date))
                events.append(event)
        return events

    def _event(self, date_ent: Span, verb: Token, sentence: Sentence, date: str) -> Event | None:
        clause = [t for t in verb.subtree if sentence.start <= t.idx < sentence.end]
        subject = {t.i for child in verb.children if child.dep_ in SUBJECTS for t in child.subtree}
        outside = self._places_in([t for t in clause if t.i not in subject])
        inside = self._places_in(clause)
        sentence_tokens = self._tokens_of(sentence)
        where: Candidate | None = None
        reason = ""
        local = [p for p in outside if p.kind in LOCAL_KINDS]
        if local:
            where, reason = _most_specific(local).candidate, "named where it happened"
        if where is None and any(t.lower_ in BORDER_WORDS for t in clause):
            where = self._border(sentence)
            reason = "a border between the countries in context"
        if where is None and outside:
            where, reason = _most_specific(outside).candidate, "named where it happened"
        if where is None:
            where = self._named_event(sentence)
            reason = "the place in the event's name"
        if where is None:
            nearby = inside or self._places_in(sentence_tokens)
            if nearby:
                where, reason = _most_specific(nearby).candidate, "named in the sentence"
        if where is None:
            where = self._earlier(sentence)
            reason = "the last place named before it"
        if where is None:
            return None
        return Event(
            date=date,
            name=_summary(clause, date_ent, verb, sentence),
            sentence=sentence,
            where=where,
            places=tuple(p.key for p in self._places_in(sentence_tokens)),
            reason=reason,
        )

    def _border(self, sentence: Sentence) -> Candidate | None:
        """The neighbouring pair of countries the text around ``sentence`` weighs most."""
        weights: dict[str, float] = defaultdict(float)
        for mention in self.mentions:
            other = self.sentences[mention.sentence]
            gap = abs(other.index - sentence.index)
            if other.paragraph != sentence.paragraph:
                weight = 0.25  # the rest of the article still says which countries it is about
            else:
                weight = 3 if gap == 0 else 2 if gap == 1 else 1
            for code in self.place_of[mention].candidate.country_codes:
                weights[code] += weight
        pairs = sorted(
            (
                (weights[a] + weights[b], a, b)
                for a, b in combinations(sorted(weights), 2)
                if b in self.gazetteer.neighbours(a)
            ),
            reverse=True,
        )
        for _, a, b in pairs:
            border = shared_border(self.gazetteer, a, b)
            if border is not None:
                return border
        return None

    def _named_event(self, sentence: Sentence) -> Candidate | None:
        """ "the Korean War": a named event whose words name a place."""
        for ent in self.named_events:
            if sentence.start <= ent.start_char < sentence.end:
                for token in ent:
                    place = self.gazetteer.demonym(token.text) if token.text[:1].isupper() else None
                    if place is not None:
                        return place
        return None

    def _earlier(self, sentence: Sentence) -> Candidate | None:
        """The place named last before ``sentence`` (what "there" refers to)."""
        earlier = [m for m in self.mentions if m.start < sentence.start]
        return self.place_of[earlier[-1]].candidate if earlier else None


def _most_specific(places: Sequence[Place]) -> Place:
    """The most local place; among equals, the last named (the object, not the actor)."""
    best = min(SPECIFICITY[p.kind] for p in places)
    return [p for p in places if SPECIFICITY[p.kind] == best][-1]


_LEADING_WORDS = re.compile(
    r"^(?:after|before|since|when|while|as|until|because|although|though|and|but|then)\s+", re.I
)


def _summary(
    clause: Sequence[Token], date_ent: Span, verb: Token, sentence: Sentence, limit: int = 120
) -> str:
    """What happened, in the clause's own words, without its date phrase (else the
    sentence's)."""
    date_tokens = {t.i for t in date_ent}
    for token in date_ent.root.ancestors:  # "on June 20", "in 2022": drop the preposition too
        if token.dep_ == "prep" and all(
            t.i in date_tokens or t.i == token.i for t in token.subtree
        ):
            date_tokens |= {t.i for t in token.subtree}
        break
    words = "".join(t.text_with_ws for t in clause if t.i not in date_tokens).strip(" ,;:")
    words = _LEADING_WORDS.sub("", " ".join(words.split())).strip(" ,;:.")
    if not words:
        words = sentence.text
    words = words[0].upper() + words[1:]
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def dated_sentences(doc: Doc, sentences: Sequence[Sentence]) -> list[Sentence]:
    """The sentences that carry a date :func:`parse_date` reads, in order, each once: the
    only ones whose dependency parse :func:`find_events` reads (see
    :func:`geo.parsing.with_parsed_sentences`)."""
    dated: dict[int, Sentence] = {}
    for ent in doc.ents:
        if ent.label_ == "DATE" and parse_date(ent.text, None) is not None:
            sentence = sentence_at(sentences, ent.start_char)
            dated.setdefault(sentence.index, sentence)
    return sorted(dated.values(), key=lambda s: s.index)


def find_events(
    doc: Doc,
    sentences: Sequence[Sentence],
    places: Sequence[Place],
    gazetteer: Gazetteer,
    year: int | None,
) -> list[Event]:
    """Every dated event in the article, in text order. ``doc`` carries the dependency parse
    of at least the :func:`dated_sentences`."""
    return _EventFinder(doc, sentences, places, gazetteer).find(year)
