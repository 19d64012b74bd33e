"""Geoparsing archives: several processes on one machine, or a Dask cluster for more.

``geo geoparse`` reads JSON lines and writes one result line per input line (see
:func:`geo.cli.geoparse`). For an archive this module runs that same function in more
processes, and the output is the same, line for line:

1. :func:`geoparse_parallel` (``geo geoparse --jobs N``): the input is cut into chunks of
   :data:`CHUNK` lines; N worker processes, each loading the model and the gazetteer once,
   geoparse them; the results are written in input order, with at most two chunks per worker in
   flight, so memory stays bounded however long the input.
2. :func:`geoparse_shards` (``geo geoparse-shards``): for archives larger than one machine, a
   Dask bag over JSON Lines shards, one partition per shard, each written to a file of the same
   name in the output folder. It runs on a local cluster of processes, or on any Dask cluster
   whose scheduler's address is given. Dask is an optional extra (``pip install
   'news-atlas[batch]'``, from the repository root ``pip install '.[batch]'``).

Both work with the offline gazetteer only: an online geocoder's rate limit (Nominatim: one
request a second) holds within one process, so many processes would break its policy.
"""

from __future__ import annotations

import importlib
import io
import json
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import ArticleError

if TYPE_CHECKING:
    from .story import Geoparser

__all__ = ["CHUNK", "Progress", "geoparse_parallel", "geoparse_shards"]

#: Input lines a worker geoparses at a time: enough to batch spaCy's parsing (the CLI parses
#: 32 records at once) and to keep both cores busy, few enough to bound what is in flight.
CHUNK = 64

#: The worker process's geoparser, made once by :func:`_start_worker`.
_parser: Geoparser | None = None


class Progress:
    """Records done, on standard error: a tqdm bar when it is a terminal, else silent (a log
    file or a pipe would only fill up with bar redraws)."""

    def __init__(self, stream: IO[str] | None = None, *, total: int | None = None) -> None:
        stream = stream if stream is not None else sys.stderr
        self._bar: Any = None
        if stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit=" records", file=stream, dynamic_ncols=True)

    def update(self, records: int) -> None:
        if self._bar is not None:
            self._bar.update(records)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _chunks(lines: Iterable[bytes | str], size: int) -> Iterator[tuple[int, list[bytes | str]]]:
    """The input cut into lists of ``size`` lines, each with the number of its first line."""
    chunk: list[bytes | str] = []
    first = 1
    for number, line in enumerate(lines, start=1):
        if not chunk:
            first = number
        chunk.append(line)
        if len(chunk) == size:
            yield first, chunk
            chunk = []
    if chunk:
        yield first, chunk


def _start_worker() -> None:
    """Load the model and the gazetteer once, when the worker process starts."""
    from .story import Geoparser

    global _parser
    _parser = Geoparser()


def _geoparse_chunk(
    first: int, lines: Sequence[bytes | str], spans_given: bool, where: str
) -> tuple[str, int, int]:
    """A chunk's output lines (as one string), how many there are and how many are errors."""
    from .cli import geoparse

    out = io.StringIO()
    written, failed = geoparse(
        lines, out, spans_given=spans_given, where=where, parser=_parser, first_line=first
    )
    return out.getvalue(), written, failed


def geoparse_parallel(
    lines: Iterable[bytes | str],
    out: IO[str],
    *,
    jobs: int,
    spans_given: bool,
    where: str,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> tuple[int, int]:
    """:func:`geo.cli.geoparse` in ``jobs`` worker processes; the same lines, in the same order.
    Returns how many lines were written and how many of them are errors."""
    if jobs < 1:
        raise ArticleError(f"--jobs must be at least 1, not {jobs}")
    # spawn: a fresh interpreter per worker, whatever threads or model the caller holds
    context = multiprocessing.get_context("spawn")
    written = failed = 0
    pending: deque[Future[tuple[str, int, int]]] = deque()

    def write_oldest() -> None:
        nonlocal written, failed
        text, lines_out, errors = pending.popleft().result()
        out.write(text)
        out.flush()
        written += lines_out
        failed += errors
        if progress is not None:
            progress.update(lines_out)

    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker) as pool:
        for first, lines_in in _chunks(lines, chunk):
            pending.append(pool.submit(_geoparse_chunk, first, lines_in, spans_given, where))
            if len(pending) >= 2 * jobs:
                write_oldest()
        while pending:
            write_oldest()
    return written, failed


# --------------------------------------------------------------------------------------------
# Dask: JSON Lines shards on a cluster


def _geoparse_partition(lines: Iterable[tuple[str, str]], spans_given: bool) -> list[str]:
    """One shard's output lines, geoparsed in the Dask worker process that holds it. Each
    input line comes with its shard's path, which error messages name."""
    if _parser is None:
        _start_worker()
    pairs = list(lines)
    where = pairs[0][1] if pairs else "<shard>"
    text, _, _ = _geoparse_chunk(1, [line for line, _ in pairs], spans_given, where)
    # "\n" alone ends a line: JSON keeps U+2028 and other line breaks of str.splitlines
    return text.split("\n")[:-1]


def _dask() -> tuple[Any, Any]:
    """``dask.bag`` and ``distributed``, or a clear message when the extra is missing."""
    try:
        return importlib.import_module("dask.bag"), importlib.import_module("distributed")
    except ImportError as err:
        raise ArticleError(
            "geoparse-shards needs Dask: pip install 'news-atlas[batch]' "
            "(from the repository root: pip install '.[batch]')"
        ) from err


def geoparse_shards(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    scheduler: str | None = None,
    workers: int = 2,
    spans_given: bool = False,
) -> tuple[list[Path], int, int]:
    """Geoparse JSON Lines shards with Dask, each into ``out_dir`` under its own file name.

    ``scheduler`` is a Dask scheduler's address (``tcp://host:8786``); without one, a local
    cluster of ``workers`` single-threaded processes runs the shards and is shut down after.
    Returns the output files, how many lines they hold and how many of those are errors."""
    bag, distributed = _dask()
    paths = [Path(p) for p in inputs]
    if not paths:
        raise ArticleError("geoparse-shards: no input shards given")
    for path in paths:
        if not path.is_file():
            raise ArticleError(f"cannot read {str(path)!r}: no such file")
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        raise ArticleError("geoparse-shards: two shards have the same file name")
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    outputs = [target / name for name in names]

    # one partition per shard, each line with its shard's path
    lines = bag.read_text([str(p) for p in paths], blocksize=None, include_path=True)
    results = lines.map_partitions(_geoparse_partition, spans_given)
    writing = results.to_textfiles([str(o) for o in outputs], compute=False, last_endline=True)
    with ExitStack() as stack:
        if scheduler is None:
            cluster = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            scheduler = stack.enter_context(cluster)
        client = stack.enter_context(distributed.Client(scheduler))
        client.compute(writing, sync=True)
    written = failed = 0
    for output in outputs:
        for line in output.read_text(encoding="utf-8").split("\n")[:-1]:
            written += 1
            failed += "error" in json.loads(line)
    return outputs, written, failed
