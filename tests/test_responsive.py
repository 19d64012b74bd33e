"""End to end: while one reader's article runs to its deadline, the server keeps answering
everyone else (issue 14): its health check, and another reader's page with the sample's map.
Analyses run in worker processes (geo/worker.py); before, spaCy held the GIL in the server's
own process and a slow article froze every session and the health check.

And a click that changes only the focus moves the map already on the page and the article's
highlight, without loading either anew (issue 16).

The timings asserted here are generous bounds against flakiness on a shared machine; what the
server actually achieves is measured by bench/responsive.py (figures in bench/results.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .browser import (
    KENYA,
    MARKERS,
    SEED_MARKERS,
    SLOW_ARTICLE,
    HealthProbe,
    Session,
    close,
    require_chromium,
    rerun_seconds,
    running,
    serve,
    submit,
    timed_click,
)

require_chromium()
pytestmark = pytest.mark.browser

#: The test server's deadline for one analysis: long enough for the other reader's steps to
#: happen inside it, short enough for a quick test and to stop SLOW_ARTICLE.
DEADLINE = 6


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    yield from serve({"NEWS_ATLAS_ANALYSIS_SECONDS": str(DEADLINE), "NEWS_ATLAS_WORKERS": "2"})


def test_other_readers_are_answered_while_one_article_runs_to_its_deadline(
    browser: object, server: str, tmp_path: Path
) -> None:
    reader = Session(browser, server, tmp_path)  # the sample article, the first page
    reader.markers(SEED_MARKERS)
    hostile = Session(browser, server, tmp_path)
    with HealthProbe(server) as health:
        submit(hostile, SLOW_ARTICLE)
        reruns = [rerun_seconds(reader) for _ in range(2)]  # the sample's map, drawn again
        assert running(hostile), "the slow article ended before the other reader was done"

    assert len(health.latencies) >= 3
    assert max(health.latencies) < 5
    assert max(reruns) < 5
    expect(reader.frame.locator(MARKERS)).to_have_count(SEED_MARKERS)  # type: ignore[attr-defined]
    hostile.settle()
    expect(hostile.page.get_by_text(f"took more than {DEADLINE} seconds")).to_be_visible()
    hostile.paste(KENYA)  # the pool took a fresh worker: the same reader's next article is mapped
    expect(hostile.frame.locator(MARKERS)).not_to_have_count(0, timeout=60_000)  # type: ignore[attr-defined]
    for tab in (reader, hostile):
        close(tab)


MOSCOW, SEOUL = "gn:524901", "gn:1835848"


def test_a_focus_click_moves_the_map_and_the_highlight_without_loading_them_anew(
    browser: object, server: str, tmp_path: Path
) -> None:
    reader = Session(browser, server, tmp_path, path="?sample=russia-north-korea-pact")
    reader.markers(SEED_MARKERS)
    page = reader.page
    first_mark = page.locator("mark.place").first  # tagged, to tell if the article is redrawn
    for key in (MOSCOW, SEOUL):
        first_mark.evaluate("mark => { mark.tagged = true; }")
        mention = page.locator(f"mark.place[data-key='{key}']").first
        click = timed_click(reader, mention.click, "place", key, focus=True)

        assert click.runs == 1
        assert not click.remounted
        assert first_mark.evaluate("mark => mark.tagged === true")
        marks = page.locator("mark.place.selected")
        assert {marks.nth(i).get_attribute("data-key") for i in range(marks.count())} == {key}
    expect(reader.frame.locator(MARKERS)).to_have_count(SEED_MARKERS)  # type: ignore[attr-defined]
    close(reader)
