"""End to end: the real Streamlit server and a real Chromium, as a user would use them.

Every request that does not go to the local server is blocked, so these tests also prove the
map needs no CDN: only map tiles are ever asked of the outside world (and stay grey).
Screenshots of each step go to the test's temporary folder.

Needs Debian's ``chromium`` (``.ci/run`` installs it); Playwright drives it through
``executable_path`` (Playwright's own browser download does not work here).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from geo import Geoparser, article_from_text

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
KENYA = (
    "Floods hit Nairobi, the capital of Kenya, on Monday. "
    "Rescue teams were sent from Mombasa on the coast."
)
MARKERS = ".leaflet-marker-pane .awesome-marker"  # folium.Icon markers (shadows excluded)
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
TILE_HOSTS = ("tile.openstreetmap.org",)

if CHROMIUM is None:
    if os.environ.get("CI"):  # CI installs chromium: its absence is a failure, not a skip
        raise RuntimeError("chromium is not installed; .ci/run should have installed it")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``streamlit run app.py`` on a free local port, until the module's tests are done."""
    port = _free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed below; a pipe could stall the server)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    error = log.read().decode(errors="replace")
                    raise RuntimeError(f"streamlit did not start: {error[-2000:]}") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        )  # fmt: skip
        yield chromium
        chromium.close()


class Session:
    """One user's tab, with every outside request blocked and recorded."""

    def __init__(self, browser: object, url: str, shots: Path) -> None:
        self.context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        self.blocked: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.shots = shots
        self.step = 0
        self.page.goto(url)
        self.settle()

    def _route(self, route: object) -> None:
        request_url = route.request.url  # type: ignore[attr-defined]
        host = urlparse(request_url).hostname or ""
        if host in ("127.0.0.1", "localhost") or request_url.startswith(("data:", "blob:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            self.blocked.append(request_url)
            route.abort()  # type: ignore[attr-defined]

    def settle(self) -> None:
        self.page.wait_for_selector(
            "[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000
        )

    @property
    def frame(self) -> object:
        return self.page.frame_locator(MAP_FRAME)

    def markers(self, count: int) -> object:
        """The map's markers, once there are ``count`` of them."""
        locator = self.frame.locator(MARKERS)  # type: ignore[attr-defined]
        sync_api.expect(locator).to_have_count(count, timeout=60_000)
        return locator

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(self.shots / f"{self.step:02d}-{name}.png"), full_page=True)


@pytest.fixture
def session(browser: object, server: str, tmp_path: Path) -> Iterator[Session]:
    tab = Session(browser, server, tmp_path)
    yield tab
    tab.context.close()
    outside = [u for u in tab.blocked if urlparse(u).hostname not in TILE_HOSTS]
    assert not outside, f"the page asked the outside world for more than tiles: {outside[:5]}"


def _expected_markers(geoparser: Geoparser, text: str) -> int:
    story = geoparser.analyse(article_from_text(text))
    return len(story.places) + len(story.events)


def test_seed_map_shows_every_place_and_event(session: Session, seed_story: object) -> None:
    count = len(seed_story.places) + len(seed_story.events)  # type: ignore[attr-defined]
    session.markers(count)
    session.shot("seed")
    assert count == 18


def test_clicking_the_border_incident_opens_its_sentence(session: Session) -> None:
    markers = session.markers(18)
    events = session.frame.locator(f"{MARKERS}.awesome-marker-icon-red")  # type: ignore[attr-defined]
    texts = []
    for i in range(events.count()):
        events.nth(i).dispatch_event("click")
        popup = session.frame.locator(".leaflet-popup-content").last  # type: ignore[attr-defined]
        sync_api.expect(popup).to_be_visible()
        texts.append(popup.inner_text())
    session.shot("event-popup")
    assert markers.count() == 18
    border = [t for t in texts if "warning shots" in t]
    assert border and "Korean Demilitarized Zone" in border[0] and "2024-06-20" in border[0]


def test_pasting_an_article_changes_the_map(session: Session, geoparser: Geoparser) -> None:
    session.markers(18)
    page = session.page
    page.get_by_text("Paste text").click()
    session.settle()
    page.get_by_label("Paste an English news article").fill(KENYA)
    page.get_by_role("button", name="Map this article").click()
    session.settle()
    session.markers(_expected_markers(geoparser, KENYA))
    session.shot("pasted")
    assert page.locator("mark", has_text="Nairobi").count() == 1
    assert page.locator("mark", has_text="Pyongyang").count() == 0


def test_uploading_an_article_changes_the_map(
    session: Session, geoparser: Geoparser, tmp_path: Path
) -> None:
    session.markers(18)
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
    session.markers(18)
    with session.page.expect_download() as download:
        session.page.get_by_role("button", name="GeoJSON").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in data["features"]}
    assert {"Pyongyang", "Seoul", "Moscow"} <= names
    assert any(f["properties"].get("date") == "2024-06-20" for f in data["features"])
