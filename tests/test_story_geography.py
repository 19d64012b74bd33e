"""Short stories whose text settles each name: the whole story's geography and what is written
around a mention must win over the famous namesake. (Made-up texts; they go through spaCy, so
they are few: the features themselves are tested without it in tests/test_features.py.)"""

from __future__ import annotations

import pytest

from geo import Geoparser, Story, article_from_text
from geo.features import region_of
from geo.gazetteer import PRIMARY, Gazetteer
from geo.mentions import Mention
from geo.resolve import Place, Resolver


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


def _mention(text: str, surface: str) -> Mention:
    start = text.index(surface)
    return Mention(start, start + len(surface), surface, surface, "GPE", 0)


def test_a_names_first_pick_lies_in_the_state_written_after_it(gazetteer: Gazetteer) -> None:
    """Each name's first pick (its anchor) is what the story's other names are measured
    against: "Parkland, Florida" anchors the story in Florida, though the largest Parkland is
    in Washington state."""
    text = "Students from Parkland, Florida, marched to the capitol."
    resolver = Resolver(gazetteer)
    (alone,) = [s.candidate for s in resolver.rank("Parkland")[:1]]
    assert region_of(alone) != "US-FL"  # what the test is about: the bare name's pick
    context = resolver.context_of([_mention(text, "Parkland"), _mention(text, "Florida")], text)
    (anchor,) = [a.candidate for a in context.anchors if a.name == "parkland"]
    assert region_of(anchor) == "US-FL"


@pytest.mark.parametrize(
    ("written", "spelt"), [("St. Petersburg", "Saint Petersburg"), ("Saint Paul", "St. Paul")]
)
def test_a_name_is_found_by_its_own_name_abbreviated_or_spelt_out(
    gazetteer: Gazetteer, written: str, spelt: str
) -> None:
    """GeoNames keeps one spelling of "St."/"Saint" as a place's own name: either written
    matches it as its own name, not as one of its alternates."""
    candidates = Resolver(gazetteer).candidates(written)
    assert any(c.name == spelt and c.match == PRIMARY for c in candidates), candidates[:5]
