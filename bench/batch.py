"""Batch throughput: ``geo geoparse --jobs 1`` against ``--jobs N`` on the development corpora.

The texts of every corpus given (by default the three in ``../shared/corpus``) are written, id
and text only, to one JSON Lines file under ``bench/out/`` (never committed), optionally
repeated to make a longer run. Each command is run as a whole process, in turn (1, N, 1, N, …),
so a drift in the machine's speed hits both; the figures are the medians of the wall times and
of the ratios pair by pair. Model loading is part of each run, as it is for a user.

    python bench/batch.py [--jobs 2] [--runs 3] [--repeat 2]

It prints a row for the table "Batch throughput" in bench/results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.tables import commit_of  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpus"
DEFAULT_CORPORA = [
    CORPORA / n for n in ("geowebnews.jsonl", "lgl-first70.jsonl", "tr-news-first70.jsonl")
]


def write_input(corpora: list[Path], repeat: int, path: Path) -> int:
    """The corpora's texts as one JSON Lines file; returns how many records it holds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for copy in range(repeat):
            for corpus in corpora:
                # "\n" alone ends a record: texts hold U+2028 and other breaks of splitlines
                for line in filter(None, corpus.read_text(encoding="utf-8").split("\n")):
                    doc = json.loads(line)
                    out.write(json.dumps({"id": f"{copy}-{doc['id']}", "text": doc["text"]}) + "\n")
                    count += 1
    return count


def timed(jobs: int, source: Path, output: Path) -> float:
    """Wall seconds of one ``geoparse --jobs`` run, from process start to exit."""
    command = [sys.executable, "-m", "geo", "geoparse", "--jobs", str(jobs), str(source)]
    start = time.perf_counter()
    subprocess.run([*command, "-o", str(output)], cwd=ROOT, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", help="JSONL corpus, repeatable")
    parser.add_argument("--jobs", type=int, default=2, help="processes to compare with one")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each command")
    parser.add_argument("--repeat", type=int, default=1, help="copies of the corpora's texts")
    args = parser.parse_args()
    out_dir = ROOT / "bench" / "out"
    source = out_dir / "batch-input.jsonl"
    records = write_input(args.corpus or DEFAULT_CORPORA, args.repeat, source)
    outputs = {jobs: out_dir / f"batch-jobs{jobs}.jsonl" for jobs in (1, args.jobs)}
    timed(1, source, outputs[1])  # warm-up: the gazetteer index, the page cache
    one: list[float] = []
    many: list[float] = []
    for _ in range(args.runs):
        one.append(timed(1, source, outputs[1]))
        many.append(timed(args.jobs, source, outputs[args.jobs]))
    same = outputs[1].read_bytes() == outputs[args.jobs].read_bytes()
    speedup = statistics.median(a / b for a, b in zip(one, many, strict=True))
    row = (
        f"| {dt.date.today()} | {commit_of(ROOT)} | {records} | {os.cpu_count()} | "
        f"{statistics.median(one):.1f} s ({records / statistics.median(one):.1f}/s) | "
        f"{statistics.median(many):.1f} s ({records / statistics.median(many):.1f}/s) | "
        f"{speedup:.2f}× | {'yes' if same else 'NO'} |"
    )
    print(f"--jobs 1: {[round(t, 1) for t in one]} s")
    print(f"--jobs {args.jobs}: {[round(t, 1) for t in many]} s")
    print(row)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
