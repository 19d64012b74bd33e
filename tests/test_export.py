"""The story as data: GeoJSON with links, the CSV of mentions, and the timeline's order."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

from geo import Geoparser, Story
from geo.export import MENTION_COLUMNS, mentions_csv, story_geojson, timeline
from geo.links import links_of


def test_geojson_links_are_opt_in_line_strings(seed_story: Story) -> None:
    plain = story_geojson(seed_story)
    assert {f["geometry"]["type"] for f in plain["features"]} == {"Point"}

    full = story_geojson(seed_story, links=True)
    lines = [f for f in full["features"] if f["geometry"]["type"] == "LineString"]
    assert len(lines) == len(links_of(seed_story))
    strongest = lines[0]["properties"]
    assert strongest["kind"] == "link" and strongest["name"] == "Russia – North Korea"
    assert strongest["weight"] == len(strongest["sentences"]) >= 2
    json.dumps(full)  # plain JSON all the way down


def test_mentions_csv_has_a_row_per_mention_in_text_order(seed_story: Story) -> None:
    rows = list(csv.DictReader(io.StringIO(mentions_csv(seed_story))))
    assert tuple(rows[0]) == MENTION_COLUMNS
    assert len(rows) == len(seed_story.mentions)
    starts = [int(r["start"]) for r in rows]
    assert starts == sorted(starts)
    text = seed_story.article.text
    for row in rows:
        assert text[int(row["start"]) : int(row["end"])] == row["text"]
        assert row["text"] in row["sentence"] or row["text"].rstrip(".") in row["sentence"]
    us = next(r for r in rows if r["text"] == "US")
    assert us["place"] == "United States" and us["geonameid"] == "6252001"


def test_csv_keeps_hostile_text_as_data(geoparser: Geoparser) -> None:
    story = geoparser.analyse('=HYPERLINK("x") Crowds in Nairobi chanted, "a, b", Kenya said.')
    rows = list(csv.DictReader(io.StringIO(mentions_csv(story))))
    assert {r["place"] for r in rows} >= {"Nairobi", "Kenya"}
    for row in rows:
        # a cell that would start a spreadsheet formula is defused with a leading quote
        assert row["sentence"].startswith("'=HYPERLINK")
        assert '"a, b"' in row["sentence"]  # commas and quotes stay inside one cell


def test_csv_defuses_place_names_from_outside(seed_story: Story) -> None:
    """A place an online geocoder named (its name and source are the service's text)."""
    pyongyang = seed_story.places[6]
    odd = replace(
        pyongyang,
        candidate=replace(pyongyang.candidate, name="=cmd|' /C calc'!A0", source="@SUM(1)"),
    )
    story = replace(seed_story, places=(*seed_story.places[:6], odd, *seed_story.places[7:]))
    rows = [r for r in csv.DictReader(io.StringIO(mentions_csv(story))) if r["text"] == "Pyongyang"]
    assert rows and all(r["place"] == "'=cmd|' /C calc'!A0" for r in rows)
    assert all(r["source"] == "'@SUM(1)" for r in rows)


def test_timeline_orders_by_date_with_unknown_years_last(seed_story: Story) -> None:
    assert [e.date for e in timeline(seed_story)] == ["1953", "2022", "2024-06-19", "2024-06-20"]


def test_timeline_puts_month_day_dates_after_dated_ones(geoparser: Geoparser) -> None:
    story = geoparser.analyse(
        "On March 3, protesters marched in Nairobi. Police had fired on crowds in Kisumu in 2017."
    )
    assert story.article.year is None
    assert [e.date for e in timeline(story)] == ["2017", "--03-03"]


def test_geojson_export_keeps_iso_dates_and_says_their_precision(seed_story: Story) -> None:
    events = [
        f["properties"]
        for f in story_geojson(seed_story)["features"]
        if f["properties"].get("kind") == "event"
    ]
    assert {(e["date"], e["precision"]) for e in events} == {
        ("1953", "year"),
        ("2022", "year"),
        ("2024-06-19", "day"),
        ("2024-06-20", "day"),
    }
