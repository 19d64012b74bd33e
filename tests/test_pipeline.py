"""Each stage on small articles: mentions, resolution and events, by general rules that
must hold for any article, not only the seed."""

from __future__ import annotations

import pytest

from geo import Geoparser, Story, article_from_text
from geo.events import parse_date, period_of, shared_border
from geo.gazetteer import Gazetteer, distance_km
from geo.mentions import Mention, sentences_of


def _story(geoparser: Geoparser, text: str) -> Story:
    return geoparser.analyse(article_from_text(text))


def _names(story: Story) -> dict[str, str]:
    return {m.text: p.name for p in story.places for m in p.mentions}


# ------------------------------------------------------------------------------- mentions


@pytest.mark.parametrize(
    ("text", "surface", "place"),
    [
        # a possessive is not part of the name
        ("Officials said Kenya’s economy grew last year.", "Kenya", "Kenya"),
        ("Officials said Kenya's economy grew last year.", "Kenya", "Kenya"),
        # a leading "the" is dropped from the span
        ("Ships crossed the Mediterranean Sea at night.", "Mediterranean Sea", "Mediterranean Sea"),
        # nationality adjectives stand for their country
        ("French officials met Italian ministers in Rome.", "French", "France"),
        ("French officials met Italian ministers in Rome.", "Italian", "Italy"),
        # abbreviations with dots
        ("The U.S. and the U.K. signed a trade deal.", "U.S.", "United States"),
    ],
)
def test_mentions(geoparser: Geoparser, text: str, surface: str, place: str) -> None:
    assert _names(_story(geoparser, text)).get(surface) == place


@pytest.mark.parametrize(
    ("text", "surface", "found", "demonym"),
    [
        # a place entity of the model
        ("Officials said Kenya's economy grew last year.", "Kenya", "ner", False),
        # an adjective, through the demonym table
        ("French officials met Italian ministers in Rome.", "French", "demonym", True),
        # the country an amount is counted in
        ("The loan was worth 40 Canadian dollars.", "Canadian", "currency", True),
    ],
)
def test_each_mention_says_how_it_was_found(
    geoparser: Geoparser, text: str, surface: str, found: str, demonym: bool
) -> None:
    [mention] = [m for m in _story(geoparser, text).mentions if m.text == surface]
    assert (mention.found, mention.demonym) == (found, demonym)


def test_a_mention_names_a_known_rule() -> None:
    with pytest.raises(ValueError, match="'guessed'"):
        Mention(0, 5, "Paris", "Paris", "GPE", 0, found="guessed")


@pytest.mark.parametrize(
    ("text", "not_places"),
    [
        # first names the small model may take for a place
        ("Vladimir Putin and Jordan Peterson spoke in Moscow.", {"Vladimir", "Jordan"}),
        # bare compass words are directions, not places
        ("The North and the South held talks in Geneva.", {"North", "South"}),
    ],
)
def test_not_places(geoparser: Geoparser, text: str, not_places: set[str]) -> None:
    story = _story(geoparser, text)
    assert not {m.text for m in story.mentions} & not_places
    assert story.places, "the real place in the sentence is still found"


def test_sentences_never_cross_paragraphs(geoparser: Geoparser) -> None:
    text = "A Heading Without A Full Stop\n\nFirst paragraph here. Second sentence.\n\nLast one."
    sentences = sentences_of(geoparser.nlp(text))
    assert [s.paragraph for s in sentences] == [0, 1, 1, 2]
    assert all(text[s.start : s.end] == s.text for s in sentences)


# ------------------------------------------------------------------------------ resolution


@pytest.mark.parametrize(
    ("text", "surface", "country"),
    [
        # the famous place wins when nothing says otherwise
        ("Tourists flocked to Paris this summer.", "Paris", "FR"),
        # a LOC entity is a sea or region more often than a town of the same name
        ("Storms battered ships across the Pacific.", "Pacific", ""),
        # context: the article names the country
        ("In Russia, officials in Moscow denied the report.", "Moscow", "RU"),
    ],
)
def test_resolution(geoparser: Geoparser, text: str, surface: str, country: str) -> None:
    story = _story(geoparser, text)
    place = next(p for p in story.places if any(m.text == surface for m in p.mentions))
    assert place.candidate.country_code == country


def test_each_place_keeps_its_evidence(geoparser: Geoparser) -> None:
    story = _story(geoparser, "Talks in Paris ended. Paris officials were pleased.")
    (paris,) = story.places
    assert len(paris.mentions) == 2
    assert 0 < paris.confidence <= 1
    assert paris.reasons and any("population" in r for r in paris.reasons)
    assert paris.alternatives, "runner-up candidates are kept for the user"
    assert all(a.score <= paris.alternatives[0].score for a in paris.alternatives)
    assert [s.text for s in story.sentences_of(paris)] == [
        "Talks in Paris ended.",
        "Paris officials were pleased.",
    ]


def test_same_place_by_different_names_is_one_place(geoparser: Geoparser) -> None:
    story = _story(geoparser, "The USSR collapsed. The Soviet Union had 15 republics.")
    assert [p.name for p in story.places] == ["Soviet Union"]


# ---------------------------------------------------------------------------------- events


@pytest.mark.parametrize(
    ("text", "year", "iso"),
    [
        ("June 20", 2024, "2024-06-20"),
        ("June 20", None, "--06-20"),  # no year known: ISO 8601's month-day form
        ("June 20, 2019", 2024, "2019-06-20"),  # an explicit year wins over the article's
        ("20 June", 2024, "2024-06-20"),
        ("Sept. 3", 2021, "2021-09-03"),
        ("March 2022", None, "2022-03"),
        ("2022", None, "2022"),
        ("in 1953", None, "1953"),
        ("the week", 2024, None),  # relative dates are not dates
        ("last year", 2024, None),
        ("the 1990s", 2024, None),  # a decade is not a year
        ("June 41", 2024, None),
    ],
)
def test_parse_date(text: str, year: int | None, iso: str | None) -> None:
    assert parse_date(text, year) == iso


@pytest.mark.parametrize(
    ("iso", "first", "after"),
    [
        ("1953", "1953-01-01", "1954-01-01"),  # a bare year covers the whole year
        ("2022-03", "2022-03-01", "2022-04-01"),
        ("2022-12", "2022-12-01", "2023-01-01"),  # December's next month is in the next year
        ("2024-06-20", "2024-06-20", "2024-06-21"),
        ("2024-12-31", "2024-12-31", "2025-01-01"),
        ("2024-02-29", "2024-02-29", "2024-03-01"),  # a leap day
        ("--06-20", None, None),  # no year: no place in time
        ("2023-02-29", None, None),  # parse_date accepts any day up to 31 in any month
        ("2024-06-31", None, None),
    ],
)
def test_period_of_a_date(iso: str, first: str | None, after: str | None) -> None:
    period = period_of(iso)
    assert (None if period is None else tuple(str(day) for day in period)) == (
        None if first is None else (first, after)
    )


def test_event_without_year_gets_month_day(geoparser: Geoparser) -> None:
    story = _story(geoparser, "On March 3, protesters marched through Nairobi.")
    (event,) = story.events
    assert event.date == "--03-03"
    assert event.where.name == "Nairobi"


def test_a_date_without_a_verb_is_no_event(geoparser: Geoparser) -> None:
    story = _story(geoparser, "Floods hit Dhaka on July 2, 2023.\n\nCopyright 2023")
    assert [e.date for e in story.events] == ["2023-07-02"]


def test_border_rule_uses_curated_feature(geoparser: Geoparser) -> None:
    text = (
        "Relations between India and Pakistan worsened this spring.\n\n"
        "Tension is rising between the two countries. On May 7, 2025, soldiers from both sides "
        "exchanged fire along the border."
    )
    (event,) = _story(geoparser, text).events
    assert event.where.kind == "border"
    assert set(event.where.countries) == {"IN", "PK"}


def test_border_rule_falls_back_to_outlines(geoparser: Geoparser, gazetteer: Gazetteer) -> None:
    """Peru and Ecuador have no curated border feature: the outlines' nearest points are used."""
    assert gazetteer.features_between("PE", "EC") == []
    text = (
        "Peru and Ecuador have quarrelled over their frontier for decades. "
        "On January 26, 1995, troops clashed at the border."
    )
    (event,) = _story(geoparser, text).events
    assert event.where.kind == "border" and set(event.where.countries) == {"PE", "EC"}
    # the Peru–Ecuador border runs between about 0° and 5.1° S, 75° and 81° W
    assert -5.5 < event.lat < 0.5 and -81.5 < event.lon < -74.5


def test_shared_border_of_non_neighbours_is_computed_only_on_request(gazetteer: Gazetteer) -> None:
    border = shared_border(gazetteer, "FR", "ES")
    assert border is not None and border.kind == "border"
    # the Pyrenees: the Franco-Spanish border lies near 42.5° N
    assert distance_km(border.lat, border.lon, 42.7, 0.5) < 400
