"""Tests of the benchmark's scoring rules (bench/scoring.py) and of bench/geoparse.py end to end.

Expected values are worked out by hand from the rules in the corpus README. The end-to-end test
runs the benchmark against a fake `geo` package and a three-document corpus written to tmp_path,
so it needs neither the real geoparser nor the shared corpus.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import geoparse, scoring  # noqa: E402
from bench.scoring import GoldSpan, Prediction  # noqa: E402

LN_MAX = math.log(20039)


def gold(
    start: int,
    name: str,
    lat: float | None = 0.0,
    lon: float | None = 0.0,
    geonameid: int | None = None,
) -> GoldSpan:
    return GoldSpan(start, start + len(name), name, lat, lon, geonameid)


def pred(
    start: int,
    text: str,
    lat: float | None = 0.0,
    lon: float | None = 0.0,
    geonameid: int | None = None,
) -> Prediction:
    return Prediction(start, start + len(text), text, text, lat, lon, geonameid)


# --- distances ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "km", "tolerance"),
    [
        ((51.5074, -0.1278), (48.8566, 2.3522), 343.5, 0.5),  # London - Paris
        ((40.7128, -74.0060), (34.0522, -118.2437), 3935.7, 1.0),  # New York - Los Angeles
        ((-33.8688, 151.2093), (51.5074, -0.1278), 16994.0, 2.0),  # Sydney - London
        ((0.0, 0.0), (0.0, 180.0), math.pi * 6371.0088, 1e-6),  # antipodes: half a great circle
        ((90.0, 0.0), (-90.0, 0.0), math.pi * 6371.0088, 1e-6),  # pole to pole
        ((12.3, 45.6), (12.3, 45.6), 0.0, 1e-9),  # same point
    ],
)
def test_great_circle_km(
    a: tuple[float, float], b: tuple[float, float], km: float, tolerance: float
) -> None:
    assert scoring.great_circle_km(*a, *b) == pytest.approx(km, abs=tolerance)
    assert scoring.great_circle_km(*b, *a) == pytest.approx(km, abs=tolerance)


# --- matching -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("golds", "preds", "strict", "pairs"),
    [
        # mid-points 9 apart match, 10 apart do not ("less than 10")
        ([gold(0, "Paris")], [pred(9, "Paris")], False, [(0, 0)]),
        ([gold(0, "Paris")], [pred(10, "Paris")], False, []),
        ([gold(10, "Paris")], [pred(1, "Paris")], False, [(0, 0)]),
        # mid-points count, not starts: "Paris" 0..5 (mid 2.5) vs "Paris, France" 0..13 (mid 6.5)
        ([gold(0, "Paris")], [pred(0, "Paris, France")], False, []),
        # case-insensitive, but the strings must be equal
        ([gold(0, "Paris")], [pred(0, "PARIS")], False, [(0, 0)]),
        ([gold(0, "Paris")], [pred(0, "Paris ")], False, []),
        # strict: equal offsets only
        ([gold(0, "Paris")], [pred(1, "Paris")], True, []),
        ([gold(0, "Paris")], [pred(0, "Paris")], True, [(0, 0)]),
        # one-to-one, nearest first: one prediction takes the nearer of two gold "Paris"
        ([gold(0, "Paris"), gold(6, "Paris")], [pred(6, "Paris")], False, [(1, 0)]),
        (
            [gold(0, "Paris"), gold(6, "Paris")],
            [pred(4, "Paris"), pred(0, "Paris")],
            False,
            [(0, 1), (1, 0)],
        ),
        ([], [pred(0, "Paris")], False, []),
        ([gold(0, "Paris")], [], True, []),
    ],
)
def test_match_spans(
    golds: list[GoldSpan], preds: list[Prediction], strict: bool, pairs: list[tuple[int, int]]
) -> None:
    assert scoring.match_spans(golds, preds, strict=strict) == pairs


# --- resolution errors ----------------------------------------------------------------------

LONDON = (51.5074, -0.1278)
PARIS = (48.8566, 2.3522)


@pytest.mark.parametrize(
    ("g", "p", "km"),
    [
        (gold(0, "Paris", *PARIS), pred(0, "Paris", *LONDON), 343.56),
        # the gold's GeoNames id counts as 0 km whatever the coordinates, even none
        (
            gold(0, "Paris", *PARIS, geonameid=2988507),
            pred(0, "Paris", *LONDON, geonameid=2988507),
            0.0,
        ),
        (gold(0, "Paris", *PARIS, geonameid=2988507), pred(0, "Paris", None, None, 2988507), 0.0),
        # another id is scored by distance; no coordinates is the maximal error
        (
            gold(0, "Paris", *PARIS, geonameid=2988507),
            pred(0, "Paris", *LONDON, geonameid=1),
            343.56,
        ),
        (gold(0, "Paris", *PARIS), pred(0, "Paris", None, None), 20039.0),
        (gold(0, "Paris", *PARIS, geonameid=None), pred(0, "Paris", None, None, None), 20039.0),
    ],
)
def test_resolution_error_km(g: GoldSpan, p: Prediction, km: float) -> None:
    assert scoring.resolution_error_km(g, p) == pytest.approx(km, abs=0.01)


def test_resolution_error_needs_gold_coordinates() -> None:
    with pytest.raises(scoring.ScoringError, match="'French'"):
        scoring.resolution_error_km(gold(0, "French", None, None), pred(0, "French"))


@pytest.mark.parametrize(
    ("gold_id", "pred_id", "km"),
    [
        ("2988507", 2988507, 0.0),  # gold files hold strings, the geoparser writes ints
        (" 02988507", 2988507, 0.0),
        ("2988507", "2988507", 0.0),
        ("2988507", None, 343.56),  # absent id: distance
        (None, None, 343.56),
        ("", 2988507, 343.56),  # empty gold id means none
    ],
)
def test_geonameid_from_json(gold_id: str | None, pred_id: object, km: float) -> None:
    doc = {
        "id": "d",
        "toponyms": [
            {
                "start": 0,
                "end": 5,
                "name": "Paris",
                "lat": PARIS[0],
                "lon": PARIS[1],
                "geonameid": gold_id,
                "type": "Literal",
            }
        ],
    }
    place: dict[str, Any] = {
        "start": 0,
        "end": 5,
        "text": "Paris",
        "name": "Paris",
        "lat": LONDON[0],
        "lon": LONDON[1],
        "kind": "city",
    }
    if pred_id is not None:
        place["geonameid"] = pred_id
    [g] = scoring.gold_spans(doc)
    [p] = scoring.predictions([place], "d")
    assert scoring.resolution_error_km(g, p) == pytest.approx(km, abs=0.01)


@pytest.mark.parametrize(
    ("place", "message"),
    [
        ({"start": 0, "end": 5, "text": "Paris", "geonameid": True}, "'geonameid'.*True"),
        ({"start": 0, "end": 5, "text": "Paris", "geonameid": "Q90"}, "'geonameid'.*'Q90'"),
        ({"start": "0", "end": 5, "text": "Paris"}, "'start'.*'0'"),
        ({"start": 5, "end": 0, "text": "Paris"}, "5..0"),
        ({"start": 0, "end": 5, "text": "Paris", "lat": "48.8"}, "'lat'.*'48.8'"),
        ({"start": 0, "end": 5}, "'text'.*None"),
    ],
)
def test_malformed_prediction_is_quoted(place: dict[str, Any], message: str) -> None:
    with pytest.raises(scoring.ScoringError, match=message):
        scoring.predictions([place], "doc-7")


def test_gold_spans_keep_ner_only_without_coordinates() -> None:
    doc = {
        "id": "d",
        "toponyms": [
            {
                "start": 0,
                "end": 6,
                "name": "France",
                "lat": 46.0,
                "lon": 2.0,
                "geonameid": "3017382",
                "type": "Literal",
            }
        ],
        "ner_only": [{"start": 10, "end": 17, "name": "Italian", "type": "Language"}],
    }
    assert scoring.gold_spans(doc) == [
        GoldSpan(0, 6, "France", 46.0, 2.0, 3017382),
        GoldSpan(10, 17, "Italian"),
    ]


# --- figures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        ([0.0, math.e - 1, math.e**2 - 1], 1 / LN_MAX),  # ln(1+km) = 0, 1, 2: area 2 over 2 * ln
        ([math.e**2 - 1, 0.0, math.e - 1], 1 / LN_MAX),  # the errors are sorted first
        ([20039.0, 20039.0], math.log(20040) / LN_MAX),  # all maximal: just above 1
        ([0.0, 0.0, 0.0], 0.0),
        ([math.e - 1], 1 / LN_MAX),  # one error: its normalised height
        ([], None),
    ],
)
def test_auc(errors: list[float], expected: float | None) -> None:
    assert scoring.auc(errors) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("errors", "accuracy", "mean", "median"),
    [
        ([160.9, 161.0, 0.0], 2 / 3, 321.9 / 3, 160.9),  # 161 km is not "under 161"
        ([10.0, 20.0, 30.0, 1000.0], 0.75, 265.0, 25.0),
        ([], None, None, None),
    ],
)
def test_accuracy_mean_median(
    errors: list[float], accuracy: float | None, mean: float | None, median: float | None
) -> None:
    assert scoring.accuracy_at_161(errors) == pytest.approx(accuracy)
    assert scoring.mean_km(errors) == pytest.approx(mean)
    assert scoring.median_km(errors) == pytest.approx(median)


@pytest.mark.parametrize(
    ("tp", "predicted", "gold_count", "expected"),
    [
        (3, 4, 3, (0.75, 1.0, 6 / 7)),
        (0, 2, 5, (0.0, 0.0, 0.0)),
        (0, 0, 5, (None, 0.0, 0.0)),
        (0, 0, 0, (None, None, None)),
    ],
)
def test_precision_recall_f1(
    tp: int, predicted: int, gold_count: int, expected: tuple[float | None, ...]
) -> None:
    assert scoring.precision_recall_f1(tp, predicted, gold_count) == pytest.approx(expected)


def test_score_document_f1_161_ignores_ner_only_matches() -> None:
    # gold Paris and Georgia with coordinates and an ner_only "French"; a false "Victoria"
    golds = [
        gold(0, "Paris", *PARIS, geonameid=2988507),
        gold(10, "Georgia", 32.0, -83.0),
        GoldSpan(25, 31, "French"),
    ]
    preds = [
        pred(0, "Paris", None, None, 2988507),  # right by id: 0 km
        pred(10, "Georgia", 42.0, 43.5),  # the country, not the state: misplaced
        pred(25, "French", 46.0, 2.0),  # matches ner_only: not judged on place
        pred(40, "Victoria", 48.4, -123.4),  # false
    ]
    tally = scoring.score_document(golds, preds)
    m = scoring.metrics(tally)
    assert (tally.gold, tally.predicted, tally.matched, tally.matched_strict) == (3, 4, 3, 3)
    assert (m.precision, m.recall, m.f1) == pytest.approx((0.75, 1.0, 6 / 7))
    assert len(tally.errors_km) == 2
    assert m.accuracy_161 == pytest.approx(0.5)
    # F1@161: 1 correct; 3 predictions judged (French left out); 2 gold toponyms with coordinates
    assert (tally.correct_161, tally.predicted_scored, tally.gold_with_coordinates) == (1, 3, 2)
    assert m.f1_161 == pytest.approx(2 * 1 / (3 + 2))
    assert dict(tally.false) == {"Victoria": 1}
    assert dict(tally.missed) == {}
    [(misplaced, count)] = tally.misplaced.items()
    assert count == 1
    assert (misplaced.text, misplaced.predicted, misplaced.gold) == (
        "Georgia",
        (42.0, 43.5),
        (32.0, -83.0),
    )
    assert misplaced.km == round(scoring.great_circle_km(32.0, -83.0, 42.0, 43.5))
    assert "'Georgia'" in misplaced.describe()


def test_gold_given_errors_count_missing_and_unresolved_as_maximal() -> None:
    golds = [
        gold(0, "Paris", *PARIS),
        gold(10, "London", *LONDON),
        gold(20, "Rome", 41.9, 12.5),
        GoldSpan(30, 36, "French"),
    ]
    given = [pred(0, "Paris", *PARIS), pred(10, "London", None, None)]  # Rome left out
    assert scoring.gold_given_errors(golds, given) == pytest.approx([0.0, 20039.0, 20039.0])
    tally = scoring.score_document(golds, [], given)
    assert scoring.metrics(tally).given_accuracy_161 == pytest.approx(1 / 3)


def test_recognition_without_demonyms_and_which_adjectives_the_gold_marks() -> None:
    # GeoWebNews marks "French"; LGL-style gold leaves "Soviet" unmarked
    golds = [gold(0, "Paris", *PARIS), gold(10, "French", 46.0, 2.0)]
    preds = [
        pred(0, "Paris", *PARIS),
        Prediction(10, 16, "French", "France", 46.0, 2.0, demonym=True),
        Prediction(30, 36, "Soviet", "Soviet Union", 60.0, 100.0, demonym=True),
    ]
    tally = scoring.score_document(golds, preds)
    m = scoring.metrics(tally)
    assert (m.precision, m.recall) == pytest.approx((2 / 3, 1.0))
    assert (m.precision_no_demonyms, m.recall_no_demonyms, m.f1_no_demonyms) == pytest.approx(
        (1.0, 0.5, 2 / 3)
    )
    assert (m.demonyms, m.demonyms_right) == (2, 1)
    assert (dict(tally.demonyms_right), dict(tally.demonyms_unmarked)) == (
        {"French": 1},
        {"Soviet": 1},
    )


ONTARIO = (50.0, -85.0)  # GeoNames' point; another source puts it ~500 km away
DIVISIONS = {
    scoring.region_key("Canada", "Ontario"): ("CA", "ON"),
    scoring.region_key("United States", "Georgia"): ("US", "GA"),
}


def adm1(start: int, name: str, country: str, lat: float, lon: float) -> GoldSpan:
    return GoldSpan(start, start + len(name), name, lat, lon, None, "ADM1", country)


def test_division_misses_tell_the_same_region_at_another_point() -> None:
    golds = [
        adm1(0, "Ontario", "Canada", *ONTARIO),
        adm1(20, "Georgia", "United States", 32.75, -83.5),
        adm1(40, "Ontario", "Canada", *ONTARIO),
        gold(60, "Rome", 41.9, 12.5),  # not a division: not counted, though missing
        adm1(80, "Quebec", "Canada", 52.0, -72.0),  # left out by the geoparser
    ]
    given = [
        Prediction(0, 7, "Ontario", "Ontario", 45.0, -80.0, country="CA", admin1="ON"),
        Prediction(20, 27, "Georgia", "Georgia", 42.0, 43.5, country="GE"),  # the country
        Prediction(40, 47, "Ontario", "Ontario", 50.1, -85.0, country="CA", admin1="ON"),
    ]
    assert scoring.division_misses(golds, given, DIVISIONS) == (3, 1)
    m = scoring.metrics(scoring.score_document(golds, [], given, DIVISIONS))
    assert (m.division_misses, m.same_region) == (3, 1)
    # a division the table does not list is never counted as the same region
    assert scoring.division_misses(golds, given, {}) == (3, 0)


def test_region_key_ignores_case_and_spacing() -> None:
    assert scoring.region_key(" United  States", "GEORGIA") == ("united states", "georgia")


def test_prediction_and_gold_extras_are_parsed() -> None:
    place = {"start": 0, "end": 6, "text": "French", "lat": 46.0, "lon": 2.0}
    extras = {"demonym": True, "country": "FR", "admin1": ""}
    [plain] = scoring.predictions([place])
    [flagged] = scoring.predictions([{**place, **extras}])
    assert (plain.demonym, plain.country, plain.admin1) == (False, "", "")
    assert (flagged.demonym, flagged.country, flagged.admin1) == (True, "FR", "")
    toponym = {"start": 0, "end": 7, "name": "Ontario", "lat": 50.0, "lon": -85.0}
    doc = {
        "id": "d",
        "toponyms": [
            {**toponym, "fcode": "ADM1", "country": "Canada"},
            {**toponym, "fcode": None, "country": None},
        ],
    }
    first, second = scoring.gold_spans(doc)
    assert (first.fcode, first.country, second.fcode, second.country) == ("ADM1", "Canada", "", "")


def test_the_default_corpora_are_the_three_development_corpora() -> None:
    assert [p.name for p in geoparse.DEFAULT_CORPORA] == [
        "geowebnews.jsonl",
        "lgl-first70.jsonl",
        "tr-news-first70.jsonl",
    ]
    assert all(p.parent == ROOT.parent / "shared" / "corpus" for p in geoparse.DEFAULT_CORPORA)


def test_division_names_come_from_the_installed_package() -> None:
    divisions = geoparse.load_divisions()
    assert divisions[scoring.region_key("Canada", "Ontario")] == ("CA", "ON")
    assert divisions[scoring.region_key("United States", "Illinois")] == ("US", "IL")


def test_combine_adds_documents_up() -> None:
    first = scoring.score_document([gold(0, "Paris", *PARIS)], [pred(0, "Paris", *PARIS)])
    second = scoring.score_document([gold(0, "Rome", 41.9, 12.5)], [pred(0, "Oslo")])
    total = scoring.combine([first, second])
    m = scoring.metrics(total)
    assert (total.documents, total.gold, total.predicted, total.matched) == (2, 2, 2, 1)
    assert (m.f1, m.accuracy_161, m.f1_161) == pytest.approx((0.5, 1.0, 0.5))
    assert (dict(total.missed), dict(total.false)) == ({"Rome": 1}, {"Oslo": 1})


def test_empty_inputs_do_not_crash() -> None:
    assert scoring.match_spans([], []) == []
    assert scoring.gold_given_errors([], []) == []
    empty = scoring.metrics(scoring.combine([scoring.score_document([], [], [])]))
    assert empty == scoring.Metrics(1, *[None] * 10)
    assert scoring.metrics(scoring.combine([])).documents == 0
    assert scoring.gold_spans({"id": "d", "toponyms": []}) == []


@pytest.mark.parametrize(
    ("count", "fraction", "start"),
    [
        (200, 0.3, 140),
        (2, 0.3, 1),
        (10, 1.0, 0),
        (0, 0.3, 0),
        (7, 0.5, 3),
    ],
)
def test_last_fraction_start(count: int, fraction: float, start: int) -> None:
    assert scoring.last_fraction_start(count, fraction) == start


@pytest.mark.parametrize("fraction", [0.0, 1.5, -0.3])
def test_last_fraction_rejects_bad_fraction(fraction: float) -> None:
    with pytest.raises(ValueError, match=repr(fraction)):
        scoring.last_fraction_start(10, fraction)


# --- results file ---------------------------------------------------------------------------

ROW = geoparse.markdown_row(["2025-01-01", "abc1234", *["x"] * len(geoparse.COLUMNS)])
HEADER = geoparse.markdown_row(["date", "commit", *geoparse.COLUMNS])


def test_update_results_creates_file_and_section() -> None:
    created = geoparse.update_results("", [ROW])
    assert created.startswith("# Benchmark results")
    separator = geoparse.markdown_row(["---"] * (len(geoparse.COLUMNS) + 2))
    assert created.endswith(f"## Results\n\n{HEADER}\n{separator}\n{ROW}\n")
    notes = geoparse.update_results("# Notes\n\nkeep me\n", [ROW])
    assert notes.startswith("# Notes\n\nkeep me\n\n## Results\n")


def test_update_results_appends_below_earlier_rows_and_keeps_other_sections() -> None:
    older = ROW.replace("2025-01-01", "2024-12-31")
    existing = geoparse.update_results("", [older]) + "\n## Notes\n\ntext\n"
    updated = geoparse.update_results(existing, [ROW])
    assert updated.index(older) < updated.index(ROW) < updated.index("## Notes")
    assert updated.count(HEADER) == 1
    assert updated.endswith("## Notes\n\ntext\n")


def test_update_results_starts_a_new_table_when_the_columns_change() -> None:
    old = "# R\n\n## Results\n\n| date | F1 |\n| --- | --- |\n| 2024-01-01 | 0.5 |\n"
    updated = geoparse.update_results(old, [ROW])
    assert updated.startswith(old.rstrip("\n") + f"\n\n{HEADER}\n")
    assert updated.endswith(f"{ROW}\n")


def test_update_results_adds_to_the_newest_table_below_an_older_one() -> None:
    old = "# R\n\n## Results\n\n| date | F1 |\n| --- | --- |\n| 2024-01-01 | 0.5 |\n"
    first = geoparse.update_results(old, [ROW])
    older = ROW.replace("2025-01-01", "2024-12-31")
    second = geoparse.update_results(first + "\nA note under the tables.\n", [older])
    assert second.count(HEADER) == 1
    assert second.index(ROW) < second.index(older) < second.index("A note")


# --- end to end -----------------------------------------------------------------------------

FAKE_GEO_MAIN = textwrap.dedent('''
    """A fake `python -m geo geoparse`: a four-name gazetteer matched as whole words."""
    import argparse
    import json
    import re

    GAZETTEER = {  # name: lat, lon, GeoNames id
        "Paris": (48.8566, 2.3522, 2988507),
        "London": (42.9834, -81.2497, 6058560),     # London, Ontario: misplaced
        "Lyon": (45.764, 4.8357, None),
        "Victoria": (48.4284, -123.3656, 6174041),  # a person in the corpus: a false prediction
    }


    def place(text, start, end):
        lat, lon, geonameid = GAZETTEER.get(text[start:end], (None, None, None))
        entry = {"start": start, "end": end, "text": text[start:end], "name": text[start:end],
                 "lat": lat, "lon": lon, "kind": "city"}
        if geonameid is not None:
            entry["geonameid"] = geonameid
        return entry


    parser = argparse.ArgumentParser(prog="geo")
    parser.add_argument("command", choices=["geoparse"])
    parser.add_argument("input")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--spans-given", action="store_true")
    args = parser.parse_args()
    pattern = re.compile(r"\\b(?:" + "|".join(GAZETTEER) + r")\\b")
    with open(args.input, encoding="utf-8") as source, open(args.output, "w") as sink:
        for line in source:
            doc = json.loads(line)
            if args.spans_given:
                spans = [(s["start"], s["end"]) for s in doc["spans"]]
            else:
                spans = [m.span() for m in pattern.finditer(doc["text"])]
            places = [place(doc["text"], start, end) for start, end in spans]
            sink.write(json.dumps({"id": doc["id"], "places": places}) + "\\n")
''')

# (text, [(name, lat, lon, geonameid)]) of invented sentences; every name occurs once.
TINY_CORPUS: list[tuple[str, list[tuple[str, float, float, str | None]]]] = [
    (
        "Paris and London signed a deal in Springfield.",
        [
            ("Paris", 48.8566, 2.3522, "2988507"),
            ("London", 51.5074, -0.1278, "2643743"),
            ("Springfield", 39.7817, -89.6501, None),
        ],
    ),
    (
        "The French minister Victoria visited Lyon.",
        [("French", 46.0, 2.0, "3017382"), ("Lyon", 45.7578, 4.832, "2996944")],
    ),
    ("Rome was left out by --limit.", [("Rome", 41.9, 12.5, "3169070")]),
]


def write_tiny_corpus(path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for number, (text, places) in enumerate(TINY_CORPUS):
            toponyms = [
                {
                    "start": text.index(name),
                    "end": text.index(name) + len(name),
                    "name": name,
                    "lat": lat,
                    "lon": lon,
                    "geonameid": geonameid,
                    "type": "Literal",
                }
                for name, lat, lon, geonameid in places
            ]
            f.write(
                json.dumps(
                    {"id": f"tiny-{number}", "text": text, "toponyms": toponyms, "ner_only": []}
                )
                + "\n"
            )


def test_benchmark_end_to_end_with_fake_geo(tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    (fake / "geo").mkdir(parents=True)
    (fake / "geo" / "__init__.py").write_text("")
    (fake / "geo" / "__main__.py").write_text(FAKE_GEO_MAIN)
    corpus = tmp_path / "tiny.jsonl"
    write_tiny_corpus(corpus)
    results = tmp_path / "results.md"
    env = {**os.environ, "PYTHONPATH": str(fake)}

    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "geoparse.py"),
            "--corpus",
            str(corpus),
            "--corpus",
            str(tmp_path / "absent.jsonl"),
            "--limit",
            "2",
            "--out-dir",
            str(tmp_path / "out"),
            "--results",
            str(results),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    assert f"skipping {tmp_path / 'absent.jsonl'}" in run.stdout
    assert "'Springfield'" in run.stdout  # missed
    assert "'Victoria'" in run.stdout  # false
    assert "'London' → London" in run.stdout  # misplaced
    assert (tmp_path / "out" / "tiny" / "predictions.jsonl").is_file()
    rows = [line for line in results.read_text().splitlines() if "| tiny |" in line]
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    columns = ["date", "commit", *geoparse.COLUMNS]
    got = [dict(zip(columns, row, strict=True)) for row in cells]
    figures = [
        "docs",
        "subset",
        "P",
        "R",
        "F1",
        "strict F1",
        "Acc@161",
        "F1@161",
        "gold-given Acc@161",
        "F1 w/o demonyms",
        "demonyms marked",
        "ADM1 misses (same region)",
    ]
    # all: 5 gold, 4 predicted, 3 matched (Paris by id, London 5,700 km off, Lyon 1 km off);
    # gold given: Paris and Lyon right, London wrong, Springfield and French unresolved
    assert [[g[f] for f in figures] for g in got] == [
        [
            "2",
            "all",
            "0.750",
            "0.600",
            "0.667",
            "0.667",
            "66.7%",
            "0.444",
            "40.0%",
            "0.667",
            "0/0",
            "0 (0)",
        ],
        [
            "1",
            "last 30%",
            "0.500",
            "0.500",
            "0.500",
            "0.500",
            "100.0%",
            "0.500",
            "50.0%",
            "0.500",
            "0/0",
            "0 (0)",
        ],
    ]
    assert got[0]["s/article"] != "-"
    assert got[1]["s/article"] == "-"


def test_missing_corpus_is_skipped_and_results_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results.md"
    assert geoparse.main(["--corpus", str(tmp_path / "none.jsonl"), "--results", str(results)]) == 0
    assert "skipping" in capsys.readouterr().out
    assert not results.exists()


def test_bad_corpus_line_is_quoted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text('{"id": "a", "text": 7}\n')
    assert (
        geoparse.main(
            [
                "--corpus",
                str(corpus),
                "--results",
                str(tmp_path / "r.md"),
                "--out-dir",
                str(tmp_path / "out"),
            ]
        )
        == 2
    )
    assert f"{corpus}:1" in capsys.readouterr().err
