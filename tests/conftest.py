"""Shared fixtures: the real model and the real gazetteer, loaded once per test session.

The gazetteer index is built on first use into the user's cache folder (or
``$NEWS_ATLAS_CACHE``), as in production; later sessions only open it.
"""

from __future__ import annotations

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
