"""The offline base map (geo/basemap.py): boxes, clipping, labels by zoom, escaping, and
what a map carries. The browser side is in tests/test_browser_basemap.py."""

from __future__ import annotations

import csv
import json
import re
from typing import Any

import folium
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from geo import Story, basemap
from geo.basemap import (
    DATA_DIR,
    DETAIL_ZOOM,
    TOWN_ZOOMS,
    WORLD_FILE,
    Box,
    Label,
    OfflineBaseMap,
    clip_line,
    clip_ring,
    detail_boxes,
    division_labels,
    place_labels,
    preload,
    story_points,
    town_labels,
    town_zoom,
    world_data,
    world_json,
    world_url,
)
from geo.errors import ConfigurationError
from geo.gazetteer import Gazetteer
from geo.maps import build_map, map_html
from geo.markup import escape

from .scripts import load_script

ILLINOIS = [(39.94, -91.41), (39.71, -91.36), (38.63, -90.20), (39.80, -89.64), (40.69, -89.59)]
#: Ottawa, Gatineau and Kingston: a story on the line between Ontario and Quebec.
OTTAWA_VALLEY = [(45.42, -75.70), (45.48, -75.70), (44.23, -76.49)]


# --- towns by population and zoom -----------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "capital", "zoom"),
    [
        (24_000_000, False, 4),  # the biggest cities from the first zoom that shows towns
        (1_000_000, False, 4),
        (999_999, False, 5),
        (300_000, False, 5),
        (100_000, False, 6),
        (30_000, False, 7),
        (10_000, False, 8),  # the smallest towns in towns.csv
        (9_999, False, 9),
        (100_000, True, 5),  # a capital shows a zoom earlier
    ],
)
def test_town_zoom_follows_the_table(population: int, capital: bool, zoom: int) -> None:
    assert town_zoom(population, capital=capital) == zoom


@given(st.integers(0, 40_000_000), st.integers(0, 40_000_000))
def test_a_bigger_town_is_never_labelled_later(first: int, second: int) -> None:
    small, big = sorted((first, second))
    assert town_zoom(big) <= town_zoom(small)


def test_the_zoom_table_runs_from_big_to_small() -> None:
    populations = [least for least, _ in TOWN_ZOOMS]
    zooms = [zoom for _, zoom in TOWN_ZOOMS]
    assert populations == sorted(populations, reverse=True)
    assert zooms == sorted(zooms) and len(set(zooms)) == len(zooms)


def test_towns_of_a_region_are_the_most_populous_inside_it() -> None:
    (box,) = detail_boxes(ILLINOIS)
    towns = town_labels([box], limit=50)
    assert len(towns) == 50
    assert towns[0].name == "Chicago"
    assert all(box.contains(t.lat, t.lon) for t in towns)
    assert [t.zoom for t in towns] == sorted(t.zoom for t in towns)  # most populous first
    assert town_labels([], limit=50) == []


def test_place_labels_name_countries_and_water_by_zoom() -> None:
    labels = {(label.kind, label.name): label for label in place_labels()}
    assert labels["country", "United States"].zoom == 2
    assert labels["water", "Pacific Ocean"].zoom == 1
    assert labels["water", "Lake Michigan"].zoom > labels["water", "Pacific Ocean"].zoom
    assert max(label.zoom for label in labels.values()) <= DETAIL_ZOOM + 1


# --- boxes and clipping ---------------------------------------------------------------------


def test_nearby_places_share_one_box_and_distant_ones_get_their_own() -> None:
    assert len(detail_boxes(ILLINOIS)) == 1
    korea_and_washington = detail_boxes([(37.57, 126.98), (39.02, 125.75), (38.90, -77.04)])
    assert len(korea_and_washington) == 2
    assert detail_boxes([]) == []


def test_a_box_stays_on_the_map() -> None:
    (box,) = detail_boxes([(84.0, 179.0)])
    assert box.north == 85.0 and box.east == 180.0
    with pytest.raises(ValueError, match="empty box"):
        Box(10, 0, 0, 10)


SQUARE = [(0.0, 0.0), (0.0, 10.0), (10.0, 10.0), (10.0, 0.0), (0.0, 0.0)]


def _area(ring: list[tuple[float, float]]) -> float:
    return abs(
        sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1], strict=True)) / 2
    )


@pytest.mark.parametrize(
    ("box", "area"),
    [
        (Box(-5, -5, 5, 5), 25.0),  # a corner of the square
        (Box(2, 2, 4, 4), 4.0),  # inside the square: the box itself
        (Box(-1, -1, 11, 11), 100.0),  # around the square: the square
        (Box(20, 20, 30, 30), 0.0),  # elsewhere: nothing
    ],
)
def test_clip_ring_keeps_the_area_inside_the_box(box: Box, area: float) -> None:
    clipped = clip_ring(SQUARE, box)
    assert _area(clipped) == pytest.approx(area)
    assert all(box.contains(*point) for point in clipped)


def test_clip_line_keeps_the_runs_that_touch_the_box() -> None:
    line = [(0.0, -20.0), (0.0, -8.0), (0.0, -2.0), (0.0, 2.0), (0.0, 8.0), (0.0, 20.0)]
    (piece,) = clip_line(line, Box(-1, -5, 1, 5))
    assert piece == [(0.0, -8.0), (0.0, -2.0), (0.0, 2.0), (0.0, 8.0)]  # to beyond the edges
    assert clip_line(line, Box(5, -5, 6, 5)) == []
    # a line that leaves the box and comes back is two pieces
    out_and_back = [(0.0, 0.0), (0.0, 1.0), (9.0, 1.0), (9.0, 2.0), (0.0, 2.0), (0.0, 3.0)]
    assert len(clip_line(out_and_back, Box(-1, -1, 1, 4))) == 2


# --- escaping -------------------------------------------------------------------------------


@given(st.text())
@example("<img src=x onerror=alert(1)>")
@example("`${document.cookie}` C:\\d {{ 7*7 }} {% raw %}")
@example("</script><script>alert(1)</script>")
def test_a_label_reaches_the_map_escaped(name: str) -> None:
    shown = Label(name, 0.0, 0.0, "town", 8, 0).as_json()
    assert shown[2] == escape(name)
    assert not set("<>`${}\\") & set(shown[2])
    assert shown[5] == len(name)  # the room it needs is the text's, not its escaped form's


def _script_data(page: str) -> dict[str, Any]:
    """What the base map's script reads: JSON in a JavaScript string."""
    match = re.search(r'var source = (".*?");\n', page)
    assert match is not None
    data: dict[str, Any] = json.loads(json.loads(match.group(1)))
    return data


def test_every_name_in_a_map_is_escaped(gazetteer: Gazetteer) -> None:
    """Each name reaches the page as escape(name), an apostrophe (O'Fallon) too."""
    fmap = folium.Map(tiles=None)
    outlines = folium.GeoJson({"type": "FeatureCollection", "features": []}).add_to(fmap)
    OfflineBaseMap(outlines, ILLINOIS).add_to(fmap)
    data = _script_data(fmap.get_root().render())
    boxes = detail_boxes(ILLINOIS)
    raw = {label.name for label in place_labels()} | {
        label.name for label in [*town_labels(boxes), *division_labels(boxes)]
    }
    shown = {label[2] for label in [*data["labels"], *data["world"]["labels"]]}
    assert shown == {escape(name) for name in raw}
    assert any("&#x27;" in name for name in shown)  # an apostrophe, as an entity


# --- what a map carries ---------------------------------------------------------------------


def test_a_us_map_carries_its_region_and_the_world(gazetteer: Gazetteer) -> None:
    fmap = folium.Map(tiles=None)
    outlines = folium.GeoJson({"type": "FeatureCollection", "features": []}).add_to(fmap)
    element = OfflineBaseMap(outlines, ILLINOIS)
    element.add_to(fmap)
    data = _script_data(fmap.get_root().render())
    assert len(data["detail"]["boxes"]) == 1
    (south, west), (north, east) = data["detail"]["boxes"][0]
    box = Box(south - 1e-3, west - 1e-3, north + 1e-3, east + 1e-3)
    assert all(box.contains(*point) for ring in data["detail"]["land"] for point in ring)
    assert all(box.contains(*point) for ring in data["detail"]["lakes"] for point in ring)
    for key in ("shores", "rivers", "borders", "states"):  # lines run on to just beyond it
        for line in data["detail"][key]:
            lats, lons = [p[0] for p in line], [p[1] for p in line]
            assert box.overlaps(Box(min(lats), min(lons), max(lats), max(lons))), key
    assert len(data["detail"]["states"]) > 10  # the lines between the Midwest's states
    assert data["detail"]["lakes"]  # Lake Michigan, water again (the land keeps lakes)
    assert len(data["detail"]["rivers"]) >= 3  # the Mississippi, Illinois, Ohio…
    assert data["world"]["land"] and data["world"]["borders"]
    names = {label[2] for label in data["labels"]}
    assert {"Chicago", "Peoria", "Quincy", "Illinois", "Missouri"} <= names
    assert "California" not in names  # divisions and towns of the region only
    assert "United States" in {label[2] for label in data["world"]["labels"]}  # every map's
    assert len(json.dumps(data)) < 400_000  # light enough to embed in every map


def test_the_labels_are_ranked_by_zoom_then_importance() -> None:
    """The script places them in this order (and merges the world's and the story's by
    zoom alone), so a label shown from a lower zoom, then a more important one, wins."""
    for labels in (
        world_data()["labels"],
        basemap.map_data(tuple(detail_boxes(ILLINOIS)))["labels"],
    ):
        zooms = [label[3] for label in labels]
        assert zooms == sorted(zooms)


def test_a_canadian_map_carries_the_lines_between_its_provinces() -> None:
    fmap = folium.Map(tiles=None)
    outlines = folium.GeoJson({"type": "FeatureCollection", "features": []}).add_to(fmap)
    OfflineBaseMap(outlines, OTTAWA_VALLEY).add_to(fmap)
    data = _script_data(fmap.get_root().render())

    (south, west), (north, east) = data["detail"]["boxes"][0]
    on_the_line = [  # the Ottawa River, between Ontario and Quebec, near -75.7 at 45.4
        line
        for line in data["detail"]["states"]
        if any(abs(lat - 45.4) < 0.3 and abs(lon + 75.7) < 0.5 for lat, lon in line)
    ]
    assert on_the_line, (south, west, north, east)


def test_build_map_adds_the_base_map_when_asked_only(seed_story: Story) -> None:
    with_world = build_map(seed_story, offline_map=True).get_root().render()
    assert "news-atlas-label" in with_world
    data = _script_data(with_world)
    boxes = [Box(s, w, n, e) for (s, w), (n, e) in data["detail"]["boxes"]]
    for lat, lon in story_points(seed_story):  # the detail is around the story's places
        assert any(box.contains(lat, lon) for box in boxes), (lat, lon)
    only = build_map(seed_story, tiles=None, offline_map=True).get_root().render()
    assert "news-atlas-label" in only
    plain = build_map(seed_story).get_root().render()
    assert "news-atlas-label" not in plain


def test_the_standalone_export_embeds_the_base_map(seed_story: Story) -> None:
    page = map_html(seed_story, offline_map=True)
    assert "news-atlas-label" in page
    data = _script_data(page)
    assert data["world"] == json.loads(world_json())  # the world too: nothing loaded later
    assert "var worldUrl = null;" in page


def test_a_map_with_a_world_url_links_the_world_instead_of_embedding_it(
    seed_story: Story,
) -> None:
    """The app's maps: the world's layer and names are fetched from the served file."""
    url = world_url("../../app/static/")
    assert re.fullmatch(r"\.\./\.\./app/static/basemap/world\.json\?v=[0-9a-f]{16}", url)
    linked = build_map(seed_story, offline_map=True, world_url=url).get_root().render()
    embedded = build_map(seed_story, offline_map=True).get_root().render()
    data = _script_data(linked)
    assert data["world"] is None
    assert f"var worldUrl = {json.dumps(url)};" in linked
    assert data["detail"] == _script_data(embedded)["detail"]  # the story's part stays
    coast = json.dumps(world_data()["land"][0][:3])[1:-1]  # a piece of the world's land
    assert coast in json.dumps(_script_data(embedded)) and coast not in linked
    assert len(embedded) - len(linked) > 100_000


def test_the_served_world_file_is_what_the_data_gives() -> None:
    """static/basemap/world.json is committed: made again, it would be the same."""
    assert WORLD_FILE.read_text(encoding="utf-8") == world_json()


def test_a_stale_world_file_is_refused_not_served(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    stale = tmp_path / "world.json"
    stale.write_text('{"land": []}\n', encoding="utf-8")
    monkeypatch.setattr(basemap, "WORLD_FILE", stale)
    world_url.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match=r"scripts/basemap\.py --world-only"):
            world_url("static/")
    finally:
        world_url.cache_clear()


# --- the data files -------------------------------------------------------------------------


def test_data_files_are_of_a_sensible_size() -> None:
    sizes = {path.name: path.stat().st_size for path in DATA_DIR.iterdir()}
    assert set(sizes) == {
        "borders-110m.json",
        "borders-50m.json",
        "divisions-50m.json",
        "divisions.csv",
        "labels.csv",
        "lakes-50m.json",
        "land-110m.json",
        "land-50m.json",
        "rivers-50m.json",
        "towns.csv",
        "us-states.json",
    }
    assert sum(sizes.values()) < 3.5 * 1024 * 1024
    assert sizes["land-110m.json"] + sizes["borders-110m.json"] < 150 * 1024  # in every map


def test_towns_file_is_sorted_by_population() -> None:
    with (DATA_DIR / "towns.csv").open(encoding="utf-8") as handle:
        populations = [int(row["population"]) for row in csv.DictReader(handle)]
    assert populations == sorted(populations, reverse=True)
    assert populations[-1] >= 10_000


# --- scripts/basemap.py, which makes data/basemap/ ------------------------------------------


script = load_script("basemap")  # it imports us_counties.py by name

# Two unit squares side by side, sharing the arc x = 1; quantized on a grid of 1 degree.
TWO_SQUARES = {
    "type": "Topology",
    "transform": {"scale": [1, 1], "translate": [0, 0]},
    "arcs": [
        [[1, 0], [0, 1]],  # 0: the shared edge, (1, 0) to (1, 1)
        [[1, 1], [-1, 0], [0, -1], [1, 0]],  # 1: the left square's other three edges
        [[1, 0], [1, 0], [0, 1], [-1, 0]],  # 2: the right square's other three edges
    ],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]]},
                {"type": "Polygon", "arcs": [[2, ~0]]},
            ],
        },
        "land": {"type": "MultiPolygon", "arcs": [[[0, 1]], [[2, ~0]]]},
        "rivers": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "LineString", "arcs": [0]},
                {"type": "MultiLineString", "arcs": [[1], [~2]]},
            ],
        },
    },
}


def test_shared_lines_are_the_borders_not_the_coasts() -> None:
    assert script.shared_lines(TWO_SQUARES, "countries", 2) == [[[0, 1], [1, 1]]]


def test_shared_lines_are_those_among_the_polygons_kept() -> None:
    first = TWO_SQUARES["objects"]["countries"]["geometries"][0]
    assert script.shared_lines(TWO_SQUARES, "countries", 2, keep=lambda g: g is first) == []


def test_river_lines_are_lat_lon_lines_one_per_part() -> None:
    lines = script.river_lines(TWO_SQUARES, 2)
    assert lines[0] == [[0, 1], [1, 1]]  # [lat, lon]: the shared edge, as drawn
    assert lines[2] == [[1, 1], [1, 2], [0, 2], [0, 1]]  # arc 2, reversed
    assert len(lines) == 3  # a MultiLineString gives a line per part


def test_land_rings_are_closed_lat_lon_rings() -> None:
    rings = script.land_rings(TWO_SQUARES, 2)
    assert rings[0] == [[0, 1], [1, 1], [1, 0], [0, 0], [0, 1]]  # [lat, lon], first = last
    assert len(rings) == 2


@pytest.mark.parametrize(
    ("ring", "lons"),
    [
        # Chukotka: starts west of the antimeridian, most of it east: the start moves east
        ([[65, -179], [65, 179], [60, 170], [60, 178], [65, -179]], [181, 179, 170, 178, 181]),
        # a small island drawn mostly at -180: all of it moves to the map's side it is on
        ([[-16, -180], [-17, 179], [-17, -180], [-16, -180]], [-180, -181, -180, -180]),
        # nothing to do
        ([[0, 10], [0, 20], [10, 20], [0, 10]], [10, 20, 20, 10]),
    ],
)
def test_rings_across_the_antimeridian_become_continuous(
    ring: list[list[float]], lons: list[float]
) -> None:
    assert [lon for _, lon in script.continuous(ring)] == lons


def test_committed_towns_and_labels_are_what_the_gazetteer_gives(gazetteer: Gazetteer) -> None:
    def read(name: str) -> list[dict[str, str]]:
        with (DATA_DIR / name).open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    def text(rows: list[dict[str, object]]) -> list[dict[str, str]]:
        return [{key: str(value) for key, value in row.items()} for row in rows]

    assert read("towns.csv") == text(script.towns(gazetteer))
    assert read("labels.csv") == text(script.labels(gazetteer))
    assert read("divisions.csv") == text(script.divisions(gazetteer))


def test_preload_reads_every_table_the_base_map_draws_from() -> None:
    """What the app's server reads while its workers load the model (app.py ``warm_up``)."""
    loaders = (basemap._lines, basemap._bounded, basemap._towns, basemap._divisions)
    for loader in (*loaders, place_labels, basemap.map_data, world_data):
        loader.cache_clear()
    preload()
    assert (
        basemap._lines.cache_info().currsize == 8
    )  # land, borders (twice), division lines (2), lakes, rivers
    assert basemap._bounded.cache_info().currsize == 6  # the detail: all but the world's two
    assert all(loader.cache_info().currsize == 1 for loader in (basemap._towns, basemap._divisions))
    assert place_labels.cache_info().currsize == 1
    assert world_data.cache_info().currsize == 1
