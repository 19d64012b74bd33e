"""bench/load.py's measures: the CPU seconds of a process and of its children, from /proc, and
the percentile it reports; and how the benchmarks add rows to bench/results.md. (Its websocket
client is exercised by running the benchmark.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load import Cpu, cpu_of, percentile
from bench.tables import add_rows

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

#: Half a second of CPU in a child process.
_BURN = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"


@linux
def test_a_child_s_cpu_counts_for_the_workers_once_it_is_reaped() -> None:
    before = cpu_of(os.getpid())
    subprocess.run([sys.executable, "-c", _BURN], check=True)
    used = cpu_of(os.getpid()) - before

    assert used.workers >= 0.4  # the child's half second (and its start)
    assert used.server < used.workers  # this process only waited


@linux
def test_a_live_child_s_cpu_counts_too() -> None:
    before = cpu_of(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", _BURN + "\nimport time; time.sleep(30)"])
    try:
        used = None
        for _ in range(200):  # until its half second is spent (at most 20 s on a busy machine)
            used = cpu_of(os.getpid()) - before
            if used.workers >= 0.3:
                break
            subprocess.run(["sleep", "0.1"], check=True)
        assert used is not None and used.workers >= 0.3, used
    finally:
        child.kill()
        child.wait()


def test_cpu_figures_subtract_and_add_up() -> None:
    assert Cpu(3.0, 5.0) - Cpu(1.0, 2.0) == Cpu(2.0, 3.0)
    assert Cpu(2.0, 3.0).total == 5.0


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([1.0], 0.95, 1.0),
        ([float(n) for n in range(1, 11)], 0.95, 10.0),  # ten readers: the p95 is the slowest
        ([float(n) for n in range(1, 21)], 0.95, 19.0),
        ([3.0, 1.0, 2.0], 0.5, 2.0),  # unordered values
    ],
)
def test_percentile_is_the_nearest_rank(values: list[float], share: float, expected: float) -> None:
    assert percentile(values, share) == expected


def test_rows_go_below_the_last_row_of_their_table(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    results.write_text("# Results\n\nSome text.\n", encoding="utf-8")
    header = "| a | b |\n| --- | --- |"

    add_rows(results, "## Load", header, ["| 1 | 2 |"])
    add_rows(results, "## Load", header, ["| 3 | 4 |", "| 5 | 6 |"])
    results.write_text(results.read_text(encoding="utf-8") + "\nWhat the rows mean.\n")
    add_rows(results, "## Load", header, ["| 7 | 8 |"])

    assert results.read_text(encoding="utf-8") == (
        "# Results\n\nSome text.\n\n## Load\n\n| a | b |\n| --- | --- |\n"
        "| 1 | 2 |\n| 3 | 4 |\n| 5 | 6 |\n| 7 | 8 |\n\nWhat the rows mean.\n"
    )
