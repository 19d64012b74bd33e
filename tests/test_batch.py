"""Geoparsing archives in several processes (``geoparse --jobs N``) and on a Dask cluster
(``geoparse-shards``): the output is the single process's, line for line, in input order.

Each worker process loads the model (a few seconds), so the runs are few and small."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo import batch
from geo.batch import Progress, geoparse_parallel, geoparse_shards
from geo.cli import SOME_RECORDS_FAILED, geoparse
from geo.errors import ArticleError
from geo.story import Geoparser

ROOT = Path(__file__).resolve().parent.parent

TEXTS = [
    "Kim Jong-un met Vladimir Putin in Pyongyang on Wednesday. Officials in Moscow agreed.",
    "Floods hit Nairobi, the capital of Kenya, on Monday.",
    "",
    # U+2028 is a line break to str.splitlines but not to JSON Lines
    "Storms hit Springfield, Illinois\u2028and Chicago on Friday.",
    "Talks in Geneva and Vienna ended without a deal.",
]
#: Good records, then the kinds of bad one that must stay on their own lines.
LINES = [json.dumps({"id": f"r{i}", "text": TEXTS[i % len(TEXTS)]}) + "\n" for i in range(23)]
LINES[7] = "{not json\n"
LINES[15] = '{"id": "surrogate", "text": "Rain in \\ud800 Paris"}\n'
LINES[19] = "\n"  # blank: no output line


def _single(geoparser: Geoparser, lines: list[str]) -> str:
    out = io.StringIO()
    geoparse(lines, out, spans_given=False, where="in.jsonl", parser=geoparser)
    return out.getvalue()


def test_chunks_keep_line_numbers() -> None:
    chunks = list(batch._chunks(["a", "b", "c", "d", "e"], 2))
    assert chunks == [(1, ["a", "b"]), (3, ["c", "d"]), (5, ["e"])]
    assert list(batch._chunks([], 2)) == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_only() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = Progress(stream, total=10)
        progress.update(4)
        progress.close()
    assert "4/10" in terminal.getvalue()
    assert pipe.getvalue() == ""


#: ``geoparse_parallel`` run in a fresh interpreter, as a user's program runs it: the worker
#: processes are spawned, and spawning re-imports the parent's ``__main__``, which inside a
#: test session may be a script another test left there (AppTest's).
PARALLEL = """
import sys
from geo.batch import geoparse_parallel
lines = open(sys.argv[1], encoding="utf-8").readlines()
written, failed = geoparse_parallel(
    lines, sys.stdout, jobs=2, spans_given=False, where="in.jsonl", chunk=3
)
print(written, failed, file=sys.stderr)
"""


def test_jobs_give_the_single_process_output_in_order(geoparser: Geoparser, tmp_path: Path) -> None:
    """Chunks of three lines over two workers: the same lines as one process, bad records
    included, numbered by their line in the whole input."""
    source = tmp_path / "in.jsonl"
    source.write_text("".join(LINES), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", PARALLEL, str(source)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    expected = _single(geoparser, LINES)
    assert done.stdout == expected
    rows = [json.loads(line) for line in expected.splitlines()]
    assert done.stderr.split() == ["22", "2"] and len(rows) == 22
    assert [r["id"] for r in rows][:9] == ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "8", "r8"]
    assert "line 8: not JSON" in rows[7]["error"]


def test_jobs_must_be_positive() -> None:
    with pytest.raises(ArticleError, match="at least 1"):
        geoparse_parallel([], io.StringIO(), jobs=0, spans_given=False, where="x")


def test_cli_jobs_exit_status_and_online_refusal(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(LINES), encoding="utf-8")
    command = [sys.executable, "-m", "geo", "geoparse", "--jobs", "2", str(source)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == SOME_RECORDS_FAILED, done.stderr
    assert len(done.stdout.splitlines()) == 22
    assert "2 of 22 records failed" in done.stderr
    online = subprocess.run(
        [*command, "--geocoder", "nominatim"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NEWS_ATLAS_USER_AGENT": "news-atlas-tests"},
    )
    assert online.returncode == 2
    assert "offline gazetteer only" in online.stderr


def test_shards_on_a_local_dask_cluster(geoparser: Geoparser, tmp_path: Path) -> None:
    """Two shards through the command line, on a local cluster of two processes: each output
    file holds what one process writes for that shard, and the exit status counts the bad
    records of both."""
    pytest.importorskip("distributed")
    shards = [tmp_path / "in" / "2024-01.jsonl", tmp_path / "in" / "2024-02.jsonl"]
    shards[0].parent.mkdir()
    shards[0].write_text("".join(LINES[:12]), encoding="utf-8")
    shards[1].write_text("".join(LINES[12:]), encoding="utf-8")
    command = [sys.executable, "-m", "geo", "geoparse-shards", *map(str, shards)]
    done = subprocess.run(
        [*command, "--out-dir", str(tmp_path / "out"), "--jobs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == SOME_RECORDS_FAILED, done.stderr
    assert "2 of 22 records failed" in done.stderr
    for shard in shards:
        lines = shard.read_text(encoding="utf-8").splitlines(keepends=True)
        expected = _single(geoparser, lines).replace("in.jsonl", str(shard))
        assert (tmp_path / "out" / shard.name).read_text(encoding="utf-8") == expected


def test_shards_refuse_bad_inputs(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "x.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(ArticleError, match="same file name"):
        geoparse_shards([tmp_path / "a" / "x.jsonl", tmp_path / "b" / "x.jsonl"], tmp_path)
    with pytest.raises(ArticleError, match="no such file"):
        geoparse_shards([tmp_path / "missing.jsonl"], tmp_path)


def test_shards_without_dask_say_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> object:
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(batch.importlib, "import_module", missing)
    with pytest.raises(ArticleError, match=r"news-atlas\[batch\]"):
        geoparse_shards(["x.jsonl"], "out")
