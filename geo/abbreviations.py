"""State and province abbreviations, as datelines and addresses write them.

"SPRINGFIELD, Ill.", "LONDON, Ont.", "Vancouver, B.C.", "Richmond, VA": the abbreviation after a
town names its US state or Canadian province. ``data/state-abbreviations.csv`` lists them, each
row with its style and source:

- ``ap``: the AP Stylebook's state abbreviations ("Ill.", "Calif.", "W.Va."; AP spells out
  Alaska, Hawaii, Idaho, Iowa, Maine, Ohio, Texas and Utah);
- ``gpo``: older forms from the U.S. Government Publishing Office Style Manual still in print
  ("Tex.", "Kans.", "N.Mex.");
- ``canadian-press``: the Canadian Press Stylebook's provinces and territories ("Ont.",
  "B.C.", "Que.", "N.W.T.");
- ``postal``: two-letter codes of USPS Publication 28 and Canada Post ("IL", "ON"), which are
  also the ISO 3166-2 codes of these divisions.

Its ``alias`` column says whether the gazetteer also takes the abbreviation as a name of the
division (``geo.gazetteer``): "Ill." yes; postal codes and "Man." no, since as names they meet
common words ("IN", "OR", "man"), and "D.C." no, since it names the city of Washington there.

A postal code counts only in capitals ("IN", not "in"); a dotted form as written or in capitals
("ILL." in an all-capitals dateline), never in lower case ("mass." ends a sentence).
"""

from __future__ import annotations

import csv
import functools

from .gazetteer import DATA_DIR, Gazetteer

__all__ = ["STYLES", "division_code", "division_key"]

ABBREVIATIONS_FILE = DATA_DIR / "state-abbreviations.csv"

#: The styles of ``data/state-abbreviations.csv`` (see the module docstring).
STYLES = ("ap", "gpo", "canadian-press", "postal")


@functools.cache
def _table() -> dict[str, str]:
    """Abbreviation as written ("Ill.", "W. Va.", "IL") -> ISO 3166-2 code ("US-IL")."""
    with ABBREVIATIONS_FILE.open(encoding="utf-8", newline="") as f:
        return {row["abbreviation"]: row["division"] for row in csv.DictReader(f)}


def division_code(abbreviation: str) -> str | None:
    """The ISO 3166-2 code of the US state or Canadian province an abbreviation names:
    ``"Ill."`` and ``"IL"`` give ``"US-IL"``, ``"Ont."`` and ``"ON"`` give ``"CA-ON"``;
    None for anything else ("in", "mass.", "Paris")."""
    written = " ".join(abbreviation.split())
    table = _table()
    if written in table:
        return table[written]
    if written.endswith(".") and written.isupper():  # "ILL.", "W. VA." in capitals
        return next((code for form, code in table.items() if form.upper() == written), None)
    return None


def division_key(abbreviation: str, gazetteer: Gazetteer) -> str | None:
    """The gazetteer key of the division an abbreviation names ("Ill." -> Illinois's
    ``gn:4896861``, "Ont." -> ``adm1:CA-ON``), or None when it names none."""
    code = division_code(abbreviation)
    division = gazetteer.division(code) if code else None
    return division.key if division else None
