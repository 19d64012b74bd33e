"""The analysis pool (geo/worker.py): an analysis that runs too long, eats too much memory or
crashes stops its own worker, the caller is told which in plain words, and the pool goes on.

Most tests use a stand-in analyser (tests/analysers.py) that starts in a moment and misbehaves
on request; two use the real model, to show that a worker's story is the one the calling
process would have made, and that the memory cap holds for the real pipeline.
"""

from __future__ import annotations

import os
import pickle
import re
import signal
import socket
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from geo import Article, ArticleError, ModelError, Story, article_from_text
from geo.corrections import Corrections
from geo.errors import AnalysisError, AnalysisMemoryError, AnalysisTimeout, ConfigurationError
from geo.story import Geoparser
from geo.worker import DEFAULT_DEADLINE, DEFAULT_MEMORY, AnalysisPool, Limits, pool_from_env

from .analysers import CRASH, GREEDY, REFUSE, SLEEP, Standin, Unloadable
from .conftest import ROOT, SEED

MB = 2**20


@pytest.fixture
def pool() -> Iterator[AnalysisPool]:
    """One stand-in worker, with a short deadline and a small memory cap."""
    with AnalysisPool(1, Limits(deadline=2, memory=200 * MB), factory=Standin) as pool:
        yield pool


def _worker_of(pool: AnalysisPool) -> str:
    """The process id of the worker that answers an ordinary article now."""
    return pool.analyse(Article("an ordinary article")).article.source


def test_ordinary_articles_come_back_from_one_loaded_worker(pool: AnalysisPool) -> None:
    first = pool.analyse(Article("one article", title="One"))

    assert first.article.text == "one article"
    assert first.article.title == "One"
    assert _worker_of(pool) == first.article.source  # the same process: loaded once


def test_past_the_deadline_the_worker_is_replaced(pool: AnalysisPool) -> None:
    before = _worker_of(pool)
    started = time.monotonic()

    with pytest.raises(AnalysisTimeout, match="more than 2 seconds") as stopped:
        pool.analyse(Article(SLEEP))

    assert time.monotonic() - started < 15  # the stand-in sleeps 600 s: it was stopped
    assert "limit for one article" in str(stopped.value)
    assert _worker_of(pool) != before


def test_an_article_stopped_by_a_limit_is_refused_at_once_when_asked_again(
    pool: AnalysisPool,
) -> None:
    with pytest.raises(AnalysisTimeout):
        pool.analyse(Article(SLEEP))
    worker = _worker_of(pool)
    started = time.monotonic()

    with pytest.raises(AnalysisTimeout, match="more than 2 seconds"):
        pool.analyse(Article(SLEEP))

    assert time.monotonic() - started < 1
    assert _worker_of(pool) == worker  # no worker was taken, none was stopped
    with pytest.raises(AnalysisTimeout):  # with other corrections, it is another request
        pool.analyse(Article(SLEEP), ("d3",))


def test_over_the_memory_cap_the_worker_is_replaced(pool: AnalysisPool) -> None:
    before = _worker_of(pool)

    with pytest.raises(AnalysisMemoryError, match="more than 200 MB of memory"):
        pool.analyse(Article(GREEDY))

    assert _worker_of(pool) != before


def test_a_crashed_worker_is_reported_and_replaced(pool: AnalysisPool) -> None:
    before = _worker_of(pool)

    with pytest.raises(AnalysisError, match=r"stopped unexpectedly .*signal SIGSEGV"):
        pool.analyse(Article(CRASH))

    assert _worker_of(pool) != before


def test_a_worker_that_died_while_idle_is_replaced_before_its_next_article(
    pool: AnalysisPool,
) -> None:
    before = _worker_of(pool)
    os.kill(int(before.removeprefix("pid:")), signal.SIGKILL)  # as the OOM killer would
    time.sleep(0.5)

    assert _worker_of(pool) != before


def test_the_analysis_own_errors_reach_the_caller_and_the_worker_goes_on(
    pool: AnalysisPool,
) -> None:
    before = _worker_of(pool)

    with pytest.raises(ArticleError, match="refuses the article"):
        pool.analyse(Article(REFUSE))

    assert _worker_of(pool) == before


def test_corrections_are_applied_in_the_worker(pool: AnalysisPool) -> None:
    fixes = ("d12",)
    story = pool.analyse(Article("an article to correct"), fixes)

    assert story.article.title == " ".join(Corrections.parse(fixes).tokens())


def test_corrections_to_a_story_at_hand_do_not_analyse_it_again(pool: AnalysisPool) -> None:
    at_hand = Story(Article("an article to correct", source="made by the caller"), (), (), ())

    assert pool.corrected(at_hand, ()) is at_hand
    corrected = pool.corrected(at_hand, ("d12",))
    assert corrected.article.source == "made by the caller"  # not "pid:…": not analysed again
    assert corrected.article.title == "d12"


def test_a_model_that_cannot_load_is_each_caller_s_error() -> None:
    with AnalysisPool(1, factory=Unloadable) as pool:
        for _ in range(2):  # a fresh worker tries again for each article
            with pytest.raises(ModelError, match="a stand-in"):
                pool.analyse(Article("an article"))
        assert not pool.warm


def test_other_analyses_go_on_while_one_runs_to_its_deadline() -> None:
    with AnalysisPool(2, Limits(deadline=5), factory=Standin) as pool:
        while not pool.warm:
            time.sleep(0.05)
        slow = pool.submit(Article(SLEEP))
        started = time.monotonic()
        answers = [pool.analyse(Article(f"article {i}")) for i in range(5)]
        quick = time.monotonic() - started

        assert len(answers) == 5
        assert not slow.done()
        assert quick < 4  # bounded generously: the point is that they did not wait 5 s
        with pytest.raises(AnalysisTimeout):
            slow.result()


def test_workers_never_run_the_parent_s_main_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # under Streamlit, __main__ is the app's script; under AppTest.from_function, a script that
    # fails when run on its own: multiprocessing's spawn and forkserver would run it again
    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('the main script ran in a worker')\n", encoding="utf-8")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)

    with AnalysisPool(1, factory=Standin) as pool:
        assert pool.analyse(Article("an article")).article.text == "an article"


def test_a_worker_whose_server_has_gone_ends_quietly() -> None:
    ours, theirs = socket.socketpair()
    worker = subprocess.Popen(
        [sys.executable, "-c", f"from geo.worker import _main; _main({theirs.fileno()})"],
        pass_fds=[theirs.fileno()],
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    theirs.close()
    with Connection(ours.detach()) as server:
        server.send((Standin, 200 * MB))
    # the server is gone before the worker could say it had loaded

    _, errors = worker.communicate(timeout=120)
    assert worker.returncode == 0
    assert errors == b""


def test_a_closed_pool_takes_no_more_articles() -> None:
    pool = AnalysisPool(1, factory=Standin)
    pool.close()

    with pytest.raises(RuntimeError, match="closed"):
        pool.submit(Article("too late"))


def test_closing_without_waiting_still_finishes_what_was_asked() -> None:
    pool = AnalysisPool(1, factory=Standin)
    asked = pool.submit(Article("asked before closing"))
    started = time.monotonic()
    pool.close(wait=False)

    assert time.monotonic() - started < 1
    assert asked.result(timeout=60).article.text == "asked before closing"
    pool.close()  # and then waiting: every worker has stopped
    assert not any(thread.is_alive() for thread in pool._threads)


# --- the real pipeline --------------------------------------------------------------------------


def test_stories_pickle(seed_story: Story) -> None:
    assert pickle.loads(pickle.dumps(seed_story)) == seed_story


def test_a_worker_story_is_the_one_made_in_process(seed_story: Story, geoparser: Geoparser) -> None:
    dropped = seed_story.places[0].mentions[0].start
    fixes = tuple(Corrections().drop([dropped]).tokens())
    with AnalysisPool(1) as pool:
        story = pool.analyse(seed_story.article)
        corrected = pool.analyse(seed_story.article, fixes)
        corrected_at_hand = pool.corrected(story, fixes)

    assert story == seed_story
    assert corrected == geoparser.corrected(seed_story, Corrections.parse(fixes))
    assert corrected != seed_story
    assert corrected_at_hand == corrected


def test_the_memory_cap_holds_for_the_real_pipeline(seed_story: Story) -> None:
    text = (SEED.read_text(encoding="utf-8") + "\n\n") * 40
    long = article_from_text(text[:200_000])
    with AnalysisPool(1, Limits(memory=20 * MB)) as pool:
        with pytest.raises(AnalysisMemoryError):
            pool.analyse(long)
        assert pool.analyse(seed_story.article) == seed_story


# --- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "size", "limits"),
    [
        ({}, None, Limits(DEFAULT_DEADLINE, DEFAULT_MEMORY)),
        (
            {"NEWS_ATLAS_WORKERS": "1", "NEWS_ATLAS_ANALYSIS_SECONDS": "12.5"},
            1,
            Limits(12.5, DEFAULT_MEMORY),
        ),
        ({"NEWS_ATLAS_ANALYSIS_MB": " 300 ", "NEWS_ATLAS_WORKERS": ""}, None, Limits(30, 300 * MB)),
    ],
)
def test_the_pool_is_configured_by_the_environment(
    config: dict[str, str], size: int | None, limits: Limits
) -> None:
    with pool_from_env(config, factory=Standin) as pool:
        assert pool.limits == limits
        assert size is None or pool.size == size


@pytest.mark.parametrize(
    "config",
    [
        {"NEWS_ATLAS_WORKERS": "0"},
        {"NEWS_ATLAS_WORKERS": "two"},
        {"NEWS_ATLAS_WORKERS": "1.5"},  # a whole number of workers
        {"NEWS_ATLAS_ANALYSIS_SECONDS": "nan"},
        {"NEWS_ATLAS_ANALYSIS_SECONDS": "-3"},
        {"NEWS_ATLAS_ANALYSIS_MB": "inf"},
    ],
)
def test_a_bad_setting_names_itself(config: dict[str, str]) -> None:
    name, value = next(iter(config.items()))

    with pytest.raises(ConfigurationError, match=re.escape(f"{name}='{value}'")):
        pool_from_env(config, factory=Standin)


def test_the_pool_never_imports_streamlit() -> None:
    code = "import sys, geo.worker; sys.exit('streamlit' in sys.modules)"

    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=300).returncode == 0


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="deadline"):
        Limits(deadline=0)
    with pytest.raises(ValueError, match="memory"):
        replace(Limits(), memory=-1)
