"""Hostile shapes against length: the time and peak memory of reading and analysing them.

    .venv/bin/python bench/adversarial.py [--max-chars 200000] [--steps 4] [--shapes a,b]
                                          [--results bench/results.md]

Each shape is one of issue 14's findings (Markdown emphasis, runs of punctuation, many short
lines) or an absurdly long token. For each, texts of doubling length up to ``--max-chars``
are read as a file of the shape's type (``article_from_bytes``) and analysed
(``Geoparser.analyse``) in this process, twice: once timed, once under :mod:`tracemalloc` for
the peak of the allocations (Python's, NumPy's and spaCy's). Time is taken as wall-clock
seconds and as this process's CPU seconds; the ratios use CPU seconds, which other programs
on a shared machine disturb far less. Each length's ratio to the previous one shows how the
cost grows: linear growth doubles (about 2), quadratic growth quadruples. The table is
printed and, with ``--results``, written into that file's section "Hostile shapes
(bench/adversarial.py)".
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import Geoparser, article_from_bytes  # noqa: E402
from geo.articles import MAX_CHARS  # noqa: E402

#: name -> (the unit repeated, the file type it is read as, what it stands for).
SHAPES = {
    "md-stars": ("*a ", ".md", "finding 1: Markdown emphasis marks"),
    "md-brackets": ("[a](", ".md", "finding 1: Markdown link openers"),
    "bangs": ("!", ".txt", "finding 2: a run of one punctuation mark"),
    "dot-bang": (".!", ".txt", "finding 2: a run of alternating marks"),
    "lines": ("Paris.\n", ".txt", "finding 3: many one-sentence lines"),
    "long-tokens": ("x" * 5_000 + " ", ".txt", "tokens of 5,000 letters"),
}
SECTION = "### Hostile shapes (bench/adversarial.py)"


@dataclass(frozen=True)
class Row:
    shape: str
    chars: int
    read_s: float
    analyse_s: float
    cpu_s: float
    peak_mib: float


def text_of(unit: str, chars: int) -> str:
    return (unit * (chars // len(unit) + 1))[:chars]


def run_once(parser: Geoparser, data: bytes, name: str) -> None:
    parser.analyse(article_from_bytes(data, name))


def measure(parser: Geoparser, shape: str, chars: int) -> Row:
    unit, suffix, _ = SHAPES[shape]
    data = text_of(unit, chars).encode("utf-8")
    name = f"{shape}{suffix}"
    cpu = time.process_time()
    started = time.perf_counter()
    article = article_from_bytes(data, name)
    read = time.perf_counter() - started
    parser.analyse(article)
    analysed = time.perf_counter() - started - read
    cpu = time.process_time() - cpu
    tracemalloc.start()
    try:
        run_once(parser, data, name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Row(shape, chars, read, analysed, cpu, peak / 2**20)


def table(rows: list[Row]) -> str:
    lines = [
        "| shape | characters | read (s) | analyse (s) | CPU (s) | CPU ×, per doubling "
        "| peak MiB | peak ×, per doubling |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    previous: Row | None = None
    for row in rows:
        same = previous is not None and previous.shape == row.shape
        time_ratio = f"{row.cpu_s / previous.cpu_s:.2f}" if same and previous else ""
        memory_ratio = f"{row.peak_mib / previous.peak_mib:.2f}" if same and previous else ""
        lines.append(
            f"| {row.shape} | {row.chars:,} | {row.read_s:.2f} | {row.analyse_s:.2f} "
            f"| {row.cpu_s:.2f} | {time_ratio} | {row.peak_mib:.0f} | {memory_ratio} |"
        )
        previous = row
    return "\n".join(lines)


def write_results(path: Path, body: str) -> None:
    """Replace (or append) the section in ``path``: up to the next heading of any level."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    section = f"{SECTION}\n\n{body}\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^#|\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--max-chars", type=int, default=MAX_CHARS)
    options.add_argument("--steps", type=int, default=4, help="lengths, halving from the max")
    options.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated names")
    options.add_argument("--results", type=Path, help="write the table into this file")
    args = options.parse_args()
    shapes = [s for s in args.shapes.split(",") if s]
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown:
        options.error(f"unknown shapes {unknown}; choose from {', '.join(SHAPES)}")
    lengths = [args.max_chars >> step for step in reversed(range(args.steps))]
    parser = Geoparser()
    parser.analyse("A first article warms the model up in Paris.")
    rows: list[Row] = []
    for shape in shapes:
        for chars in lengths:
            row = measure(parser, shape, chars)
            rows.append(row)
            print(
                f"{shape:12} {chars:>8,} chars  read {row.read_s:6.2f} s  "
                f"analyse {row.analyse_s:6.2f} s  CPU {row.cpu_s:6.2f} s  "
                f"peak {row.peak_mib:6.0f} MiB",
                flush=True,
            )
    body = table(rows)
    print(body)
    if args.results:
        legend = "\n".join(f"- `{name}`: `{SHAPES[name][0][:12]!r}`… as `{SHAPES[name][1]}`, "
                           f"{SHAPES[name][2]}" for name in shapes)  # fmt: skip
        machine = f"{platform.machine()}, Python {platform.python_version()}"
        command = " ".join(["bench/adversarial.py", *sys.argv[1:]])
        write_results(
            args.results,
            f"`{command}` on {time.strftime('%Y-%m-%d')} ({machine}, a shared two-core "
            f"machine, busy with other work: wall-clock seconds vary, CPU seconds much less). "
            f"Ratios: CPU seconds (read and analyse) and peak memory at this length over the "
            f"previous one; linear growth gives 2, quadratic 4.\n\n{legend}\n\n{body}",
        )


if __name__ == "__main__":
    main()
