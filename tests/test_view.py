"""What the page decides about the reader's view (geo/view.py), without Streamlit."""

from __future__ import annotations

import pytest

from geo import Story
from geo.view import Focus, mentions_to_move, position, sentence_case, step

MOSCOW = "gn:524901"


@pytest.mark.parametrize(
    ("current", "delta", "expected"),
    [
        (None, 1, 0),  # "Next" with nothing in focus starts the story
        (None, -1, 3),  # "Previous" with nothing in focus goes to its end
        (0, 1, 1),
        (2, -1, 1),
        (3, 1, 3),  # the last event stays the last
        (0, -1, 0),
        (9, 1, 0),  # an event the story no longer has: as if none
    ],
)
def test_step_moves_within_the_timeline(current: int | None, delta: int, expected: int) -> None:
    assert step(current, 4, delta) == expected


def test_step_on_an_empty_timeline_goes_nowhere() -> None:
    assert step(None, 0, 1) is None


def test_position_says_where_the_reader_is() -> None:
    assert position(None, 4) == "4 events"
    assert position(1, 4) == "Event 2 of 4"
    assert position(None, 1) == "1 event"


def test_a_correction_starts_from_the_clicked_mention_else_the_first_sentence(
    seed_story: Story,
) -> None:
    moscow = seed_story.place(MOSCOW)
    assert moscow is not None and len(moscow.mentions) == 2
    first, second = moscow.mentions
    assert first.sentence != second.sentence

    assert mentions_to_move(moscow, second.start) == [second.start]
    assert mentions_to_move(moscow, None) == [first.start]
    assert mentions_to_move(moscow, 5) == [first.start]  # not one of its mentions


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("the article is empty: paste some text", "The article is empty: paste some text."),
        ("'a.pdf' is not a supported file type", "'a.pdf' is not a supported file type."),
        ("Already a sentence.", "Already a sentence."),
        ("", ""),
    ],
)
def test_messages_read_as_sentences(message: str, expected: str) -> None:
    assert sentence_case(message) == expected


@pytest.mark.parametrize(
    ("token", "focus"),
    [
        ("place:gn:524901", Focus(place="gn:524901")),
        ("event:3", Focus(event=3)),
        ("event:²", Focus()),  # a digit to str.isdigit, not to int()
        ("event:-1", Focus()),
        ("event:" + "9" * 5000, Focus()),
        ("place:", Focus()),
        ("", Focus()),
        (None, Focus()),
        ("city:Paris", Focus()),
    ],
)
def test_a_focus_token_is_parsed_strictly(token: str | None, focus: Focus) -> None:
    assert Focus.parse(token) == focus


def test_a_focus_is_named_in_a_link_as_share_reads_it() -> None:
    assert Focus.parse("place:gn:524901").params() == {"place": "gn:524901"}
    assert Focus.parse("event:2").params() == {"event": "2"}
    assert Focus().params() == {}
