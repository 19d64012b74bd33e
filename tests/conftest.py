"""Shared fixtures: the real model and the real gazetteer, loaded once per test session.

The gazetteer index is built on first use into the user's cache folder (or
``$NEWS_ATLAS_CACHE``), as in production; later sessions only open it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import Gazetteer, Geoparser, Story, article_from_path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "russia-north-korea-pact.txt"
CORPUS = ROOT.parent / "shared" / "corpus" / "geowebnews.jsonl"


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.open()


@pytest.fixture(scope="session")
def geoparser(gazetteer: Gazetteer) -> Geoparser:
    return Geoparser(gazetteer=gazetteer)


@pytest.fixture(scope="session")
def seed_story(geoparser: Geoparser) -> Story:
    return geoparser.analyse(article_from_path(SEED))


# --- browser tests (tests/browser.py) ---------------------------------------------------------


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """One real ``streamlit run app.py`` for every browser test. Its analysis deadline is
    four times the default: the longest article allowed takes 15–30 s on a quiet two-core
    machine, and the browser tests share theirs with Chromium (test_responsive.py tests the
    deadline itself)."""
    from .browser import serve

    yield from serve({"NEWS_ATLAS_ANALYSIS_SECONDS": "120"})


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from .browser import launch

    yield from launch()


@pytest.fixture
def session(browser: object, server: str, tmp_path: Path) -> Iterator[object]:
    """A fresh tab on the app; at the end, no request but tiles may have left the machine."""
    from .browser import Session, close

    tab = Session(browser, server, tmp_path)
    yield tab
    close(tab)
