"""The geoparser's time per article against spaCy's entity recogniser alone and its full model.

In one process, on the same texts (by default TR-News, ``../shared/corpus/tr-news-first70.jsonl``),
this times four ways of reading them, in turn (A, B, C, D, A, B, …) so that a drift in the
machine's speed hits all four:

- ``geo``: the whole pipeline, as ``geo geoparse`` runs it (``Geoparser.analyse_many``: the model
  as :func:`geo.mentions.load_model` sets it up, then sentences, mentions, resolution, events);
- ``geo model``: that model alone, the share of ``geo`` that is spaCy;
- ``ner``: the installed model with only its entity recogniser enabled, the least any
  geoparser on this model has to run;
- ``full``: the installed model with every default component, as ``spacy.load`` gives it.

The three models read the texts as ``geo`` does (:func:`geo.parsing.parse_many`: batches of
at most 10,000 characters; spaCy's default batches of 1,000 texts are slower on these models),
so that they differ only in the components they run.

Each figure is CPU seconds (``time.process_time``) per article, the median over the rounds;
the ratios ``geo / ner`` and ``geo / full`` are medians of the ratios round by round. Model
loading and the gazetteer's opening are not timed.

    python bench/pipeline.py [--corpus PATH] [--limit N] [--rounds 5] [--results FILE]
    python bench/pipeline.py --only geo --rounds 3    # one way alone, for a whole-process timer

With ``--results`` the row is added to the table "Pipeline speed (bench/pipeline.py)" of that
file. With ``--only`` the script times nothing itself: it loads everything the four ways need
(so that start-up is the same for each) and runs only that one, for timing whole processes
against each other from outside. To time another checkout's ``geo``, put it first on
``PYTHONPATH`` and run with ``python -P``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/pipeline.py`: the repository's geo, last,
    sys.path.append(str(ROOT))  # so that a checkout first on PYTHONPATH (with -P) is the one timed

from bench.tables import add_rows, commit_of  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "tr-news-first70.jsonl"
HEADING = "## Pipeline speed (bench/pipeline.py)"
COLUMNS = [
    "date",
    "commit",
    "corpus",
    "docs",
    "rounds",
    "ner ms",
    "full ms",
    "geo model ms",
    "geo ms",
    "geo / ner",
    "geo / full",
]
WAYS = ("geo", "geo model", "ner", "full")


def read_texts(path: Path, limit: int | None) -> list[str]:
    """The ``text`` of each record of a JSON Lines corpus, the first ``limit`` of them."""
    texts = [
        json.loads(line)["text"] for line in path.read_text(encoding="utf-8").split("\n") if line
    ]
    return texts[:limit]


def ways(texts: Sequence[str]) -> dict[str, Callable[[], object]]:
    """Each way of reading ``texts``, loaded and ready: a call reads them all once."""
    import spacy

    from geo import Geoparser
    from geo.articles import Article
    from geo.mentions import MODEL_NAMES, load_model
    from geo.parsing import parse_many

    geoparser = Geoparser(nlp=load_model())
    installed = geoparser.nlp.meta["lang"] + "_" + geoparser.nlp.meta["name"]
    name = installed if installed in MODEL_NAMES else MODEL_NAMES[0]
    full = spacy.load(name)  # every default component, as spaCy loads it
    ner = spacy.load(name)
    ner.select_pipes(enable=["ner"])
    articles = [Article(text) for text in texts]
    return {
        "geo": lambda: list(geoparser.analyse_many(articles)),
        "geo model": lambda: list(parse_many(geoparser.nlp, texts)),
        "ner": lambda: list(parse_many(ner, texts)),
        "full": lambda: list(parse_many(full, texts)),
    }


def cpu_seconds(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def measure(texts: Sequence[str], rounds: int) -> dict[str, list[float]]:
    """CPU seconds of each way, round by round, after one warm-up round."""
    loaded = ways(texts)
    for run in loaded.values():
        run()
    seconds: dict[str, list[float]] = {way: [] for way in WAYS}
    for _ in range(rounds):
        for way in WAYS:
            seconds[way].append(cpu_seconds(loaded[way]))
    return seconds


def row(corpus: str, docs: int, seconds: dict[str, list[float]]) -> list[str]:
    """The table row: per-article milliseconds (medians) and the ratios (medians of the
    round-by-round ratios)."""

    def ms(way: str) -> str:
        return f"{1000 * statistics.median(seconds[way]) / docs:.1f}"

    def ratio(other: str) -> str:
        pairs = zip(seconds["geo"], seconds[other], strict=True)
        return f"{statistics.median(a / b for a, b in pairs):.2f}"

    return [
        dt.date.today().isoformat(),
        commit_of(ROOT),
        corpus,
        str(docs),
        str(len(seconds["geo"])),
        ms("ner"),
        ms("full"),
        ms("geo model"),
        ms("geo"),
        ratio("ner"),
        ratio("full"),
    ]


def markdown(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def add_to_results(path: Path, cells: Sequence[str]) -> None:
    """Add the row to the table under :data:`HEADING` in ``path`` (the file, the section and
    its table are made when missing)."""
    path.touch()
    header = f"{markdown(COLUMNS)}\n{markdown(['---'] * len(COLUMNS))}"
    add_rows(path, HEADING, header, [markdown(cells)])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, metavar="PATH")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N articles")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--results", type=Path, metavar="FILE", help="add the row to FILE")
    parser.add_argument("--only", choices=WAYS, help="load all, run this way only, time nothing")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    texts = read_texts(args.corpus, args.limit)
    if args.only:
        run = ways(texts)[args.only]
        for _ in range(args.rounds):
            run()
        return 0
    cells = row(args.corpus.stem, len(texts), measure(texts, args.rounds))
    print(markdown(COLUMNS))
    print(markdown(cells))
    if args.results:
        add_to_results(args.results, cells)
    return 0


if __name__ == "__main__":
    sys.exit(main())
