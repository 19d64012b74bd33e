"""Accessibility of the sample's page in a real Chromium (issue 15): axe-core finds nothing
serious or critical on the page nor in the map's frame, on a wide screen and on a phone;
every marker has a name; Tab reaches the map's controls before its markers and stops on no
unnamed shape; and a skip link takes a keyboard user past the article's mentions.

axe-core is vendored from npm (tests/vendor/, see scripts/vendor-axe.sh) and injected into
each frame: streamlit-folium draws the map in an iframe, which axe run on the page only sees
from outside.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import (
    AXE,
    MARKERS,
    ROOT,
    SEED_MARKERS,
    Session,
    axe_violations,
    close,
    require_chromium,
)

require_chromium()
pytestmark = pytest.mark.browser

SAMPLE = "?sample=russia-north-korea-pact"
#: The impacts the issue's goal allows none of.
GRAVE = ("serious", "critical")

#: Where the keyboard's focus is: inside the map's frame or not, the element's tag, classes
#: and accessible name as written on it (aria-label, else its text).
_FOCUS = """() => {
    let doc = document, element = doc.activeElement, inMap = false;
    while (element && element.tagName === "IFRAME") {
        inMap = inMap || element.title === "streamlit_folium.st_folium";
        doc = element.contentDocument;
        element = doc.activeElement;
    }
    while (element && element.shadowRoot && element.shadowRoot.activeElement) {
        element = element.shadowRoot.activeElement;
    }
    const label = element.getAttribute("aria-label") || (element.textContent || "").trim();
    return {inMap: inMap, tag: element.tagName.toLowerCase(),
            classes: String(element.className.baseVal ?? element.className),
            label: label.replace(/\\s+/g, " ").slice(0, 80)};
}"""


def test_axe_core_is_the_pinned_release() -> None:
    """The vendored file is the one the vendoring script pins (and the README records)."""
    script = (ROOT / "scripts" / "vendor-axe.sh").read_text(encoding="utf-8")
    pinned = re.search(r"^AXE_SHA256=([0-9a-f]{64})", script, re.MULTILINE)
    version = re.search(r"^AXE=(\S+)", script, re.MULTILINE)
    assert pinned and version
    assert AXE.parent.name == f"axe-core@{version.group(1)}"
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == pinned.group(1)
    assert (AXE.parent / "LICENSE").is_file()
    assert pinned.group(1) in (ROOT / "tests" / "vendor" / "README.md").read_text(encoding="utf-8")


def _open(browser: object, server: str, shots: Path, viewport: tuple[int, int]) -> Session:
    tab = Session(browser, server, shots, path=SAMPLE, viewport=viewport)
    tab.markers(SEED_MARKERS)
    tab.settle_fully()
    return tab


@pytest.fixture
def wide(browser: object, server: str, tmp_path: Path) -> Iterator[Session]:
    tab = _open(browser, server, tmp_path, (1400, 1000))
    yield tab
    close(tab)


@pytest.mark.parametrize("viewport", [(1400, 1000), (390, 844)], ids=["wide", "phone"])
def test_axe_finds_nothing_serious_on_the_page_nor_in_the_map(
    browser: object, server: str, tmp_path: Path, viewport: tuple[int, int]
) -> None:
    tab = _open(browser, server, tmp_path, viewport)
    for where, frame in (("page", tab.page.main_frame), ("map", tab.map_frame)):
        grave = [v for v in axe_violations(frame) if v["impact"] in GRAVE]
        assert grave == [], (where, grave)
    close(tab)


def test_every_marker_is_named_by_its_tooltip(wide: Session) -> None:
    markers = wide.frame.locator(MARKERS)  # type: ignore[attr-defined]
    names = markers.evaluate_all("icons => icons.map(i => i.getAttribute('aria-label'))")
    assert len(names) == SEED_MARKERS and all(names), names
    assert any(name.startswith("Pyongyang · ") for name in names)
    assert any("warning shots" in name for name in names)  # the border incident's event
    assert len(set(names)) == len(names)  # each told apart by its name alone


def _tab(session: Session, times: int) -> list[dict[str, Any]]:
    stops = []
    for _ in range(times):
        session.page.keyboard.press("Tab")
        stops.append(session.page.evaluate(_FOCUS))
    return stops


def test_the_skip_link_passes_the_article_and_the_map_is_reached_in_order(
    wide: Session,
) -> None:
    page = wide.page
    page.evaluate("() => window.scrollTo(0, 0)")
    skip = page.locator(".news-atlas-skip")
    skip.focus()
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and 0 <= box["y"] < 1000  # shown while it has the focus
    page.keyboard.press("Enter")
    stops = _tab(wide, 2 + 12 + SEED_MARKERS)
    # past the article's highlighted mentions: the layer pills, then into the map
    assert not stops[0]["inMap"] and stops[0]["label"] == "Places", stops[0]
    in_map = [stop for stop in stops if stop["inMap"]]
    assert in_map and stops.index(in_map[0]) == 1
    labels = [stop["label"] for stop in in_map]
    markers = [i for i, stop in enumerate(in_map) if "awesome-marker" in stop["classes"]]
    # the controls first, then every marker, each with its name, and no shape in between
    assert labels.index("Zoom in") < markers[0] and "Legend" in labels[: markers[0]]
    assert len(markers) == SEED_MARKERS, labels
    assert markers == list(range(markers[0], markers[0] + SEED_MARKERS))
    assert all(in_map[i]["label"] for i in markers)
    assert not [stop for stop in in_map if stop["tag"] == "path"]
