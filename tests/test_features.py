"""Each resolution feature on hand-built candidates and context: no spaCy, no gazetteer."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from geo import features as f
from geo.features import (
    FEATURES,
    Anchor,
    Context,
    Evidence,
    Weights,
    confidence_inputs,
    feature_names,
    grid_cell,
)
from geo.gazetteer import ALIAS, ALTERNATE, Candidate


def _town(name: str, country: str, admin1: str, lat: float, lon: float, **kw: object) -> Candidate:
    return Candidate(f"gn:{name}-{country}-{admin1}", name, "city", lat, lon, country, admin1, **kw)  # type: ignore[arg-type]


def _state(name: str, country: str, admin1: str, lat: float, lon: float) -> Candidate:
    return Candidate(
        f"adm1:{country}-{admin1}", name, "region", lat, lon, country, admin1, feature_code="ADM1"
    )


def _county(name: str, state: str, lat: float, lon: float) -> Candidate:
    return Candidate(
        f"fips:{name}-{state}", name, "region", lat, lon, "US", state, feature_code="ADM2"
    )


def _country(name: str, code: str, lat: float, lon: float) -> Candidate:
    return Candidate(f"gn:{code}", name, "country", lat, lon, code, feature_code="PCLI")


ATHENS_GA = _town("Athens", "US", "GA", 33.96, -83.38, population=127_315)
ATHENS_GR = Candidate(
    "gn:athens", "Athens", "capital", 37.98, 23.73, "GR", "ESYE31", 664_046, feature_code="PPLC"
)
ATLANTA = _town("Atlanta", "US", "GA", 33.75, -84.39, population=511_000)
GEORGIA_STATE = _state("Georgia", "US", "GA", 32.75, -83.5)
GEORGIA_COUNTRY = _country("Georgia", "GE", 42.0, 43.5)
CLARKE_GA = _county("Clarke County", "GA", 33.95, -83.37)
ILLINOIS = _state("Illinois", "US", "IL", 40.0, -89.25)
SPRINGFIELD_IL = _town("Springfield", "US", "IL", 39.80, -89.64, population=114_394)
SPRINGFIELD_MO = _town("Springfield", "US", "MO", 37.22, -93.30, population=170_188)
ONTARIO = _state("Ontario", "CA", "ON", 49.25, -84.5)
LONDON_ON = _town("London", "CA", "08", 42.98, -81.23, population=346_765)
LONDON_GB = _town("London", "GB", "ENG", 51.51, -0.13, population=8_961_989)
INDIA = _country("India", "IN", 22.0, 79.0)
PUNJAB_IN = _state("Punjab", "IN", "PB", 31.0, 75.5)
PUNJAB_PK = _state("Punjab", "PK", "PB", 30.5, 72.5)


def _value(name: str, candidate: Candidate, evidence: Evidence) -> float:
    (feature,) = [x for x in FEATURES if x.name == name]
    return feature.measure(candidate, evidence)


def test_every_feature_has_a_name_and_one_line_saying_what_it_measures() -> None:
    names = feature_names()
    assert len(names) == len(set(names))
    for feature in FEATURES:
        assert feature.description and "\n" not in feature.description, feature.name


@pytest.mark.parametrize(
    ("name", "candidate", "evidence", "value"),
    [
        ("alias", replace(ILLINOIS, match=ALIAS), Evidence("Ill."), 1),
        ("alias", ILLINOIS, Evidence("Illinois"), 0),
        (
            "alternate",
            _town("Los Angeles", "US", "CA", 34, -118, match=ALTERNATE),
            Evidence("LA"),
            1,
        ),
        # "La." is Louisiana's abbreviation, so an alternate name "LA" matched by it is suspect
        (
            "dotted_alternate",
            _town("Los Angeles", "US", "CA", 34, -118, match=ALTERNATE),
            Evidence("La."),
            1,
        ),
        (
            "dotted_alternate",
            _town("Los Angeles", "US", "CA", 34, -118, match=ALTERNATE),
            Evidence("LA"),
            0,
        ),
        ("kind_country", INDIA, Evidence("India"), 1),
        ("kind_state", PUNJAB_IN, Evidence("Punjab"), 1),
        ("kind_region", PUNJAB_IN, Evidence("Punjab"), 0),
        ("kind_county", CLARKE_GA, Evidence("Clarke County"), 1),
        ("no_population", PUNJAB_IN, Evidence("Punjab"), 1),
        ("no_population", SPRINGFIELD_IL, Evidence("Springfield"), 0),
        ("most_populous", SPRINGFIELD_MO, Evidence("Springfield", top_population=170_188), 1),
        ("most_populous", SPRINGFIELD_IL, Evidence("Springfield", top_population=170_188), 0),
        ("kind_capital", ATHENS_GR, Evidence("Athens"), 1),
        # a capital's alternate names are mostly old or foreign ones ("Salisbury" for Harare)
        (
            "kind_capital",
            Candidate("gn:h", "Harare", "capital", -17.8, 31.0, "ZW", match=ALTERNATE),
            Evidence("Salisbury"),
            0,
        ),
        ("loc_label_fit", PUNJAB_IN, Evidence("Punjab", frozenset({"LOC"})), 1),
        ("loc_label_fit", PUNJAB_IN, Evidence("Punjab", frozenset({"GPE"})), 0),
        (
            "curated",
            Candidate("place:x", "Gaza Strip", "region", 31.4, 34.4, source="data/places.csv:5"),
            Evidence("Gaza"),
            1,
        ),
        ("log_population", SPRINGFIELD_IL, Evidence("Springfield"), pytest.approx(5.058, abs=1e-3)),
        (
            "population_gap",
            SPRINGFIELD_IL,
            Evidence("Springfield", top_population=170_188),
            pytest.approx(-0.173, abs=1e-3),
        ),
        ("population_gap", SPRINGFIELD_MO, Evidence("Springfield", top_population=170_188), 0),
    ],
)
def test_what_a_candidate_is(
    name: str, candidate: Candidate, evidence: Evidence, value: float
) -> None:
    assert _value(name, candidate, evidence) == value


US_STORY = Context(
    countries=frozenset({"US", "GR"}),
    regions=frozenset({"US-GA"}),
    main_country="US",
    towns={"atlanta": (ATLANTA.lat, ATLANTA.lon)},
)


@pytest.mark.parametrize(
    ("name", "candidate", "value"),
    [
        ("country_named_self", GEORGIA_COUNTRY, 0),
        # Greece is named, but not most: a country named in passing counts for less
        ("in_other_named_country", ATHENS_GR, 1),
        ("in_other_named_country", ATHENS_GA, 0),
        ("state_named", GEORGIA_STATE, 1),
        ("county_of_named_state", CLARKE_GA, 1),
        ("in_named_state", ATHENS_GA, 1),
        ("in_named_state", SPRINGFIELD_MO, 0),
        # Athens, Georgia lies about 100 km from Atlanta, the story's town
        ("nearby_town", ATHENS_GA, 1),
        ("nearby_town", ATHENS_GR, 0),
    ],
)
def test_the_countries_states_and_towns_the_story_names(
    name: str, candidate: Candidate, value: float
) -> None:
    assert _value(name, candidate, Evidence("Athens", context=US_STORY)) == value


def test_a_town_is_not_near_itself() -> None:
    evidence = Evidence("Atlanta", context=US_STORY)
    assert _value("nearby_town", ATLANTA, evidence) == 0


def test_a_state_name_is_not_near_a_town() -> None:
    """A town called California near a town the story names does not make "California" it."""
    evidence = Evidence("Athens", context=US_STORY, division=True)
    assert _value("nearby_town", ATHENS_GA, evidence) == 0


def test_own_listed_state_and_foreign_namesake_read_what_the_resolver_worked_out() -> None:
    context = Context(main_country="US", listed_with_states={"georgia": frozenset({"US"})})
    evidence = Evidence(
        "Georgia",
        context=context,
        own_states=frozenset({GEORGIA_STATE.key}),
        foreign_namesakes=frozenset({GEORGIA_COUNTRY.key}),
    )
    assert _value("own_state", GEORGIA_STATE, evidence) == 1
    assert _value("listed_state", GEORGIA_STATE, evidence) == 1
    assert _value("foreign_namesake", GEORGIA_COUNTRY, evidence) == 1
    assert _value("foreign_namesake", GEORGIA_STATE, evidence) == 0


def test_qualified_somewhere_and_qualifier_of_a_town() -> None:
    context = Context(
        qualified={"springfield": frozenset({"US-IL"})}, qualifiers={"illinois": ILLINOIS.key}
    )
    assert _value("qualified", SPRINGFIELD_IL, Evidence("Springfield", context=context)) == 1
    # written after this very mention, it is division_written_after that counts, not both
    # (and a mention with its own qualifier is not moved by another mention's)
    here = Evidence("Springfield", context=context, written_after=(ILLINOIS,))
    assert _value("qualified", SPRINGFIELD_IL, here) == 0
    assert _value("qualified", SPRINGFIELD_MO, Evidence("Springfield", context=context)) == 0
    assert _value("qualifier_of_town", ILLINOIS, Evidence("Illinois", context=context)) == 1


# ------------------------------------------------------------------ the story's geography


ATHENS_STORY = Context(
    anchors=(Anchor("athens", ATHENS_GR), Anchor("clarke county", CLARKE_GA)),
    keys_by_name={
        "athens": frozenset({ATHENS_GR.key, ATHENS_GA.key}),
        "clarke county": frozenset({CLARKE_GA.key}),
        "oconee county": frozenset({"fips:oconee-GA", "fips:oconee-SC"}),
    },
    readings={
        (33, -84): (
            ("clarke county", CLARKE_GA.lat, CLARKE_GA.lon),
            ("oconee county", 33.83, -83.44),
        ),
        (34, -84): (("oconee county", 34.75, -83.07),),
    },
    # "Clarke County" can be in five states, "Oconee County" in two; Georgia has both
    regions_by_name={
        "clarke county": frozenset({"US-GA", "US-AL", "US-IA", "US-VA", "US-MS"}),
        "oconee county": frozenset({"US-GA", "US-SC"}),
        "athens": frozenset({"US-GA", "US-OH", "GR-ESYE31"}),
    },
)


def test_anchors_nearby_is_the_share_of_other_first_picks_within_150_km() -> None:
    evidence = Evidence("Athens", context=ATHENS_STORY)
    assert _value("anchors_nearby", ATHENS_GA, evidence) == 1.0  # Clarke County, 1 km
    assert _value("anchors_nearby", ATHENS_GR, evidence) == 0.0
    # a name's own first pick is no evidence for it
    alone = Evidence("Athens", context=Context(anchors=(Anchor("athens", ATHENS_GR),)))
    assert _value("anchors_nearby", ATHENS_GR, alone) == 0.0


def test_readings_are_kept_by_one_degree_cell() -> None:
    assert grid_cell(CLARKE_GA.lat, CLARKE_GA.lon) == (33, -84)


def test_anchor_nearness_is_4_less_the_log_km_to_the_nearest_other_first_pick() -> None:
    evidence = Evidence("Athens", context=ATHENS_STORY)
    assert _value("anchor_nearness", ATHENS_GA, evidence) > 3.5  # about 1 km
    assert _value("anchor_nearness", ATHENS_GR, evidence) < 0.1  # about 9,000 km


def test_what_lies_near_a_town_named_like_a_state_says_nothing() -> None:
    """A town called California near Pittsburgh does not make "California" the town."""
    california_pa = _town("California", "US", "PA", 40.07, -79.89, population=6_000)
    pittsburgh = _town("Pittsburgh", "US", "PA", 40.44, -80.0, population=300_000)
    context = Context(
        anchors=(Anchor("pittsburgh", pittsburgh),),
        keys_by_name={"pittsburgh": frozenset({pittsburgh.key})},
        regions_by_name={"pittsburgh": frozenset({"US-PA"})},
        towns={"pittsburgh": (pittsburgh.lat, pittsburgh.lon)},
    )
    as_state = Evidence("California", context=context, division=True, state_or_country=True)
    as_town = Evidence("California", context=context)
    for name in ("anchors_nearby", "anchor_nearness", "region_support", "nearby_town"):
        assert _value(name, california_pa, as_state) == 0, name
        assert _value(name, california_pa, as_town) > 0, name


def test_names_nearby_counts_other_names_with_a_reading_within_50_km() -> None:
    evidence = Evidence("Athens", context=ATHENS_STORY)
    # Clarke County, and Oconee County, Georgia (Oconee County, South Carolina is 90 km away)
    assert _value("names_nearby", ATHENS_GA, evidence) == 2
    assert _value("names_nearby", ATHENS_GR, evidence) == 0


def test_a_name_that_can_be_the_candidate_itself_is_no_evidence_for_it() -> None:
    """ "Mexico City" named elsewhere does not make "Mexico" the city."""
    mexico_city = Candidate("gn:mxc", "Mexico City", "capital", 19.43, -99.13, "MX", "09")
    context = Context(
        anchors=(Anchor("mexico city", mexico_city),),
        keys_by_name={"mexico city": frozenset({mexico_city.key})},
        regions_by_name={"mexico city": frozenset({"MX-09"})},
    )
    evidence = Evidence("Mexico", context=context)
    assert _value("anchors_nearby", mexico_city, evidence) == 0
    assert _value("region_support", mexico_city, evidence) == 0


def test_namesake_names_nearby_counts_for_a_town_named_like_a_country_on_its_own() -> None:
    """ "Lebanon" beside "Zionsville" is Lebanon, Indiana: measured, but as its own feature,
    since a town called California near Pittsburgh is weaker evidence than a plain town."""
    lebanon_in = _town("Lebanon", "US", "IN", 40.05, -86.47, population=15_892)
    context = Context(
        keys_by_name={"zionsville": frozenset({"gn:zionsville"})},
        readings={(39, -87): (("zionsville", 39.95, -86.26),)},
    )
    as_country = Evidence("Lebanon", context=context, division=True, state_or_country=True)
    as_town = Evidence("Lebanon", context=context)
    assert _value("namesake_names_nearby", lebanon_in, as_country) == 1
    assert _value("names_nearby", lebanon_in, as_country) == 0
    assert _value("namesake_names_nearby", lebanon_in, as_town) == 0
    assert _value("names_nearby", lebanon_in, as_town) == 1


def test_country_share_is_the_share_of_other_first_picks_in_the_candidates_country() -> None:
    """Countries count too ("United States" named beside "Athens"), the name's own pick not."""
    us = _country("United States", "US", 39.8, -98.6)
    context = Context(
        anchors=(
            Anchor("athens", ATHENS_GR),
            Anchor("clarke county", CLARKE_GA),
            Anchor("united states", us),
            Anchor("india", INDIA),
        )
    )
    evidence = Evidence("Athens", context=context)
    assert _value("country_share", ATHENS_GA, evidence) == pytest.approx(2 / 3)
    assert _value("country_share", ATHENS_GR, evidence) == 0
    assert _value("country_share", ATHENS_GA, Evidence("Athens")) == 0


def test_region_support_counts_the_other_names_that_can_lie_in_the_state() -> None:
    evidence = Evidence("Athens", context=ATHENS_STORY)
    assert _value("region_support", ATHENS_GA, evidence) == pytest.approx(1 / 5 + 1 / 2)
    assert _value("region_support", ATHENS_GR, evidence) == 0


def test_a_state_contains_another_names_town_and_a_town_lies_in_another_names_county() -> None:
    georgia = Evidence("Georgia", context=Context(anchors=(Anchor("atlanta", ATLANTA),)))
    assert _value("contains_anchor", GEORGIA_STATE, georgia) == 1
    assert _value("contains_anchor", GEORGIA_COUNTRY, georgia) == 0
    clarke = Evidence("Clarke County", context=Context(anchors=(Anchor("athens", ATHENS_GA),)))
    assert _value("contains_anchor", CLARKE_GA, clarke) == 1
    athens = Evidence("Athens", context=ATHENS_STORY)
    assert _value("in_anchor_division", ATHENS_GA, athens) == 1
    assert _value("in_anchor_division", ATHENS_GR, athens) == 0


# ------------------------------------------------------------------ around this mention


@pytest.mark.parametrize(
    ("name", "candidate", "division", "value"),
    [
        ("division_written_after", SPRINGFIELD_IL, ILLINOIS, 1),
        ("division_written_after", SPRINGFIELD_MO, ILLINOIS, 0),
        # GeoNames numbers Ontario "08", our division is "ON": the country is what can be checked
        ("division_written_after", LONDON_ON, ONTARIO, 1),
        ("division_written_after", LONDON_GB, ONTARIO, 0),
        # the division is no evidence for itself
        ("division_written_after", ILLINOIS, ILLINOIS, 0),
    ],
)
def test_the_state_written_after_this_mention(
    name: str, candidate: Candidate, division: Candidate, value: float
) -> None:
    evidence = Evidence(candidate.name, written_after=(division,))
    assert _value(name, candidate, evidence) == value


def test_the_owner_written_before_this_mention() -> None:
    evidence = Evidence("Punjab", possessor=(INDIA,))
    assert _value("possessor_division", PUNJAB_IN, evidence) == 1
    assert _value("possessor_division", PUNJAB_PK, evidence) == 0


# ------------------------------------------------------------------ the ranker's weights


def test_weights_score_is_the_weighted_sum() -> None:
    weights = Weights({"alias": -0.5, "log_population": 1.0})
    assert weights.score({"alias": 1.0, "log_population": 5.0, "curated": 1.0}) == 4.5


def test_the_confidence_is_a_logistic_model_of_its_inputs() -> None:
    weights = Weights({}, confidence={"intercept": -1.0, "log_odds": 0.5, "lone_candidate": 3.0})
    # a share of 0.5 has log-odds 0: only the intercept is left
    assert weights.probability(0.5, 4, ATHENS_GA) == pytest.approx(1 / (1 + math.e))
    assert weights.probability(0.5, 1, ATHENS_GA) == pytest.approx(1 / (1 + math.exp(-2.0)))
    assert Weights({}).probability(0.7, 4, ATHENS_GA) == 0.7


def test_the_confidence_has_no_hard_ends() -> None:
    """Isotonic maps gave 0.00 at their low end; a logistic model stays inside (0, 1)."""
    weights = Weights({}, confidence={"intercept": 0.5, "log_odds": 0.6})
    assert 0 < weights.probability(1e-12, 60, ATHENS_GA) < weights.probability(0.2, 60, ATHENS_GA)
    assert weights.probability(1.0, 60, ATHENS_GA) < 1


@pytest.mark.parametrize(
    ("share", "count", "candidate", "inputs"),
    [
        (0.5, 3, ATHENS_GA, (0.0, 0, 0, 0)),
        # a lone candidate has a share of 1 whatever is known: its own input, no log-odds
        (1.0, 1, ATHENS_GA, (0.0, 1, 0, 0)),
        # log-odds are clipped: a share of 1 among several is far ahead, not infinitely
        (1.0, 3, ATHENS_GA, (f.LOG_ODDS_LIMIT, 0, 0, 0)),
        (0.9, 3, replace(ATHENS_GA, match=ALTERNATE), (pytest.approx(math.log(9)), 0, 1, 0)),
        # a division whose point is not GeoNames' own is often far from GeoNames' point for it
        (0.5, 3, ONTARIO, (0.0, 0, 0, 1)),
        (0.5, 3, replace(ONTARIO, geonameid=6093943), (0.0, 0, 0, 0)),
    ],
)
def test_confidence_inputs(
    share: float, count: int, candidate: Candidate, inputs: tuple[float, ...]
) -> None:
    found = confidence_inputs(share, count, candidate)
    assert tuple(found) == f.CONFIDENCE_INPUTS
    assert tuple(found.values()) == inputs


def test_ablating_an_unknown_feature_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="no feature named \\['nope'\\]"):
        Weights({"alias": 1.0}).without({"nope"})
    assert Weights({"alias": 1.0}).without({"alias"}).weights == {"alias": 0.0}


def test_the_weights_file_gives_every_feature_a_weight_and_says_where_it_came_from() -> None:
    record = json.loads(Path(f.WEIGHTS_PATH).read_text(encoding="utf-8"))
    assert set(record["weights"]) == set(feature_names())
    assert record["provenance"]
    Weights.read(f.WEIGHTS_PATH)
