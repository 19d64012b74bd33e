"""From mentions to places: choose, for each name, the gazetteer candidate the article means.

Resolution runs in four stages, in this order:

1. **context** (:meth:`Resolver._context`): what the whole story says: the countries and
   states it names clearly, the country it names most, its towns, the names written with
   their state after them, and each name's first pick without context (its *anchor*);
2. **features** (:mod:`geo.features`): each candidate of a mention is measured, one declared
   feature at a time (how the name matched, its kind and size, the context, the anchors, what
   is written around this very mention);
3. **ranker** (:meth:`Resolver.score`): the features weighted by the fitted
   :class:`~geo.features.Weights` (``data/resolve-weights.json``, written by ``bench/fit.py``)
   and summed; the best score wins, and its softmax share over the mention's candidates,
   with a few facts about it (:func:`~geo.features.confidence_inputs`), gives the place's
   confidence through a logistic model fitted on the development corpora;
4. **fallback** (:meth:`Resolver.fallback`): a name the gazetteer lacks (a street, a school)
   is placed by a place named inside it, written after it, or the story's main place.

The mentions of one name resolve to the same place, unless the text writes different states or
countries after them ("Springfield, Ill." and "Springfield, Mo."): each is then its own place.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .features import (
    FEATURES,
    NEARBY_KM,
    Anchor,
    Context,
    Evidence,
    Weights,
    default_weights,
    grid_cell,
    is_local,
    measure,
    region_of,
)
from .gazetteer import (
    ALIAS,
    ALTERNATE,
    LARGE_COUNTRY,
    PRIMARY,
    Candidate,
    Gazetteer,
    distance_km,
    normalize,
)
from .mentions import (
    COMPASS,
    PLACE_LABELS,
    PLACE_NOUNS,
    Mention,
    has_place_noun,
    is_well_known,
)

__all__ = ["Place", "Resolver", "Scored"]

#: A state or province of the article's main country counts as its own state only in a country
#: of few divisions, states and provinces: the UK's 225 are councils ("Bolton" is the town).
STATES_AT_MOST = 60
#: A town this large shares its name with a state as often as not ("New York"): next to it in
#: a list, a name is no more a state than a town.
LARGE_TOWN = 100_000
#: How sure a place found by :meth:`Resolver.fallback` is: a guess from the article.
FALLBACK_CONFIDENCE = 0.2
#: How many runner-up candidates each place keeps for the user to pick from.
RUNNERS_UP = 5
#: Names this short are codes: see :meth:`Resolver.candidates`.
SHORT_CODE = 3
#: How Arabic names begin in GeoNames ("Al Qāmishlī"), though news often drops the article
#: ("Qamishli"): a name the gazetteer lacks is looked up with it.
ARABIC_ARTICLES = ("al ", "el ", "ad ", "ar ", "as ", "an ", "at ", "az ")
#: Candidates considered per name, best name match and population first.
MAX_CANDIDATES = 60
#: A name's first pick is clear context when its softmax share is at least this: two readings
#: whose scores are 3 apart under the hand-set weights these rules were first tuned with.
CLEAR_SHARE = 0.95
#: First words of place names that news abbreviates ("St. Petersburg", "Mt. Hood", "Ft. Worth"),
#: to their spelling in full (dots are gone after :func:`~geo.gazetteer.normalize`).
_SPELT_OUT = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
_ABBREVIATED = {full: short for short, full in _SPELT_OUT.items()}
#: What a name is ranked against when nothing else is known.
NO_CONTEXT = Context()


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate with its score, the features that made it (name to value, the non-zero
    ones) and, for a reader, what each added to the score."""

    candidate: Candidate
    score: float
    reasons: tuple[str, ...]
    features: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved place: where a name in the article points, with its evidence."""

    candidate: Candidate
    mentions: tuple[Mention, ...]
    confidence: float
    reasons: tuple[str, ...]
    alternatives: tuple[Scored, ...] = ()

    def __post_init__(self) -> None:
        if not self.mentions:
            raise ValueError(f"place {self.candidate.name!r} has no mentions")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence!r} is not between 0 and 1")

    @property
    def key(self) -> str:
        return self.candidate.key

    @property
    def name(self) -> str:
        return self.candidate.name

    @property
    def kind(self) -> str:
        return self.candidate.kind

    @property
    def lat(self) -> float:
        return self.candidate.lat

    @property
    def lon(self) -> float:
        return self.candidate.lon

    @property
    def unsure(self) -> bool:
        """Whether the reader should check this place: below :data:`UNSURE_BELOW`, more than
        three answers in ten as sure as this one are wrong."""
        return self.confidence < UNSURE_BELOW

    @property
    def runner_up(self) -> Candidate | None:
        """The best other reading of the name: the first alternative that is another place
        (not this one again, nor one within :data:`SAME_PLACE_KM` of it, a point of the same
        place from another source)."""
        for scored in self.alternatives:
            other = scored.candidate
            far = distance_km(self.lat, self.lon, other.lat, other.lon) > SAME_PLACE_KM
            if other.key != self.key and far:
                return other
        return None


#: Below this calibrated confidence a place is marked unsure and its runner-up offered: on the
#: development corpora about three answers in ten that sure are wrong (bench/fit.py reports the
#: calibration), enough that a reader should look, rare enough that most places are not marked.
UNSURE_BELOW = 0.7
#: Two candidates closer than this are one place to the reader (the scorers' 161 km).
SAME_PLACE_KM = 161.0


def _population_score(population: int) -> float:
    return math.log10(population + 1) if population > 0 else 0.0


def _lies_in(town: Candidate, division: Candidate) -> bool:
    """Whether ``town`` lies in ``division``, a country or a first-level division, by the
    same codes (compare :func:`geo.features.lies_in`, which also accepts the country alone
    where the two use different schemes)."""
    if division.kind == "country":
        return town.country_code == division.country_code
    return region_of(town) == region_of(division) != ""


def _stems(adjective: str) -> list[str]:
    """The names a nationality adjective in -n may be formed from: "Korean" → "Korea",
    "Koreans" → "Korea"."""
    word = adjective.removesuffix("s")
    return [word[:-1]] if word.endswith("n") and len(word) > 4 else []


class Resolver:
    """Scores gazetteer candidates for the names of one article and picks the best."""

    def __init__(self, gazetteer: Gazetteer, weights: Weights | None = None) -> None:
        self.gazetteer = gazetteer
        self.weights = weights if weights is not None else default_weights()

    def candidates(self, name: str) -> list[Candidate]:
        """The gazetteer's candidates for ``name``. A code of up to three letters ("MoD",
        "AI", "PA") that is no place's own name or official alias has none: GeoNames'
        alternate names hold airport and other codes that collide with abbreviations of
        anything. ("LA" is Louisiana's alias, so Los Angeles, which has it as an alternate,
        stays a candidate.) A longer name it lacks may be an Arabic one written without its
        article ("Qamishli" for Al Qāmishlī): its own names with "Al" are then its candidates."""
        found = self._spelt_either_way(name)[:MAX_CANDIDATES]
        key = normalize(name)
        if not found and len(key) > SHORT_CODE and not key.startswith(ARABIC_ARTICLES):
            found = [c for c in self.gazetteer.lookup(f"Al {name}") if c.match == PRIMARY]
        short = len(key.replace(" ", "")) <= SHORT_CODE
        if short and name.isupper():
            # a code in capitals is no town's own name: "WA" is Western Australia, not Wa
            found = [c for c in found if c.match != PRIMARY or c.name.isupper()]
        if short and not any(c.match <= ALIAS for c in found):
            return []
        return found

    def _spelt_either_way(self, name: str) -> list[Candidate]:
        """The gazetteer's candidates for ``name`` and for its first word written out or
        abbreviated ("St. Petersburg" and "Saint Petersburg", "Mt. Hood" and "Mount Hood"),
        each place once, by its best name match, best first: GeoNames keeps one spelling as a
        place's own name and the other, if at all, among its alternates."""
        found = self.gazetteer.lookup(name)
        first, _, rest = normalize(name).partition(" ")
        other = _SPELT_OUT.get(first) or _ABBREVIATED.get(first)
        if not rest or other is None:
            return found
        best: dict[str, Candidate] = {}
        for candidate in found + self.gazetteer.lookup(f"{other} {rest}"):
            if candidate.key not in best or candidate.match < best[candidate.key].match:
                best[candidate.key] = candidate
        return sorted(best.values(), key=lambda c: (c.match, -c.population))

    def score(self, candidate: Candidate, evidence: Evidence) -> Scored:
        """The ranker: the candidate's features (:mod:`geo.features`), weighted and summed."""
        values = measure(candidate, evidence)
        reasons = []
        for feature in FEATURES:
            value = values.get(feature.name, 0.0)
            added = self.weights.weights.get(feature.name, 0.0) * value
            if added:
                reasons.append(f"{feature.description} {added:+.1f}")
        return Scored(
            candidate,
            round(self.weights.score(values), 3),
            tuple(reasons),
            tuple((name, round(value, 4)) for name, value in values.items()),
        )

    def _in_large_country(self, candidate: Candidate) -> bool:
        country = self.gazetteer.countries().get(candidate.country_code)
        return country is not None and country.population >= LARGE_COUNTRY

    def rank(
        self,
        name: str,
        labels: Iterable[str] = ("GPE",),
        context: Context = NO_CONTEXT,
        span: tuple[int, int] | None = None,
    ) -> list[Scored]:
        """Every candidate for ``name``, best first (ties: larger population, then key).
        ``span``, where the mention is in the context's text, lets what is written around it
        count (see :meth:`_written_around`)."""
        found = self._found(name, context)
        evidence = self.evidence(name, labels, context, found, span)
        return sorted(
            (self.score(c, evidence) for c in found),
            key=lambda s: (-s.score, -s.candidate.population, s.candidate.key),
        )

    def _found(self, name: str, context: Context) -> list[Candidate]:
        """The candidates ``rank`` measures. A US county by its bare name ("Cuyahoga") only in
        a story set in the US: elsewhere "Berkshire" is the English county the gazetteer lacks,
        not Massachusetts'."""
        found = [
            c
            for c in self.candidates(name)
            if not (
                c.feature_code == "ADM2"
                and c.match == ALTERNATE
                and c.country_code != context.main_country
            )
        ]
        return found + self._country_of_part(name, found, context)

    def evidence(
        self,
        name: str,
        labels: Iterable[str],
        context: Context,
        found: Sequence[Candidate],
        span: tuple[int, int] | None = None,
    ) -> Evidence:
        """What the features of ``found``, the candidates of a mention of ``name``, are
        measured against."""
        states = self._own_states(found, context)
        states_at = [(c.lat, c.lon) for c in found if c.key in states]
        after, possessor = self._written_around(span, context.text)
        return Evidence(
            name,
            frozenset(labels),
            context,
            division=any(
                c.match == PRIMARY and (c.feature_code == "ADM1" or c.kind == "country")
                for c in found
            ),
            state_or_country=bool(states)
            or any(c.kind == "country" and c.match == PRIMARY for c in found),
            own_states=frozenset(states),
            # a territory that is both (Guam, Puerto Rico) is the same place either way
            foreign_namesakes=frozenset(
                c.key for c in found if states and self._foreign_namesake(c, context, states_at)
            ),
            top_population=max((c.population for c in found), default=0),
            written_after=after,
            possessor=possessor,
        )

    def _written_around(
        self, span: tuple[int, int] | None, text: str
    ) -> tuple[tuple[Candidate, ...], tuple[Candidate, ...]]:
        """The states or countries written right after the mention at ``span`` ("SPRINGFIELD,
        Ill.", "Springfield, Illinois") and as its owner right before it ("India's Punjab")."""
        if span is None or not text:
            return (), ()
        start, end = span
        after = _AFTER.match(text, end)
        before = _POSSESSOR.search(text, max(0, start - _POSSESSOR_REACH), start)
        return (
            self._division_named(after.group(1)) if after else (),
            self._division_named(before.group(1), from_end=True) if before else (),
        )

    def _division_named(self, words: str, *, from_end: bool = False) -> tuple[Candidate, ...]:
        """The states or countries the longest leading (or, ``from_end``, trailing) run of
        ``words`` is the own name or official alias of ("Ill.", "New South Wales"); () when it
        is none."""
        parts = words.split()
        for size in range(len(parts), 0, -1):
            run = parts[-size:] if from_end else parts[:size]
            found = tuple(
                c
                for c in self.gazetteer.lookup(" ".join(run))
                if c.match <= ALIAS and (c.feature_code == "ADM1" or c.kind == "country")
            )
            if found:
                return found
        return ()

    def _country_of_part(
        self, name: str, found: Sequence[Candidate], context: Context
    ) -> list[Candidate]:
        """The country the article names whose name joins ``name`` and another with "and"
        ("Trinidad" in a story about Trinidad and Tobago, "Antigua", "Nevis"): the writer
        shortens it so once it is named. Not when ``name`` is a country itself ("Serbia")."""
        key = normalize(name)
        if not key or any(c.kind == "country" for c in found):
            return []
        countries = self.gazetteer.countries()
        return [
            replace(country, match=ALIAS)
            for code in sorted(context.countries)
            if (country := countries.get(code)) is not None
            and key in {normalize(part) for part in _AND.split(country.name)}
        ]

    def _foreign_namesake(
        self, candidate: Candidate, context: Context, states_at: Sequence[tuple[float, float]]
    ) -> bool:
        """Whether ``candidate`` is a country that only shares its name with a state of the
        article's main country (at ``states_at``): the article names nothing in it, not its
        adjective, not a neighbour of it, and it is not that state itself."""
        code = candidate.country_code
        return (
            candidate.kind == "country"
            and candidate.match == PRIMARY
            and code not in context.placed_in
            and code != context.main_country
            and not self.gazetteer.neighbours(code) & context.countries
            and all(distance_km(candidate.lat, candidate.lon, *at) > NEARBY_KM for at in states_at)
        )

    def _own_states(self, found: Sequence[Candidate], context: Context) -> set[str]:
        """Keys of the candidates that are, by their own name, a state or province of the
        article's main country, one of few divisions (:data:`STATES_AT_MOST`), and no town of
        the same name lies in or near (Košice, Idlib and Oaxaca name a region after its city;
        the divisions' codes are not always GeoNames' own, so nearness to the division's
        point counts too)."""
        states = set()
        for state in found:
            if (
                state.feature_code != "ADM1"
                or state.match != PRIMARY
                or state.country_code != context.main_country
                or self.gazetteer.division_count(state.country_code) > STATES_AT_MOST
            ):
                continue
            if not any(
                c.kind in ("city", "capital")
                and c.match == PRIMARY
                and (
                    _lies_in(c, state)
                    or distance_km(c.lat, c.lon, state.lat, state.lon) < NEARBY_KM
                )
                for c in found
            ):
                states.add(state.key)
        return states

    def adjective_place(self, place: Candidate, adjective: str, context: Context) -> Candidate:
        """The place ``adjective`` means in the article, ``place`` being the one the demonym
        table gives it. An adjective shared by several countries, which each carry its stem in
        their name ("Korean": North and South Korea, both on the Korean Peninsula), means the
        one of them the article names when it names only one ("Korean moms" in a story about
        South Korea); when it names none, what the stem alone means ("Korea": the Republic of
        Korea's short name); when it names several, the region they share ("the two Korean
        nations")."""
        shared = self._sharing_countries(place, adjective)
        if len(shared) < 2:
            return place
        named = [c for c in shared if c.country_code in context.countries]
        if len(named) == 1:
            return named[0]
        if named:
            return place
        for stem in _stems(adjective):
            ranked = self.rank(stem)
            best = next((c for c in shared if ranked and c.key == ranked[0].candidate.key), None)
            if best is not None:
                return best
        return place

    def _sharing_countries(self, place: Candidate, adjective: str) -> list[Candidate]:
        """The countries of a region ``place`` (not a country) whose names hold the stem of
        ``adjective`` as a word: "Korean" → North Korea and South Korea. Not the Balkans'
        countries for "Balkan", nor Kurdistan's for "Kurdish": those name a region across
        countries, not their nationality."""
        if place.kind == "country":
            return []
        stems = {normalize(stem) for stem in _stems(adjective)}
        countries = self.gazetteer.countries()
        return [
            country
            for code in sorted(place.country_codes)
            if (country := countries.get(code)) is not None
            and stems & set(normalize(country.name).split())
        ]

    def resolve(
        self, mentions: Sequence[Mention], *, guess: bool = True, text: str = ""
    ) -> list[Place]:
        """One place per distinct name (or adjective's place), in order of first mention.

        With ``guess`` off, a GPE or LOC the gazetteer lacks is left unplaced rather than put in
        the article's main town (see :meth:`_placed_by_fallback`), for a caller that has a
        better source for it (an online geocoder). ``text``, the article's, lets a name the
        gazetteer lacks be placed by the place written after it ("a school in Dayton")."""
        groups = _group(mentions)
        context = self._context(groups, mentions, text)
        places: list[Place] = []
        unknown: list[list[Mention]] = []
        for group in groups.values():
            first = group[0]
            if first.place is not None:
                place = self.adjective_place(first.place, first.text, context)
                reasons = ("named by its adjective",)
                confidence = self.weights.adjective_confidence
                places.append(Place(place, tuple(group), confidence, reasons))
                continue
            for part in self._by_qualifier(group, context):
                qualified = next(
                    (m for m in part if self._written_around(_span(m), text)[0]), part[0]
                )
                ranked = self.rank(first.name, {m.label for m in part}, context, _span(qualified))
                if not ranked:
                    unknown.append(part)
                    continue
                best = ranked[0]
                places.append(
                    Place(
                        best.candidate,
                        tuple(part),
                        round(
                            self.weights.probability(_share(ranked), len(ranked), best.candidate), 3
                        ),
                        best.reasons,
                        tuple(ranked[1 : 1 + RUNNERS_UP]),
                    )
                )
        return _merge(places + self._placed_by_fallback(unknown, context, places, guess=guess))

    def _by_qualifier(self, group: list[Mention], context: Context) -> list[list[Mention]]:
        """The mentions of one name, split where the text writes different states or
        countries after them ("Springfield, Ill." … "Springfield, Mo."): a mention without one
        goes with the last one before it that has one (the first, before any)."""
        written = [self._written_around(_span(m), context.text)[0] for m in group]
        keys = [tuple(sorted(c.key for c in after)) for after in written]
        if len({k for k in keys if k}) < 2:
            return [group]
        parts: dict[tuple[str, ...], list[Mention]] = {}
        current = next(k for k in keys if k)
        for mention, key in zip(group, keys, strict=True):
            current = key or current
            parts.setdefault(current, []).append(mention)
        return list(parts.values())

    def _placed_by_fallback(
        self,
        groups: Sequence[list[Mention]],
        context: Context,
        places: Sequence[Place],
        *,
        guess: bool = True,
    ) -> list[Place]:
        """Places for names the model tagged as places but the gazetteer lacks ("Orange
        County", a street): see :meth:`fallback`. A facility (FAC: a street, a building) falls
        back to the article's main place, since it is almost always in the town the story is
        about; so (with ``guess``) do a name ending in a place noun ("Morris County") and one
        always written after "in", "at", ... ("in Portroe"). Any other GPE or LOC the
        gazetteer lacks is as often far away or no place at all (a person, a firm: measured on
        annotated news, the guess cost more than it gained). Names recovered from other labels
        are not guessed at: there the label was wrong, so the name may be no place at all."""
        found: list[Place] = []
        for group in groups:
            labels = {m.label for m in group}
            if not labels & PLACE_LABELS:
                continue
            use_focus = "FAC" in labels or (
                guess and (has_place_noun(group[0].text) or all(m.locative for m in group))
            )
            best = self.fallback(
                group[0].text,
                labels,
                context,
                places,
                use_focus=use_focus,
                ends=[m.end for m in group],
            )
            if best is not None:
                found.append(Place(best.candidate, tuple(group), FALLBACK_CONFIDENCE, best.reasons))
        return found

    def fallback(
        self,
        surface: str,
        labels: Iterable[str],
        context: Context,
        places: Sequence[Place],
        *,
        use_focus: bool = True,
        ends: Sequence[int] = (),
    ) -> Scored | None:
        """Where a name the gazetteer does not know points (a street, a school, "Orange County"):

        1. a well-known place named inside it ("Orange" in "Orange County"), or one the article
           has already placed; but a building or campus named after a state or country
           ("Colorado State University") is in the article's main town when that lies there, and
           a school, hotel, mall or quarter named after a country or continent ("SM Mall of
           Asia", "the French Quarter") is in it when it lies elsewhere;
        2. (``use_focus``) the place written right after it, where the name ends at one of
           ``ends`` in the context's text ("the Guildhall School of Music in London",
           "Knockhill, Fife"), unless a town inside it is finer than a state or country written
           after it (see :func:`_finer`);
        3. else (``use_focus``) the article's main local place (:func:`focus`). A street named
           after a place is never in it ("Atlantic Avenue", "Victoria St."): it goes there
           directly.

        Where a state or country is the answer and the article's main town lies in it, the
        town is. A span without a capital letter is no name and stays unresolved.
        """
        if not any(ch.isupper() for ch in surface):
            return None  # "the table": not a name, so nothing to place
        abbreviated = self._abbreviated(surface, context, places)
        if abbreviated is not None:
            return abbreviated
        labels = tuple(labels)
        main = focus(places)
        inside = None if _is_street(surface) else self._inside(surface, labels, context, places)
        after = _written_after(context.text, ends, places) if use_focus else None
        if after is not None and (inside is None or not _finer(inside[1].candidate, after)):
            if (
                _is_area(after.candidate)
                and main is not None
                and _lies_in(main.candidate, after.candidate)
            ):
                reason = f"written before {after.name}, where the article's main place is"
                return Scored(main.candidate, 0.0, (reason,))
            return Scored(after.candidate, 0.0, (f"written before {after.name}, where it is",))
        if inside is not None:
            name, found = inside
            if (
                _has_noun(surface, INSTITUTION_NOUNS)
                and main is not None
                and _is_area(found.candidate)
                and _lies_in(main.candidate, found.candidate)
            ):
                reason = f"contains {name!r}; the article's main place {main.name} lies in it"
                return Scored(main.candidate, 0.0, (reason,))
            if (
                _has_noun(surface, BUILDING_NOUNS)
                and main is not None
                and main.kind in ("city", "capital")
                and found.candidate.kind in ("country", "continent")
                and not _lies_in(main.candidate, found.candidate)
            ):
                reason = f"a building named after {name!r}, in the article's main place {main.name}"
                return Scored(main.candidate, 0.0, (reason,))
            return found
        if main is None or not use_focus:
            return None
        return Scored(main.candidate, 0.0, (f"unknown name: the article's main place {main.name}",))

    def _abbreviated(
        self, surface: str, context: Context, places: Sequence[Place]
    ) -> Scored | None:
        """The place a code the gazetteer lacks stands for: the initials of a place the article
        names ("SA" after "South Africa"), else the code of a state or province of the
        country it names most ("WA" in an Australian story)."""
        code = surface.replace(".", "")
        if not (2 <= len(code) <= 4 and code.isalpha() and code.isupper()):
            return None
        initialled = [p for p in places if _initials(p.name) == code]
        if initialled:
            best = max(initialled, key=lambda p: len(p.mentions))
            return Scored(best.candidate, 0.0, (f"{surface}: the initials of {best.name}",))
        if not context.main_country:
            return None
        state = self.gazetteer.get(f"adm1:{context.main_country}-{code}")
        if state is None:
            return None
        return Scored(state, 0.0, (f"{surface}: the code of {state.name}",))

    def _inside(
        self, surface: str, labels: tuple[str, ...], context: Context, places: Sequence[Place]
    ) -> tuple[str, Scored] | None:
        """The first name inside ``surface`` that stands for a place, and that place. In an
        embassy's name, a place that is not the country it represents comes first ("the British
        Embassy Tokyo" is in Tokyo)."""
        placed = {normalize(m.name): p for p in places for m in p.mentions}
        represented = None
        for name in inner_names(surface):
            found = self._named_inside(name, surface, labels, context, placed, places)
            if found is None:
                continue
            if not (_has_noun(surface, EMBASSY_NOUNS) and _is_area(found.candidate)):
                return name, found
            represented = represented or (name, found)
        return represented

    def _named_inside(
        self,
        name: str,
        surface: str,
        labels: tuple[str, ...],
        context: Context,
        placed: Mapping[str, Place],
        places: Sequence[Place],
    ) -> Scored | None:
        """The place ``name``, a part of the longer name ``surface``, stands for, if any."""
        if name.casefold() in GENERIC_NOUNS:
            return None  # "Fire Island", "Nile Delta": not Iceland, not Delta State
        known = placed.get(normalize(name))
        adjective = self.gazetteer.demonym(name) if " " not in name else None
        found: Scored | None = None
        if known is not None:
            found = Scored(known.candidate, 0.0, (f"contains {name!r}, placed in the article",))
        elif adjective is not None:  # "European Commission": Europe
            return Scored(adjective, 0.0, (f"contains the adjective {name!r}",))
        elif is_well_known(self.gazetteer, name):
            ranked = self.rank(name, labels, context)
            if ranked:
                best = ranked[0]
                found = Scored(best.candidate, best.score, (f"contains {name!r}", *best.reasons))
        if found is not None and _is_division_name(surface) and _named_elsewhere(found, places):
            return None
        return found

    def context_of(self, mentions: Sequence[Mention], text: str = "") -> Context:
        """The context that a set of mentions (of ``text``) gives to the resolution of each."""
        return self._context(_group(mentions), mentions, text)

    def _context(
        self, groups: dict[str, list[Mention]], mentions: Sequence[Mention], text: str = ""
    ) -> Context:
        """Countries and divisions the article names: those its names and adjectives clearly
        point at; and the names it qualifies with a state or country ("Alexandria, La.")."""
        countries: set[str] = set()
        regions: set[str] = set()
        towns: dict[str, tuple[float, float]] = {}
        named: dict[str, int] = defaultdict(int)
        placed_in: set[str] = set()
        anchors: list[Anchor] = []
        readings: dict[tuple[int, int], list[tuple[str, float, float]]] = defaultdict(list)
        regions_by_name: dict[str, frozenset[str]] = {}
        keys_by_name: dict[str, frozenset[str]] = {}
        qualified, qualifiers = self._qualified(mentions)
        for group in groups.values():
            first = group[0]
            top = first.place
            if top is not None and len(self._sharing_countries(top, first.text)) > 1:
                continue  # "Korean" means whichever Korea the rest of the article names
            if top is not None:  # an adjective: "Georgian"
                placed_in.update(top.country_codes)
                anchors.append(Anchor(normalize(first.name), top))
            if top is None:
                ranked = self.rank(first.name, {m.label for m in group})
                if not ranked:
                    continue
                # a name written after a town of it ("Red Oak, Iowa") is that state or country
                written_after = qualifiers.get(normalize(first.name))
                top = next(
                    (s.candidate for s in ranked if s.candidate.key == written_after),
                    _in_qualifier(ranked, qualified.get(normalize(first.name), frozenset())),
                )
                anchors.append(Anchor(normalize(first.name), top))
                for s in ranked:
                    if s.candidate.match <= ALIAS and is_local(s.candidate):
                        cell = grid_cell(s.candidate.lat, s.candidate.lon)
                        readings[cell].append(
                            (normalize(first.name), s.candidate.lat, s.candidate.lon)
                        )
                keys_by_name[normalize(first.name)] = frozenset(s.candidate.key for s in ranked)
                regions_by_name[normalize(first.name)] = frozenset(
                    region
                    for s in ranked
                    if s.candidate.match <= ALIAS and (region := region_of(s.candidate))
                )
                unambiguous = (
                    len(ranked) == 1
                    or _share(ranked) >= CLEAR_SHARE
                    or top.key == written_after
                    or _only_by_own_name(ranked)
                )
            else:
                unambiguous = True
            # an ambiguous name ("Oregon": the state or a town) still counts towards the
            # country it most likely lies in, but does not make that country context
            for code in top.country_codes:
                named[code] += len(group)
            if not unambiguous:
                continue
            countries.update(top.country_codes)
            if top.kind != "country":
                placed_in.update(top.country_codes)
            if top.feature_code == "ADM1" and region_of(top):
                regions.add(region_of(top))
            # a capital is named for its government ("Washington said") as often as for itself
            if top.kind == "city" and first.place is None:
                towns[normalize(first.name)] = (top.lat, top.lon)
        main = min(named, key=lambda c: (-named[c], c)) if named else ""
        return Context(
            frozenset(countries),
            frozenset(regions),
            qualified,
            main_country=main,
            towns=towns,
            qualifiers=qualifiers,
            text=text,
            placed_in=frozenset(placed_in),
            listed_with_states=self._listed_with_states(mentions, text),
            anchors=tuple(anchors),
            keys_by_name=keys_by_name,
            regions_by_name={k: v for k, v in regions_by_name.items() if v},
            readings={cell: tuple(found) for cell, found in readings.items()},
        )

    def _listed_with_states(
        self, mentions: Sequence[Mention], text: str
    ) -> dict[str, frozenset[str]]:
        """Names written in a list ("A, B or C", "A and B") right next to a name that is, at
        best, a state or province by its own name: each to the countries of those states."""
        if not text:
            return {}
        ordered = sorted((m for m in mentions if m.place is None), key=lambda m: m.start)
        states: dict[str, str] = {}
        for mention in ordered:
            key = normalize(mention.name)
            if key not in states:
                ranked = self.rank(mention.name, (mention.label,))
                top = ranked[0].candidate if ranked else None
                is_state = (
                    top is not None
                    and top.feature_code == "ADM1"
                    and top.match == PRIMARY
                    and not any(
                        s.candidate.kind in ("city", "capital")
                        and s.candidate.population >= LARGE_TOWN
                        for s in ranked
                    )
                )
                states[key] = top.country_code if is_state and top is not None else ""
        listed: dict[str, set[str]] = defaultdict(set)
        for left, right in itertools.pairwise(ordered):
            if not _LIST_GAP.fullmatch(text, left.end, right.start):
                continue
            for one, other in ((left, right), (right, left)):
                country = states[normalize(other.name)]
                if country and normalize(one.name) != normalize(other.name):
                    listed[normalize(one.name)].add(country)
        return {name: frozenset(codes) for name, codes in listed.items()}

    def _qualified(
        self, mentions: Sequence[Mention]
    ) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
        """Names followed by ", <state or country>": the division or country each points to;
        and the names written so after a town that lies in them, to that division or country
        ("Tacoma, Washington" is the state, not the capital)."""
        ordered = sorted(mentions, key=lambda m: m.start)
        qualified: dict[str, set[str]] = defaultdict(set)
        qualifiers: dict[str, str] = {}
        for town, after in itertools.pairwise(ordered):
            gap = after.start - town.end
            if town.place is not None or not 1 <= gap <= 2 or after.place is not None:
                continue
            if normalize(town.name) == normalize(after.name):
                continue
            # after a town and a comma, a name that can be a state or a country is one: "Parkland,
            # Florida" means the state, though a town in Cuba is called Florida too
            # (a state of a large country first: Florida, US, not Florida, Puerto Rico)
            divisions = [
                s.candidate
                for s in self.rank(after.name, (after.label,))
                if s.candidate.match <= ALIAS
                and (s.candidate.feature_code == "ADM1" or s.candidate.kind == "country")
            ]
            if not divisions:
                continue
            top = min(divisions, key=lambda c: not self._in_large_country(c))
            if top.feature_code == "ADM1" and region_of(top):
                qualified[normalize(town.name)].add(region_of(top))
            elif top.kind == "country":
                qualified[normalize(town.name)].add(top.country_code)
            # the state itself, when the town before it is one of its own ("Washington, New
            # York and Boston" is a list: no town called Washington lies in New York state)
            if any(
                c.match <= ALIAS and is_local(c) and _lies_in(c, top)
                for c in self.candidates(town.name)
            ):
                qualifiers.setdefault(normalize(after.name), top.key)
        return {name: frozenset(codes) for name, codes in qualified.items()}, qualifiers


#: A state or country written after a name and a comma: "SPRINGFIELD, Ill.", "Sydney, New South
#: Wales" (up to three capitalised words; :meth:`Resolver._division_named` takes the longest run
#: that names one).
_AFTER = re.compile(r",\s*([A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2})")
#: Its owner written before a name: "India's Punjab", "New York's Queens".
_POSSESSOR = re.compile(r"((?:[A-Z][\w.]*\s+){0,2}[A-Z][\w.]*)['’]s\s+$")
#: How far before a name its owner may start, in characters.
_POSSESSOR_REACH = 40
#: What stands between two items of a list: "California or Washington", "Ohio, Texas and Utah".
_LIST_GAP = re.compile(r",?\s+(?:and|or|&)\s+|,\s*")
#: What joins the parts of a country's name ("Trinidad and Tobago", "Bosnia & Herzegovina").
_AND = re.compile(r"\s+(?:and|&)\s+")
#: Words inside a longer name that are never a place on their own ("University of …").
_FILLER = frozenset({"of", "the", "and", "for", "de", "la", "le", "du", "des", "del", "da"})
_WORD = re.compile(r"[^\W\d_][\w.&’']*")


def _in_qualifier(ranked: Sequence[Scored], qualifiers: frozenset[str]) -> Candidate:
    """The best candidate lying in a state or country written after a mention of the name
    ("Parkland, Florida": Parkland, Florida, not Parkland, Washington); the best one when
    none is written or none lies there."""
    return next(
        (
            s.candidate
            for s in ranked
            if s.candidate.match <= ALIAS
            and (region_of(s.candidate) in qualifiers or s.candidate.country_codes & qualifiers)
        ),
        ranked[0].candidate,
    )


def _only_by_own_name(ranked: Sequence[Scored]) -> bool:
    """Whether the best candidate is the one place of that name, the others only sharing one
    of GeoNames' alternate names ("Southold", New York, not South Bend)."""
    return ranked[0].candidate.match == PRIMARY and all(
        s.candidate.match == ALTERNATE for s in ranked[1:]
    )


def inner_names(surface: str) -> list[str]:
    """The names inside a longer one, longest first, left to right: "Orange County Jail" gives
    "Orange County", "County Jail", "Orange", … so a building or office can be placed where
    the place it is named after is. Filler words and compass words are skipped."""
    words = _WORD.findall(surface)
    names = []
    for size in range(len(words) - 1, 0, -1):
        for first in range(len(words) - size + 1):
            part = words[first : first + size]
            if part[0].casefold() in _FILLER or part[-1].casefold() in _FILLER:
                continue
            name = " ".join(part).rstrip(".")
            if name[:1].isupper() and name.casefold() not in COMPASS:
                names.append(name)
    return names


def focus(places: Sequence[Place]) -> Place | None:
    """The article's main local place: among the towns and cities of the country it names most
    (of those, the ones in a state or province it names, if any), the one it names most (first
    named on a tie); else, with no town of that country named, of the places in it (the country
    itself, its states) the one it names most; else the place it names most. News about a
    street, a school or a court is about its town, and a story that names Louisiana is about
    its towns, not a namesake elsewhere in the country; a story that names no town of South
    Africa is about South Africa, not Africa, named in passing."""
    if not places:
        return None
    by_country: dict[str, int] = defaultdict(int)
    for place in places:
        for code in place.candidate.country_codes:
            by_country[code] += len(place.mentions)
    first = {p.key: min(m.start for m in p.mentions) for p in places}
    main = min(by_country, key=lambda c: (-by_country[c], c)) if by_country else ""
    regions = {region_of(p.candidate) for p in places if p.candidate.feature_code == "ADM1"}
    local = [p for p in places if p.kind in ("city", "capital")]
    national = [p for p in local if p.candidate.country_code == main]
    regional = [p for p in national if region_of(p.candidate) in regions - {""}]
    in_main = [p for p in places if main in p.candidate.country_codes]
    pool = regional or national or local or in_main or list(places)
    return min(pool, key=lambda p: (-_weight(p), first[p.key]))


def _weight(place: Place) -> float:
    """How central a place is to the article: how often it is named, and how large it is (a
    large city named twice outweighs a hamlet named three times, often a misread name)."""
    return len(place.mentions) + 0.5 * _population_score(place.candidate.population)


#: Nouns that end the name of an administrative division: such a division is often named
#: after a person or a far-away town ("Hamilton County", Tennessee; "Washington Township").
DIVISION_NOUNS = frozenset({"county", "parish", "township", "borough"})


#: Common nouns that end a place's name ("Fire Island", "Nile Delta", "Thames Valley"): never
#: the place named inside it, though a town, a division or a country's other name is spelt so.
GENERIC_NOUNS = PLACE_NOUNS | {
    "delta",
    "quarter",
    "coast",
    "bay",
    "park",
    "hill",
    "hills",
    "heights",
    "springs",
    "falls",
    "point",
    "harbour",
    "harbor",
    "port",
}
#: Last words of a street's name ("Collins Avenue", "Victoria St.").
STREET_NOUNS = frozenset(
    {"street", "st", "avenue", "ave", "road", "rd", "drive", "dr", "boulevard", "blvd", "lane"}
)
#: Words naming an institution that is one building or campus, in one town ("Colorado State
#: University", "the Russian Foreign Ministry"), unlike a bank or a parliament, named for its
#: whole state or country.
INSTITUTION_NOUNS = frozenset(
    {"university", "college", "hospital", "airport", "stadium", "ministry", "center", "centre"}
)


#: Words naming a building or a district that is named after a nation or a continent as often
#: where it is as abroad ("the British International School" in Cairo, "SM Mall of Asia" in
#: Manila, "the Percy French Hotel" in Ireland, the French Quarter of New Orleans), unlike a
#: ministry or an embassy.
BUILDING_NOUNS = frozenset({"school", "hotel", "mall", "quarter"})


#: Words naming a country's office abroad: the country or adjective in its name ("the Russian
#: Embassy", "the Embassy of Armenia") is the one it represents, not where it is, unless
#: nothing else in its name or written after it says where.
EMBASSY_NOUNS = frozenset({"embassy", "consulate", "legation"})


#: What stands between a building's name and the place written after it as where it is: "in",
#: "near", a comma ("the Alder Hey Children's Hospital in Liverpool"). Not "at": "Royal Street
#: at Washington Square" is a corner.
_LOCATED_IN = re.compile(r"\s+(?:in|near|outside)\s+(?:the\s+)?|,\s*(?:in\s+)?")
#: Kinds of place a bare comma after a name can introduce as where it is.
AREA_KINDS = frozenset({"region", "country"})
#: How far after a name the place that says where it is may start, in characters.
_LOCATED_GAP = 12


def _written_after(text: str, ends: Sequence[int], places: Sequence[Place]) -> Place | None:
    """The place written right after a name ending at one of ``ends`` in ``text`` as where it
    is: after "in", "at" or "near", any place; after a bare comma, a state or country only
    ("Knockhill, Fife"), since a comma also separates the items of a list."""
    if not text:
        return None
    starts = {m.start: p for p in places for m in p.mentions}
    for end in ends:
        for start in range(end + 1, min(end + _LOCATED_GAP, len(text)) + 1):
            place = starts.get(start)
            if place is None:
                continue
            gap = _LOCATED_IN.fullmatch(text, end, start)
            if gap is not None and (gap.group().strip() != "," or _is_area(place.candidate)):
                return place
            break
    return None


def _finer(inside: Candidate, after: Place) -> bool:
    """Whether the place named inside a longer name says more than the place written after it:
    a town, where a state or country is written after ("the Tijuana River in Baja California").
    Otherwise the place after it says where it is ("Washington University in St. Louis", "the
    Embassy of Armenia in Rome")."""
    return not _is_area(inside) and _is_area(after.candidate)


def _initials(name: str) -> str:
    """ "SA" for "South Africa", "DRC" for "Democratic Republic of the Congo"; "" for one word."""
    words = [w for w in _WORD.findall(name) if w.casefold() not in _FILLER]
    return "".join(w[0].upper() for w in words) if len(words) >= 2 else ""


def _is_street(surface: str) -> bool:
    words = surface.split()
    return len(words) >= 2 and words[-1].rstrip(".").casefold() in STREET_NOUNS


def _has_noun(surface: str, nouns: frozenset[str]) -> bool:
    """Whether a word of ``surface`` is one of ``nouns`` (an embassy, a school, a hospital)."""
    return any(word.casefold() in nouns for word in surface.split())


def _is_area(candidate: Candidate) -> bool:
    """A country or a region (a first-level division): too large to be where one building is."""
    return candidate.kind in AREA_KINDS


def _regions_of(places: Sequence[Place]) -> set[str]:
    """The states and provinces among ``places``, as "US-NJ"."""
    return {region_of(p.candidate) for p in places if p.candidate.feature_code == "ADM1"}


def _named_elsewhere(found: Scored, places: Sequence[Place]) -> bool:
    """Whether a county (or parish, township, borough) cannot be where ``found``, the place
    its name contains, is: it is named after a person or a town elsewhere as often as after a
    town of its own ("Hamilton County", Tennessee), and never is the state or country it is
    named after ("Ohio County", West Virginia)."""
    candidate = found.candidate
    if _is_area(candidate):
        return True
    return candidate.kind in ("city", "capital") and region_of(candidate) not in _regions_of(places)


def _is_division_name(surface: str) -> bool:
    words = surface.split()
    return len(words) >= 2 and words[-1].casefold() in DIVISION_NOUNS


def _group(mentions: Sequence[Mention]) -> dict[str, list[Mention]]:
    """Mentions by what they name: an adjective's place, or the normalised name."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        key = mention.place.key if mention.place else f"name:{normalize(mention.name)}"
        groups[key].append(mention)
    return groups


def _share(ranked: Sequence[Scored]) -> float:
    """The best candidate's share of the softmax over all scores: 1.0 when it stands alone."""
    best = ranked[0].score
    return 1.0 / sum(math.exp(s.score - best) for s in ranked)


def _span(mention: Mention) -> tuple[int, int]:
    return mention.start, mention.end


def _merge(places: list[Place]) -> list[Place]:
    """Different names that resolved to the same place ("USSR", "Soviet Union") become one."""
    merged: dict[str, Place] = {}
    for place in places:
        if place.key in merged:
            first = merged[place.key]
            mentions = tuple(sorted(first.mentions + place.mentions, key=lambda m: m.start))
            merged[place.key] = Place(
                first.candidate,
                mentions,
                max(first.confidence, place.confidence),
                first.reasons,
                first.alternatives,
            )
        else:
            merged[place.key] = place
    return list(merged.values())
