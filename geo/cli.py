"""The command line: ``python -m geo geoparse|geojson|csv|map``.

Each command parses its arguments, calls one function of the package and prints or writes
the result. Errors print one line to standard error and exit with status 2 (bad input) or
1 (anything else we know of); never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO, Any

from .articles import Article, article_from_path, article_from_text
from .errors import ArticleError, GeoError
from .export import geoparse_record, mentions_csv, spans_record, story_geojson
from .online import OnlineFallback, geocoder_from_env
from .story import Geoparser
from .web import article_from_url, is_url

__all__ = ["main"]

BATCH = 32


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


def _records(lines: Iterable[str], where: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ArticleError(f"{where}, line {number}: not JSON ({err.msg})") from err
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ArticleError(f'{where}, line {number}: expected {{"id": …, "text": "…"}}')
        record.setdefault("id", str(number))
        yield record


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


def geoparse(
    lines: Iterable[str],
    out: IO[str],
    *,
    spans_given: bool,
    where: str,
    fallback: OnlineFallback | None = None,
) -> int:
    """Stream JSON lines in, one result line out per input; returns how many were written."""
    parser: Geoparser | None = None  # loaded once the first batch has been read and checked
    records = _records(lines, where)
    written = 0
    while batch := list(islice(records, BATCH)):
        spans = [_spans(r, where) for r in batch] if spans_given else [None] * len(batch)
        parser = parser or Geoparser(fallback=fallback)
        docs = parser.nlp.pipe([r["text"] for r in batch])
        for record, given, doc in zip(batch, spans, docs, strict=True):
            doc_id = str(record["id"])
            if given is not None:
                results = parser.resolve_spans(record["text"], given, doc=doc)
                result = spans_record(doc_id, results)
            else:
                text = record["text"]  # offsets must point into it as given: no clean-up
                if text.strip():
                    result = geoparse_record(doc_id, parser.story_of(Article(text), doc))
                else:
                    result = {"id": doc_id, "places": []}
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            written += 1
        out.flush()
    return written


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
            source = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")  # noqa: SIM115
        except OSError as err:
            raise ArticleError(f"cannot read {args.input!r}: {err.strerror or err}") from err
        with source, _output(args.output) as out:
            geoparse(source, out, spans_given=args.spans_given, where=where, fallback=fallback)
        _report(fallback)
        return 0
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
            from .maps import country_outlines, map_html, world_outlines  # folium only for maps

            outlines = country_outlines(story, parser.gazetteer)
            world = world_outlines(parser.gazetteer)
            out.write(map_html(story, outlines=outlines, world=world))
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
