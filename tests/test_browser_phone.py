"""End to end on a phone (390×844, issue 15): the map comes first, inside the first screen;
its legend starts folded, and no control covers another (the scale bar ran over the
attribution); every source is on the page, not behind
the sidebar's unlabelled chevron; and "Next" walks the story, centring the map on each event.

The geometry is read from the page as a reader's phone lays it out (Chromium's own layout
at that viewport), not from the script."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, expect

from geo import Story
from geo.export import timeline

from .browser import MAP_FRAME, MARKERS, SEED_MARKERS, Session, close, require_chromium

require_chromium()
pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
#: The share of the map the folded legend may cover (folded, it is one short line).
LEGEND_SHARE = 0.05


@pytest.fixture
def phone(browser: object, server: str, tmp_path: Path) -> Iterator[Session]:
    tab = Session(
        browser, server, tmp_path, path="?sample=russia-north-korea-pact", viewport=(WIDTH, HEIGHT)
    )
    tab.markers(SEED_MARKERS)
    yield tab
    close(tab)


def _box(locator: object) -> dict[str, float]:
    box = locator.bounding_box()  # type: ignore[attr-defined]
    assert box is not None
    return dict(box)


def _overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """The area two boxes share, in square pixels."""
    width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(width, 0) * max(height, 0)


def test_on_a_phone_the_map_comes_first_and_its_legend_folds(phone: Session) -> None:
    page = phone.page
    page.evaluate("() => window.scrollTo(0, 0)")
    frame = _box(page.locator(MAP_FRAME))
    assert frame["y"] < HEIGHT
    assert HEIGHT - frame["y"] >= 0.5 * frame["height"], frame  # most of the map is on screen
    article = _box(page.locator(".news-atlas-article").first)
    assert frame["y"] < article["y"]  # the map before the article

    legend = _box(phone.frame.locator(".news-atlas-legend"))  # type: ignore[attr-defined]
    map_area = frame["width"] * frame["height"]
    assert legend["width"] * legend["height"] <= LEGEND_SHARE * map_area, legend
    controls = phone.frame.locator(".leaflet-control")  # type: ignore[attr-defined]
    boxes = [_box(controls.nth(i)) for i in range(controls.count())]
    assert len(boxes) >= 6  # zoom, scale, layers, legend, slider, attribution
    for first, second in itertools.combinations(boxes, 2):
        assert _overlap(first, second) == 0, (first, second)  # no control covers another

    phone.frame.get_by_text("Legend").click()  # type: ignore[attr-defined]
    opened = _box(phone.frame.locator(".news-atlas-legend"))  # type: ignore[attr-defined]
    assert opened["height"] > 2 * legend["height"]  # it unfolds on a tap

    for source in ("Paste text", "Upload a file", "Link to a web page"):
        expect(page.get_by_text(source, exact=True)).to_be_visible()  # no chevron to open
    phone.shot("phone")


def test_next_walks_the_story_and_centres_the_map(phone: Session, seed_story: Story) -> None:
    events = timeline(seed_story)
    next_button = phone.page.get_by_role("button", name="Next →")
    for index in (0, 1):
        next_button.click()
        phone.page.wait_for_function(
            f"() => new URLSearchParams(location.search).get('event') === '{index}'",
            timeout=60_000,
        )
        phone.settle()
        event = events[index]
        phone.page.wait_for_function(
            f"""() => {{
                const c = document.querySelector('{MAP_FRAME}').contentWindow.map.getCenter();
                return Math.abs(c.lat - {event.lat}) < 0.05 && Math.abs(c.lng - {event.lon}) < 0.05;
            }}""",
            timeout=30_000,
        )
        expect(phone.page.get_by_text(f"Event {index + 1} of {len(events)}")).to_be_visible()
    phone.shot("story-step")


#: The open popup, the zoom buttons, the layer control's toggle and the map, as boxes in the
#: map's own frame (the page scrolls as the evidence below the map changes).
_POPUP_AND_CONTROLS = """() => {
    const box = element => {
        const b = element.getBoundingClientRect();
        return {x: b.x, y: b.y, width: b.width, height: b.height};
    };
    const popup = document.querySelector(".leaflet-popup");
    return {
        popup: popup && box(popup),
        zoom: box(document.querySelector(".leaflet-control-zoom")),
        layers: box(document.querySelector(".leaflet-control-layers")),
        map: box(map.getContainer()),
    };
}"""


def _once_still(phone: Session, body: Locator) -> dict[str, Any]:
    """The popup's and the controls' boxes once they have stopped moving: the same in two
    readings 150 ms apart (the app's move of the map to the focus, then the popup's own pan,
    can take longer than a fixed wait on a busy machine), or the last reading after 6 s."""
    boxes = body.evaluate(_POPUP_AND_CONTROLS)
    for _ in range(40):
        phone.page.wait_for_timeout(150)
        boxes, before = body.evaluate(_POPUP_AND_CONTROLS), boxes
        if boxes == before:
            break
    return boxes  # type: ignore[no-any-return]


def test_on_a_phone_no_popup_covers_the_zoom_buttons(phone: Session) -> None:
    """The popups of the markers nearest the zoom buttons, once the app has put each in
    focus and moved the map to it, leave the zoom buttons and the layer control free and
    stay within the map's width (at 360 px a popup ran past both sides of a phone's map,
    over the zoom buttons). (Each tap reruns the app: three markers, not all fifteen.)"""
    markers = phone.frame.locator(MARKERS)  # type: ignore[attr-defined]
    body = phone.frame.locator("body")  # type: ignore[attr-defined]
    corners = markers.evaluate_all(
        "icons => icons.map(i => Math.hypot(i.getBoundingClientRect().x,"
        " i.getBoundingClientRect().y))"
    )
    nearest = sorted(range(len(corners)), key=corners.__getitem__)[:3]
    for index in nearest:
        markers.nth(index).dispatch_event("click")  # as a tap, wherever the page has scrolled
        phone.settle_fully()
        boxes = _once_still(phone, body)  # the map's move to the focus, and the popup's pan
        popup, zoom, layers, area = boxes["popup"], boxes["zoom"], boxes["layers"], boxes["map"]
        assert popup is not None, index
        assert _overlap(popup, zoom) == 0, (index, popup, zoom)
        assert _overlap(popup, layers) == 0, (index, popup, layers)
        assert area["x"] <= popup["x"] and popup["x"] + popup["width"] <= area["width"], popup
        body.evaluate("() => map.closePopup()")
    phone.shot("popups")
