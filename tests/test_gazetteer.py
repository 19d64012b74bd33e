"""The offline gazetteer: names in, candidate places out, from the real packaged data."""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from geo import Gazetteer
from geo.gazetteer import (
    ALIAS,
    ALTERNATE,
    BUILD_LOCK,
    BUILDING,
    INDEX_VERSION,
    KINDS,
    PRIMARY,
    Candidate,
    index_problem,
    normalize,
)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Pyongyang", "pyongyang"),
        ("the Pacific", "pacific"),  # a leading article is not part of the name
        ("U.S.", "us"),  # dots fold, so "U.S." and "US" meet
        ("Côte d’Ivoire", "cote divoire"),  # accents and typographic apostrophes fold
        ("Guinea-Bissau", "guinea bissau"),
        ("  São   Paulo ", "sao paulo"),
        ("The Hague", "hague"),
        ("", ""),
    ],
)
def test_normalize(name: str, key: str) -> None:
    assert normalize(name) == key


@pytest.mark.parametrize(
    ("name", "kind", "country"),
    [
        ("Pyongyang", "capital", "KP"),
        ("Seoul", "capital", "KR"),
        ("Moscow", "capital", "RU"),
        ("Vietnam", "country", "VN"),
        ("Kosovo", "country", "XK"),  # no countryinfo record: pinned at its capital
        ("Curaçao", "country", "CW"),  # countryinfo has only a capital point
        ("Texas", "region", "US"),
        ("Bavaria", "region", "DE"),  # first-level divisions of other countries too
    ],
)
def test_best_known_candidate(gazetteer: Gazetteer, name: str, kind: str, country: str) -> None:
    top = [c for c in gazetteer.lookup(name) if c.kind == kind]
    assert top and top[0].country_code == country


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("US", "United States"),
        ("U.S.", "United States"),
        ("USSR", "Soviet Union"),
        ("DPRK", "North Korea"),
        ("the Pacific", "Pacific Ocean"),
        ("DMZ", "Korean Demilitarized Zone"),
        ("EU", "Europe"),  # the European Union, placed at Europe (not the French town Eu)
        ("European Union", "Europe"),
        ("B.C.", "British Columbia"),  # Canadian Press province abbreviations
        ("T&T", "Trinidad and Tobago"),
    ],
)
def test_aliases(gazetteer: Gazetteer, name: str, expected: str) -> None:
    matches = [c for c in gazetteer.lookup(name) if c.match == ALIAS]
    assert expected in [c.name for c in matches]


def test_primary_names_come_before_alternates(gazetteer: Gazetteer) -> None:
    matches = gazetteer.lookup("Paris")
    qualities = [c.match for c in matches]
    assert qualities == sorted(qualities)
    assert matches[0].match == PRIMARY and matches[0].country_code == "FR"
    wien = gazetteer.lookup("Wien")  # one of Vienna's GeoNames alternate names
    assert any(c.kind == "capital" and c.name == "Vienna" and c.match == ALTERNATE for c in wien)


@pytest.mark.parametrize(
    ("adjective", "place"),
    [
        ("Russian", "Russia"),
        ("Russians", "Russia"),  # plural folds to the singular
        ("South Korean", "South Korea"),
        ("Soviet", "Soviet Union"),
        ("Asian", "Asia"),
        ("French", "France"),
    ],
)
def test_demonyms(gazetteer: Gazetteer, adjective: str, place: str) -> None:
    found = gazetteer.demonym(adjective)
    assert found is not None and found.name == place


def test_lookups_are_cached_but_not_shared(gazetteer: Gazetteer) -> None:
    """Repeated look-ups come from memory; a caller changing its list changes no one else's."""
    first = gazetteer.lookup("Seoul")
    first.clear()
    again = gazetteer.lookup("Seoul")
    assert again and again[0].country_code == "KR"


def test_unknown_names_give_nothing(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Xqzzyville") == []
    assert gazetteer.lookup("   ") == []
    assert gazetteer.demonym("Martian") is None


def test_countries_neighbours_and_shared_features(gazetteer: Gazetteer) -> None:
    countries = gazetteer.countries()
    assert len(countries) > 240
    assert "KR" in gazetteer.neighbours("KP") and "KP" in gazetteer.neighbours("KR")
    assert [c.name for c in gazetteer.features_between("KR", "KP")] == ["Korean Demilitarized Zone"]
    shape = gazetteer.shape("KR")
    assert shape is not None and shape["type"] in ("Polygon", "MultiPolygon")


def test_geonames_ids_where_the_source_has_them(gazetteer: Gazetteer) -> None:
    assert gazetteer.country("KP").geonameid == 1873107
    pacific = gazetteer.lookup("Pacific Ocean")[0]
    assert pacific.geonameid == 2363254
    assert gazetteer.get(f"gn:{gazetteer.country('KP').geonameid}").name == "North Korea"
    # a first-level division outside the US has GeoNames' id too (data/admin1-codes.csv)
    assert gazetteer.division("CA-AB").geonameid == 5883102


def test_a_division_is_read_once_whatever_the_case_of_its_code(gazetteer: Gazetteer) -> None:
    """Recognition asks for the division of each "Ont." it meets: the answer is kept."""
    assert gazetteer.division("ca-on") is gazetteer.division("CA-ON") is not None
    assert gazetteer.division("XX-ZZ") is None


@pytest.mark.parametrize(
    ("town", "division", "country", "admin1"),
    [
        # GeoNames calls Ontario "08" and Moscow City "48": towns take the states' ISO codes
        ("Toronto", "Ontario", "CA", "ON"),
        ("Moscow", "Moscow", "RU", "MOW"),
        ("Munich", "Bavaria", "DE", "BY"),
        ("Chicago", "Illinois", "US", "IL"),
        ("Cook County", "Illinois", "US", "IL"),  # a county carries its state's code too
    ],
)
def test_towns_and_their_divisions_share_one_admin1_scheme(
    gazetteer: Gazetteer, town: str, division: str, country: str, admin1: str
) -> None:
    place = gazetteer.lookup(town)[0]
    assert (place.country_code, place.admin1) == (country, admin1)
    assert any(  # Moscow is also the oblast around the city: MOS
        (c.feature_code, c.country_code, c.admin1) == ("ADM1", country, admin1)
        for c in gazetteer.lookup(division)
    )


def test_admin1_is_an_iso_code_or_empty_for_every_place(gazetteer: Gazetteer) -> None:
    divisions = {(c.country_code, c.admin1) for c in gazetteer if c.feature_code == "ADM1"}
    for place in gazetteer:
        if place.admin1:
            assert (place.country_code, place.admin1) in divisions, place
        if place.kind in ("country", "continent", "sea"):
            assert place.admin1 == "", place


def test_search_by_prefix(gazetteer: Gazetteer) -> None:
    names = [c.name for c in gazetteer.search("Pyong")]
    assert "Pyongyang" in names
    assert gazetteer.search("") == []


def test_every_place_is_valid(gazetteer: Gazetteer) -> None:
    kinds = {c.kind for c in gazetteer}
    assert kinds <= set(KINDS)
    assert len(gazetteer) > 150_000  # cities of 1,000 people and more, not a handful of rows


def test_candidate_validates_on_construction() -> None:
    with pytest.raises(ValueError, match="unknown place kind 'town'"):
        Candidate("x", "X", "town", 0.0, 0.0)
    with pytest.raises(ValueError, match="out of range"):
        Candidate("x", "X", "city", 91.0, 0.0)


def test_index_is_plain_sqlite_built_atomically(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    built = Gazetteer.open(path)
    assert built.lookup("Seoul")[0].country_code == "KR"
    assert not list(tmp_path.glob("*.building"))  # the temporary file was renamed into place
    with sqlite3.connect(path) as db:
        [version] = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    assert version == str(INDEX_VERSION)


# --- finding 9 of issue 14: an index that repairs itself ----------------------------------


def _copier(good: Path, built: list[Path]) -> Callable[[Path], None]:
    """A build that copies a sound index into place (as the real one, through a temporary
    file renamed atomically) and records that it ran: a real build takes seconds."""

    def build(path: Path) -> None:
        built.append(path)
        partial = path.with_name(f"{path.name}.copy{BUILDING}")
        shutil.copyfile(good, partial)
        os.replace(partial, path)

    return build


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda good: b"",
    "truncated": lambda good: good[: len(good) // 3],
    "random": lambda good: random.Random(14).randbytes(100_000),
    "header-only": lambda good: good[:100],
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_index_is_rebuilt_on_opening(
    gazetteer: Gazetteer, tmp_path: Path, damage: str
) -> None:
    path = tmp_path / "index.sqlite"
    path.write_bytes(DAMAGES[damage](gazetteer.path.read_bytes()))
    assert index_problem(path) is not None
    built: list[Path] = []

    opened = Gazetteer.open(path, build=_copier(gazetteer.path, built))

    assert built == [path]
    assert index_problem(path) is None
    assert opened.lookup("Seoul")[0].country_code == "KR"


def test_a_sound_index_is_only_opened(gazetteer: Gazetteer, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    shutil.copyfile(gazetteer.path, path)
    built: list[Path] = []

    Gazetteer.open(path, build=_copier(gazetteer.path, built))

    assert built == []


def test_builds_killed_half_way_are_removed(gazetteer: Gazetteer, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    shutil.copyfile(gazetteer.path, path)
    stale = tmp_path / f"index.sqlite.a1b2c3{BUILDING}"  # what kill -9 during a build leaves
    stale.write_bytes(b"half an index")

    Gazetteer.open(path, build=_copier(gazetteer.path, []))

    assert not stale.exists()


def test_a_running_build_is_not_removed(gazetteer: Gazetteer, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    shutil.copyfile(gazetteer.path, path)
    running = tmp_path / f"index.sqlite.d4e5f6{BUILDING}"
    running.write_bytes(b"being written")

    with (tmp_path / BUILD_LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process is building
        Gazetteer.open(path, build=_copier(gazetteer.path, []))

    assert running.exists()


def test_builders_take_turns_and_build_once(gazetteer: Gazetteer, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    built: list[Path] = []
    build = _copier(gazetteer.path, built)
    with ThreadPoolExecutor(4) as pool:
        opened = list(pool.map(lambda _: Gazetteer.open(path, build=build), range(4)))

    assert built == [path]  # the others waited for the lock, then found the index sound
    assert all(g.lookup("Seoul") for g in opened)
