"""Recognition rules of :mod:`geo.mentions` on short hand-written sentences: the names local
news writes (a town inside an organisation's or building's name, a county), and the people
and firms named like places that must not become places."""

from __future__ import annotations

from collections import Counter

import pytest

from geo import Geoparser, Story, article_from_text
from geo.gazetteer import Gazetteer
from geo.mentions import PERSON_VOTES, _adjective_not_name, _mostly_a_person


def _story(geoparser: Geoparser, text: str) -> Story:
    return geoparser.analyse(article_from_text(text))


def _found(story: Story) -> list[tuple[str, str]]:
    """Each mention's text and the rule that found it, in text order."""
    return [(m.text, m.found) for m in story.mentions]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a town the article names is the same town again at the head of an official's title,
        # which the model tags as a person ("Mansfield Police Chief Ken Coon")
        (
            "Heavy rain flooded roads in Mansfield, Ohio, on Monday. Mansfield Police Chief "
            "Ken Coon said two cars were swept away.",
            [("Mansfield", "ner"), ("Ohio", "ner"), ("Mansfield", "repeated")],
        ),
    ],
)
def test_a_name_used_as_a_place_is_that_place_again(
    geoparser: Geoparser, text: str, expected: list[tuple[str, str]]
) -> None:
    assert _found(_story(geoparser, text)) == expected


@pytest.mark.parametrize(
    ("text", "town", "building"),
    [
        # a well-known city leading a hospital's name
        (
            "Patients in Toronto were moved to the Toronto General Hospital after the fire.",
            "Toronto",
            "Toronto General Hospital",
        ),
        # a county the article names, leading a jail's name
        (
            "Residents of Laurel County gathered at the Laurel County Detention Center on Sunday.",
            "Laurel County",
            "Laurel County Detention Center",
        ),
    ],
)
def test_a_building_named_after_its_town_is_a_mention_of_the_town(
    geoparser: Geoparser, text: str, town: str, building: str
) -> None:
    texts = [m.text for m in _story(geoparser, text).mentions]
    assert texts.count(town) == 2
    assert building not in texts


def test_a_name_after_a_title_is_a_person(geoparser: Geoparser) -> None:
    story = _story(
        geoparser,
        "The Eagles won 3-1, and coach Ripley praised the defence after the game in Denver.",
    )
    assert _found(story) == [("Denver", "ner")]


@pytest.mark.parametrize(
    ("labels", "person"),
    [
        # tagged a person throughout: a person, though one "from Welch" looked like a town
        (Counter({"PERSON": PERSON_VOTES}), True),
        # once or twice a person is the model's slip ("Nelson residents")
        (Counter({"PERSON": PERSON_VOTES - 1}), False),
        # tagged a place even once: the name is used as a place
        (Counter({"PERSON": PERSON_VOTES + 2, "GPE": 1}), False),
        (Counter({"ORG": PERSON_VOTES}), False),
    ],
)
def test_a_name_the_model_calls_a_person_throughout(labels: Counter[str], person: bool) -> None:
    assert _mostly_a_person(labels) is person


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a parish inside an office's name, which the model leaves untagged
        (
            "The Pointe Coupee Parish Sheriff's Office arrested two men.",
            [("Pointe Coupee Parish", "division", "Pointe Coupee Parish")],
        ),
        # a list before the plural noun: each item is a county, looked up with its noun
        (
            "Schools in Barrow, Jackson and Oconee counties closed early on Tuesday.",
            [
                ("Barrow", "division", "Barrow County"),
                ("Jackson", "division", "Jackson County"),
                ("Oconee", "division", "Oconee County"),
            ],
        ),
        # a facility named after its county is a mention of the county
        (
            "Deputies took the man to the Henderson County Jail on Friday.",
            [("Henderson County", "ner", "Henderson County")],
        ),
        # "County" alone names no county
        ("The County said roads were clear.", []),
    ],
)
def test_counties_by_their_noun(
    geoparser: Geoparser, text: str, expected: list[tuple[str, str, str]]
) -> None:
    story = _story(geoparser, text)
    assert [(m.text, m.found, m.name) for m in story.mentions] == expected


def test_a_province_abbreviated_after_a_town(geoparser: Geoparser) -> None:
    story = _story(geoparser, "She grew up in a brick house in Barrie, Ont., with her sisters.")
    assert [(m.text, m.found, p.name) for p in story.places for m in p.mentions] == [
        ("Barrie", "ner", "Barrie"),
        ("Ont.", "abbreviation", "Ontario"),
    ]


def test_each_adjective_joined_by_a_hyphen_is_a_demonym(geoparser: Geoparser) -> None:
    story = _story(geoparser, "The normalization of Turkish-Russian relations continued.")
    assert [(m.text, m.found, m.demonym, m.name) for m in story.mentions] == [
        ("Turkish", "demonym", True, "Turkey"),
        ("Russian", "demonym", True, "Russia"),
    ]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # an adjective the model may tag as a place: its country, flagged as a demonym
        ("Sri Lankan", "Sri Lanka"),
        # a place's own name is no adjective, even where the demonym table has a form of it
        ("Georgia", None),
        ("Paris", None),
    ],
)
def test_an_adjective_tagged_as_a_place(gazetteer: Gazetteer, text: str, place: str | None) -> None:
    adjective = _adjective_not_name(gazetteer, text)
    assert (adjective.name if adjective else None) == place


def test_a_town_after_in_at_the_end_of_an_organisation(geoparser: Geoparser) -> None:
    """The model tags "the Lutheran School in Lombard" as one organisation."""
    story = _story(geoparser, "Two students at the Lutheran School in Lombard won first prize.")
    assert _found(story) == [("Lombard", "locative")]


def test_an_untagged_town_of_a_state_the_article_names(geoparser: Geoparser) -> None:
    """The model leaves "Parkers Prairie" untagged; the gazetteer has a town of Minnesota so
    called."""
    story = _story(
        geoparser,
        "Officials in Minnesota said roads near Elbow Lake and Parkers Prairie were closed.",
    )
    assert ("Parkers Prairie", "region_town") in _found(story)


def test_a_town_of_fifty_thousand_filed_as_a_one_word_organisation(geoparser: Geoparser) -> None:
    """The model files "Danbury" (85,000 people) as an organisation."""
    story = _story(geoparser, "He was arrested by Danbury police on Monday night.")
    assert _found(story) == [("Danbury", "mislabelled")]
