"""Hostile articles, in the real browser: through paste, upload and the CLI's HTML export,
nothing in an article runs, its text shows exactly as written, and the map still renders.

Each payload sits next to a place name and, where it can, inside one ("Nai<b>robi"), since
place names are what reaches the map's popups and tooltips. A payload that ran would call
``alert`` (caught as a dialog, in the page or any frame) or set ``window.pwned``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from geo import Geoparser, article_from_text
from geo.maps import spots
from geo.markup import WORD_JOINER

from .browser import (
    MARKERS,
    ROOT,
    SEED_MARKERS,
    Session,
    assert_nothing_ran,
    close,
    require_chromium,
    watch_for_scripts,
)

require_chromium()
pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    '<a href="javascript:alert(4)">click</a>',
    "javascript:alert(5)",
    "${alert(6)}",
    "`);alert(7);(`",
    "\\`);alert(8)//",
    "C:\\users\\news\\",
    "</script><script>window.pwned=1</script>",
    "</div></body><script>alert(9)</script>",
    "&lt;script&gt;alert(10)&lt;/script&gt;",
    "&amp;#x3C;b&gt; entity soup &#96;&#36;",
    '"><iframe src="javascript:alert(11)">',
    "<style>body{display:none}</style>",
    "\u202eevil right-to-left\u202c",
    "zero\u200bwidth\u200djoiner\ufeff",
    "{{7*7}} {% raw %}",
    "<!-- comment --><![CDATA[x]]>",
    "W" * 3000,  # one very long word
    "'; window.pwned = 1; '",
    '<math><mi xlink:href="javascript:alert(12)">m</mi></math>',
]
PLACES = ["Nairobi", "Kenya", "Mombasa", "Kisumu", "Uganda", "Kampala"]


def hostile_article() -> str:
    """One article with every payload, each beside a place name, one inside a name."""
    lines = ["Hostile Dispatch From East Africa", ""]
    for number, payload in enumerate(PAYLOADS):
        place = PLACES[number % len(PLACES)]
        lines.append(f"Crowds in {place} {payload} marched on day {number}. {payload}{place} said.")
    lines.append("Police in Nai<b>robi</b> and Kam`pala${x} watched.")
    return "\n\n".join(lines)


def assert_shown_verbatim(session: Session, text: str) -> None:
    shown = session.page.locator(".news-atlas-article").inner_text()
    for payload in PAYLOADS:
        assert payload.strip() in shown, f"{payload[:40]!r} is not shown as written"


def _open_popups(session: Session) -> None:
    """Open every popup, so their content is in the page too."""
    markers = session.frame.locator(MARKERS)  # type: ignore[attr-defined]
    for i in range(markers.count()):
        markers.nth(i).dispatch_event("click")


def test_hostile_paste(session: Session, geoparser: Geoparser) -> None:
    text = hostile_article()
    story = geoparser.analyse(article_from_text(text))
    opened = watch_for_scripts(session)
    session.markers(SEED_MARKERS)
    session.paste(text)
    session.markers(len(spots(story)))
    _open_popups(session)
    session.shot("hostile-paste")
    assert_shown_verbatim(session, text)
    assert_nothing_ran(session, opened)


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_hostile_upload(session: Session, tmp_path: Path, suffix: str) -> None:
    upload = tmp_path / f"hostile{suffix}"
    upload.write_text(hostile_article(), encoding="utf-8")
    opened = watch_for_scripts(session)
    session.markers(SEED_MARKERS)
    page = session.page
    page.get_by_text("Upload a file").click()
    session.settle()
    page.locator("input[type=file]").set_input_files(str(upload))
    session.settle()
    expect(page.locator("mark", has_text="Mombasa").first).to_be_visible(timeout=60_000)
    _open_popups(session)
    session.shot(f"hostile-upload{suffix}")
    if suffix == ".txt":  # Markdown reads some payloads as markup (emphasis, links) by design
        assert_shown_verbatim(session, hostile_article())
    assert_nothing_ran(session, opened)


def test_hostile_cli_map_export(browser: object, tmp_path: Path, geoparser: Geoparser) -> None:
    """The standalone HTML map, opened from a file with the network blocked."""
    article = tmp_path / "hostile.txt"
    article.write_text(hostile_article(), encoding="utf-8")
    out = tmp_path / "map.html"
    subprocess.run(
        [sys.executable, "-m", "geo", "map", str(article), "-o", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    story = geoparser.analyse(article_from_text(hostile_article()))
    context = browser.new_context()  # type: ignore[attr-defined]
    context.route("http*://**/*", lambda route: route.abort())  # only the file itself
    page = context.new_page()
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    page.goto(out.as_uri())
    markers = page.locator(MARKERS)
    expect(markers).to_have_count(len(spots(story)), timeout=30_000)
    popups = []
    for i in range(markers.count()):
        markers.nth(i).dispatch_event("click")
        popups.append(page.locator(".leaflet-popup-content").last.inner_text())
    page.screenshot(path=str(tmp_path / "hostile-export.png"))
    context.close()
    assert opened == []
    assert any("<script>alert(1)</script>" in text for text in popups)  # shown, not run


#: Finding 7 of issue 14: Markdown that once became a live link and a remote image.
LURE_IMAGE = "![p](https://attacker.example/p.png)"
LURE_LINK = "[Sign in](https://attacker.example/login)"


def _attacker_links(session: Session) -> list[str]:
    """Every link or image in the page that points at the attacker's site (a heading's own
    anchor, "#sign-in-https-attacker-…", stays on the page)."""
    found: list[str] = session.page.evaluate(
        """() => [...document.querySelectorAll("a[href], img[src]")]
            .map((e) => e.href || e.src)
            .filter((u) => new URL(u).hostname.includes("attacker"))"""
    )
    return found


def test_a_damaged_link_shows_a_note_and_nothing_of_its_text(
    browser: object, server: str, tmp_path: Path
) -> None:
    query = urlencode(
        [("sample", "russia-north-korea-pact"), ("fix", LURE_IMAGE), ("fix", LURE_LINK)]
    )
    tab = Session(browser, server, tmp_path, path=f"/?{query}")
    tab.markers(SEED_MARKERS)  # the sample's map: the session went on
    expect(tab.page.get_by_text("This link is damaged: its corrections")).to_be_visible()
    assert _attacker_links(tab) == []
    close(tab)  # and nothing was asked of the attacker's site (no image fetched)


def test_an_articles_heading_is_text(session: Session) -> None:
    session.markers(SEED_MARKERS)
    session.paste(f"{LURE_LINK} {LURE_IMAGE}\n\nFloods hit Nairobi, the capital of Kenya.")
    expect(session.page.locator("mark", has_text="Nairobi").first).to_be_visible(timeout=60_000)
    heading = session.page.locator("h3", has_text="Sign in").first

    shown = heading.inner_text().strip().replace(WORD_JOINER, "")  # invisible: breaks autolinks
    assert shown == f"{LURE_LINK} {LURE_IMAGE}"
    assert _attacker_links(session) == []  # the session fixture checks no request left
