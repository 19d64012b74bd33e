"""State and province abbreviations (``geo.abbreviations``, ``data/state-abbreviations.csv``)."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from geo import Gazetteer
from geo.abbreviations import ABBREVIATIONS_FILE, STYLES, division_code, division_key
from geo.gazetteer import ALIAS


def _rows() -> list[dict[str, str]]:
    with ABBREVIATIONS_FILE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(
    ("abbreviation", "code"),
    [
        ("Ill.", "US-IL"),  # AP, in a dateline: "SPRINGFIELD, Ill."
        ("IL", "US-IL"),  # postal
        ("Calif.", "US-CA"),
        ("Mass.", "US-MA"),
        ("Va.", "US-VA"),
        ("W.Va.", "US-WV"),  # not Virginia: the longest form is its own row
        ("W. Va.", "US-WV"),
        ("W.  Va.", "US-WV"),  # spacing is folded
        ("Tex.", "US-TX"),  # an older (GPO) form AP no longer uses
        ("D.C.", "US-DC"),
        ("Ont.", "CA-ON"),  # Canadian Press: "LONDON, Ont."
        ("ON", "CA-ON"),
        ("B.C.", "CA-BC"),
        ("Man.", "CA-MB"),
        ("ILL.", "US-IL"),  # a dateline in capitals
        # never a word in lower case, nor a name that is not an abbreviation
        ("in", None),
        ("or", None),
        ("mass.", None),
        ("Ill", None),
        ("Illinois", None),
        ("Paris", None),
        ("", None),
    ],
)
def test_division_code(abbreviation: str, code: str | None) -> None:
    assert division_code(abbreviation) == code


@pytest.mark.parametrize(
    ("abbreviation", "name", "country"),
    [
        ("Ill.", "Illinois", "US"),
        ("MO", "Missouri", "US"),
        ("Ga.", "Georgia", "US"),  # the state, never the country
        ("Ont.", "Ontario", "CA"),
        ("Que.", "Quebec", "CA"),
    ],
)
def test_division_key_is_the_divisions_key_in_the_gazetteer(
    gazetteer: Gazetteer, abbreviation: str, name: str, country: str
) -> None:
    key = division_key(abbreviation, gazetteer)
    assert key is not None
    place = gazetteer.get(key)
    assert place is not None
    assert (place.name, place.country_code, place.feature_code) == (name, country, "ADM1")


def test_an_unknown_abbreviation_has_no_key(gazetteer: Gazetteer) -> None:
    assert division_key("Xx.", gazetteer) is None


def test_every_row_names_a_division_the_gazetteer_has(gazetteer: Gazetteer) -> None:
    for row in _rows():
        assert gazetteer.division(row["division"]) is not None, row
        assert row["style"] in STYLES, row
        assert row["alias"] in ("yes", "no"), row
        assert row["source"].strip(), row


def test_every_state_and_province_has_its_postal_code_and_each_form_one_row() -> None:
    rows = _rows()
    postal = Counter(r["division"][:2] for r in rows if r["style"] == "postal")
    assert postal == {"US": 51, "CA": 13}  # 50 states and DC; 10 provinces and 3 territories
    assert all(
        r["division"].endswith("-" + r["abbreviation"]) for r in rows if r["style"] == "postal"
    )
    forms = [r["abbreviation"] for r in rows]
    assert len(forms) == len(set(forms))


def test_dotted_forms_are_also_names_of_their_division(gazetteer: Gazetteer) -> None:
    # the alias column: "Ill." finds Illinois by name; "IN" stays the word
    assert gazetteer.lookup("Ill.")[0].name == "Illinois"
    assert gazetteer.lookup("Ont.")[0].name == "Ontario"
    assert all(c.name != "Indiana" for c in gazetteer.lookup("IN") if c.match == ALIAS)
