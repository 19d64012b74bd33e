"""The app at the article-length limit: how long a 200,000-character article takes to map.

    .venv/bin/python bench/limit.py [--chars 200000] [--runs 1] [--no-stages]

First, in this process, it times each stage on the same article (spaCy alone, the whole
analysis, building the map, rendering its HTML). Then it starts ``streamlit run app.py`` on a
free local port and drives Debian's Chromium through Playwright (every request stays on this
machine): it pastes the article, presses "Map this article" and reports the time from the
click to the spinner, to the first marker and to every marker shown; while it waits, it
measures how long the page takes to answer a script (its main thread is free when that stays
short). Afterwards it switches to the sample article and times its map (the app still works).
Each run uses a slightly different article, so no run is answered from the app's cache.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.articles import MAX_CHARS  # noqa: E402

PAIRS = [
    ("Nairobi", "Kenya"), ("Lagos", "Nigeria"), ("Lima", "Peru"), ("Hanoi", "Vietnam"),
    ("Oslo", "Norway"), ("Quito", "Ecuador"), ("Dhaka", "Bangladesh"), ("Accra", "Ghana"),
    ("Manila", "Philippines"), ("Warsaw", "Poland"), ("Cairo", "Egypt"), ("Bogota", "Colombia"),
    ("Madrid", "Spain"), ("Lisbon", "Portugal"), ("Athens", "Greece"), ("Ankara", "Turkey"),
    ("Tehran", "Iran"), ("Baghdad", "Iraq"), ("Kabul", "Afghanistan"), ("Islamabad", "Pakistan"),
    ("Kathmandu", "Nepal"), ("Bangkok", "Thailand"), ("Jakarta", "Indonesia"),
    ("Canberra", "Australia"), ("Wellington", "New Zealand"), ("Ottawa", "Canada"),
    ("Havana", "Cuba"), ("Santiago", "Chile"), ("Caracas", "Venezuela"),
    ("Montevideo", "Uruguay"), ("Asuncion", "Paraguay"), ("La Paz", "Bolivia"),
    ("Dakar", "Senegal"), ("Bamako", "Mali"), ("Addis Ababa", "Ethiopia"), ("Kampala", "Uganda"),
    ("Kigali", "Rwanda"), ("Lusaka", "Zambia"), ("Harare", "Zimbabwe"), ("Maputo", "Mozambique"),
    ("Helsinki", "Finland"), ("Stockholm", "Sweden"), ("Copenhagen", "Denmark"),
    ("Dublin", "Ireland"), ("Vienna", "Austria"), ("Prague", "Czech Republic"),
    ("Budapest", "Hungary"), ("Bucharest", "Romania"), ("Sofia", "Bulgaria"),
    ("Belgrade", "Serbia"), ("Kyiv", "Ukraine"), ("Tbilisi", "Georgia"), ("Yerevan", "Armenia"),
    ("Baku", "Azerbaijan"), ("Tashkent", "Uzbekistan"), ("Ulaanbaatar", "Mongolia"),
    ("Seoul", "South Korea"), ("Tokyo", "Japan"), ("Taipei", "Taiwan"),
    ("Riyadh", "Saudi Arabia"),
]  # fmt: skip
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def limit_article(chars: int = MAX_CHARS, variant: int = 0) -> str:
    """A long feature of exactly ``chars`` characters: paragraphs of talks in 60 capitals and
    their countries, one in four with a dated event (so about 120 places and, at the limit,
    about 170 events). ``variant`` changes its title only."""
    paragraphs = [f"Long Read {variant}: A Year of Talks Around the World"]
    size, number = len(paragraphs[0]), 0
    while size < chars:
        city, country = PAIRS[number % len(PAIRS)]
        other, far = PAIRS[(number * 7 + 3) % len(PAIRS)]
        paragraph = (
            f"Delegates met in {city}, the capital of {country}, for another round of talks. "
            "Officials said the mood was calmer than before, and that the next meeting would "
            f"be held in {other}. Observers from {far} watched closely; several of them had "
            "travelled for days to attend."
        )
        if number % 4 == 0:
            paragraph += (
                f" On {MONTHS[number % 12]} {number % 27 + 1}, 2025, negotiators in {city} "
                "signed a short joint statement."
            )
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
        number += 1
    return "\n\n".join(paragraphs)[:chars]


def stages(text: str) -> None:
    """Each stage's time on ``text``, in this process (the model loaded beforehand): the
    analysis as the app runs it (spaCy's parse, then ``Geoparser.story_of``), the map and its
    HTML (what the app sends to the browser, about as big)."""
    from geo import Geoparser, article_from_text
    from geo.assets import ST_FOLIUM_BASE_URL, localise
    from geo.maps import build_map, country_outlines

    parser = Geoparser()
    parser.analyse(article_from_text("Warm-up in Paris."))
    article = article_from_text(text)
    started = time.perf_counter()
    doc = parser.nlp(article.text)
    spacy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    story = parser.story_of(article, doc)  # sentences, mentions, places, events
    geo_seconds = time.perf_counter() - started
    started = time.perf_counter()
    fmap = build_map(story, outlines=country_outlines(story, parser.gazetteer), offline_map=True)
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    html = localise(fmap, ST_FOLIUM_BASE_URL).get_root().render()
    render_seconds = time.perf_counter() - started
    print(
        f"article: {len(text):,} characters, {len(story.sentences):,} sentences, "
        f"{len(story.mentions):,} mentions, {len(story.places)} places, "
        f"{len(story.events)} events ({len(story.places) + len(story.events)} markers)"
    )
    print(
        f"stages: spaCy {spacy_seconds:.1f} s, then sentences, places and events "
        f"{geo_seconds:.1f} s; map {build_seconds:.2f} s, "
        f"HTML {render_seconds:.2f} s ({len(html) / 1e6:.1f} MB)"
    )


def one_run(session: object, number: int, chars: int) -> dict[str, float]:
    from playwright.sync_api import expect

    from tests.browser import MAP_FRAME, MARKERS

    page = session.page  # type: ignore[attr-defined]
    frame = page.frame_locator(MAP_FRAME)
    page.get_by_text("Paste text").click()
    session.settle()  # type: ignore[attr-defined]
    box = page.get_by_label("Paste an English news article")
    started = time.perf_counter()
    box.fill(limit_article(chars, number))
    fill_seconds = time.perf_counter() - started
    started = time.perf_counter()
    page.get_by_role("button", name="Map this article").click()
    page.get_by_text("Finding the places in the article").wait_for(timeout=60_000)
    spinner = time.perf_counter() - started
    # while the server works and the browser draws, the page must keep answering scripts
    samples: list[float] = []
    first = every = 0.0
    expected = 0
    while not every:
        probe = time.perf_counter()
        page.evaluate("() => 1")
        samples.append(time.perf_counter() - probe)
        if not expected:
            headers = " ".join(page.locator("h3").all_inner_texts())
            places = re.search(r"Places \((\d+)\)", headers)
            events = re.search(r"Events \((\d+)\)", headers)
            if places:
                expected = int(places.group(1)) + (int(events.group(1)) if events else 0)
        count = frame.locator(MARKERS).count()
        now = time.perf_counter() - started
        first = first or (now if count else 0.0)
        every = now if expected and count == expected else 0.0
        if now > 600:
            raise TimeoutError(f"{count} of {expected or '?'} markers after 10 minutes")
        time.sleep(0.2)
    session.settle()  # type: ignore[attr-defined]
    session.shot(f"limit-{number}")  # type: ignore[attr-defined]
    started = time.perf_counter()
    page.get_by_text("Sample article").click()
    expect(frame.locator(MARKERS)).to_have_count(18, timeout=120_000)
    sample = time.perf_counter() - started
    return {
        "fill": fill_seconds,
        "spinner": spinner,
        "first": first,
        "every": every,
        "markers": expected,
        "stall": max(samples, default=0.0),
        "sample": sample,
    }


def browser_runs(runs: int, chars: int) -> int:
    from playwright.sync_api import expect

    from tests.browser import CHROMIUM, MAP_FRAME, MARKERS, TILE_HOSTS, Session, launch, serve

    if CHROMIUM is None:
        print("error: Debian's chromium is not installed (apt-get install chromium)")
        return 2
    server = serve()
    url = next(server)
    chromium = launch()
    browser = next(chromium)
    results, outside = [], []
    try:
        with tempfile.TemporaryDirectory() as shots:
            for number in range(runs):
                session = Session(browser, url, Path(shots))  # a new tab: nothing submitted
                # the first page loads the model and the gazetteer, as on a deployed app
                markers = session.page.frame_locator(MAP_FRAME).locator(MARKERS)
                expect(markers).to_have_count(18, timeout=180_000)
                results.append(one_run(session, number + 1, chars))
                outside += [u for u in session.blocked if urlparse(u).hostname not in TILE_HOSTS]
                session.context.close()
    finally:
        chromium.close()
        server.close()
    for result in results:
        print(
            f"browser: paste {result['fill']:.1f} s; click → spinner {result['spinner']:.1f} s, "
            f"→ first marker {result['first']:.1f} s, → all {result['markers']:.0f} markers "
            f"{result['every']:.1f} s; the page answered scripts within {result['stall']:.2f} s "
            f"meanwhile; then the sample's map in {result['sample']:.1f} s"
        )
    if len(results) > 1:
        print(f"median click → all markers: {statistics.median(r['every'] for r in results):.1f} s")
    if outside:
        print(f"error: requests left the machine: {outside[:3]}")
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=MAX_CHARS)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-stages", action="store_true", help="skip the in-process timings")
    args = parser.parse_args()
    if not args.no_stages:
        stages(limit_article(args.chars))
    return browser_runs(args.runs, args.chars)


if __name__ == "__main__":
    sys.exit(main())
