"""End to end: the offline base map of a US story, read at the zooms a reader reads it at
(the world's layer and names, which the app's map fetches from a static file, at zoom 3).

Tiles are blocked (see tests/browser.py), as with no network, so the map falls back to the
offline base map of :mod:`geo.basemap`, and says so. The story is our own, about towns in
Illinois and Missouri; screenshots of each zoom go to the test's temporary folder.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from geo import Geoparser, article_from_text
from geo.maps import _OfflineFallback, spots

from .browser import MAP_FRAME, Session, require_chromium

require_chromium()
pytestmark = pytest.mark.browser

US_STORY = (
    "Floodwaters rose along the Mississippi River on Tuesday, 14 May 2024, as heavy rain "
    "soaked Illinois and Missouri. In Quincy, Illinois, volunteers filled sandbags through "
    "the night, while officials in Hannibal, Missouri, closed the riverfront. Farther south, "
    "St. Louis opened its floodgates, and schools in Columbia, Missouri, stayed shut. The "
    "governor visited Springfield, Illinois, on Wednesday and promised help for Peoria."
)

#: What the map shows at one zoom, measured inside its frame: the map's rectangle, the pins'
#: points, each town label's rectangle, the state lines' rectangles (page pixels) and the
#: names of the states labelled.
_READ_MAP = """
(zoom) => new Promise((done) => {
    const frame = document.querySelector('MAP_FRAME');
    const inner = frame.contentWindow, doc = frame.contentDocument;
    const fmap = inner.map;
    const pins = Array.from(doc.querySelectorAll(".leaflet-marker-pane .awesome-marker"));
    const rect = (el) => { const r = el.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom]; };
    fmap.once("moveend", () => setTimeout(() => done({
        zoom: fmap.getZoom(),
        map: rect(doc.querySelector(".leaflet-container")),
        pins: pins.map((pin) => { const r = pin.getBoundingClientRect();
            return [(r.left + r.right) / 2, r.bottom]; }),
        towns: Array.from(doc.querySelectorAll(".news-atlas-label.town > span, "
            + ".news-atlas-label.capital > span")).map((span) => ({
                name: span.textContent, box: rect(span) })),
        states: Array.from(doc.querySelectorAll("path.news-atlas-state-line")).map(rect),
        rivers: Array.from(doc.querySelectorAll("path.news-atlas-river")).map(rect),
        divisions: Array.from(doc.querySelectorAll(".news-atlas-label.division > span"))
            .map((span) => span.textContent),
        background: inner.getComputedStyle(doc.querySelector(".leaflet-container"))
            .backgroundColor,
    }), 300));
    const lats = [], lons = [];
    fmap.eachLayer((layer) => { if (layer.getIcon && layer.options.pane === "markerPane") {
        lats.push(layer.getLatLng().lat); lons.push(layer.getLatLng().lng); } });
    const middle = [(Math.min(...lats) + Math.max(...lats)) / 2,
                    (Math.min(...lons) + Math.max(...lons)) / 2];
    fmap.setView(middle, zoom, {animate: false});
})
""".replace("MAP_FRAME", MAP_FRAME)


def _inside(point: tuple[float, float], box: list[float], margin: float = 0) -> bool:
    return (
        box[0] - margin <= point[0] <= box[2] + margin
        and box[1] - margin <= point[1] <= box[3] + margin
    )


def _overlap(a: list[float], b: list[float]) -> float:
    """The area two rectangles share, as a share of the smaller one's."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller


def _towns_around_pins(view: dict[str, Any]) -> list[str]:
    """Town labels inside the map and within 150 px of the pins' bounding box."""
    visible = [p for p in view["pins"] if _inside(p, view["map"])]
    xs, ys = [p[0] for p in visible], [p[1] for p in visible]
    around = [min(xs), min(ys), max(xs), max(ys)]
    return [
        town["name"]
        for town in view["towns"]
        if _inside(
            ((town["box"][0] + town["box"][2]) / 2, (town["box"][1] + town["box"][3]) / 2),
            view["map"],
        )
        and _inside((town["box"][0], town["box"][1]), around, margin=150)
    ]


#: The world's layer (fetched from static/basemap/world.json in the app) and the country
#: names drawn at a zoom of the whole continent.
_READ_WORLD = """
() => new Promise((done) => {
    const doc = document.querySelector('MAP_FRAME').contentDocument;
    const fmap = doc.defaultView.map;
    fmap.once("moveend", () => setTimeout(() => done({
        land: doc.querySelectorAll(".leaflet-newsAtlasWorld-pane path").length,
        countries: Array.from(doc.querySelectorAll(".news-atlas-label.country > span"))
            .map((span) => span.textContent),
    }), 300));
    fmap.setView([40, -95], 3, {animate: false});
})
""".replace("MAP_FRAME", MAP_FRAME)


def test_offline_us_story_shows_state_lines_and_towns_when_zoomed_in(
    session: Session, geoparser: Geoparser
) -> None:
    story = geoparser.analyse(article_from_text(US_STORY))
    assert {p.candidate.country_code for p in story.places} == {"US"}
    session.paste(US_STORY)
    session.markers(len(spots(story)))
    labels = session.frame.locator(".news-atlas-label")  # type: ignore[attr-defined]
    labels.first.wait_for(state="attached", timeout=30_000)  # the tiles failed: offline map
    notice = session.frame.locator(".news-atlas-offline[role=status]")  # type: ignore[attr-defined]
    expect(notice).to_have_text(_OfflineFallback.text)
    expect(notice).to_be_in_viewport()

    world = session.page.evaluate(_READ_WORLD)
    session.shot("zoom-3")
    assert world["land"] >= 3, world  # land, its shores and the borders
    assert {"United States", "Canada", "Mexico"} <= set(world["countries"]), world

    for zoom in (6, 7, 8):
        view = session.page.evaluate(_READ_MAP, zoom)
        session.shot(f"zoom-{zoom}")
        assert view["zoom"] == zoom
        assert view["background"] == "rgb(170, 211, 223)"  # the sea's colour: offline map
        towns = _towns_around_pins(view)
        assert len(towns) >= 5, (zoom, towns)
        boxes = [t["box"] for t in view["towns"]]
        for number, box in enumerate(boxes):  # every label can be read: none covers another
            assert all(_overlap(box, other) < 0.1 for other in boxes[number + 1 :]), (zoom, box)
        assert {"Illinois", "Missouri"} <= set(view["divisions"]), (zoom, view["divisions"])
        # the lines between Illinois, Missouri and their neighbours cross the map
        assert any(s[2] - s[0] > 50 and _overlap(s, view["map"]) > 0 for s in view["states"]), (
            zoom,
            view["states"],
        )
        # and rivers do (the Mississippi, the Illinois), from north to south
        assert any(r[3] - r[1] > 100 and _overlap(r, view["map"]) > 0 for r in view["rivers"]), (
            zoom,
            view["rivers"],
        )
