"""US counties: how ``scripts/us_counties.py`` makes their points, and the file it made."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from geo.gazetteer import Gazetteer, distance_km

from .scripts import load_script

ROOT = Path(__file__).resolve().parent.parent


us_counties = load_script("us_counties")


def _topology(arcs: list[list[list[int]]], geometries: list[dict]) -> dict:
    """A quantized TopoJSON topology: a grid of 1/10 degree from (-100, 40)."""
    return {
        "type": "Topology",
        "transform": {"scale": [0.1, 0.1], "translate": [-100.0, 40.0]},
        "arcs": arcs,
        "objects": {"counties": {"type": "GeometryCollection", "geometries": geometries}},
    }


# Two squares sharing the arc x = 10 (1 degree east of -100): the left one is 1 x 1 degree,
# the right one 2 x 1 degrees, drawn with the shared arc reversed. Arcs are delta-encoded.
SQUARES = _topology(
    [
        [[10, 0], [0, 10]],  # 0: the shared edge, going north
        [[10, 10], [-10, 0], [0, -10], [10, 0]],  # 1: the left square's other three edges
        [[10, 0], [20, 0], [0, 10], [-20, 0]],  # 2: the right square's other three edges
    ],
    [
        {"type": "Polygon", "arcs": [[0, 1]], "id": "00001"},
        {"type": "Polygon", "arcs": [[2, -1]], "id": "00002"},
    ],
)


def test_arcs_are_stitched_into_rings() -> None:
    arcs = us_counties.decode_arcs(SQUARES)
    assert arcs[0] == [(-99.0, 40.0), (-99.0, 41.0)]
    left = us_counties.ring(arcs, [0, 1])
    assert left == [(-99.0, 40.0), (-99.0, 41.0), (-100.0, 41.0), (-100.0, 40.0), (-99.0, 40.0)]
    right = us_counties.ring(arcs, [2, ~0])  # ~0 == -1: the shared edge walked backwards
    assert right[-1] == (-99.0, 40.0) and (-97.0, 41.0) in right


def test_centroids_and_containment() -> None:
    arcs = us_counties.decode_arcs(SQUARES)
    left = us_counties.polygons(SQUARES["objects"]["counties"]["geometries"][0], arcs)
    right = us_counties.polygons(SQUARES["objects"]["counties"]["geometries"][1], arcs)
    assert us_counties.centroid(left) == pytest.approx((-99.5, 40.5))
    assert us_counties.centroid(right) == pytest.approx((-98.0, 40.5))
    assert us_counties.contains(left, (-99.5, 40.5))
    assert not us_counties.contains(left, (-98.0, 40.5))


def test_a_hole_moves_the_centroid_and_is_outside() -> None:
    outer = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)]
    hole = [(2.0, 1.0), (2.0, 3.0), (3.0, 3.0), (3.0, 1.0)]  # wound the other way
    shape = [[outer, hole]]
    x, y = us_counties.centroid(shape)
    assert y == pytest.approx(2.0) and x < 2.0  # the hole is east of the middle
    assert not us_counties.contains(shape, (2.5, 2.0))
    assert us_counties.contains(shape, (1.0, 2.0))
    # the outer ring wound clockwise gives the same answer
    assert us_counties.centroid([[outer[::-1], hole[::-1]]]) == pytest.approx((x, y))


def test_islands_across_the_antimeridian_are_one_shape() -> None:
    """The Aleutians West census area lies on both sides of 180°: its centroid is in the
    Bering Sea, not in Canada (the mean of +178 and -175)."""
    topology = _topology(
        [[[3580, 120], [10, 0], [0, 10], [-10, 0], [0, -10]], [[50, 120], [10, 0], [0, 10]]],
        [{"type": "MultiPolygon", "arcs": [[[0]], [[1]]], "id": "02016"}],
    )
    topology["transform"]["translate"] = [-180.0, 40.0]
    (row,) = us_counties.counties(topology, {"02016": ("Islands Census Area", "AK")}, [])
    assert row["lon"] > 170 or row["lon"] < -170


def test_the_aleutians_are_in_the_bering_sea(gazetteer: Gazetteer) -> None:
    (found,) = gazetteer.lookup("Aleutians West Census Area")
    assert 51 < found.lat < 56 and (found.lon < -165 or found.lon > 170)


def test_counties_named_with_their_noun_and_their_towns_counted() -> None:
    names = {"00001": ("Left County", "NE"), "00002": ("Right city", "VA")}
    towns = [((-99.5, 40.5), 1200), ((-99.2, 40.2), 800), ((-98.0, 40.5), 5000)]
    rows = list(us_counties.counties(SQUARES, names, towns))
    # an independent city is a town in the gazetteer already
    assert rows == [
        {
            "fips": "00001",
            "name": "Left County",
            "state": "NE",
            "lat": 40.5,
            "lon": -99.5,
            "population": 2000,
        }
    ]


# ------------------------------------------------------------------ the committed file


def _rows() -> list[dict[str, str]]:
    with (ROOT / "data/us-counties.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_file_has_every_county_once() -> None:
    rows = _rows()
    assert len(rows) > 3000
    assert len({r["fips"] for r in rows}) == len(rows)
    assert {r["name"].rsplit(" ", 1)[-1] for r in rows} >= {"County", "Parish", "Borough"}
    states = {r["state"] for r in rows}
    assert len(states) >= 50 and "DC" not in states


@pytest.mark.parametrize(
    ("county", "state", "seat"),
    [
        ("Cuyahoga County", "OH", "Cleveland"),
        ("Orleans Parish", "LA", "New Orleans"),
        ("Los Angeles County", "CA", "Los Angeles"),
        ("Suffolk County", "NY", "Riverhead"),
        ("Honolulu County", "HI", "Honolulu"),
        ("Kenai Peninsula Borough", "AK", "Kenai"),
    ],
)
def test_county_points_lie_near_their_seats(
    gazetteer: Gazetteer, county: str, state: str, seat: str
) -> None:
    (found,) = [
        c for c in gazetteer.lookup(county) if c.feature_code == "ADM2" and c.admin1 == state
    ]
    assert found.country_code == "US" and found.kind == "region"
    town = next(c for c in gazetteer.lookup(seat) if c.admin1 == state)
    assert distance_km(found.lat, found.lon, town.lat, town.lon) < 120


def test_populations_tell_a_large_county_from_a_small_namesake(gazetteer: Gazetteer) -> None:
    orange = {c.admin1: c.population for c in gazetteer.lookup("Orange County")}
    assert orange["CA"] > 1_000_000 > 100_000 > orange["VT"]
