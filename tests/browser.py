"""What the browser tests share: the real Streamlit server, Debian's Chromium driven by
Playwright, and a user's tab that blocks and records every request leaving the machine."""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
KENYA = (
    "Floods hit Nairobi, the capital of Kenya, on Monday. "
    "Rescue teams were sent from Mombasa on the coast."
)
MARKERS = ".leaflet-marker-pane .awesome-marker"  # folium.Icon markers (shadows excluded)
#: The sample's markers: its 14 places (three with events, in their markers) and the border
#: incident, the one event where no place of the story is (see geo.maps.spots).
SEED_MARKERS = 15
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: axe-core, vendored from npm by scripts/vendor-axe.sh (see tests/vendor/README.md).
AXE = ROOT / "tests" / "vendor" / "axe-core@4.14.1" / "axe.min.js"
TILE_HOSTS = ("tile.openstreetmap.org",)


def require_chromium() -> None:
    """Skip the calling test module where chromium is missing, except in CI (which installs
    it, so there its absence is a failure)."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            raise RuntimeError("chromium is not installed; .ci/run should have installed it")
        pytest.skip("Debian's chromium is not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: The process id of each server :func:`serve` runs, by its URL.
SERVERS: dict[str, int] = {}


def serve(env: Mapping[str, str] | None = None, root: Path = ROOT) -> Iterator[str]:
    """``streamlit run app.py`` on a free local port, until the module's tests are done; with
    ``env`` added to its environment, and the app of the checkout at ``root``. Its process
    id is in :data:`SERVERS` meanwhile."""
    port = _free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed below; a pipe could stall the server)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
            # no reloading under test: the watcher re-adds every watch when its inotify queue
            # overflows, which took most of a core while other work wrote files
            "--server.fileWatcherType", "none",
        ],
        cwd=root,
        env={**os.environ, **(env or {})},
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
        SERVERS[url] = process.pid
        yield url
    finally:
        SERVERS.pop(url, None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def launch() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
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

    def __init__(
        self,
        browser: object,
        url: str,
        shots: Path,
        *,
        path: str = "",
        viewport: tuple[int, int] = (1400, 1000),
    ) -> None:
        self.url = url
        self.context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True
        )
        self.blocked: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.shots = shots
        self.step = 0
        self.page.goto(url + path)
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
        from playwright.sync_api import expect

        expect(locator).to_have_count(count, timeout=60_000)
        return locator

    @property
    def map_frame(self) -> object:
        """The map's frame itself (a Playwright ``Frame``), to run scripts in."""
        handle = self.page.locator(MAP_FRAME).element_handle()  # type: ignore[attr-defined]
        return handle.content_frame()

    def settle_fully(self) -> None:
        """Wait until the script has run and nothing on the page is stale: a map drawn anew
        reports its state once, which reruns the script, and Streamlit fades what the run
        has not drawn again yet (which reads as low contrast)."""
        self.page.wait_for_timeout(500)  # time for that rerun to start
        self.settle()
        self.page.wait_for_function(
            "() => !document.querySelector('[data-stale=true]')", timeout=30_000
        )

    def map_view(self) -> tuple[float, float, int]:
        """The map's centre and zoom level, as Leaflet has them now."""
        body = self.frame.locator("body")  # type: ignore[attr-defined]
        view = body.evaluate("() => [map.getCenter().lat, map.getCenter().lng, map.getZoom()]")
        return float(view[0]), float(view[1]), int(view[2])

    def download(self, button: str) -> Path:
        """Press a download button and return the file. A click that lands while the script
        reruns (a map drawn anew reports its state once, which reruns it) can be lost, as
        for a user who would press again: so press again, once."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        for attempt in (1, 2):
            self.settle()
            try:
                with self.page.expect_download(timeout=30_000) as download:
                    self.page.get_by_role("button", name=button).click()
                return Path(download.value.path())
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def paste(self, text: str) -> None:
        """Paste ``text`` as the article and press the button, as a user would."""
        self.page.get_by_text("Paste text").click()
        self.settle()
        self.page.get_by_label("Paste an English news article").fill(text)
        self.page.get_by_role("button", name="Map this article").click()
        self.settle()

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(self.shots / f"{self.step:02d}-{name}.png"), full_page=True)


_AXE_RUN = """async () => {
    const results = await axe.run(document, {resultTypes: ["violations"]});
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(" ")),
    }));
}"""


def axe_violations(frame: object) -> list[dict[str, object]]:
    """What axe-core finds wrong in ``frame`` (a Playwright ``Frame``: the page's own, or the
    map's, which axe does not enter from the page): each rule broken, its impact ("minor",
    "moderate", "serious" or "critical") and the elements that break it."""
    if not frame.evaluate("() => typeof window.axe !== 'undefined'"):  # type: ignore[attr-defined]
        frame.add_script_tag(content=AXE.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    found: list[dict[str, object]] = frame.evaluate(_AXE_RUN)  # type: ignore[attr-defined]
    return found


def watch_for_scripts(session: Session) -> list[str]:
    """Every dialog the page or its frames open: a payload that ran."""
    opened: list[str] = []

    def dismiss(dialog: object) -> None:
        opened.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    session.page.on("dialog", dismiss)
    return opened


def assert_nothing_ran(session: Session, opened: list[str]) -> None:
    assert opened == []
    assert session.page.evaluate("() => window.pwned === undefined")
    for frame in session.page.frames:
        assert frame.evaluate("() => window.pwned === undefined")


def close(tab: Session) -> None:
    """Close the tab; fail if it asked the outside world for anything but map tiles."""
    tab.context.close()
    outside = [u for u in tab.blocked if urlparse(u).hostname not in TILE_HOSTS]
    assert not outside, f"the page asked the outside world for more than tiles: {outside[:5]}"


# --- other readers while one article runs (test_responsive.py, bench/responsive.py) -----------

#: An article slow to analyse, of the longest length allowed (200,000 characters): 26,000
#: one-sentence lines, which took 15 s to analyse on a busy two-core machine once the pipeline
#: was linear, then a run of ".!", which spaCy's tokenizer took minutes over while it was
#: quadratic on runs of punctuation (explosion/spaCy#1768). Either way it outlasts a 6 s
#: deadline; if the pipeline ever gets much faster on it, a slower input must take its place.
SLOW_ARTICLE = (KENYA + "\n" + "Paris.\n" * 30_000)[: 200_000 - 16_000] + ".!" * 8_000
_RUNNING = "[data-testid=stApp][data-test-script-state=running]"
_WATCH_RUNS = """() => {
    window.runStates = [];
    if (window.runWatcher) return;
    const app = document.querySelector("[data-testid=stApp]");
    window.runWatcher = new MutationObserver(() => {
        window.runStates.push(app.getAttribute("data-test-script-state"));
    });
    window.runWatcher.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""


def submit(session: Session, text: str) -> None:
    """Upload ``text`` as a .txt file, then return as soon as its script runs, without waiting
    for the answer. (Uploaded, not pasted: Chromium took over 30 s to fill the paste box with
    26,000 lines.)"""
    session.page.get_by_text("Upload a file").click()
    session.settle()
    session.page.locator("input[type=file]").set_input_files(
        files=[{"name": "slow.txt", "mimeType": "text/plain", "buffer": text.encode()}]
    )
    session.page.wait_for_selector(_RUNNING, timeout=30_000)


def running(session: Session) -> bool:
    """Whether the session's script is running now."""
    return bool(session.page.locator(_RUNNING).count())


def rerun_seconds(session: Session) -> float:
    """Seconds from pressing R (Streamlit's rerun key) until the session's script has run
    again, from start to end: the page's whole answer to a click that changes nothing."""
    page = session.page
    page.evaluate(_WATCH_RUNS)
    page.locator("h1").first.click()  # keys go to the page, not to a widget
    started = time.monotonic()
    page.keyboard.press("r")
    page.wait_for_function(  # a quick run can go from requested to done without showing "running"
        """() => {
            const asked = window.runStates.findIndex(
                s => s === "running" || s === "rerunRequested");
            return asked >= 0 && window.runStates.indexOf("notRunning", asked) > asked;
        }""",
        timeout=120_000,
    )
    return time.monotonic() - started


def health_seconds(url: str) -> float:
    """Seconds the server takes to answer its health check."""
    started = time.monotonic()
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=120) as answer:
        assert answer.read() == b"ok"
    return time.monotonic() - started


class HealthProbe:
    """Asks the server's health check every ``every`` seconds, in a thread, until the
    ``with`` block ends; ``answers`` holds when each was asked (``time.monotonic()``) and
    how many seconds it took."""

    def __init__(self, url: str, every: float = 0.2) -> None:
        self.url = url
        self.every = every
        self.answers: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._probe, daemon=True)

    def _probe(self) -> None:
        while not self._stop.is_set():
            asked = time.monotonic()
            try:
                self.answers.append((asked, health_seconds(self.url)))
            except OSError:  # no answer within two minutes: as good as none
                self.answers.append((asked, math.inf))
            self._stop.wait(self.every)

    @property
    def latencies(self) -> list[float]:
        return [seconds for _, seconds in self.answers]

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- clicks that change what the map shows (test_responsive.py, bench/responsive.py) ----------

#: Before a click: note when the reader presses (in the page or in the map's frame, on one
#: clock for both) and mark the map's window, to tell afterwards whether it was loaded anew.
#: Returns where the focus ring is: st_folium's frame keeps every feature group it was
#: sent in ``feature_group``, the one on the map last.
_ARM = """(frameSelector) => {
    window.clickedAt = null;
    window.runStates = [];
    const app = document.querySelector("[data-testid=stApp]");
    if (!window.runCounter) {
        window.runCounter = new MutationObserver(() => {
            window.runStates.push(app.getAttribute("data-test-script-state"));
        });
        window.runCounter.observe(app, {attributes: true,
                                        attributeFilter: ["data-test-script-state"]});
    }
    const map = document.querySelector(frameSelector).contentWindow;
    map.sameMap = true;
    for (const target of [window, map]) {
        for (const kind of ["pointerdown", "click"]) {
            target.addEventListener(kind, () => {
                window.clickedAt = window.clickedAt ||
                    target.performance.timeOrigin + target.performance.now();
            }, {capture: true, once: true});
        }
    }
    const rings = (map.feature_group || []).slice(-1).flatMap(group => group.getLayers());
    return rings.length ? [rings[0].getLatLng().lat, rings[0].getLatLng().lng] : null;
}"""
#: The page has settled: its script is not running, the link says what the click chose,
#: the map shows its markers and, after a click that changed the focus, the focus ring has
#: moved (the map is centred on it in the same step; a marker's popup may then pan it).
#: Returns the moment, on the clock of ``_ARM``.
_SETTLED = """([frameSelector, markers, param, value, focus, ringBefore]) => {
    const app = document.querySelector("[data-testid=stApp]");
    if (window.clickedAt === null) return false;
    if (app.getAttribute("data-test-script-state") !== "notRunning") return false;
    if (param !== null && new URLSearchParams(location.search).get(param) !== value) return false;
    const map = document.querySelector(frameSelector).contentWindow;
    if (!map.map || map.document.querySelectorAll(markers).length === 0) return false;
    if (focus) {
        const rings = (map.feature_group || []).slice(-1).flatMap(group => group.getLayers());
        if (!rings.length) return false;
        const ring = rings[0].getLatLng();
        if (ringBefore && ring.lat === ringBefore[0] && ring.lng === ringBefore[1]) return false;
    }
    return performance.timeOrigin + performance.now();
}"""


@dataclass(frozen=True)
class Click:
    """What one click cost: seconds from the press until the page settled, the script runs
    it caused, whether the map was loaded anew, and the server's CPU seconds meanwhile."""

    seconds: float
    runs: int
    remounted: bool
    server_cpu: float


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_click(
    session: Session,
    press: Callable[[], None],
    param: str | None,
    value: str | None,
    *,
    focus: bool = False,
) -> Click:
    """Press (``press``) and wait until the page has settled (see ``_SETTLED``): the link's
    ``param`` reads ``value`` (absent if None; not checked if ``param`` is None) and, with
    ``focus``, the focus ring has moved."""
    page = session.page
    session.settle()
    ring_before = page.evaluate(_ARM, MAP_FRAME)
    pid = SERVERS[session.url]
    cpu_before = cpu_seconds(pid)
    press()
    settled = page.wait_for_function(
        _SETTLED,
        arg=[MAP_FRAME, MARKERS, param, value, focus, ring_before],
        polling="raf",
        timeout=120_000,
    ).json_value()
    clicked = page.evaluate("() => window.clickedAt")
    # runs that ended (a quick one may never show "running" on the page)
    runs = page.evaluate("() => window.runStates.filter(s => s === 'notRunning').length")
    same = page.evaluate(f"() => document.querySelector({MAP_FRAME!r}).contentWindow.sameMap")
    return Click((settled - clicked) / 1000, runs, not same, cpu_seconds(pid) - cpu_before)
