"""The command line: ``python -m geo geoparse|geojson|csv|map``.

Each command parses its arguments, calls one function of the package and prints or writes
the result. Errors print one line to standard error and exit with status 2 (bad input) or
1 (anything else we know of); never a traceback. ``geoparse`` writes a record that cannot be
geoparsed as ``{"id", "error"}`` on its own line, goes on with the others and exits with
status 3 (:data:`SOME_RECORDS_FAILED`) when any record failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .articles import MAX_CHARS, Article, article_from_path, article_from_text
from .batch import Progress, geoparse_parallel, geoparse_shards
from .errors import ArticleError, GeoError
from .export import geoparse_record, mentions_csv, spans_record, story_geojson
from .online import OnlineFallback, geocoder_from_env
from .parsing import parse, parse_many
from .story import Geoparser
from .web import article_from_url, is_url

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["SOME_RECORDS_FAILED", "main"]

BATCH = 32
#: The exit status of ``geoparse`` when some records failed (each has an ``error`` line).
SOME_RECORDS_FAILED = 3


def _read_article(source: str) -> Article:
    if source == "-":
        return article_from_text(sys.stdin.read(), source="<stdin>")
    if is_url(source):
        return article_from_url(source)
    return article_from_path(source)


def _fallback(name: str | None) -> OnlineFallback | None:
    """The online geocoder ``--geocoder`` names (else ``$NEWS_ATLAS_GEOCODER``), configured
    from the environment; ``None`` for the offline gazetteer alone."""
    env = dict(os.environ)
    if name is not None:
        env["NEWS_ATLAS_GEOCODER"] = name
    return geocoder_from_env(env)


def _report(fallback: OnlineFallback | None) -> None:
    """What the online geocoder asks to be credited with, and what went wrong with it."""
    if fallback is None:
        return
    for warning in fallback.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(fallback.attribution, file=sys.stderr)


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    if path is None or path == "-":
        yield sys.stdout
        return
    try:
        handle = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    except OSError as err:
        raise ArticleError(f"cannot write {path!r}: {err.strerror or err}") from err
    with handle:
        yield handle


@dataclass(frozen=True, slots=True)
class _Failed:
    """A record that cannot be geoparsed: its id (the line number when it has none) and why."""

    id: str
    error: str

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "error": self.error}


def _line_text(line: bytes | str, number: int, where: str) -> str:
    """One input line as text: bytes are read as UTF-8, the line refused when they are not."""
    if isinstance(line, str):
        return line
    try:
        return line.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as err:
        raise ArticleError(
            f"{where}, line {number}: not UTF-8 (byte {err.start + 1} cannot be read)"
        ) from err


def _record(line: bytes | str, number: int, where: str) -> dict[str, Any]:
    """The record on one line, its ``id`` a string (the line number when it has none)."""
    try:
        record = json.loads(_line_text(line, number, where))
    except json.JSONDecodeError as err:
        raise ArticleError(f"{where}, line {number}: not JSON ({err.msg})") from err
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise ArticleError(f'{where}, line {number}: expected {{"id": …, "text": "…"}}')
    record["id"] = str(record.get("id", number))
    return record


def _invalid_character(text: str, number: int, where: str) -> str | None:
    """Why ``text`` cannot be geoparsed or written out: a lone surrogate ("\\ud800") is valid
    JSON but no character. None when every character is one."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        return (
            f"{where}, line {number}: the text has an invalid character at {err.start} "
            f"({text[err.start]!a})"
        )
    return None


def _records(
    lines: Iterable[bytes | str], where: str, first_line: int = 1
) -> Iterator[dict[str, Any] | _Failed]:
    """Each non-blank line's record, or why it cannot be one; ``first_line`` is the number of
    the first line (a chunk of a longer input starts further on)."""
    for number, line in enumerate(lines, start=first_line):
        if not line.strip():
            continue
        try:
            record = _record(line, number, where)
        except ArticleError as err:
            yield _Failed(str(number), str(err))
            continue
        problem = _invalid_character(record["text"], number, where)
        if problem is None and len(record["text"]) > MAX_CHARS:  # before the model reads it
            problem = (
                f"{where}, line {number}: the text has {len(record['text']):,} characters; "
                f"the limit is {MAX_CHARS:,}"
            )
        yield record if problem is None else _Failed(record["id"], problem)


def _spans(record: dict[str, Any], where: str) -> list[tuple[int, int]]:
    spans = record.get("spans")
    if not isinstance(spans, list):
        raise ArticleError(f'{where}: record {record["id"]!r} has no "spans" list')
    try:
        return [(int(s["start"]), int(s["end"])) for s in spans]
    except (KeyError, TypeError, ValueError) as err:
        raise ArticleError(
            f"{where}: record {record['id']!r} has a span without integer start and end"
        ) from err


def _geoparsed(
    parser: Geoparser, record: dict[str, Any], doc: Doc | None, spans_given: bool, where: str
) -> dict[str, Any]:
    """One record's result line; ``doc`` is its parse when the batch's parse succeeded."""
    text = record["text"]  # offsets must point into it as given: no clean-up
    doc_id = record["id"]
    if spans_given:
        given = _spans(record, where)
        return spans_record(doc_id, parser.resolve_spans(text, given, doc=doc))
    if not text.strip():
        return {"id": doc_id, "places": []}
    doc = doc if doc is not None else parse(parser.nlp, text)
    return geoparse_record(doc_id, parser.story_of(Article(text), doc))


def _batch_docs(parser: Geoparser, records: Sequence[dict[str, Any]]) -> Sequence[Doc | None]:
    """The batch parsed at once; when that fails, ``None`` each, so that each record is
    parsed alone and only the bad one fails."""
    try:
        return list(parse_many(parser.nlp, [r["text"] for r in records]))
    except Exception:  # any record's failure is reported on its own line
        return [None] * len(records)


def geoparse(
    lines: Iterable[bytes | str],
    out: IO[str],
    *,
    spans_given: bool,
    where: str,
    fallback: OnlineFallback | None = None,
    parser: Geoparser | None = None,
    first_line: int = 1,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Stream JSON lines in, one result line out per input: ``{"id", "places"}``, or
    ``{"id", "error"}`` for a record that cannot be geoparsed (the others go on). Returns how
    many lines were written and how many of them are errors. Without a ``parser``, one is
    loaded once the first batch has been read; ``first_line`` numbers the input's lines."""
    records = _records(lines, where, first_line)
    written = failed = 0
    while batch := list(islice(records, BATCH)):
        good = [r for r in batch if not isinstance(r, _Failed)]
        parser = parser or Geoparser(fallback=fallback)
        docs = dict(zip((id(r) for r in good), _batch_docs(parser, good), strict=True))
        for record in batch:
            line, ok = _result_line(parser, record, docs.get(id(record)), spans_given, where)
            failed += not ok
            out.write(line + "\n")
            written += 1
        out.flush()
        if progress is not None:
            progress.update(len(batch))
    return written, failed


def _result_line(
    parser: Geoparser,
    record: dict[str, Any] | _Failed,
    doc: Doc | None,
    spans_given: bool,
    where: str,
) -> tuple[str, bool]:
    """A record's output line (JSON) and whether it is a result rather than an error."""
    if isinstance(record, _Failed):
        return json.dumps(record.as_json(), ensure_ascii=False), False
    try:
        line = json.dumps(_geoparsed(parser, record, doc, spans_given, where), ensure_ascii=False)
        line.encode("utf-8")  # what cannot be written fails here, as this record's error
    except Exception as err:  # one bad record never stops a batch
        return json.dumps(_Failed(record["id"], _reason(err)).as_json(), ensure_ascii=False), False
    return line, True


def _reason(err: Exception) -> str:
    """What to say about a record that failed: our message, or the error's kind and text."""
    return str(err) if isinstance(err, GeoError) else f"{type(err).__name__}: {err}"


def _line_count(path: str) -> int | None:
    """How many lines a file has, for the progress bar's total (None for stdin)."""
    if path == "-":
        return None
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _batch_status(written: int, failed: int) -> int:
    """The exit status of a batch: 0, or :data:`SOME_RECORDS_FAILED` (said on stderr)."""
    if failed:
        print(f'error: {failed} of {written} records failed (see their "error")', file=sys.stderr)
        return SOME_RECORDS_FAILED
    return 0


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo", description="Find, resolve and map the places of news articles."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    geocoder = argparse.ArgumentParser(add_help=False)
    geocoder.add_argument(
        "--geocoder",
        metavar="NAME",
        help="also ask this online geocoder (nominatim, photon, arcgis or any geopy name) for "
        "the places the offline gazetteer cannot resolve; 'offline' for none "
        "(default: $NEWS_ATLAS_GEOCODER, else offline)",
    )

    run = commands.add_parser(
        "geoparse", help="geoparse JSON lines of articles", parents=[geocoder]
    )
    run.add_argument("input", nargs="?", default="-", help="JSONL file, or - for stdin")
    run.add_argument("-o", "--output", help="output JSONL file (default: stdout)")
    run.add_argument(
        "--spans-given", action="store_true", help="resolve exactly the spans each line gives"
    )
    run.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="geoparse in N worker processes, the output in input order (offline only; default 1)",
    )

    shards = commands.add_parser(
        "geoparse-shards",
        help="geoparse JSON Lines shards on a Dask cluster (needs the batch extra)",
        parents=[geocoder],
    )
    shards.add_argument("inputs", nargs="+", metavar="SHARD", help="JSONL files")
    shards.add_argument(
        "--out-dir", required=True, help="folder for the outputs, one per shard, same name"
    )
    shards.add_argument(
        "--scheduler", metavar="ADDRESS", help="a Dask scheduler (default: a local cluster)"
    )
    shards.add_argument(
        "--jobs", type=int, default=2, metavar="N", help="local cluster's processes (default 2)"
    )
    shards.add_argument(
        "--spans-given", action="store_true", help="resolve exactly the spans each line gives"
    )

    geojson = commands.add_parser(
        "geojson", help="an article's places and events as GeoJSON", parents=[geocoder]
    )
    geojson.add_argument("article", help=".txt, .md or .html file, http(s) link, or - for stdin")
    geojson.add_argument("-o", "--output", help="output file (default: stdout)")
    geojson.add_argument(
        "--links",
        action="store_true",
        help="also a line between each pair of places named in the same sentence, with the "
        "sentences (as the app's GeoJSON download)",
    )

    table = commands.add_parser(
        "csv", help="an article's place mentions as CSV, one row each", parents=[geocoder]
    )
    table.add_argument("article", help=".txt, .md or .html file, http(s) link, or - for stdin")
    table.add_argument("-o", "--output", help="output file (default: stdout)")

    fmap = commands.add_parser(
        "map", help="an article's map as a standalone HTML page", parents=[geocoder]
    )
    fmap.add_argument("article", help=".txt, .md or .html file, http(s) link, or - for stdin")
    fmap.add_argument("-o", "--output", default="map.html", help="output file (default map.html)")
    return parser


def run(argv: Sequence[str]) -> int:
    args = _build_parser().parse_args(argv)
    fallback = _fallback(args.geocoder)  # a bad name fails before anything is read
    if args.command == "geoparse":
        where = "<stdin>" if args.input == "-" else args.input
        try:
            source = sys.stdin.buffer if args.input == "-" else open(args.input, "rb")  # noqa: SIM115
        except OSError as err:
            raise ArticleError(f"cannot read {args.input!r}: {err.strerror or err}") from err
        if args.jobs != 1 and fallback is not None:
            raise ArticleError(
                "--jobs works with the offline gazetteer only: an online geocoder's rate limit "
                "holds within one process"
            )
        progress = Progress(total=_line_count(args.input) if sys.stderr.isatty() else None)
        with source, _output(args.output) as out:
            if args.jobs == 1:
                written, failed = geoparse(
                    source,
                    out,
                    spans_given=args.spans_given,
                    where=where,
                    fallback=fallback,
                    progress=progress,
                )
            else:
                written, failed = geoparse_parallel(
                    source,
                    out,
                    jobs=args.jobs,
                    spans_given=args.spans_given,
                    where=where,
                    progress=progress,
                )
        progress.close()
        _report(fallback)
        return _batch_status(written, failed)
    if args.command == "geoparse-shards":
        if fallback is not None:
            raise ArticleError("geoparse-shards works with the offline gazetteer only")
        outputs, written, failed = geoparse_shards(
            args.inputs,
            args.out_dir,
            scheduler=args.scheduler,
            workers=args.jobs,
            spans_given=args.spans_given,
        )
        print(f"wrote {len(outputs)} files to {args.out_dir}", file=sys.stderr)
        return _batch_status(written, failed)
    article = _read_article(args.article)  # bad input fails before the model loads
    parser = Geoparser(fallback=fallback)
    story = parser.analyse(article)
    _report(fallback)
    with _output(args.output) as out:
        if args.command == "geojson":
            json.dump(story_geojson(story, links=args.links), out, ensure_ascii=False, indent=1)
            out.write("\n")
        elif args.command == "csv":
            out.write(mentions_csv(story))
        else:
            from .maps import country_outlines, map_html  # folium only for maps

            outlines = country_outlines(story, parser.gazetteer)
            out.write(map_html(story, outlines=outlines, offline_map=True))
    if args.command == "map" and args.output not in (None, "-"):
        print(f"wrote {Path(args.output)}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except ArticleError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except GeoError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
