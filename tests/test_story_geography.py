"""Short stories whose text settles each name: the whole story's geography and what is written
around a mention must win over the famous namesake. (Made-up texts; they go through spaCy, so
they are few: the features themselves are tested without it in tests/test_features.py.)"""

from __future__ import annotations

import pytest

from geo import Geoparser, Story, article_from_text
from geo.resolve import Place


def _story(geoparser: Geoparser, text: str) -> Story:
    return geoparser.analyse(article_from_text(text))


def _place_of(story: Story, surface: str) -> Place:
    place = next((p for p in story.places if any(m.text == surface for m in p.mentions)), None)
    assert place is not None, f"{surface!r} was not placed: {[p.name for p in story.places]}"
    return place


@pytest.mark.parametrize(
    ("text", "surface", "country", "admin1"),
    [
        # a state's abbreviation after a dateline says which Springfield
        (
            "SPRINGFIELD, Ill. — Lawmakers came back to the capitol on Tuesday to argue over "
            "a budget that leaves rural schools short.",
            "SPRINGFIELD",
            "US",
            "IL",
        ),
        (
            "The budget talks in Springfield, Illinois, broke down again on Tuesday, and the "
            "governor said he would call the lawmakers back.",
            "Springfield",
            "US",
            "IL",
        ),
        # the owner written before a name ("India's") says which Punjab
        (
            "Farmers in India's Punjab set fire to their stubble again this autumn, and the "
            "smoke hung over the plains for a week.",
            "Punjab",
            "IN",
            None,
        ),
        # the story's counties lie around Athens, Georgia, not Athens, Greece
        (
            "ATHENS — The school board voted on Monday to build a new middle school. Parents "
            "from Clarke County and Oconee County filled the meeting room.",
            "ATHENS",
            "US",
            "GA",
        ),
        # "Ont." after a dateline; Windsor is a town of Ontario too
        (
            "LONDON, Ont. — A storm cut power to thousands of homes across Middlesex County "
            "overnight, and crews were sent from Windsor to help.",
            "LONDON",
            "CA",
            None,
        ),
        # a story set in Atlanta means the state that contains it
        (
            "ATLANTA — Georgia's secretary of state said on Friday that the recount would be "
            "finished by the weekend.",
            "Georgia",
            "US",
            "GA",
        ),
    ],
)
def test_the_story_settles_which_namesake(
    geoparser: Geoparser, text: str, surface: str, country: str, admin1: str | None
) -> None:
    place = _place_of(_story(geoparser, text), surface)
    assert place.candidate.country_code == country, place.reasons
    if admin1 is not None:
        assert place.candidate.admin1 == admin1, place.reasons


def test_one_name_is_two_places_when_the_text_qualifies_them_differently(
    geoparser: Geoparser,
) -> None:
    text = (
        "The band played Springfield, Mo., on Friday and Springfield, Ill., on Saturday, "
        "and said the crowd in Springfield on Saturday was the loudest of the tour."
    )
    story = _story(geoparser, text)
    springfields = [p for p in story.places if p.name == "Springfield"]
    assert {p.candidate.admin1 for p in springfields} == {"MO", "IL"}
    # the last mention, unqualified, goes with the qualified one before it
    illinois = next(p for p in springfields if p.candidate.admin1 == "IL")
    assert len(illinois.mentions) == 2
