"""From mentions to places: choose, for each name, the gazetteer candidate the article means.

Each candidate gets a score that is a sum of named features, so every choice can be
explained ("capital +3, population 10M +7.0, in a country the article names +3"):

* how the name matched (its own name, an official alias, one of GeoNames' alternates);
* its kind (countries and capitals are what news names most), and whether the entity label
  fits it (a LOC is a sea or a region more often than a town);
* its population, on a log scale;
* the article's context: candidates in countries the article names, or that contain a
  place it names unambiguously.

All mentions of one name in an article resolve to the same place.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .gazetteer import ALIAS, ALTERNATE, PRIMARY, Candidate, Gazetteer, normalize
from .mentions import Mention

__all__ = ["Place", "Resolver", "Scored"]

#: What a kind of place is worth before anything else is known.
KIND_PRIOR = {
    "country": 6.0,
    "historical": 5.0,
    "continent": 5.0,
    "sea": 4.0,
    "capital": 3.0,
    "border": 3.0,
    "feature": 3.0,
    "region": 4.5,
    "city": 0.0,
}
MATCH_PRIOR = {PRIMARY: 0.0, ALIAS: -0.5, ALTERNATE: -2.5}
#: Kinds that a LOC entity (rather than a GPE) usually names.
LOC_KINDS = frozenset({"sea", "feature", "region", "continent", "border"})
#: Rows of our own curated file are famous places; a town sharing their name rarely is.
CURATED_BONUS = 2.0
CONTEXT_COUNTRY = 3.0
NAMED_COUNTRY_SELF = 1.0
#: How many runner-up candidates each place keeps for the user to pick from.
RUNNERS_UP = 5
#: Candidates considered per name, best name match and population first.
MAX_CANDIDATES = 60


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate with its score and the features that made it."""

    candidate: Candidate
    score: float
    reasons: tuple[str, ...]


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


def _population_score(population: int) -> float:
    return math.log10(population + 1) if population > 0 else 0.0


def _readable(population: int) -> str:
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if population >= size:
            return f"{population / size:.3g}{unit}"
    return str(population)


@dataclass(frozen=True, slots=True)
class Context:
    """What the article says overall that helps choose among candidates."""

    countries: frozenset[str] = frozenset()


class Resolver:
    """Scores gazetteer candidates for the names of one article and picks the best."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def candidates(self, name: str) -> list[Candidate]:
        return self.gazetteer.lookup(name)[:MAX_CANDIDATES]

    def score(self, candidate: Candidate, labels: Iterable[str], context: Context) -> Scored:
        reasons: list[str] = []
        total = 0.0

        def add(value: float, why: str) -> None:
            nonlocal total
            if value:
                total += value
                reasons.append(f"{why} {value:+.1f}")

        add(
            MATCH_PRIOR[candidate.match],
            {ALIAS: "alias", ALTERNATE: "alternate name"}.get(candidate.match, "name"),
        )
        add(KIND_PRIOR[candidate.kind], candidate.kind)
        if candidate.kind in LOC_KINDS and "LOC" in labels:
            add(3.0, "named as a location")
        if candidate.source.startswith("data/places.csv"):
            add(CURATED_BONUS, "well-known feature")
        add(
            _population_score(candidate.population), f"population {_readable(candidate.population)}"
        )
        own = set(candidate.countries) | ({candidate.country_code} - {""})
        if candidate.kind == "country" and candidate.country_code in context.countries:
            add(NAMED_COUNTRY_SELF, "country named in the article")
        elif own & context.countries:
            add(CONTEXT_COUNTRY, "in a country the article names")
        return Scored(candidate, round(total, 3), tuple(reasons))

    def rank(
        self, name: str, labels: Iterable[str] = ("GPE",), context: Context = Context()
    ) -> list[Scored]:
        """Every candidate for ``name``, best first (ties: larger population, then key)."""
        labels = tuple(labels)
        scored = [self.score(c, labels, context) for c in self.candidates(name)]
        return sorted(scored, key=lambda s: (-s.score, -s.candidate.population, s.candidate.key))

    def resolve(self, mentions: Sequence[Mention]) -> list[Place]:
        """One place per distinct name (or adjective's place), in order of first mention."""
        groups = _group(mentions)
        context = self._context(groups)
        places: list[Place] = []
        for group in groups.values():
            first = group[0]
            if first.place is not None:
                places.append(Place(first.place, tuple(group), 1.0, ("named by its adjective",)))
                continue
            ranked = self.rank(first.name, {m.label for m in group}, context)
            if not ranked:
                continue
            best = ranked[0]
            places.append(
                Place(
                    best.candidate,
                    tuple(group),
                    _confidence(ranked),
                    best.reasons,
                    tuple(ranked[1 : 1 + RUNNERS_UP]),
                )
            )
        return _merge(places)

    def context_of(self, mentions: Sequence[Mention]) -> Context:
        """The context that a set of mentions gives to the resolution of each of them."""
        return self._context(_group(mentions))

    def _context(self, groups: dict[str, list[Mention]]) -> Context:
        """Countries the article names: those its names and adjectives clearly point at."""
        countries: set[str] = set()
        for group in groups.values():
            first = group[0]
            top = first.place
            if top is None:
                ranked = self.rank(first.name, {m.label for m in group})
                if not ranked:
                    continue
                top = ranked[0].candidate
                unambiguous = len(ranked) == 1 or ranked[0].score - ranked[1].score >= 3.0
                if not unambiguous:
                    continue
            countries.update(top.countries or (top.country_code,))
        countries.discard("")
        return Context(frozenset(countries))


def _group(mentions: Sequence[Mention]) -> dict[str, list[Mention]]:
    """Mentions by what they name: an adjective's place, or the normalised name."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        key = mention.place.key if mention.place else f"name:{normalize(mention.name)}"
        groups[key].append(mention)
    return groups


def _confidence(ranked: Sequence[Scored]) -> float:
    """The best candidate's share of the softmax over all scores: 1.0 when it stands alone."""
    best = ranked[0].score
    total = sum(math.exp(s.score - best) for s in ranked)
    return round(1.0 / total, 3)


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
