"""The story map as a reader first sees it, in a real Chromium: every marker of the sample
told apart (no icon covering more than a quarter of another, each one on top where it
stands), on a wide screen and on a phone; the rings and lines drawn apart and explained;
dates as the article gave them; a word when the street map cannot be loaded; and the
map's scripts fetched side by side.

Like ``test_browser.py``, every request that does not go to the local server is blocked
(so the street map's tiles fail here, as with no network).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from geo import Story
from geo.maps import CLUSTER_ABOVE, CLUSTER_UNTIL, MARKS, _OfflineFallback, map_html, spots

from .browser import MAP_FRAME, Session, close, require_chromium
from .geometry import overlap_share
from .stories import crowded

require_chromium()
pytestmark = pytest.mark.browser

SAMPLE = "?sample=russia-north-korea-pact"

#: Each marker the map shows: its tooltip's text, its icon's box (x, y, width, height, in
#: the page), and whether the icon is what the page shows at its own centre (nothing on it).
_ICONS = """
() => {
    const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
    const win = frame.contentWindow, doc = frame.contentDocument;
    const at = frame.getBoundingClientRect();
    const icons = [];
    win.map.eachLayer(layer => {
        // the story's markers and clusters; the offline base map's labels have a pane of theirs
        if (!(layer instanceof win.L.Marker) || !layer._icon) return;
        if (layer.options.pane !== "markerPane") return;
        const box = layer._icon.getBoundingClientRect();
        const top = doc.elementFromPoint(box.x + box.width / 2, box.y + box.height / 3);
        const tip = layer.getTooltip();
        const span = doc.createElement("span");
        span.innerHTML = tip ? tip.getContent() : "";
        icons.push({
            tooltip: span.textContent.trim().replace(/\\s+/g, " "),
            box: [at.x + box.x, at.y + box.y, box.width, box.height],
            onTop: layer._icon.contains(top),
        });
    });
    return icons;
}
"""


def icons(session: Session, count: int) -> list[dict[str, Any]]:
    """The map's marker icons once there are ``count`` of them and the view has settled."""
    session.markers(count)
    session.page.wait_for_function(
        f"() => document.querySelector('{MAP_FRAME}').contentWindow.map._loaded", timeout=30_000
    )
    session.page.wait_for_timeout(500)  # the view's fitting and fanning out, after the load
    found: list[dict[str, Any]] = session.page.evaluate(_ICONS)
    return found


def assert_told_apart(found: list[dict[str, Any]], story: Story) -> None:
    """Every place and the border incident have a marker of their own that a reader can see
    and click: no icon covers more than a quarter of another, and each is on top at its
    own centre (no icon, legend or slider over it)."""
    tips = [icon["tooltip"] for icon in found]
    for place in story.places:
        assert any(t.startswith(f"{place.name} · ") for t in tips), place.name
    assert any("warning shots" in t for t in tips)
    for first, second in itertools.combinations(found, 2):
        share = overlap_share(first["box"], second["box"])
        assert share <= 0.25, f"{first['tooltip']!r} and {second['tooltip']!r}: {share:.0%}"
    hidden = [icon["tooltip"] for icon in found if not icon["onTop"]]
    assert not hidden, f"covered: {hidden}"


@pytest.fixture
def wide(browser: object, server: str, tmp_path: Path) -> Iterator[Session]:
    tab = Session(browser, server, tmp_path, path=SAMPLE, viewport=(1440, 900))
    yield tab
    close(tab)


@pytest.fixture
def phone(browser: object, server: str, tmp_path: Path) -> Iterator[Session]:
    tab = Session(browser, server, tmp_path, path=SAMPLE, viewport=(390, 844))
    yield tab
    close(tab)


def test_first_view_tells_every_place_and_the_border_incident_apart(
    wide: Session, seed_story: Story
) -> None:
    found = icons(wide, len(spots(seed_story)))
    wide.shot("first-view")
    assert len(found) == len(seed_story.places) + 1  # the other events share a place's marker
    assert_told_apart(found, seed_story)
    frame = wide.page.locator(MAP_FRAME).bounding_box()
    assert frame is not None
    for icon in found:  # all inside the map, none cut off by its edges
        x, y, width, height = icon["box"]
        assert frame["x"] <= x and x + width <= frame["x"] + frame["width"], icon["tooltip"]
        assert frame["y"] <= y and y + height <= frame["y"] + frame["height"], icon["tooltip"]
    assert 1 <= wide.map_view()[2] <= 8  # fitted to the places, not the default world view


def test_first_view_on_a_phone_tells_them_apart_too(phone: Session, seed_story: Story) -> None:
    found = icons(phone, len(spots(seed_story)))
    phone.page.locator(MAP_FRAME).scroll_into_view_if_needed()
    phone.shot("first-view-phone")
    for first, second in itertools.combinations(found, 2):
        assert overlap_share(first["box"], second["box"]) <= 0.25


def test_zooming_in_and_out_keeps_them_apart(wide: Session, seed_story: Story) -> None:
    count = len(spots(seed_story))
    icons(wide, count)
    body = wide.frame.locator("body")  # type: ignore[attr-defined]
    for zoom in (3, 5, 1):
        body.evaluate(f"() => map.setZoom({zoom}, {{animate: false}})")
        wide.page.wait_for_timeout(300)
        found = wide.page.evaluate(_ICONS)
        assert len(found) == count
        for first, second in itertools.combinations(found, 2):
            assert overlap_share(first["box"], second["box"]) <= 0.25, zoom


def test_rings_and_lines_are_drawn_apart_and_explained(wide: Session, seed_story: Story) -> None:
    icons(wide, len(spots(seed_story)))
    frame = wide.frame
    slider_ring = frame.locator(  # type: ignore[attr-defined]
        f'.leaflet-overlay-pane path[stroke="{MARKS["event"].color}"]'
        f'[stroke-dasharray="{MARKS["event"].dash}"]'
    )
    expect(slider_ring).to_have_count(1)  # 1953: the Korean War
    wide.page.locator("mark.place[data-key='gn:1835848']").first.click()  # Seoul
    focus = frame.locator(  # type: ignore[attr-defined]
        f'.leaflet-overlay-pane path[stroke="{MARKS["focus"].color}"]'
    )
    expect(focus).to_have_count(1, timeout=60_000)
    assert focus.get_attribute("stroke-dasharray") is None  # solid, unlike the slider's ring
    legend = frame.locator(".news-atlas-legend")  # type: ignore[attr-defined]
    for mark in MARKS.values():
        expect(legend).to_contain_text(mark.label)
    expect(legend.locator("svg")).to_have_count(len(MARKS))
    wide.shot("rings")


def test_dates_read_as_the_article_wrote_them(wide: Session, seed_story: Story) -> None:
    icons(wide, len(spots(seed_story)))
    label = wide.frame.locator(".leaflet-timeline-control output.time-text")  # type: ignore[attr-defined]
    expect(label).to_have_text("1953")
    timeline = wide.page.get_by_role("radiogroup", name="Timeline")
    expect(timeline).to_contain_text("19 June 2024 · ")
    assert "2024-06-19" not in timeline.inner_text() and "1953-01-01" not in label.inner_text()


def test_the_reader_is_told_the_street_map_is_unavailable(wide: Session, seed_story: Story) -> None:
    icons(wide, len(spots(seed_story)))  # tiles are blocked here, as with no network
    notice = wide.frame.locator(".news-atlas-offline")  # type: ignore[attr-defined]
    expect(notice).to_be_visible(timeout=30_000)
    expect(notice).to_have_text(_OfflineFallback.text)
    expect(notice).to_have_attribute("role", "status")


#: How the map's frame fetched each vendored script: by the preload hints (``link``) or
#: by st_folium's script tags one after another (``script``).
_SCRIPT_FETCHES = """
() => document.querySelector('MAP_FRAME').contentWindow.performance
    .getEntriesByType("resource")
    .filter((entry) => entry.name.includes("/app/static/vendor/") && entry.name.endsWith(".js"))
    .map((entry) => [entry.name.split("/vendor/")[1], entry.initiatorType])
""".replace("MAP_FRAME", MAP_FRAME)


def test_the_maps_scripts_are_fetched_side_by_side(wide: Session, seed_story: Story) -> None:
    """folium_component's preloader asks for them all at once (st_folium alone would ask
    for each only once the one before has run); each is fetched once."""
    icons(wide, len(spots(seed_story)))
    fetches = wide.page.evaluate(_SCRIPT_FETCHES)
    assert {name.split("/")[0] for name, _ in fetches} >= {"leaflet@1.9.3", "jquery@3.7.1"}
    assert all(how == "link" for _, how in fetches), fetches
    assert len({name for name, _ in fetches}) == len(fetches), fetches


def test_a_crowded_map_clusters_then_fans_out(
    browser: object, seed_story: Story, tmp_path: Path
) -> None:
    """Over CLUSTER_ABOVE markers, the first view shows clusters, none over another; from
    CLUSTER_UNTIL every marker is shown, fanned out. In the standalone export, offline."""
    many = crowded(seed_story, CLUSTER_ABOVE + 10)
    page_file = tmp_path / "crowded.html"
    page_file.write_text(map_html(many, tiles=None), encoding="utf-8")
    context = browser.new_context(viewport={"width": 900, "height": 600})  # type: ignore[attr-defined]
    context.route("http*://**/*", lambda route: route.abort())  # only the file itself
    page = context.new_page()
    try:
        page.goto(page_file.as_uri())
        shown = ".leaflet-marker-pane .awesome-marker, .leaflet-marker-pane .marker-cluster"
        expect(page.locator(".leaflet-marker-pane .marker-cluster").first).to_be_visible()
        boxes = page.eval_on_selector_all(shown, _BOXES)
        assert len(boxes) < CLUSTER_ABOVE  # clustered at first
        for first, second in itertools.combinations(boxes, 2):
            assert overlap_share(first, second) <= 0.25
        page.wait_for_timeout(1000)  # the first view's zoom animation, if any, is over
        zoom = page.evaluate(
            "() => { const map = Object.values(window).find(v => v instanceof L.Map);"
            f" map.setZoom({CLUSTER_UNTIL}, {{animate: false}}); return map.getZoom(); }}"
        )
        assert zoom == CLUSTER_UNTIL
        expect(page.locator(".leaflet-marker-pane .awesome-marker")).to_have_count(len(spots(many)))
        boxes = page.eval_on_selector_all(shown, _BOXES)
        for first, second in itertools.combinations(boxes, 2):
            assert overlap_share(first, second) <= 0.25
        page.screenshot(path=str(tmp_path / "crowded.png"))
    finally:
        context.close()


#: Each element's box (x, y, width, height), for ``eval_on_selector_all``.
_BOXES = (
    "els => els.map(e => { const r = e.getBoundingClientRect(); "
    "return [r.x, r.y, r.width, r.height]; })"
)


def test_a_place_with_events_shows_while_either_layer_does(
    wide: Session, seed_story: Story
) -> None:
    """Pyongyang (with the pact) stays while Places or Events is on in the layer control."""
    markers = wide.markers(len(spots(seed_story)))
    with_events = [s for s in spots(seed_story) if s.place and s.events]
    alone = [s for s in spots(seed_story) if s.place is None]
    frame = wide.frame

    def switch(name: str) -> None:
        label = frame.locator("label", has_text=re.compile(rf"^\s*{name}\s*$"))  # type: ignore[attr-defined]
        label.locator("input").dispatch_event("click")

    switch("Places")
    expect(markers).to_have_count(len(with_events) + len(alone))
    switch("Events")
    expect(markers).to_have_count(0)
    switch("Places")
    expect(markers).to_have_count(len(seed_story.places))
    switch("Events")
    expect(markers).to_have_count(len(spots(seed_story)))
    found = wide.page.evaluate(_ICONS)  # fanned out again once all are back
    for first, second in itertools.combinations(found, 2):
        assert overlap_share(first["box"], second["box"]) <= 0.25
