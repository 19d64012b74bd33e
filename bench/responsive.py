"""How fast the app answers: clicks and page loads, and other readers during a slow analysis.

    .venv/bin/python bench/responsive.py [--only clicks|slow] [--root PATH ...] [--results FILE]

**Clicks and loads** (``--only clicks``): for each checkout given with ``--root`` (repeat it
to compare two in one run: they take turns, round by round), a fresh server a round and, on
the sample:

* cold start: from ``streamlit run`` until the first tab shows the sample's markers;
* warm page load: a new tab until the markers show;
* clicks, each timed from the press until the page settled (``tests.browser.timed_click``):
  a mention in the article, a marker, an event of the timeline, the story's "Next", and a
  map layer switched off and on again; with the script runs each caused, whether the map
  was loaded anew, and the server process's CPU time meanwhile.

**Other readers during a slow analysis** (``--only slow``):

Starts ``streamlit run app.py`` of the checkout at ``--root`` (default: this one) and drives
Debian's Chromium through Playwright; every request stays on this machine. A reader opens the
sample article; then, first with the server idle and again while another reader's article
runs (``tests.browser.SLOW_ARTICLE``: 200,000 characters that take seconds to minutes to
analyse, depending on the version), it times:

* the health check (``/_stcore/health``), asked every 0.2 s in a thread;
* a rerun of the reader's page (Streamlit's R key) until the script has run again;
* a new tab opening the sample, until its markers show.

A figure counts as "during" only if the slow article was still running when it was taken.
Last, how the slow article ended: seconds from its submit to its answer, and the message.

The figures are printed and, with ``--results``, added to that markdown file's tables.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.tables import add_rows, commit_of  # noqa: E402
from tests.browser import (  # noqa: E402
    CHROMIUM,
    SEED_MARKERS,
    SLOW_ARTICLE,
    Click,
    HealthProbe,
    Session,
    launch,
    rerun_seconds,
    running,
    serve,
    submit,
    timed_click,
)

TABLE = "## Other readers during a slow analysis (bench/responsive.py)"
CLICKS_TABLE = "## Clicks and page loads (bench/responsive.py --only clicks)"
SAMPLE = "?sample=russia-north-korea-pact"
MOSCOW, SEOUL = "gn:524901", "gn:1835848"
#: The layers of the map but "links", as the page's link names them.
#: (Switched on again, "links" comes last in the link: the pills keep the order of clicks.)
WITHOUT_LINKS = "places,events,countries,timeline"


@dataclass
class Phase:
    """What the other readers got in one phase (idle, or during the slow analysis)."""

    health: list[float] = field(default_factory=list)
    reruns: list[float] = field(default_factory=list)
    opens: list[float] = field(default_factory=list)

    def row(self) -> str:
        return " | ".join(
            [
                f"{len(self.health)}: {_spread(self.health)}",
                _spread(self.reruns),
                _spread(self.opens),
            ]
        )


def _spread(values: list[float]) -> str:
    if not values:
        return "none taken"
    if len(values) == 1:
        return f"{values[0]:.2f} s"
    return f"median {statistics.median(values):.2f} s, max {max(values):.2f} s"


def open_sample(browser: object, url: str, shots: Path) -> tuple[Session, float]:
    """A new tab on the sample, and the seconds until its markers show."""
    started = time.monotonic()
    tab = Session(browser, url, shots)
    tab.markers(SEED_MARKERS)
    return tab, time.monotonic() - started


#: Seoul's marker, found by its tooltip (the icons' order in the page is not the places').
_SEOUL_MARKER = """() => {
    let found = null;
    map.eachLayer(layer => {
        if (layer instanceof L.Marker && layer._icon && layer.options.pane === "markerPane"
                && layer.getTooltip().getContent().includes("Seoul · ")) {
            found = layer._icon;
        }
    });
    found.dispatchEvent(new MouseEvent("click", {bubbles: true}));
}"""


def clicks(reader: Session) -> dict[str, Click]:
    """One click of each kind on the sample's page, in an order where each changes the view."""
    page = reader.page
    timeline = page.get_by_role("radiogroup", name="Timeline")
    links = page.get_by_role("button", name="Links between places")
    presses: dict[str, tuple[Callable[[], None], str, str | None, bool]] = {
        "mention": (
            lambda: page.locator(f"mark.place[data-key='{MOSCOW}']").first.click(),
            "place", MOSCOW, True,
        ),
        "marker": (
            lambda: reader.frame.locator("body").evaluate(_SEOUL_MARKER),  # type: ignore[attr-defined]
            "place", SEOUL, True,
        ),
        "timeline event": (lambda: timeline.locator("label").nth(2).click(), "event", "2", True),
        "story Next": (
            lambda: page.get_by_role("button", name="Next →").click(), "event", "3", True,
        ),
        "layer off": (links.click, "layers", WITHOUT_LINKS, False),
        "layer on": (links.click, "layers", f"{WITHOUT_LINKS},links", False),  # in click order
    }  # fmt: skip
    return {
        name: timed_click(reader, press, param, value, focus=focus)
        for name, (press, param, value, focus) in presses.items()
    }


@dataclass
class Responsiveness:
    """What one checkout's app gave over the rounds."""

    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    clicks: dict[str, list[Click]] = field(default_factory=dict)

    def rows(self, stamp: str) -> list[str]:
        def click_row(name: str, taken: list[Click]) -> str:
            runs = sorted({c.runs for c in taken})
            remounts = sum(c.remounted for c in taken)
            cpu = statistics.median(c.server_cpu for c in taken) * 1000
            return (
                f"{stamp} | {name} | {_spread([c.seconds for c in taken])} "
                f"| {cpu:.0f} ms | {'/'.join(map(str, runs))} | {remounts} of {len(taken)} |"
            )

        return [
            f"{stamp} | cold: `streamlit run` → markers | {_spread(self.cold)} | | | |",
            f"{stamp} | warm page load → markers | {_spread(self.warm)} | | | |",
            *(click_row(name, taken) for name, taken in self.clicks.items()),
        ]


def measure_clicks(root: Path, found: Responsiveness, shots: Path, loads: int) -> None:
    """One round on a fresh server of the checkout at ``root``: its cold start, ``loads``
    warm page loads, and one click of each kind; added to ``found``."""
    browser_iter = launch()  # the reader's browser is open before the server starts
    browser = next(browser_iter)
    started = time.monotonic()
    server = serve(root=root)
    url = next(server)
    try:
        reader = Session(browser, url, shots, path=SAMPLE)
        reader.markers(SEED_MARKERS)
        found.cold.append(time.monotonic() - started)
        for _ in range(loads):
            tab, seconds = open_sample(browser, url + SAMPLE, shots)
            found.warm.append(seconds)
            tab.context.close()
        for name, click in clicks(reader).items():
            found.clicks.setdefault(name, []).append(click)
    finally:
        next(browser_iter, None)
        next(server, None)


def measure(url: str, reruns: int, shots: Path) -> tuple[Phase, Phase, float, str]:
    browser_iter = launch()
    browser = next(browser_iter)
    try:
        reader, _ = open_sample(browser, url, shots)  # also the sample's first analysis
        idle = Phase()
        with HealthProbe(url) as probe:
            idle.reruns = [rerun_seconds(reader) for _ in range(reruns)]
            tab, seconds = open_sample(browser, url, shots)
            idle.opens.append(seconds)
            tab.context.close()
        idle.health = probe.latencies

        hostile = Session(browser, url, shots)
        during = Phase()
        with HealthProbe(url) as probe:
            submitted = time.monotonic()
            submit(hostile, SLOW_ARTICLE)
            seen_running = time.monotonic()
            for _ in range(reruns):
                seconds = rerun_seconds(reader)
                if running(hostile):
                    during.reruns.append(seconds)
                    seen_running = time.monotonic()
            tab, seconds = open_sample(browser, url, shots)
            if running(hostile):
                during.opens.append(seconds)
                seen_running = time.monotonic()
            tab.context.close()
        # only the health checks asked while the slow article was known to run
        during.health = [seconds for asked, seconds in probe.answers if asked <= seen_running]
        hostile.settle()
        took = time.monotonic() - submitted
        alert = hostile.page.locator("[data-testid=stAlert]").first
        message = alert.inner_text() if alert.count() else "(no message: a map)"
        return idle, during, took, message.splitlines()[0] if message else ""
    finally:
        next(browser_iter, None)


def slow_rows(root: Path, deadline: str, reruns: int) -> tuple[str, list[str]]:
    """The table of other readers during a slow analysis, on the app at ``root``."""
    server = serve({"NEWS_ATLAS_ANALYSIS_SECONDS": deadline}, root=root)
    url = next(server)
    try:
        with tempfile.TemporaryDirectory() as shots:
            idle, during, took, message = measure(url, reruns, Path(shots))
    finally:
        next(server, None)
    header = (
        "| date | commit | phase | health checks: answers | rerun of the reader's page "
        "| new tab → sample markers | slow article: submit → answer |\n"
        "| --- | --- | --- | --- | --- | --- | --- |"
    )
    stamp = f"| {datetime.date.today()} | {commit_of(root)}"
    return header, [
        f"{stamp} | idle | {idle.row()} | |",
        f"{stamp} | during | {during.row()} | {took:.1f} s: “{message}” |",
    ]


def click_rows(roots: list[Path], rounds: int, loads: int) -> tuple[str, list[str]]:
    """The table of clicks and page loads, the checkouts at ``roots`` taking turns."""
    found = {root: Responsiveness() for root in roots}
    with tempfile.TemporaryDirectory() as shots:
        for _ in range(rounds):
            for root in roots:
                measure_clicks(root, found[root], Path(shots), loads)
    header = (
        "| date | commit | what | until the page settled | server CPU (median) "
        "| script runs | map loaded anew |\n"
        "| --- | --- | --- | --- | --- | --- | --- |"
    )
    rows = [
        row
        for root in roots
        for row in found[root].rows(f"| {datetime.date.today()} | {commit_of(root)}")
    ]
    return header, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("clicks", "slow"), help="one of the two benchmarks")
    parser.add_argument(
        "--root", type=Path, action="append", help="a checkout whose app to run (repeatable)"
    )
    parser.add_argument("--deadline", default="30", help="NEWS_ATLAS_ANALYSIS_SECONDS (slow)")
    parser.add_argument("--reruns", type=int, default=3, help="reruns timed in each phase (slow)")
    parser.add_argument("--rounds", type=int, default=3, help="fresh servers a checkout (clicks)")
    parser.add_argument("--loads", type=int, default=2, help="warm page loads a round (clicks)")
    parser.add_argument("--results", type=Path, help="markdown file to add the figures to")
    args = parser.parse_args()
    if CHROMIUM is None:
        print("Debian's chromium is not installed", file=sys.stderr)
        return 2
    roots = [root.resolve() for root in args.root or [ROOT]]
    tables = []
    if args.only in (None, "clicks"):
        tables.append((CLICKS_TABLE, *click_rows(roots, args.rounds, args.loads)))
    if args.only in (None, "slow"):
        for root in roots:
            tables.append((TABLE, *slow_rows(root, args.deadline, args.reruns)))
    for table, header, rows in tables:
        print(table, header, *rows, sep="\n")
        if args.results:
            add_rows(args.results, table, header, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
