"""End to end: the real Streamlit server and a real Chromium, as a user would use them.

Every request that does not go to the local server is blocked, so these tests also prove the
map needs no CDN: only map tiles are ever asked of the outside world (and stay grey).
Screenshots of each step go to the test's temporary folder.

Needs Debian's ``chromium`` (``.ci/run`` installs it); Playwright drives it through
``executable_path`` (Playwright's own browser download does not work here).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from geo import Geoparser, Story, article_from_text
from geo.maps import MARKS, spots

from .browser import MARKERS, SEED_MARKERS, Session, require_chromium

require_chromium()
pytestmark = pytest.mark.browser

KENYA = (
    "Floods hit Nairobi, the capital of Kenya, on Monday. "
    "Rescue teams were sent from Mombasa on the coast."
)


def _expected_markers(geoparser: Geoparser, text: str) -> int:
    return len(spots(geoparser.analyse(article_from_text(text))))


def test_seed_map_shows_every_place_and_event(session: Session, seed_story: Story) -> None:
    count = len(spots(seed_story))
    session.markers(count)
    assert count == SEED_MARKERS
    # the link lines and shaded countries
    paths = session.frame.locator(".leaflet-overlay-pane path")  # type: ignore[attr-defined]
    expect(paths).not_to_have_count(0)
    # tiles are blocked here, as with no network: the map falls back to its offline base
    # map, the world's land (fetched from static/basemap/world.json) drawn in a pane of its
    # own on a sea-coloured map
    land = session.frame.locator(".leaflet-newsAtlasWorld-pane path")  # type: ignore[attr-defined]
    expect(land).not_to_have_count(0, timeout=30_000)
    session.shot("seed")


def test_clicking_the_border_incident_opens_its_sentence(session: Session) -> None:
    markers = session.markers(SEED_MARKERS)
    # events: red where no place is, a calendar on the place's marker where one is
    events = session.frame.locator(f"{MARKERS}:has(.fa-calendar)")  # type: ignore[attr-defined]
    texts = []
    for i in range(events.count()):
        events.nth(i).dispatch_event("click")
        popup = session.frame.locator(".leaflet-popup-content").last  # type: ignore[attr-defined]
        expect(popup).to_be_visible()
        texts.append(popup.inner_text())
    session.shot("event-popup")
    assert markers.count() == SEED_MARKERS
    assert len(texts) == 4  # the border incident, Pyongyang, the Korean Peninsula, Ukraine
    border = [t for t in texts if "warning shots" in t]
    assert border and "Korean Demilitarized Zone" in border[0] and "20 June 2024" in border[0]
    [pyongyang] = [t for t in texts if t.startswith("Pyongyang")]
    assert "19 June 2024 · Putin" in pyongyang  # the place's evidence, then its event


def test_pasting_an_article_changes_the_map(session: Session, geoparser: Geoparser) -> None:
    session.markers(SEED_MARKERS)
    session.paste(KENYA)
    page = session.page
    session.markers(_expected_markers(geoparser, KENYA))
    session.shot("pasted")
    assert page.locator("mark", has_text="Nairobi").count() == 1
    assert page.locator("mark", has_text="Pyongyang").count() == 0


def test_uploading_an_article_changes_the_map(
    session: Session, geoparser: Geoparser, tmp_path: Path
) -> None:
    session.markers(SEED_MARKERS)
    upload = tmp_path / "kenya.html"
    upload.write_text(f"<html><body><script>alert(1)</script><p>{KENYA}</p></body></html>")
    page = session.page
    page.get_by_text("Upload a file").click()
    session.settle()
    page.locator("input[type=file]").set_input_files(str(upload))
    session.settle()
    session.markers(_expected_markers(geoparser, KENYA))
    session.shot("uploaded")
    assert page.locator("mark", has_text="Mombasa").count() == 1


def test_geojson_download_is_valid(session: Session) -> None:
    session.markers(SEED_MARKERS)
    with session.page.expect_download() as download:
        session.page.get_by_role("button", name="GeoJSON").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in data["features"]}
    assert {"Pyongyang", "Seoul", "Moscow"} <= names
    assert any(f["properties"].get("date") == "2024-06-20" for f in data["features"])


def test_html_map_download_is_a_standalone_page(session: Session) -> None:
    session.markers(SEED_MARKERS)
    with session.page.expect_download() as download:
        session.page.get_by_role("button", name="Map (HTML)").click()
    page = Path(download.value.path()).read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "<script src=" not in page  # scripts inlined: it opens from a file, offline
    assert page.count("L.marker(") == SEED_MARKERS


def test_timeline_slider_steps_through_the_dated_events(session: Session) -> None:
    """The slider (leaflet.timeline, served locally) renders inside st_folium; its buttons
    move from event to event, ringing each where it happened, and it goes with its layer."""
    session.markers(SEED_MARKERS)
    frame = session.frame
    control = frame.locator(".leaflet-timeline-control")  # type: ignore[attr-defined]
    expect(control).to_be_visible()
    label = control.locator("output.time-text")
    expect(label).to_have_text("1953")  # it starts with the Korean War's year
    rings = frame.locator(  # type: ignore[attr-defined]
        f'.leaflet-overlay-pane path[stroke="{MARKS["event"].color}"]'
        f'[stroke-dasharray="{MARKS["event"].dash}"]'
    )
    expect(rings).to_have_count(1)
    shown = []
    for _ in range(7):  # each event's first and last moment
        control.locator("button.next").click()
        shown.append(label.inner_text())
        expect(rings).to_have_count(1)
    assert shown == [
        "1953",
        "2022",
        "2022",
        "19 June 2024",
        "19 June 2024",
        "20 June 2024",
        "20 June 2024",
    ]
    rings.first.dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content").last  # type: ignore[attr-defined]
    expect(popup).to_contain_text("warning shots")
    assert popup.inner_text().startswith("20 June 2024 · ")
    assert "Korean Demilitarized Zone" in popup.inner_text()
    session.shot("timeline")
    assert session.markers(SEED_MARKERS).count() == SEED_MARKERS  # rings, not more markers

    # Play from the start: its steps are 26 days on this axis, yet it stops at the two
    # one-day events of June 2024 and rings each (the plugin alone steps over both)
    control.locator("button.play").click()
    for day in ("2022", "19 June 2024", "20 June 2024"):
        expect(label).to_have_text(day, timeout=30_000)
        expect(rings).to_have_count(1)
    expect(control).not_to_have_class(re.compile(r"\bplaying\b"), timeout=10_000)

    switch = frame.locator("label", has_text="Events over time").locator("input")  # type: ignore[attr-defined]
    switch.dispatch_event("click")
    expect(control).to_be_hidden()
    expect(rings).to_have_count(0)
    switch.dispatch_event("click")
    expect(control).to_be_visible()
