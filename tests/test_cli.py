"""The command line through its real entry point: ``python -m geo`` as a subprocess.

Each run loads the spaCy model (several seconds), so every run this module needs is started
once, all together, by the module fixture ``runs``; each test then reads the result of its
own run. The ``gazetteer`` fixture builds the gazetteer index first, so that the runs only
open it. Between them the runs read files and standard input (``-``) and write standard
output and files (``-o``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from geo import Gazetteer
from geo.cli import SOME_RECORDS_FAILED
from geo.export import MENTION_COLUMNS
from geo.mentions import FOUND_BY
from geo.resolve import UNSURE_BELOW

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "russia-north-korea-pact.txt"

ARTICLES = [
    {
        "id": "kp-1",
        "text": "Kim Jong-un met Vladimir Putin in Pyongyang on Wednesday. "
        "Officials in Moscow welcomed the deal.",
    },
    {"id": "ke-2", "text": "Floods hit Nairobi, the capital of Kenya, on Monday."},
    {"id": "fr-3", "text": "The French minister spoke in Paris on Friday."},
    {"id": "blank-4", "text": ""},
]

SPANS_TEXT = "French troops arrived in Paris after a long march, then sat at the table."
# "French" is an adjective (resolves to its country); "table" is no place at all.
SPAN_WORDS = ["French", "Paris", "table"]
SPANS_RECORD = {
    "id": "spans-1",
    "text": SPANS_TEXT,
    "spans": [
        {"start": SPANS_TEXT.index(w), "end": SPANS_TEXT.index(w) + len(w)} for w in SPAN_WORDS
    ],
}

PLACE_KEYS = {
    "start",
    "end",
    "text",
    "name",
    "lat",
    "lon",
    "kind",
    "country",
    "admin1",
    "found",
    "demonym",
}


@dataclass(frozen=True)
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def _jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli")
    paths = {
        "articles": folder / "articles.jsonl",
        "geojson_out": folder / "story.geojson",
        "map_out": folder / "map.html",
        "empty": folder / "empty.txt",
        "pdf": folder / "article.pdf",
        "bad_jsonl": folder / "bad.jsonl",
        "no_spans": folder / "no-spans.jsonl",
        "missing": folder / "missing.txt",
        "error_map_out": folder / "never.html",
    }
    paths["articles"].write_text(_jsonl(ARTICLES), encoding="utf-8")
    paths["empty"].write_text("", encoding="utf-8")
    paths["pdf"].write_bytes(b"%PDF-1.4\n")
    paths["bad_jsonl"].write_text(
        json.dumps(ARTICLES[0]) + '\n{"id": "x", "text": \n', encoding="utf-8"
    )
    paths["no_spans"].write_text(_jsonl([{"id": "x", "text": "Paris"}]), encoding="utf-8")
    return paths


#: Finding 11 of issue 14: one record of each kind that once aborted the whole batch. Bytes,
#: read under LC_ALL=C: a lone surrogate (valid JSON, no character), a line that is not
#: UTF-8, a line that is not JSON; the good records around them must still be geoparsed.
MIXED_BATCH = (
    json.dumps(ARTICLES[0]).encode()
    + b'\n{"id": "surrogate", "text": "Floods in \\ud800 Nairobi"}\n'
    + b'{"id": "latin1", "text": "Caf\xe9 in Paris"}\n'
    + b"{not json\n"
    + json.dumps({"id": "long", "text": "Paris " * 40_000}).encode()
    + b"\n"
    + json.dumps(ARTICLES[1]).encode()
    + b"\n"
)


def _run(args: list[str], stdin: str | bytes | None, env: dict[str, str] | None = None) -> Run:
    command = [sys.executable, "-m", "geo", *args]
    result = subprocess.run(
        command,
        cwd=ROOT,
        input=stdin.encode("utf-8") if isinstance(stdin, str) else stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )
    return Run(
        command,
        result.returncode,
        result.stdout.decode("utf-8"),
        result.stderr.decode("utf-8"),
    )


@pytest.fixture(scope="module")
def runs(gazetteer: Gazetteer, files: dict[str, Path]) -> dict[str, Run]:
    """Every run of ``python -m geo`` the tests read, as many at a time as there are CPUs."""
    plans: dict[str, tuple[list[str], str | None]] = {
        "geoparse_file": (["geoparse", str(files["articles"])], None),
        "spans_given_stdin": (["geoparse", "--spans-given", "-"], _jsonl([SPANS_RECORD])),
        "geojson": (["geojson", str(SEED), "-o", str(files["geojson_out"])], None),
        "map_stdin": (["map", "-", "-o", str(files["map_out"])], SEED.read_text(encoding="utf-8")),
        "csv_stdout": (["csv", str(SEED)], None),
        "geojson_links_stdin": (["geojson", "--links", "-"], SEED.read_text(encoding="utf-8")),
        "missing_file": (["geojson", str(files["missing"])], None),
        "unsupported_suffix": (["geojson", str(files["pdf"])], None),
        "empty_file": (["map", str(files["empty"]), "-o", str(files["error_map_out"])], None),
        "malformed_jsonl": (["geoparse", str(files["bad_jsonl"])], None),
        "no_spans": (["geoparse", "--spans-given", str(files["no_spans"])], None),
    }
    c_locale = {"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "", "PYTHONUTF8": "0"}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = {name: pool.submit(_run, *plan) for name, plan in plans.items()}
        futures["mixed_batch"] = pool.submit(_run, ["geoparse", "-"], MIXED_BATCH, c_locale)
        return {name: future.result() for name, future in futures.items()}


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def _succeeded(run: Run) -> None:
    assert run.returncode == 0, f"{run.args} failed:\n{run.stderr}"
    assert "Traceback" not in run.stderr


# --- geoparse -------------------------------------------------------------------------------


def test_geoparse_writes_one_line_per_article(runs: dict[str, Run]) -> None:
    run = runs["geoparse_file"]
    _succeeded(run)

    records = _lines(run.stdout)

    assert [r["id"] for r in records] == [a["id"] for a in ARTICLES]
    for record, article in zip(records, ARTICLES, strict=True):
        assert set(record) == {"id", "places"}
        for place in record["places"]:
            assert set(place) >= PLACE_KEYS
            assert place["text"] == article["text"][place["start"] : place["end"]]
            assert isinstance(place["lat"], float)
            assert isinstance(place["lon"], float)


def test_geoparse_resolves_places_with_their_geonames_ids(runs: dict[str, Run]) -> None:
    found = {
        p["text"]: p for record in _lines(runs["geoparse_file"].stdout) for p in record["places"]
    }

    assert found["Pyongyang"]["name"] == "Pyongyang"
    assert found["Pyongyang"]["kind"] == "capital"
    assert found["Pyongyang"]["geonameid"] == 1871859
    assert found["Moscow"]["geonameid"] == 524901
    assert found["Nairobi"]["name"] == "Nairobi"
    assert found["Kenya"]["kind"] == "country"
    assert isinstance(found["Kenya"]["geonameid"], int)
    # ISO 3166-1 country and ISO 3166-2 division, as Mordecai 3 reports them
    assert (found["Moscow"]["country"], found["Moscow"]["admin1"]) == ("RU", "MOW")
    assert (found["Kenya"]["country"], found["Kenya"]["admin1"]) == ("KE", None)


def test_geoparse_says_how_each_place_was_found(runs: dict[str, Run]) -> None:
    found = {
        p["text"]: p for record in _lines(runs["geoparse_file"].stdout) for p in record["places"]
    }

    # an adjective names its country through the demonym table, and says so
    assert (found["French"]["name"], found["French"]["found"]) == ("France", "demonym")
    assert found["French"]["demonym"] is True
    assert found["Paris"]["demonym"] is False
    for place in found.values():
        assert place["found"] in FOUND_BY


def test_geoparse_gives_each_place_its_confidence(runs: dict[str, Run]) -> None:
    places = [p for record in _lines(runs["geoparse_file"].stdout) for p in record["places"]]

    assert all(0.0 < place["confidence"] < 1.0 for place in places)  # a logistic model's
    found = {place["text"]: place for place in places}
    assert found["Pyongyang"]["confidence"] >= UNSURE_BELOW  # a capital; no rival near its rank


def test_geoparse_of_an_empty_text_has_no_places(runs: dict[str, Run]) -> None:
    records = _lines(runs["geoparse_file"].stdout)

    assert records[-1] == {"id": "blank-4", "places": []}


def test_spans_given_read_from_stdin_gives_one_entry_per_span(runs: dict[str, Run]) -> None:
    run = runs["spans_given_stdin"]
    _succeeded(run)

    [record] = _lines(run.stdout)
    assert record["id"] == "spans-1"
    places = record["places"]
    assert [(p["start"], p["end"]) for p in places] == [
        (s["start"], s["end"]) for s in SPANS_RECORD["spans"]
    ]
    for place in places:
        assert set(place) >= PLACE_KEYS
        assert place["text"] == SPANS_TEXT[place["start"] : place["end"]]

    french, paris, table = places
    assert {p["found"] for p in places} == {"given"}
    assert [p["demonym"] for p in places] == [True, False, False]
    assert (table["country"], table["admin1"]) == (None, None)
    assert french["name"] == "France"
    assert french["kind"] == "country"
    assert french["geonameid"] == 3017382
    assert paris["name"] == "Paris"
    assert paris["lat"] == pytest.approx(48.85, abs=0.1)
    assert table["lat"] is None
    assert table["lon"] is None
    assert table["kind"] == "unresolved"
    assert "geonameid" not in table


# --- geojson and map ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def geojson(runs: dict[str, Run], files: dict[str, Path]) -> dict[str, Any]:
    _succeeded(runs["geojson"])
    data: dict[str, Any] = json.loads(files["geojson_out"].read_text(encoding="utf-8"))
    return data


def test_geojson_is_a_feature_collection_of_points(geojson: dict[str, Any]) -> None:
    assert geojson["type"] == "FeatureCollection"
    assert geojson["features"]
    for feature in geojson["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180
        assert -90 <= lat <= 90


def test_geojson_places_carry_their_mentions_and_sentences(geojson: dict[str, Any]) -> None:
    article = SEED.read_text(encoding="utf-8")
    places = [f["properties"] for f in geojson["features"] if f["properties"]["kind"] != "event"]
    by_name = {p["name"]: p for p in places}

    assert {"Pyongyang", "Moscow", "Seoul", "North Korea", "Russia"} <= set(by_name)
    for place in places:
        assert isinstance(place["kind"], str)
        assert place["mentions"]
        for mention in place["mentions"]:
            assert set(mention) == {"start", "end", "text"}
            # The file is read as is (no clean-up needed), so offsets point into it.
            assert article[mention["start"] : mention["end"]] == mention["text"]
        assert place["sentences"]
        assert all(isinstance(s, str) and s in article for s in place["sentences"])
    assert by_name["Pyongyang"]["kind"] == "capital"
    assert "Pyongyang" in by_name["Pyongyang"]["sentences"][0]


def test_geojson_events_carry_date_and_sentence(geojson: dict[str, Any]) -> None:
    events = [f for f in geojson["features"] if f["properties"]["kind"] == "event"]

    assert events
    for event in events:
        assert {"name", "date", "sentence"} <= set(event["properties"])
    [border] = [e for e in events if e["properties"]["date"] == "2024-06-20"]
    assert "warning shots" in border["properties"]["sentence"]
    assert border["properties"]["place"] == "Korean Demilitarized Zone"
    lon, lat = border["geometry"]["coordinates"]
    assert lat == pytest.approx(37.96, abs=0.1)
    assert lon == pytest.approx(126.68, abs=0.1)


def test_geojson_with_links_adds_a_line_per_pair_of_places(
    runs: dict[str, Run], geojson: dict[str, Any]
) -> None:
    run = runs["geojson_links_stdin"]
    _succeeded(run)

    linked = json.loads(run.stdout)

    points = [f for f in linked["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in linked["features"] if f["geometry"]["type"] != "Point"]
    assert points == geojson["features"]  # the same places and events, read from stdin
    assert lines and all(f["geometry"]["type"] == "LineString" for f in lines)
    by_name = {f["properties"]["name"]: f["properties"] for f in lines}
    pact = by_name["Russia – North Korea"]  # the strongest link, as in the app
    assert pact["kind"] == "link"
    assert pact["weight"] == len(pact["sentences"]) == max(p["weight"] for p in by_name.values())
    assert {"North Korea – South Korea", "Ukraine – Seoul"} <= set(by_name)
    for line in lines:
        assert len(line["geometry"]["coordinates"]) == 2


def test_csv_lists_every_mention_of_the_seed(runs: dict[str, Run]) -> None:
    run = runs["csv_stdout"]
    _succeeded(run)
    article = SEED.read_text(encoding="utf-8")

    rows = list(csv.DictReader(io.StringIO(run.stdout)))

    assert run.stdout.splitlines()[0].split(",") == list(MENTION_COLUMNS)
    assert [int(r["start"]) for r in rows] == sorted(int(r["start"]) for r in rows)
    for row in rows:
        assert article[int(row["start"]) : int(row["end"])] == row["text"]
        assert row["text"] in row["sentence"] and row["sentence"] in article
        assert -90 <= float(row["lat"]) <= 90 and -180 <= float(row["lon"]) <= 180
        assert 0 <= float(row["confidence"]) <= 1
    places = [r["place"] for r in rows]
    # "North Korean" and "Russian" count for their countries, as on the map
    assert places.count("North Korea") == 10 and places.count("Russia") == 9
    pyongyang = next(r for r in rows if r["text"] == "Pyongyang")
    assert (pyongyang["place"], pyongyang["kind"], pyongyang["geonameid"]) == (
        "Pyongyang",
        "capital",
        "1871859",
    )
    us = next(r for r in rows if r["text"] == "US")
    assert (us["place"], us["kind"], us["geonameid"]) == ("United States", "country", "6252001")
    assert rows[0]["text"] == "Russia" and rows[0]["sentence"] == article.splitlines()[0]


def test_map_from_stdin_is_a_standalone_leaflet_page(
    runs: dict[str, Run], files: dict[str, Path]
) -> None:
    run = runs["map_stdin"]
    _succeeded(run)
    assert run.stdout == ""
    assert run.stderr.strip() == f"wrote {files['map_out']}"

    page = files["map_out"].read_text(encoding="utf-8")

    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    assert "leaflet" in page.lower()
    assert page.count("L.marker(") >= 12
    assert "L.timeline(" in page and "L.timelineSliderControl(" in page  # events over time
    assert "Pyongyang · capital city" in page


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("missing_file", "missing.txt"),
        ("unsupported_suffix", "article.pdf"),
        ("empty_file", "empty"),
    ],
)
def test_bad_input_is_one_error_line(runs: dict[str, Run], name: str, quoted: str) -> None:
    run = runs[name]

    assert run.returncode == 2  # bad input, as geo.cli documents
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ")
    assert quoted in lines[0]
    assert run.stdout == ""


@pytest.mark.parametrize(
    ("name", "quoted"), [("malformed_jsonl", "line 2: not JSON"), ("no_spans", '"spans"')]
)
def test_a_bad_record_is_an_error_line_and_the_status_says_so(
    runs: dict[str, Run], name: str, quoted: str
) -> None:
    run = runs[name]

    assert run.returncode == SOME_RECORDS_FAILED
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        'error: 1 of 1 records failed (see their "error")'
        if name == "no_spans"
        else 'error: 1 of 2 records failed (see their "error")'
    ]
    *_, last = _lines(run.stdout)
    assert set(last) == {"id", "error"}
    assert quoted in last["error"]


def test_one_bad_record_does_not_stop_the_batch(runs: dict[str, Run]) -> None:
    run = runs["mixed_batch"]

    assert run.returncode == SOME_RECORDS_FAILED, run.stderr
    assert "Traceback" not in run.stderr
    records = _lines(run.stdout)
    assert [r["id"] for r in records] == ["kp-1", "surrogate", "3", "4", "long", "ke-2"]
    kp, surrogate, latin1, not_json, long, ke = records
    assert {p["text"] for p in kp["places"]} >= {"Pyongyang", "Moscow"}
    assert {p["text"] for p in ke["places"]} >= {"Nairobi", "Kenya"}
    assert "invalid character" in surrogate["error"]
    assert "line 3: not UTF-8" in latin1["error"]
    assert "line 4: not JSON" in not_json["error"]
    assert "line 5: the text has 240,000 characters; the limit is 200,000" in long["error"]


def test_failed_map_writes_no_file(runs: dict[str, Run], files: dict[str, Path]) -> None:
    assert runs["empty_file"].returncode != 0
    assert not files["error_map_out"].exists()


# --- import hygiene -------------------------------------------------------------------------


def test_geo_never_imports_streamlit() -> None:
    code = (
        "import geo, geo.cli, geo.maps, geo.export; import sys; "
        "assert 'streamlit' not in sys.modules, 'geo imported streamlit'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stderr
