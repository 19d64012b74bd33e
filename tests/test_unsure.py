"""A place the geoparser is unsure of, and the runner-up the app offers for it: hand-built
places, no spaCy."""

from __future__ import annotations

import pytest

from geo import Mention
from geo.gazetteer import Candidate
from geo.resolve import UNSURE_BELOW, Place, Scored

SPRINGFIELD_MO = Candidate("gn:4409896", "Springfield", "city", 37.22, -93.30, "US", "MO")
SPRINGFIELD_IL = Candidate("gn:4250542", "Springfield", "city", 39.80, -89.64, "US", "IL")
#: The same town from another source, a few km off: no other reading for the reader.
SPRINGFIELD_MO_AGAIN = Candidate("place:springfield", "Springfield", "city", 37.21, -93.29, "US")


def _place(confidence: float, *alternatives: Candidate) -> Place:
    mention = Mention(0, 11, "Springfield", "Springfield", "GPE", 0)
    return Place(
        SPRINGFIELD_MO,
        (mention,),
        confidence,
        (),
        tuple(Scored(c, 0.0, ()) for c in alternatives),
    )


@pytest.mark.parametrize(
    ("confidence", "unsure"),
    [(0.0, True), (UNSURE_BELOW - 0.01, True), (UNSURE_BELOW, False), (0.99, False)],
)
def test_a_place_is_unsure_below_the_threshold(confidence: float, unsure: bool) -> None:
    assert _place(confidence).unsure is unsure


def test_the_runner_up_is_another_place() -> None:
    """Not the place again, nor its point from another source: the first real other reading."""
    place = _place(0.5, SPRINGFIELD_MO, SPRINGFIELD_MO_AGAIN, SPRINGFIELD_IL)
    assert place.runner_up == SPRINGFIELD_IL


def test_no_runner_up_when_every_alternative_is_the_same_place() -> None:
    assert _place(0.5, SPRINGFIELD_MO_AGAIN).runner_up is None
    assert _place(0.5).runner_up is None
