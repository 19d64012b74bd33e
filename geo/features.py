"""What is measured about each candidate place of a mention: the resolver's declared features.

Stage 2 of resolution (see :mod:`geo.resolve`). Each feature is one small function of a
candidate and its :class:`Evidence` (the mention, and what the whole story says), with a
one-line docstring saying what it measures; :data:`FEATURES` is the table, in this order:

* how the name matched (an alias, one of GeoNames' alternates, a dotted abbreviation);
* the candidate's kind, whether the entity label fits it, whether it is curated, its size;
* the countries, states and towns the story names (its context);
* the story's geography (Mordecai 3's anchors): each other name's first pick, where the
  candidate stands against them, and which states the story's other names can lie in;
* what the text writes around this very mention ("SPRINGFIELD, Ill.", "India's Punjab").

A feature's value is a number (mostly 0 or 1); the ranker (:class:`Weights`) multiplies each by
its weight, fitted by ``bench/fit.py`` and kept in ``data/resolve-weights.json``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .gazetteer import ALIAS, ALTERNATE, DATA_DIR, Candidate, distance_km, normalize

__all__ = [
    "CONFIDENCE_INPUTS",
    "FEATURES",
    "Anchor",
    "Context",
    "Evidence",
    "Feature",
    "Weights",
    "confidence_inputs",
    "feature_names",
    "lies_in",
    "region_of",
]

#: How near counts as near for the features that measure nearness, in km (Mordecai 3's wider
#: radius; 150 km is also about the 161 km by which an answer is judged right).
NEARBY_KM = 150.0
#: How far from a county's point a town in it may lie, in km: the counties of the US are
#: mostly under 60 km across, and the gazetteer does not say which county a town is in.
COUNTY_KM = 40.0
#: A latitude gap beyond which two points cannot be :data:`NEARBY_KM` apart (111 km a degree):
#: checked before the great-circle distance, which is dearer.
_NEARBY_LAT = NEARBY_KM / 111.0
#: How near another name's reading must lie to count for :func:`names_nearby`, in km: a town
#: and the county it is the seat of, or two towns of one county.
READING_KM = 50.0
#: Kinds of place too large to anchor the story's geography at one point.
_AREA_KINDS = frozenset({"country", "continent", "historical"})
#: Kinds that a LOC entity (rather than a GPE) usually names.
_LOC_KINDS = frozenset({"sea", "feature", "region", "continent", "border"})
#: Where the fitted weights live, with how they were fitted (see ``bench/fit.py``).
WEIGHTS_PATH = DATA_DIR / "resolve-weights.json"
#: Features whose weight is set to 0, comma-separated: ``bench/geoparse.py --ablate`` sets it
#: to measure what a feature adds.
ABLATE_ENV = "NEWS_ATLAS_ABLATE"


def region_of(candidate: Candidate) -> str:
    """ "US-NJ": the first-level division a place is in (or is), when the source says."""
    if not candidate.country_code or not candidate.admin1:
        return ""
    return f"{candidate.country_code}-{candidate.admin1}"


def lies_in(place: Candidate, division: Candidate) -> bool:
    """Whether ``place`` lies in ``division``, a country or a first-level division. GeoNames
    numbers the divisions of most countries ("08" for Ontario) where ours carry ISO codes
    ("ON"): across the two schemes, only the country can be checked."""
    if division.kind == "country":
        return division.country_code in place.country_codes
    if region_of(place) == region_of(division) != "":
        return True
    return (
        place.country_code == division.country_code != ""
        and place.admin1.isdigit() != division.admin1.isdigit()
    )


def is_local(candidate: Candidate) -> bool:
    """A town or a county: what the article's towns and states tell apart from its namesakes
    ("Montgomery County" in a story set in Red Oak, Iowa, is Iowa's, not Maryland's)."""
    return candidate.kind in ("city", "capital") or candidate.feature_code == "ADM2"


def _is_town(candidate: Candidate) -> bool:
    return candidate.kind in ("city", "capital")


def _near(lat: float, lon: float, other: Candidate, km: float = NEARBY_KM) -> bool:
    """Whether ``other`` lies within ``km`` of (lat, lon)."""
    if abs(lat - other.lat) > km / 111.0:
        return False
    return distance_km(lat, lon, other.lat, other.lon) < km


def grid_cell(lat: float, lon: float) -> tuple[int, int]:
    """The one-degree cell a point lies in: readings are looked up in a cell and its eight
    neighbours, so no pair of far-apart readings is ever compared."""
    return math.floor(lat), math.floor(lon)


# ------------------------------------------------------------------ 1. what the story says


@dataclass(frozen=True, slots=True)
class Anchor:
    """Another name of the story and its first pick, made without context: what Mordecai 3
    calls an anchor. Cheap to make, so the candidates of every name can be measured against
    them without searching every combination of readings."""

    name: str
    candidate: Candidate


@dataclass(frozen=True, slots=True)
class Context:
    """What the article says overall that helps choose among candidates."""

    countries: frozenset[str] = frozenset()
    #: First-level divisions the article names unambiguously, as "US-NJ".
    regions: frozenset[str] = frozenset()
    #: Normalised names written with their state or country after a comma, to that
    #: division ("US-LA") or country ("EG").
    qualified: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: The country the article names most often (by its places, towns and adjectives).
    main_country: str = ""
    #: Towns and cities the article names unambiguously: normalised name to (lat, lon).
    towns: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    #: Normalised names written after a town and a comma as its state or country ("Tacoma,
    #: Washington"), to the key of that division or country.
    qualifiers: Mapping[str, str] = field(default_factory=dict)
    #: The article's text, when the caller gives it: what stands between two names.
    text: str = ""
    #: Countries the article names by a place in them or an adjective, not only by their name.
    placed_in: frozenset[str] = frozenset()
    #: Normalised names written in a list next to a state or province, to the countries of
    #: those states.
    listed_with_states: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Each name's first pick (see :class:`Anchor`).
    anchors: tuple[Anchor, ...] = ()
    #: Each normalised name to the keys of its candidates.
    keys_by_name: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Each normalised name to the first-level divisions ("US-GA") its candidates lie in.
    regions_by_name: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Where the names' readings as towns and counties lie: a one-degree cell to the
    #: (normalised name, lat, lon) of each reading in it (see :func:`grid_cell`).
    readings: Mapping[tuple[int, int], tuple[tuple[str, float, float], ...]] = field(
        default_factory=dict
    )


@dataclass(frozen=True, slots=True)
class Evidence:
    """What is known when one mention's candidates are measured: the mention, the story's
    context, and what the resolver worked out about the candidates as a set."""

    name: str
    labels: frozenset[str] = frozenset({"GPE"})
    context: Context = Context()
    #: The name is also a state's or a country's own name.
    division: bool = False
    #: The name is a state's of the main country (one of :attr:`own_states`) or a country's.
    state_or_country: bool = False
    #: Keys of the candidates that are a state of the main country by their own name.
    own_states: frozenset[str] = frozenset()
    #: Keys of the countries that only share their name with such a state.
    foreign_namesakes: frozenset[str] = frozenset()
    #: The largest population among the candidates.
    top_population: int = 0
    #: States or countries written right after this mention ("SPRINGFIELD, Ill.").
    written_after: tuple[Candidate, ...] = ()
    #: States or countries written as its owner right before it ("India's Punjab").
    possessor: tuple[Candidate, ...] = ()

    @property
    def key(self) -> str:
        return normalize(self.name) if self.name else ""

    def other_anchors(self, candidate: Candidate) -> list[Candidate]:
        """The first picks of the story's other names, less ``candidate`` itself ("Mexico City"
        is no evidence that "Mexico" means Mexico City)."""
        return [
            a.candidate
            for a in self.context.anchors
            if a.name != self.key and a.candidate.key != candidate.key
        ]

    def other_names(self, candidate: Candidate) -> set[str]:
        """The story's other names, less those that can be ``candidate`` itself."""
        return {
            name
            for name, keys in self.context.keys_by_name.items()
            if name != self.key and candidate.key not in keys
        }


# ------------------------------------------------------------------ 2. the features


@dataclass(frozen=True, slots=True)
class Feature:
    """One measurement of a candidate: its name, what it measures, and how."""

    name: str
    measure: Callable[[Candidate, Evidence], float]

    @property
    def description(self) -> str:
        """The one line that says what it measures (the function's docstring)."""
        return " ".join((self.measure.__doc__ or self.name).split()).rstrip(".")


_TABLE: list[Feature] = []


def _feature(
    measure: Callable[[Candidate, Evidence], float],
) -> Callable[[Candidate, Evidence], float]:
    """Declare ``measure`` as a feature named after the function, in order of declaration."""
    _TABLE.append(Feature(measure.__name__, measure))
    return measure


# -- how the name matched


@_feature
def alias(c: Candidate, e: Evidence) -> float:
    """Matched by an official alias, not the place's own name."""
    return float(c.match == ALIAS)


@_feature
def alternate(c: Candidate, e: Evidence) -> float:
    """Matched by one of GeoNames' many alternate names."""
    return float(c.match == ALTERNATE)


@_feature
def dotted_alternate(c: Candidate, e: Evidence) -> float:
    """A dotted abbreviation ("La.") matched only an alternate name ("LA", Los Angeles)."""
    return float(c.match == ALTERNATE and "." in e.name and len(normalize(e.name)) <= 4)


# -- what the candidate is


def _kind(kind: str) -> Callable[[Candidate, Evidence], float]:
    def measure(c: Candidate, e: Evidence) -> float:
        return float(c.kind == kind)

    measure.__name__ = f"kind_{kind}"
    measure.__doc__ = f"The candidate is a {kind}."
    return measure


for _name in ("country", "historical", "continent", "sea", "border", "feature"):
    _feature(_kind(_name))


@_feature
def kind_state(c: Candidate, e: Evidence) -> float:
    """A first-level division: a state, a province."""
    return float(c.kind == "region" and c.feature_code == "ADM1")


@_feature
def kind_county(c: Candidate, e: Evidence) -> float:
    """A second-level division: a county."""
    return float(c.kind == "region" and c.feature_code == "ADM2")


@_feature
def kind_region(c: Candidate, e: Evidence) -> float:
    """Another region: a historical or geographic one ("the Middle East", "Kashmir")."""
    return float(c.kind == "region" and c.feature_code not in ("ADM1", "ADM2"))


@_feature
def kind_capital(c: Candidate, e: Evidence) -> float:
    """A capital, by a name other than an old or foreign one (an alternate)."""
    return float(c.kind == "capital" and c.match != ALTERNATE)


@_feature
def loc_label_fit(c: Candidate, e: Evidence) -> float:
    """A sea, feature or region named by a LOC entity, the label such places get."""
    return float(
        c.kind in ("sea", "feature", "region", "continent", "border") and "LOC" in e.labels
    )


@_feature
def curated(c: Candidate, e: Evidence) -> float:
    """A row of our own curated file of well-known places."""
    return float(c.source.startswith("data/places.csv"))


@_feature
def log_population(c: Candidate, e: Evidence) -> float:
    """The population, as log10."""
    return math.log10(c.population + 1) if c.population > 0 else 0.0


@_feature
def population_gap(c: Candidate, e: Evidence) -> float:
    """How many times ten smaller than the largest candidate is (0 when unknown)."""
    if e.top_population <= 0 or c.population <= 0:
        return 0.0
    return log_population(c, e) - math.log10(e.top_population + 1)


@_feature
def most_populous(c: Candidate, e: Evidence) -> float:
    """The largest of the candidates."""
    return float(c.population > 0 and c.population == e.top_population)


@_feature
def no_population(c: Candidate, e: Evidence) -> float:
    """Its population is unknown (states, provinces and most regions)."""
    return float(c.population <= 0)


# -- the countries, states and towns the story names


@_feature
def country_named_self(c: Candidate, e: Evidence) -> float:
    """A country the article names."""
    return float(c.kind == "country" and c.country_code in e.context.countries)


def _in_main_country(c: Candidate, e: Evidence) -> bool:
    """Lies in the country the article names most. No feature: the name's own mentions count
    towards that country, so it says what the name's first pick is; :func:`country_share`
    measures the same over the other names only."""
    return not country_named_self(c, e) and e.context.main_country in c.country_codes


@_feature
def in_other_named_country(c: Candidate, e: Evidence) -> float:
    """Lies in a country the article names, not the one it names most."""
    return float(
        not country_named_self(c, e)
        and not _in_main_country(c, e)
        and bool(c.country_codes & e.context.countries)
    )


@_feature
def own_state(c: Candidate, e: Evidence) -> float:
    """A state or province of the country the article names most, by its own name."""
    return float(c.key in e.own_states)


@_feature
def state_named(c: Candidate, e: Evidence) -> float:
    """A state or province the article names clearly (also by another name: "Wash.")."""
    return float(c.feature_code == "ADM1" and region_of(c) in e.context.regions)


@_feature
def county_of_named_state(c: Candidate, e: Evidence) -> float:
    """A county of a state the article names clearly."""
    return float(c.feature_code == "ADM2" and region_of(c) in e.context.regions)


@_feature
def in_named_state(c: Candidate, e: Evidence) -> float:
    """A town in a state or province the article names clearly."""
    return float(_is_town(c) and region_of(c) in e.context.regions)


@_feature
def listed_state(c: Candidate, e: Evidence) -> float:
    """Such a state, written in a list next to another state of its country."""
    return float(
        c.key in e.own_states and c.country_code in e.context.listed_with_states.get(e.key, ())
    )


@_feature
def nearby_town(c: Candidate, e: Evidence) -> float:
    """A town or county near a town the article names clearly by another name."""
    if not is_local(c) or e.division:
        return 0.0
    return float(
        any(
            abs(c.lat - lat) < _NEARBY_LAT and distance_km(c.lat, c.lon, lat, lon) < NEARBY_KM
            for town, (lat, lon) in e.context.towns.items()
            if town != e.key
        )
    )


@_feature
def qualified(c: Candidate, e: Evidence) -> float:
    """Its state or country is written after another mention of the name, not after this one."""
    qualifiers = e.context.qualified.get(e.key, frozenset())
    return float(
        not e.written_after
        and bool(qualifiers)
        and c.match <= ALIAS
        and (region_of(c) in qualifiers or bool(c.country_codes & qualifiers))
    )


@_feature
def qualifier_of_town(c: Candidate, e: Evidence) -> float:
    """Written after a town of it, as that town's state or country ("Tacoma, Washington")."""
    return float(bool(e.name) and e.context.qualifiers.get(e.key) == c.key)


@_feature
def foreign_namesake(c: Candidate, e: Evidence) -> float:
    """A country sharing its name with a state of the main country, named by nothing else."""
    return float(c.key in e.foreign_namesakes)


# -- the story's geography (anchors)


def _named_as_division(c: Candidate, e: Evidence) -> bool:
    """A town or county by a name that is also the own name of a state of the story's main
    country or of a country: what lies near it says nothing (a town called California near
    Pittsburgh does not make "California" it)."""
    return e.state_or_country and is_local(c)


@_feature
def anchors_nearby(c: Candidate, e: Evidence) -> float:
    """The share of the other names' first picks (towns, states) within 150 km."""
    anchors = [a for a in e.other_anchors(c) if a.kind not in _AREA_KINDS]
    if not anchors or _named_as_division(c, e):
        return 0.0
    return sum(_near(c.lat, c.lon, a) for a in anchors) / len(anchors)


@_feature
def anchor_nearness(c: Candidate, e: Evidence) -> float:
    """How near the nearest other name's first pick (town, state) is: 4 - log10(1 + km)."""
    anchors = [a for a in e.other_anchors(c) if a.kind not in _AREA_KINDS]
    if not anchors or _named_as_division(c, e):
        return 0.0
    km = min(distance_km(c.lat, c.lon, a.lat, a.lon) for a in anchors)
    return max(0.0, 4.0 - math.log10(1.0 + km))


@_feature
def contains_anchor(c: Candidate, e: Evidence) -> float:
    """A state or county that another name's first pick, a town, lies in ("Georgia", Atlanta)."""
    if c.feature_code == "ADM1":
        return float(any(_is_town(a) and lies_in(a, c) for a in e.other_anchors(c)))
    if c.feature_code == "ADM2":
        return float(
            any(
                _is_town(a) and region_of(a) == region_of(c) and _near(c.lat, c.lon, a, COUNTY_KM)
                for a in e.other_anchors(c)
            )
        )
    return 0.0


@_feature
def in_anchor_division(c: Candidate, e: Evidence) -> float:
    """A town in the state or county that another name's first pick is."""
    if not _is_town(c) or _named_as_division(c, e):
        return 0.0
    return float(
        any(
            (a.feature_code == "ADM1" and lies_in(c, a))
            or (
                a.feature_code == "ADM2"
                and region_of(a) == region_of(c)
                and _near(c.lat, c.lon, a, COUNTY_KM)
            )
            for a in e.other_anchors(c)
        )
    )


@_feature
def country_share(c: Candidate, e: Evidence) -> float:
    """The share of the other names' first picks (countries too) that lie in its country."""
    anchors = e.other_anchors(c)
    if not anchors:
        return 0.0
    return sum(bool(a.country_codes & c.country_codes) for a in anchors) / len(anchors)


@_feature
def names_nearby(c: Candidate, e: Evidence) -> float:
    """How many other names (at most 3) can be a town or county within 50 km of it."""
    if _named_as_division(c, e):
        return 0.0
    return _names_nearby(c, e)


@_feature
def namesake_names_nearby(c: Candidate, e: Evidence) -> float:
    """As names_nearby, for a town or county named like a state or a country ("Lebanon")."""
    return _names_nearby(c, e) if _named_as_division(c, e) else 0.0


def _names_nearby(c: Candidate, e: Evidence) -> float:
    if not e.context.readings:
        return 0.0
    row, col = grid_cell(c.lat, c.lon)
    others = e.other_names(c)
    near = {
        name
        for dr in (-1, 0, 1)
        for dc in (-1, 0, 1)
        for name, lat, lon in e.context.readings.get((row + dr, col + dc), ())
        if name in others and distance_km(c.lat, c.lon, lat, lon) < READING_KM
    }
    return float(min(len(near), 3))


@_feature
def region_support(c: Candidate, e: Evidence) -> float:
    """How many other names can lie in its state, each counted 1/(states it can lie in)."""
    region = region_of(c)
    if not region or _named_as_division(c, e):
        return 0.0
    others = e.other_names(c)
    support = sum(
        1.0 / len(regions)
        for name, regions in e.context.regions_by_name.items()
        if name in others and region in regions
    )
    return min(support, 2.0)


# -- what the text writes around this mention


@_feature
def division_written_after(c: Candidate, e: Evidence) -> float:
    """Lies in the state or country written right after this mention ("SPRINGFIELD, Ill.")."""
    return float(any(lies_in(c, d) and c.key != d.key for d in e.written_after))


@_feature
def possessor_division(c: Candidate, e: Evidence) -> float:
    """Lies in the state or country written as its owner ("India's Punjab")."""
    return float(any(lies_in(c, d) and c.key != d.key for d in e.possessor))


#: Every feature, in the order of this module.
FEATURES: tuple[Feature, ...] = tuple(_TABLE)


def feature_names() -> list[str]:
    """The features' names, in table order."""
    return [f.name for f in FEATURES]


def measure(candidate: Candidate, evidence: Evidence) -> dict[str, float]:
    """Every non-zero feature of ``candidate``, by name."""
    values = {}
    for feature in FEATURES:
        value = feature.measure(candidate, evidence)
        if value:
            values[feature.name] = value
    return values


# ------------------------------------------------------------------ 3. the ranker's weights


#: The log-odds of a softmax share are clipped to this: a share of 1.0 (a lone or far-ahead
#: candidate) has no finite log-odds, and beyond e**10 to 1 the ranking says nothing more.
LOG_ODDS_LIMIT = 10.0
#: The inputs of the confidence model, in the order :func:`confidence_inputs` gives them.
CONFIDENCE_INPUTS = ("log_odds", "lone_candidate", "alternate_name", "division_without_id")


def confidence_inputs(share: float, count: int, candidate: Candidate) -> dict[str, float]:
    """What the confidence of a place is fitted on, by name: how far its candidate is ahead of
    the others (the log-odds of its softmax share, 0 for a lone candidate), whether it was
    the lone candidate (a share of 1 however little the gazetteer knows the name), whether
    it matched only one of GeoNames' alternate names, and whether it is a first-level
    division whose point comes from another source than GeoNames (no GeoNames id: most
    divisions outside the US), often more than 161 km from GeoNames' point for it however
    sure the ranking is."""
    log_odds = 0.0
    if count > 1:
        clipped = min(max(share, 1e-9), 1.0 - 1e-9)
        log_odds = min(max(math.log(clipped / (1.0 - clipped)), -LOG_ODDS_LIMIT), LOG_ODDS_LIMIT)
    values = (
        log_odds,
        float(count == 1),
        float(candidate.match == ALTERNATE),
        float(candidate.feature_code == "ADM1" and candidate.geonameid is None),
    )
    return dict(zip(CONFIDENCE_INPUTS, values, strict=True))


@dataclass(frozen=True, slots=True)
class Weights:
    """The ranker: a weight per feature (a candidate's score is the weighted sum of its
    features); and the confidence: a logistic model of whether the best candidate is right,
    on its :func:`confidence_inputs` (Platt scaling with a few covariates)."""

    weights: Mapping[str, float]
    #: The confidence model's coefficient per input of :func:`confidence_inputs`, and its
    #: ``"intercept"``; without them the softmax share is taken as the probability.
    confidence: Mapping[str, float] = field(default_factory=dict)
    #: How often a place taken from an adjective ("French") is right.
    adjective_confidence: float = 1.0
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def score(self, values: Mapping[str, float]) -> float:
        """The weighted sum of the features' values."""
        return sum(self.weights.get(name, 0.0) * value for name, value in values.items())

    def probability(self, share: float, count: int, candidate: Candidate) -> float:
        """The fitted probability that ``candidate``, best of ``count`` candidates with this
        softmax share, is right. Never quite 0 or 1: a logistic model has no hard ends."""
        if not self.confidence:
            return share
        inputs = confidence_inputs(share, count, candidate)
        z = self.confidence.get("intercept", 0.0) + sum(
            self.confidence.get(name, 0.0) * value for name, value in inputs.items()
        )
        return 1.0 / (1.0 + math.exp(-z))

    def without(self, names: set[str]) -> Weights:
        """These weights with ``names`` set to 0 (to measure what they add)."""
        unknown = names - set(feature_names())
        if unknown:
            raise ValueError(
                f"no feature named {sorted(unknown)!r}; the features are {feature_names()}"
            )
        kept = {k: (0.0 if k in names else v) for k, v in self.weights.items()}
        return Weights(kept, self.confidence, self.adjective_confidence, self.provenance)

    @classmethod
    def read(cls, path: Path) -> Weights:
        """The weights file ``bench/fit.py`` writes."""
        record = json.loads(path.read_text(encoding="utf-8"))
        weights = {str(k): float(v) for k, v in record["weights"].items()}
        unknown = set(weights) - set(feature_names())
        if unknown:
            raise ValueError(f"{path}: weights for unknown features {sorted(unknown)!r}")
        confidence = {str(k): float(v) for k, v in record.get("confidence", {}).items()}
        unknown = set(confidence) - {"intercept", *CONFIDENCE_INPUTS}
        if unknown:
            raise ValueError(f"{path}: confidence for unknown inputs {sorted(unknown)!r}")
        return cls(
            weights,
            confidence,
            float(record.get("adjective_confidence", 1.0)),
            record.get("provenance", {}),
        )


@cache
def _default_weights(ablated: str) -> Weights:
    weights = Weights.read(WEIGHTS_PATH)
    names = {n.strip() for n in ablated.split(",") if n.strip()}
    return weights.without(names) if names else weights


def default_weights() -> Weights:
    """The fitted weights, less any feature named in ``$NEWS_ATLAS_ABLATE``."""
    return _default_weights(os.environ.get(ABLATE_ENV, ""))
