"""Bad input, in the real browser: each gets a clear message, nothing in it runs, and the app
keeps working for the next article.

Each case runs in a fresh tab (one Streamlit session) on the shared server: it gives the bad
input, checks the message as the user reads it, then maps a good article (Paris and Berlin)
and sees its markers. Screenshots of each step go to the test's temporary folder. Some
refusals come from the browser itself (Streamlit's uploader checks size and file type before
sending anything): the file shows in red, and its message is a tooltip on it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.limit import limit_article
from geo import Geoparser, article_from_bytes, article_from_text
from geo.articles import MAX_CHARS
from geo.maps import CLUSTER_ABOVE, spots

from .browser import (
    MAP_FRAME,
    MARKERS,
    SEED_MARKERS,
    Session,
    assert_nothing_ran,
    require_chromium,
    watch_for_scripts,
)

require_chromium()
pytestmark = pytest.mark.browser

NO_PLACE = (
    "The committee met on Tuesday and discussed the budget for next year at length. "
    "<script>window.pwned = 1</script><img src=x onerror=alert(1)>"
)
ZURICH = "Talks in Zürich – “a fresh start” – cost €5m; delegates then flew to Paris."
PAGE_WITH_SCRIPTS = """<!doctype html><html><head><title>Summit</title>
<script>window.pwned = 1; alert("head script ran")</script>
<script src="https://evil.example/tracker.js"></script>
<style>body { display: none }</style></head>
<body onload="alert('onload ran')">
<nav><a href="javascript:alert('nav link ran')">Home</a> <a href="/world">World</a></nav>
<article><h1>Leaders meet in Nairobi</h1>
<p>Leaders met in Nairobi, the capital of Kenya, to talk about trade.
<img src=x onerror="window.pwned = 1">The talks moved on to Mombasa, on the coast.</p>
<script>document.write("<p>written by a script in Lagos</p>")</script>
<noscript>Enable scripts to read about Cairo.</noscript>
<template><p>hidden template text about Lima</p></template>
<iframe srcdoc="<script>parent.pwned = 1</script>"></iframe>
<p>A second day of talks was planned in <b onmouseover="alert(2)">Kampala</b>.</p>
</article>
<script>setTimeout(() => { window.pwned = 1 }, 0)</script></body></html>
"""


def good_article(step: str) -> str:
    """The article that must map after each bad input, a little different each time."""
    return f"Talks ended in Paris after the {step} case. Delegates flew on to Berlin."


def expected_markers(geoparser: Geoparser, text: str) -> int:
    return len(spots(geoparser.analyse(article_from_text(text))))


def expect_alert(session: Session, kind: str, text: str) -> None:
    """An ``st.error``/``st.warning``/``st.info`` box showing ``text``."""
    alert = session.page.locator(f"[data-testid=stAlertContent{kind}]")
    expect(alert.filter(has_text=text)).to_be_visible()


def expect_no_map(session: Session) -> None:
    expect(session.page.locator(MAP_FRAME)).to_have_count(0)


def recover_by_paste(session: Session, geoparser: Geoparser, step: str) -> None:
    """The app still works: a good pasted article gets mapped, the message is gone."""
    text = good_article(step)
    session.paste(text)
    session.markers(expected_markers(geoparser, text))
    expect(session.page.locator("mark", has_text="Berlin")).to_have_count(1)
    expect(session.page.locator("[data-testid=stAlertContentError]")).to_have_count(0)
    session.shot("recovered")


# --- pasted text ----------------------------------------------------------------------------

PASTES = {
    "empty": ("", "Error", "the article is empty: paste or upload some text"),
    "whitespace only": (" \n\t  \u00a0\n   ", "Error", "the article is empty"),
    "no place": (NO_PLACE, "Warning", "This article names no place that the gazetteer knows."),
    "over the length limit": (
        limit_article(MAX_CHARS + 1),
        "Error",
        f"the article has {MAX_CHARS + 1:,} characters; the limit is {MAX_CHARS:,}. "
        "Split it into parts and analyse each",
    ),
}


@pytest.mark.parametrize("case", PASTES)
def test_bad_paste_gets_a_message_and_the_app_keeps_working(
    session: Session, geoparser: Geoparser, case: str
) -> None:
    text, kind, message = PASTES[case]
    opened = watch_for_scripts(session)
    session.paste(text)
    # the whole text reached the app: the box does not silently refuse or cut a long paste
    box = session.page.get_by_label("Paste an English news article")
    assert len(box.input_value()) == len(text)
    expect_alert(session, kind, message)
    session.shot(re.sub(r"\W+", "-", case))
    if case == "no place":  # mapped all the same: the map, with no marker on it
        expect(session.page.locator(MAP_FRAME)).to_have_count(1)
        assert session.markers(0).count() == 0  # type: ignore[attr-defined]
        expect(session.page.locator(".news-atlas-article")).to_contain_text("<script>")
    else:
        expect_no_map(session)
    assert_nothing_ran(session, opened)
    recover_by_paste(session, geoparser, case)
    assert_nothing_ran(session, opened)


# --- uploads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file to upload, and what the user sees: a message, or the mapped article's text."""

    name: str
    data: bytes
    outcome: str  # "refused by the browser", "Error" (an st.error) or "mapped"
    says: str  # the message, or text the mapped article shows (decoded as written)


def _random_bytes(size: int) -> bytes:
    return random.Random(5).randbytes(size)


UPLOADS = [
    Upload(
        "over-5-MB.txt",
        (good_article("big") * 80_000).encode()[:5_100_000],  # 5.1 MB (under 5 MiB)
        "refused by the browser",
        "File must be 5.0MB or smaller.",
    ),
    Upload(
        "long.txt",
        limit_article(MAX_CHARS * 2).encode("utf-8"),  # 400 kB: under 5 MB, over the limit
        "Error",
        f"'long.txt' has {MAX_CHARS * 2:,} characters; the limit is {MAX_CHARS:,}",
    ),
    Upload("empty.txt", b"", "Error", "The article is empty: paste or upload some text."),
    Upload(
        "photo.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + _random_bytes(2000),
        "Error",
        "'photo.txt' is a binary file, not text: upload a .txt, .md or .html file",
    ),
    Upload(
        "noise.txt",
        _random_bytes(20_000),
        "Error",
        "'noise.txt' is a binary file, not text: upload a .txt, .md or .html file",
    ),
    Upload(
        "latin.txt",
        "Caf\xe9 talks in Paris \x81".encode("latin-1"),  # 0x81 means nothing in cp1252
        "Error",
        "'latin.txt' is not UTF-8 text (byte 20 cannot be read): save it as UTF-8",
    ),
    Upload("windows-1252.txt", ZURICH.encode("cp1252"), "mapped", ZURICH),
    Upload("utf-16.txt", ZURICH.encode("utf-16"), "mapped", ZURICH),  # with its byte order mark
    Upload(
        "utf-16-no-bom.txt",  # rare: Windows writes the mark; read as binary, said so
        ZURICH.encode("utf-16-le"),
        "Error",
        "'utf-16-no-bom.txt' is a binary file, not text",
    ),
    Upload("scripts.html", PAGE_WITH_SCRIPTS.encode(), "mapped", "Leaders met in Nairobi"),
    Upload(
        "only-scripts.html",
        b"<html><head><script>alert(1)</script></head><body><script>window.pwned=1</script>"
        b"</body></html>",
        "Error",
        "'only-scripts.html' has no readable text",
    ),
    # files of other types are explained on the page, not only in the uploader's tooltip
    Upload(
        "report.pdf",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        "Error",
        "'report.pdf' is not a supported file type; use one of .txt",
    ),
    Upload(
        "setup.exe",
        b"MZ\x90\x00\x03\x00\x00\x00",
        "Error",
        "'setup.exe' is not a supported file type; use one of .txt",
    ),
]


def upload(session: Session, path: Path) -> None:
    session.page.locator("input[type=file]").set_input_files(str(path))
    session.settle()


@pytest.mark.parametrize("case", UPLOADS, ids=[u.name for u in UPLOADS])
def test_bad_upload_gets_a_message_and_the_app_keeps_working(
    session: Session, geoparser: Geoparser, tmp_path: Path, case: Upload
) -> None:
    page = session.page
    opened = watch_for_scripts(session)
    page.get_by_text("Upload a file").click()
    session.settle()
    path = tmp_path / case.name
    path.write_bytes(case.data)
    upload(session, path)
    if case.outcome == "refused by the browser":
        chip = page.locator("[data-testid=stFileChip]")
        expect(chip).to_have_attribute("aria-invalid", "true")  # shown in red
        says = re.compile(rf"^Error: .*{re.escape(case.says)}$")
        expect(chip.get_by_role("alert")).to_have_text(says)  # what screen readers announce
        chip.hover()  # and the tooltip everyone else reads
        expect(page.get_by_role("tooltip")).to_contain_text(case.says)
        page.wait_for_timeout(300)  # the tooltip fades in: let the screenshot show it
        expect_alert(session, "Info", "Upload an article to map it.")
        expect_no_map(session)
    elif case.outcome == "Error":
        expect_alert(session, "Error", case.says)
        expect_no_map(session)
    else:
        story = geoparser.analyse(article_from_bytes(case.data, case.name))
        session.markers(len(spots(story)))
        article = page.locator(".news-atlas-article")
        expect(article).to_contain_text(case.says)
        if case.name == "scripts.html":
            for hidden in ("Lagos", "Cairo", "Lima", "pwned", "alert", "Home"):
                expect(article).not_to_contain_text(hidden)  # scripts, templates, navigation
    session.shot(case.name)
    assert_nothing_ran(session, opened)
    # the uploader still takes the next file
    good = tmp_path / "good.txt"
    good.write_text(good_article(case.name), encoding="utf-8")
    upload(session, good)
    session.markers(expected_markers(geoparser, good_article(case.name)))
    expect(page.locator("mark", has_text="Berlin")).to_have_count(1)
    session.shot("good-upload")
    recover_by_paste(session, geoparser, case.name)
    assert_nothing_ran(session, opened)


# --- at the limit ----------------------------------------------------------------------------


def test_article_at_the_length_limit_is_mapped_with_a_spinner_meanwhile(
    session: Session, geoparser: Geoparser
) -> None:
    """Timings are in bench/limit.py; here only that it works, with generous timeouts."""
    page = session.page
    session.markers(SEED_MARKERS)
    page.get_by_text("Paste text").click()
    session.settle()
    box = page.get_by_label("Paste an English news article")
    box.fill(limit_article(MAX_CHARS, variant=99))
    assert len(box.input_value()) == MAX_CHARS
    page.get_by_role("button", name="Map this article").click()
    expect(page.get_by_text("Finding the places in the article")).to_be_visible(timeout=60_000)
    session.shot("limit-spinner")
    places = page.locator("h3", has_text=re.compile(r"^Places \(\d+\)$"))
    expect(places).to_be_visible(timeout=600_000)
    count = int(re.findall(r"\d+", places.inner_text())[0])
    events = page.locator("h3", has_text=re.compile(r"^Events \(\d+\)$"))
    count += int(re.findall(r"\d+", events.inner_text())[0]) if events.count() else 0
    assert count > 200  # about 120 places and 170 events
    # a marker for each place (with the events at its point) and each other event's point,
    # nearby ones in clusters that say how many they hold (too many markers to show all)
    expected = expected_markers(geoparser, limit_article(MAX_CHARS, variant=99))
    assert expected > CLUSTER_ABOVE
    clusters = session.frame.locator(".leaflet-marker-pane .marker-cluster")  # type: ignore[attr-defined]
    expect(clusters.first).to_be_visible(timeout=60_000)
    session.settle()
    held = sum(int(text) for text in clusters.all_inner_texts())
    assert held + session.frame.locator(MARKERS).count() == expected  # type: ignore[attr-defined]
    session.shot("limit-mapped")
    # the app still answers: back to the sample
    page.get_by_text("Sample article").click()
    session.markers(SEED_MARKERS)
    session.shot("sample-again")
