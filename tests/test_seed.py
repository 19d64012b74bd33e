"""The seed article maps as the product promises: every place it names, each in the right
spot, no false places, and its dated events where they happened."""

from __future__ import annotations

import pytest

from geo import Gazetteer, Story
from geo.gazetteer import distance_km

from .geometry import inside, km_to_polyline

# Reference points from outside our data (city centres as atlases give them).
CITIES = {
    "Pyongyang": (39.0392, 125.7625),
    "Seoul": (37.5665, 126.9780),
    "Moscow": (55.7558, 37.6173),
}
COUNTRIES = {
    "Russia": "RU",
    "North Korea": "KP",
    "South Korea": "KR",
    "Vietnam": "VN",
    "Ukraine": "UA",
    "China": "CN",
    "United States": "US",
}
# Places named only through adjectives ("Asian nations", "the two Korean nations").
BY_ADJECTIVE = {"Asia", "Korean Peninsula"}
# The Military Demarcation Line, west to east: the Han estuary, Panmunjom (the Joint Security
# Area straddles the line), the Cheorwon valley, the Punchbowl, and the east coast at Goseong.
MDL = [
    (37.77, 126.55),
    (37.9558, 126.6769),
    (38.27, 127.17),
    (38.32, 128.0),
    (38.6122, 128.3497),
]


def _place(story: Story, name: str):
    matches = [p for p in story.places if p.name == name]
    assert matches, f"{name!r} not among {[p.name for p in story.places]}"
    return matches[0]


@pytest.mark.parametrize("name", sorted(CITIES))
def test_cities_within_25_km(seed_story: Story, name: str) -> None:
    place = _place(seed_story, name)
    assert place.kind == "capital"
    assert distance_km(place.lat, place.lon, *CITIES[name]) < 25


@pytest.mark.parametrize("name", sorted(COUNTRIES))
def test_countries_inside_their_outline(seed_story: Story, gazetteer: Gazetteer, name: str) -> None:
    place = _place(seed_story, name)
    assert place.kind == "country"
    assert place.candidate.country_code == COUNTRIES[name]
    shape = gazetteer.shape(COUNTRIES[name])
    assert shape is not None and inside(place.lat, place.lon, shape)


def test_the_us_is_found_as_written(seed_story: Story) -> None:
    assert {m.text for m in _place(seed_story, "United States").mentions} == {"US"}


def test_soviet_union_is_one_place_for_all_its_names(
    seed_story: Story, gazetteer: Gazetteer
) -> None:
    place = _place(seed_story, "Soviet Union")
    assert place.kind == "historical"
    assert {m.text for m in place.mentions} == {"Soviet Union", "Soviet", "USSR"}
    shape = gazetteer.shape("RU")
    assert shape is not None and inside(place.lat, place.lon, shape)


def test_the_pacific_is_in_the_ocean(seed_story: Story, gazetteer: Gazetteer) -> None:
    place = _place(seed_story, "Pacific Ocean")
    assert place.kind == "sea"
    assert abs(place.lat) < 60 and (place.lon > 120 or place.lon < -100)
    for code in ("US", "CN", "RU", "JP"):
        shape = gazetteer.shape(code)
        assert shape is not None and not inside(place.lat, place.lon, shape)


def test_no_false_places(seed_story: Story) -> None:
    expected = {*CITIES, *COUNTRIES, "Soviet Union", "Pacific Ocean", *BY_ADJECTIVE}
    assert {p.name for p in seed_story.places} == expected


def test_no_person_or_compass_word_is_a_mention(seed_story: Story) -> None:
    texts = {m.text for m in seed_story.mentions}
    assert not texts & {"Vladimir", "Putin", "Kim", "North", "South", "the South", "the North"}


def test_mentions_point_into_the_text(seed_story: Story) -> None:
    text = seed_story.article.text
    for mention in seed_story.mentions:
        assert text[mention.start : mention.end] == mention.text
        assert "’" not in mention.text and not mention.text.startswith("the ")


def test_events_in_date_order_of_the_text(seed_story: Story) -> None:
    assert seed_story.article.year == 2024
    assert [e.date for e in seed_story.events] == ["2024-06-19", "1953", "2022", "2024-06-20"]


def test_june_19_meeting_is_in_pyongyang(seed_story: Story) -> None:
    event = next(e for e in seed_story.events if e.date == "2024-06-19")
    assert event.where.name == "Pyongyang"
    assert distance_km(event.lat, event.lon, *CITIES["Pyongyang"]) < 25


def test_border_incident_is_on_the_demarcation_line(seed_story: Story) -> None:
    event = next(e for e in seed_story.events if e.date == "2024-06-20")
    assert "border" in event.sentence.text
    assert km_to_polyline(event.lat, event.lon, MDL) < 25
    assert distance_km(event.lat, event.lon, *CITIES["Seoul"]) > 25
    assert distance_km(event.lat, event.lon, *CITIES["Pyongyang"]) > 25


def test_invasion_is_placed_in_ukraine_not_at_the_invader(seed_story: Story) -> None:
    event = next(e for e in seed_story.events if e.date == "2022")
    assert event.where.name == "Ukraine"
    assert event.name == "Russia invaded Ukraine"


def test_korean_war_is_placed_on_the_peninsula(seed_story: Story) -> None:
    event = next(e for e in seed_story.events if e.date == "1953")
    assert event.where.name == "Korean Peninsula"
