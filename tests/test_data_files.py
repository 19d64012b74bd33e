"""Checks on the hand-curated gazetteer files in data/ (places, aliases, demonyms)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"

PLACES_COLUMNS = [
    "key",
    "name",
    "alt_names",
    "kind",
    "feature_code",
    "lat",
    "lon",
    "country_codes",
    "geonameid",
    "population",
    "source",
]
FILES = {
    "places.csv": PLACES_COLUMNS,
    "aliases.csv": ["alias", "target", "source"],
    "demonyms.csv": ["demonym", "target", "source"],
}
KINDS = {"sea", "historical", "region", "border", "feature"}
TARGET_KINDS = {"country", "continent", "state", "place", "gn"}
PANMUNJOM = (37.9561, 126.6772)


def read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def places() -> list[dict[str, str]]:
    return read("places.csv")[1]


def place(key: str) -> dict[str, str]:
    matches = [row for row in places() if row["key"] == key]
    assert len(matches) == 1, f"expected exactly one places.csv row with key {key!r}"
    return matches[0]


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(("name", "columns"), FILES.items())
def test_file_parses_with_expected_header(name: str, columns: list[str]) -> None:
    fieldnames, rows = read(name)
    assert fieldnames == columns
    assert rows, f"{name} has no rows"
    for row in rows:
        assert None not in row, f"{name}: row has more fields than the header: {row}"
        assert all(value is not None for value in row.values()), f"{name}: short row {row}"


@pytest.mark.parametrize("name", FILES)
def test_every_row_has_a_source(name: str) -> None:
    _, rows = read(name)
    missing = [row for row in rows if not row["source"].strip()]
    assert not missing, f"{name}: rows without a source: {missing}"


def test_place_keys_are_unique() -> None:
    keys = [row["key"] for row in places()]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates


def test_place_kinds_are_allowed() -> None:
    bad = {row["key"]: row["kind"] for row in places() if row["kind"] not in KINDS}
    assert not bad


def test_place_coordinates_are_in_range() -> None:
    for row in places():
        lat, lon = float(row["lat"]), float(row["lon"])
        assert -90.0 <= lat <= 90.0, row["key"]
        assert -180.0 <= lon <= 180.0, row["key"]


@pytest.mark.parametrize("name", ["aliases.csv", "demonyms.csv"])
def test_targets_are_well_formed_and_place_targets_exist(name: str) -> None:
    keys = {row["key"] for row in places()}
    _, rows = read(name)
    for row in rows:
        kind, sep, value = row["target"].partition(":")
        assert sep and value, f"{name}: malformed target {row['target']!r}"
        assert kind in TARGET_KINDS, f"{name}: unknown target kind {row['target']!r}"
        if kind == "place":
            assert value in keys, f"{name}: {row['target']!r} is not a key in places.csv"


def test_pacific_ocean_point_is_in_the_pacific() -> None:
    row = place("pacific-ocean")
    lon = float(row["lon"])
    assert lon > 120 or lon < -100


def test_korean_dmz_is_on_the_demarcation_line_at_panmunjom() -> None:
    row = place("korean-dmz")
    assert row["country_codes"] == "KP|KR"
    assert row["kind"] == "border"
    assert "DMZ" in row["alt_names"].split("|")
    assert haversine_km((float(row["lat"]), float(row["lon"])), PANMUNJOM) <= 25.0


def test_ussr_is_an_alt_name_of_the_soviet_union() -> None:
    row = place("soviet-union")
    assert row["kind"] == "historical"
    assert "USSR" in row["alt_names"].split("|")


@pytest.mark.parametrize("alias", ["US", "U.S."])
def test_us_aliases_map_to_the_united_states(alias: str) -> None:
    _, rows = read("aliases.csv")
    targets = {row["target"] for row in rows if row["alias"] == alias}
    assert targets == {"country:US"}
