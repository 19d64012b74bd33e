"""Fuzzing reading and analysis with Hypothesis, within time and memory budgets (issue 14).

Every input either gives an article (and a story) or a :class:`~geo.errors.GeoError` with a
message; never another exception, never longer than its time budget (Hypothesis's
``deadline``) and never more memory than its budget (Python's allocations, spaCy's and
NumPy's included, measured with :mod:`tracemalloc`). The inputs are small, so the budgets are
generous multiples of linear behaviour and fail on quadratic blow-ups: the shapes of issue
14's findings are among the strategies' building blocks.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo import Article, GeoError, Geoparser, article_from_bytes
from geo.articles import SUFFIXES

pytestmark = pytest.mark.fuzz

T = TypeVar("T")

#: Pieces the hostile shapes are made of (findings 1-3): Markdown marks, punctuation runs,
#: long words, short lines, HTML, place names, dates, odd characters.
PIECES = [
    "*a ",
    "_a ",
    "[",
    "](",
    "![",
    "!",
    ".!",
    "!" * 50,
    "?" * 9,
    "(a",
    "x" * 300,
    "Paris.\n",
    "\n\n",
    "# ",
    "> ",
    "- ",
    "<p>",
    "</p>",
    "<?xml version='1.0'?>",
    "&amp;",
    " Seoul ",
    " in Nairobi, Kenya, ",
    " on June 20, 2024 ",
    "\u202e",
    "\x00",
    "é",
    "😀",
    "\ud7ff",
]
HOSTILE_TEXT = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)
TEXT = st.one_of(HOSTILE_TEXT, st.text(max_size=2_000))

#: Memory budgets (peak traced bytes) for one input of at most a few thousand characters.
READING_BUDGET = 40 * 2**20
ANALYSIS_BUDGET = 150 * 2**20


@contextmanager
def memory_budget(limit: int) -> Iterator[None]:
    """Fail when the block's allocations peak above ``limit`` bytes."""
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit, f"peak {peak / 2**20:.0f} MiB, budget {limit / 2**20:.0f} MiB"


def outcome(call: Callable[[], T]) -> T | GeoError:
    """What ``call`` returns, or the GeoError it raises (any other exception fails)."""
    try:
        return call()
    except GeoError as err:
        assert str(err), "an error without a message"
        return err


@settings(max_examples=150, deadline=timedelta(seconds=2))
@given(data=st.one_of(TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary()))
@example(data=("*a " * 4_000).encode())
@example(data=b"<?xml version='1.0' encoding='utf-8'?><html><p>Rain in Dhaka.</p></html>")
@example(data=b"\xff\xfe" + "Rain in Dhaka".encode("utf-16-le"))
def test_reading_any_bytes_ends_with_an_article_or_a_message(data: bytes) -> None:
    for suffix in SUFFIXES:
        with memory_budget(READING_BUDGET):
            result = outcome(partial(article_from_bytes, data, f"fuzz{suffix}"))
        if isinstance(result, Article):
            assert result.text.strip()


@settings(
    max_examples=25,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=HOSTILE_TEXT)
@example(text="!" * 4_000)
@example(text=".!" * 2_000)
@example(text="Paris.\n" * 600)
@example(text="In Seoul" + "!" * 1_000 + " and Paris.")
def test_analysing_any_text_ends_with_a_story_or_a_message(geoparser: Geoparser, text: str) -> None:
    with memory_budget(ANALYSIS_BUDGET):
        story = outcome(lambda: geoparser.analyse(text))
    if isinstance(story, GeoError):
        return
    article = story.article.text
    for sentence in story.sentences:
        assert article[sentence.start : sentence.end] == sentence.text
    for place in story.places:
        for mention in place.mentions:
            assert article[mention.start : mention.end] == mention.text
