"""GeoNames' admin1 codes in ISO 3166-2: how ``scripts/admin1_codes.py`` votes, and its file."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("admin1_codes", ROOT / "scripts/admin1_codes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["admin1_codes"] = module
    spec.loader.exec_module(module)
    return module


admin1_codes = _script()

# invented towns: (country, normalised name, lat, lon, division code)
GEONAMES = [
    ("XX", "alpha", 10.0, 10.0, "01"),
    ("XX", "beta", 11.0, 10.0, "01"),
    ("XX", "gamma", 12.0, 10.0, "02"),  # its namesake lies far away: no vote
    ("XX", "delta", 13.0, 10.0, "03"),  # a region over two states: the votes split
    ("XX", "epsilon", 13.5, 10.0, "03"),
    ("YY", "alpha", 10.0, 10.0, "01"),  # another country, same name: no vote for XX
]
OTHERS = [
    ("XX", "alpha", 10.01, 10.0, "AA"),
    ("XX", "beta", 11.0, 10.01, "AA"),
    ("XX", "gamma", 40.0, 10.0, "BB"),
    ("XX", "delta", 13.0, 10.0, "CC"),
    ("XX", "epsilon", 13.5, 10.0, "DD"),
]


def test_shared_towns_vote_for_the_iso_code_of_a_geonames_code() -> None:
    counted = admin1_codes.votes(GEONAMES, OTHERS)
    assert {key: dict(tally) for key, tally in counted.items()} == {
        ("XX", "01"): {"AA": 2},
        ("XX", "03"): {"CC": 1, "DD": 1},
    }
    rows = admin1_codes.mapping(counted)
    assert rows == [{"country": "XX", "geonames": "01", "iso": "AA", "votes": "2", "share": "1.00"}]


def test_the_committed_table_maps_each_code_once_by_a_clear_majority() -> None:
    with (ROOT / "data" / "admin1-codes.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames == admin1_codes.FIELDS
    keys = [(r["country"], r["geonames"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(float(r["share"]) >= admin1_codes.MIN_SHARE for r in rows)
    table = {key: r["iso"] for key, r in zip(keys, rows, strict=True)}
    # Ontario, Quebec, Moscow City, Bavaria, Illinois (the US codes are ISO already)
    assert [table[k] for k in [("CA", "08"), ("CA", "10"), ("RU", "48"), ("DE", "02")]] == [
        "ON",
        "QC",
        "MOW",
        "BY",
    ]
    assert table["US", "IL"] == "IL"
