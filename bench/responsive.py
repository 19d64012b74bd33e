"""Other readers while one article runs: how fast the server answers them during a slow analysis.

    .venv/bin/python bench/responsive.py [--root PATH] [--deadline 30] [--results FILE]

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
The figures are printed and, with ``--results``, added to that markdown file's table.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.tables import add_rows, commit_of  # noqa: E402
from tests.browser import (  # noqa: E402
    CHROMIUM,
    SEED_MARKERS,
    SLOW_ARTICLE,
    HealthProbe,
    Session,
    launch,
    rerun_seconds,
    running,
    serve,
    submit,
)

TABLE = "## Other readers during a slow analysis (bench/responsive.py)"


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose app to run")
    parser.add_argument("--deadline", default="30", help="NEWS_ATLAS_ANALYSIS_SECONDS")
    parser.add_argument("--reruns", type=int, default=3, help="reruns timed in each phase")
    parser.add_argument("--results", type=Path, help="markdown file to add the figures to")
    args = parser.parse_args()
    if CHROMIUM is None:
        print("Debian's chromium is not installed", file=sys.stderr)
        return 2
    env = {"NEWS_ATLAS_ANALYSIS_SECONDS": args.deadline}
    server = serve(env, root=args.root.resolve())
    url = next(server)
    try:
        with tempfile.TemporaryDirectory() as shots:
            idle, during, took, message = measure(url, args.reruns, Path(shots))
    finally:
        next(server, None)
    header = (
        "| date | commit | phase | health checks: answers | rerun of the reader's page "
        "| new tab → sample markers | slow article: submit → answer |\n"
        "| --- | --- | --- | --- | --- | --- | --- |"
    )
    stamp = f"| {datetime.date.today()} | {commit_of(args.root)}"
    rows = [
        f"{stamp} | idle | {idle.row()} | |",
        f"{stamp} | during | {during.row()} | {took:.1f} s: “{message}” |",
    ]
    print(header, *rows, sep="\n")
    if args.results:
        add_rows(args.results, TABLE, header, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
