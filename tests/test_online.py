"""Online geocoders without the network: answers replayed, faults simulated, at geopy's seam.

Each geocoder gets geopy's own ``URLLibAdapter`` through ``adapter_factory``, with its
``urlopen`` replaced by :class:`FakeService`: geopy's real error handling (HTTP status codes,
undecodable bodies, timeouts) and its real parsing of each service's JSON run on the answers
kept in ``tests/fixtures/geocoders``. Nothing here opens a socket.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qs, urlsplit
from urllib.request import Request
from urllib.response import addinfourl

import pytest
from geopy.adapters import URLLibAdapter
from geopy.geocoders import ArcGIS, Nominatim, Photon
from geopy.location import Location

from geo import Article, ConfigurationError, Gazetteer, Geoparser, article_from_text
from geo.cache import AnswerCache, default_cache_path
from geo.online import (
    ATTRIBUTION,
    OnlineFallback,
    RateLimit,
    candidate_from_location,
    geocoder_from_env,
    online_fallback,
    shared_rate_limit,
)
from geo.worker import AnalysisPool, Limits

from .analysers import Standin

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "geocoders"
SERVICES = ("nominatim", "photon", "arcgis")
QUERY_PARAMETER = {"nominatim": "q", "photon": "q", "arcgis": "singleLine"}
CHOLSAN = (39.784, 124.639)
#: Three names the offline gazetteer has no candidate for, and two it knows.
ARTICLE = (
    "Rockets were launched from Cholsan County, North Korea, on June 20, 2024.\n"
    "Officials later met in Pyongyang, in Hwajin-ri and in Sinpo Bay."
)
UNKNOWN = ("Cholsan County", "Hwajin", "Sinpo Bay")

Fault = Callable[[Request, float | None], Any]


def _slug(query: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", query.casefold()).strip("-")


def _response(body: bytes, url: str, content_type: str = "application/json") -> addinfourl:
    headers = Message()
    headers["Content-Type"] = f"{content_type}; charset=utf-8"
    return addinfourl(io.BytesIO(body), headers, url, code=200)


class FakeService:
    """``urlopen`` for geopy's URLLibAdapter: the fixture answer for the query (the
    service's "nothing found" when there is none), or the given fault."""

    def __init__(self, service: str, fault: Fault | None = None) -> None:
        self.service = service
        self.fault = fault
        self.requests: list[Request] = []

    def adapter(self, *, proxies: object, ssl_context: object) -> URLLibAdapter:
        adapter = URLLibAdapter(proxies={}, ssl_context=ssl_context)
        adapter.urlopen = self.urlopen
        return adapter

    @property
    def queries(self) -> list[str]:
        name = QUERY_PARAMETER[self.service]
        return [parse_qs(urlsplit(r.full_url).query)[name][0] for r in self.requests]

    def urlopen(self, request: Request, timeout: float | None = None) -> addinfourl:
        self.requests.append(request)
        if self.fault is not None:
            return self.fault(request, timeout)
        query = parse_qs(urlsplit(request.full_url).query)[QUERY_PARAMETER[self.service]][0]
        path = FIXTURES / self.service / f"{_slug(query)}.json"
        if not path.exists():
            path = FIXTURES / self.service / "empty.json"
        return _response(path.read_bytes(), request.full_url)


# --- Faults, as a real network and real servers produce them ---------------------------------


def unreachable(request: Request, timeout: float | None) -> Any:
    raise URLError(OSError(101, "Network is unreachable"))


def no_dns(request: Request, timeout: float | None) -> Any:
    raise URLError(OSError(-3, "Temporary failure in name resolution"))


def slow(request: Request, timeout: float | None) -> Any:
    time.sleep(0.2)  # the service never answers; the socket gives up after its timeout
    raise TimeoutError("timed out")


def http_status(code: int) -> Fault:
    def fail(request: Request, timeout: float | None) -> Any:
        headers = Message()
        headers["Retry-After"] = "30"
        raise HTTPError(request.full_url, code, "error", headers, io.BytesIO(b"error"))

    return fail


def body(data: bytes, content_type: str = "application/json") -> Fault:
    def answer(request: Request, timeout: float | None) -> Any:
        return _response(data, request.full_url, content_type)

    return answer


FAULTS: dict[str, tuple[Fault, str]] = {
    "no network": (unreachable, "cannot be reached"),
    "no DNS": (no_dns, "cannot be reached"),
    "timeout": (slow, "did not answer within 0.2 s"),
    "HTTP 429": (http_status(429), "too many requests"),
    "HTTP 500": (http_status(500), "failed"),
    "HTTP 503": (http_status(503), "did not answer"),  # geopy maps 503 to a timeout
    "not JSON": (body(b"<html>Bad gateway</html>", "text/html"), "malformed"),
    "wrong JSON": (body(b'{"unexpected": true}'), "malformed"),
}


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[AnswerCache]:
    answers = AnswerCache(tmp_path / "geocoded.sqlite")
    yield answers
    answers.close()


def _fallback(
    fake: FakeService, cache: AnswerCache | None, *, timeout: float = 1.0
) -> OnlineFallback:
    return online_fallback(
        fake.service,
        user_agent="news-atlas-tests",
        cache=cache,
        adapter_factory=fake.adapter,
        timeout=timeout,
        rate_limit=RateLimit(0.0),
    )


# --- Replayed answers through geopy's own parsing --------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_answer_is_parsed_by_geopy(service: str, cache: AnswerCache) -> None:
    fake = FakeService(service)
    fallback = _fallback(fake, cache)

    location = fallback.geocode("Cholsan County")

    assert isinstance(location, Location)
    assert (round(location.latitude, 3), round(location.longitude, 3)) == CHOLSAN
    assert isinstance(
        fallback.geocoder, {"nominatim": Nominatim, "photon": Photon, "arcgis": ArcGIS}[service]
    )
    assert fake.queries == ["Cholsan County"]
    assert fake.requests[0].get_header("User-agent") == "news-atlas-tests"
    assert fallback.warnings == []
    assert fallback.attribution == ATTRIBUTION[service]


@pytest.mark.parametrize(
    ("service", "query", "kind", "key", "country"),
    [
        ("nominatim", "Cholsan County", "region", "osm:R7154221", ""),  # addresstype county
        ("nominatim", "Sinpo Bay", "sea", "osm:N4471825923", ""),  # addresstype bay
        ("photon", "Cholsan County", "region", "osm:R7154221", "KP"),  # same OSM object
        ("photon", "Sinpo Bay", "sea", "osm:N4471825923", "KP"),  # osm_value bay
        ("arcgis", "Sinpo Bay", "city", "arcgis:40.01884,128.20343", ""),  # no type: a city
    ],
)
def test_answers_become_candidates_naming_their_service(
    service: str, query: str, kind: str, key: str, country: str, cache: AnswerCache
) -> None:
    location = _fallback(FakeService(service), cache).geocode(query)
    assert isinstance(location, Location)

    candidate = candidate_from_location(location, service)

    assert candidate.source == f"online:{service}"
    assert (candidate.kind, candidate.key, candidate.country_code) == (kind, key, country)
    assert candidate.name.startswith(query.split()[0][:5])
    assert candidate.raw == location.raw


@pytest.mark.parametrize("service", SERVICES)
def test_not_found_is_none_and_cached(service: str, cache: AnswerCache) -> None:
    fake = FakeService(service)
    fallback = _fallback(fake, cache)

    assert fallback.geocode("Xyzzyqwertville") is None
    assert fallback.geocode("xyzzyqwertville ") is None  # the same question, asked once

    assert len(fake.requests) == 1
    assert fallback.warnings == []


# --- The cache ----------------------------------------------------------------------------------


def test_answers_are_served_from_the_cache_by_later_sessions(cache: AnswerCache) -> None:
    first = FakeService("nominatim")
    assert _fallback(first, cache).geocode("Cholsan County") is not None

    later = FakeService("nominatim", fault=unreachable)  # even with the network gone
    reopened = AnswerCache(cache.path)
    location = _fallback(later, reopened).geocode("Cholsan County")
    reopened.close()

    assert isinstance(location, Location)
    assert location.raw["osm_id"] == 7154221
    assert later.requests == []


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_failures_are_never_cached_as_not_found(
    fault: tuple[Fault, str], cache: AnswerCache
) -> None:
    failing = FakeService("photon", fault=fault[0])
    assert _fallback(failing, cache, timeout=0.2).geocode("Cholsan County") is None
    assert len(cache) == 0

    working = FakeService("photon")
    assert _fallback(working, cache).geocode("Cholsan County") is not None
    assert working.queries == ["Cholsan County"]


def test_cache_is_sqlite_in_wal_mode(cache: AnswerCache) -> None:
    cache.put("nominatim", "Somewhere", [])

    with sqlite3.connect(cache.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()
    assert cache.get("nominatim", "somewhere") == []
    assert cache.get("photon", "somewhere") is None  # answers are per service


def test_cache_is_shared_by_many_threads(cache: AnswerCache) -> None:
    location = Location("Here", (1.0, 2.0), {"name": "Here"})
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                cache.put("svc", f"q{n}-{i}", [location])
                assert cache.get("svc", f"q{n}-{i}") is not None
        except BaseException as err:
            errors.append(err)
        finally:
            cache.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(cache) == 200


def test_cache_is_intact_after_the_process_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "geocoded.sqlite"
    script = (
        "import os, signal\n"
        "from geopy.location import Location\n"
        "from geo.cache import AnswerCache\n"
        f"cache = AnswerCache({str(path)!r})\n"
        "for i in range(50):\n"
        "    cache.put('nominatim', f'place {i}', [Location('P', (1.0, 2.0), {'i': i})])\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    assert done.returncode == -signal.SIGKILL

    cache = AnswerCache(path)
    try:
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
        assert len(cache) == 50
        answer = cache.get("nominatim", "place 49")
        assert answer is not None and answer[0].raw == {"i": 49}
    finally:
        cache.close()


def test_old_answers_expire(tmp_path: Path) -> None:
    now = [1000.0]
    cache = AnswerCache(tmp_path / "c.sqlite", max_age=60.0, clock=lambda: now[0])
    cache.put("nominatim", "Somewhere", [])
    now[0] += 61.0

    assert cache.get("nominatim", "Somewhere") is None
    cache.close()


def test_default_cache_path_follows_news_atlas_cache(tmp_path: Path) -> None:
    assert default_cache_path({"NEWS_ATLAS_CACHE": str(tmp_path)}) == tmp_path / "geocoded.sqlite"


def test_an_unwritable_cache_only_costs_requests(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = AnswerCache(blocker / "geocoded.sqlite")
    fake = FakeService("nominatim")

    assert _fallback(fake, cache).geocode("Cholsan County") is not None
    assert len(fake.requests) == 1


# --- Failing well ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_failure_is_one_warning_and_stops_asking_for_the_article(
    fault: tuple[Fault, str], cache: AnswerCache
) -> None:
    make, words = fault
    fake = FakeService("nominatim" if "wrong" not in words else "photon", fault=make)
    fallback = _fallback(fake, cache, timeout=0.2)

    started = time.monotonic()
    answers = [fallback.geocode(name) for name in UNKNOWN]
    elapsed = time.monotonic() - started

    assert answers == [None, None, None]
    assert len(fake.requests) == 1  # the circuit breaker: one failure, no more requests
    assert len(fallback.warnings) == 1
    assert words in fallback.warnings[0].lower()
    assert "offline results" in fallback.warnings[0]
    assert elapsed < 2.0

    fallback.new_article()  # the next article tries again, once
    assert fallback.geocode("Cholsan County") is None
    assert len(fake.requests) == 2
    assert len(fallback.warnings) == 1  # the same warning is not repeated


def test_a_hanging_service_is_abandoned_soon_after_its_timeout(cache: AnswerCache) -> None:
    release = threading.Event()

    def hang(request: Request, timeout: float | None) -> Any:
        release.wait(30)  # e.g. a DNS lookup that never returns: no socket timeout applies
        raise TimeoutError("timed out")

    fallback = _fallback(FakeService("nominatim", fault=hang), cache, timeout=0.2)
    started = time.monotonic()
    try:
        assert fallback.geocode("Cholsan County") is None
        elapsed = time.monotonic() - started
    finally:
        release.set()

    assert elapsed < 2.0
    assert "did not answer within 0.2 s" in fallback.warnings[0]


def test_at_most_so_many_names_an_article(cache: AnswerCache) -> None:
    fake = FakeService("nominatim")
    fallback = _fallback(fake, cache)
    fallback.max_per_article = 2

    for n in range(4):
        fallback.geocode(f"Place {n}")

    assert len(fake.requests) == 2
    assert fallback.warnings == [
        "Nominatim was asked for at most 2 names in this article; "
        "the others kept their offline results"
    ]


# --- The rate limit -------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.sleeps.append(round(seconds, 6))


def test_rate_limit_spaces_requests_over_all_threads() -> None:
    clock = FakeClock()
    limit = RateLimit(1.0, clock=clock, sleep=clock.sleep)

    threads = [threading.Thread(target=limit.acquire) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Time stands still, so the four callers got the slots now, +1 s, +2 s and +3 s.
    assert sorted(clock.sleeps) == [1.0, 2.0, 3.0]


def test_rate_limit_lets_a_request_through_once_its_interval_has_passed() -> None:
    clock = FakeClock()
    limit = RateLimit(1.0, clock=clock, sleep=clock.sleep)

    limit.acquire()
    clock.now += 0.25
    limit.acquire()
    clock.now += 5.0
    limit.acquire()

    assert clock.sleeps == [0.75]


def test_rate_limit_refuses_rather_than_queue_for_long() -> None:
    clock = FakeClock()
    limit = RateLimit(1.0, max_wait=2.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        limit.acquire()

    fake = FakeService("nominatim")
    fallback = online_fallback(
        "nominatim", user_agent="news-atlas-tests", adapter_factory=fake.adapter, rate_limit=limit
    )
    assert fallback.geocode("Cholsan County") is None
    assert fake.requests == []
    assert "busy" in fallback.warnings[0]


def test_one_rate_limit_per_service_for_the_whole_process() -> None:
    assert shared_rate_limit("nominatim") is shared_rate_limit("Nominatim")
    assert shared_rate_limit("nominatim").min_interval == 1.0  # the usage policy
    assert shared_rate_limit("nominatim", "geo.example.org").min_interval == 0.0  # self-hosted
    first = online_fallback("nominatim", user_agent="a", adapter_factory=FakeService("x").adapter)
    second = online_fallback("nominatim", user_agent="b", adapter_factory=FakeService("y").adapter)
    assert isinstance(first.chain, object)
    assert first.breaker.inner.limit is second.breaker.inner.limit  # type: ignore[attr-defined]


# --- Configuration from the environment ---------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "offline", " Gazetteer "])
def test_no_online_geocoder_unless_asked(value: str | None) -> None:
    env = {} if value is None else {"NEWS_ATLAS_GEOCODER": value}
    assert geocoder_from_env(env) is None


def test_environment_configures_the_geocoder(tmp_path: Path) -> None:
    env = {
        "NEWS_ATLAS_GEOCODER": "Nominatim",
        "NEWS_ATLAS_USER_AGENT": "atlas-deploy/2 (ops@example.org)",
        "NEWS_ATLAS_GEOCODER_DOMAIN": "nominatim.example.org",
        "NEWS_ATLAS_CACHE": str(tmp_path),
    }
    fallback = geocoder_from_env(env, adapter_factory=FakeService("nominatim").adapter)

    assert fallback is not None
    assert isinstance(fallback.geocoder, Nominatim)
    assert fallback.geocoder.domain == "nominatim.example.org"
    assert fallback.geocoder.headers["User-Agent"] == "atlas-deploy/2 (ops@example.org)"
    assert "OpenStreetMap contributors" in fallback.attribution
    cache = fallback.chain.cache  # type: ignore[attr-defined]
    assert cache.path == tmp_path / "geocoded.sqlite"


def test_api_key_goes_to_the_parameter_the_geocoder_names(tmp_path: Path) -> None:
    env = {
        "NEWS_ATLAS_GEOCODER": "opencage",
        "NEWS_ATLAS_API_KEY": "secret-key",
        "NEWS_ATLAS_CACHE": str(tmp_path),
    }
    fallback = geocoder_from_env(env, adapter_factory=FakeService("x").adapter)

    assert fallback is not None
    assert fallback.geocoder.api_key == "secret-key"
    assert fallback.attribution == "Geocoding: OpenCage (geopy)"


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"NEWS_ATLAS_GEOCODER": "nope"}, "unknown geocoder 'nope'"),
        ({"NEWS_ATLAS_GEOCODER": "nominatim", "NEWS_ATLAS_API_KEY": "k"}, "NEWS_ATLAS_API_KEY"),
        (
            {"NEWS_ATLAS_GEOCODER": "here", "NEWS_ATLAS_GEOCODER_DOMAIN": "x.org"},
            "NEWS_ATLAS_GEOCODER_DOMAIN",
        ),
        ({"NEWS_ATLAS_GEOCODER": "opencage"}, "api_key (set NEWS_ATLAS_API_KEY)"),
        ({"NEWS_ATLAS_GEOCODER": "pelias"}, "domain (set NEWS_ATLAS_GEOCODER_DOMAIN)"),
    ],
)
def test_bad_configuration_says_what_to_fix(
    env: dict[str, str], words: str, tmp_path: Path
) -> None:
    env = {**env, "NEWS_ATLAS_CACHE": str(tmp_path), "NEWS_ATLAS_USER_AGENT": "t"}
    with pytest.raises(ConfigurationError, match=re.escape(words)):
        geocoder_from_env(env)


# --- The whole article ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp(geoparser: Geoparser) -> Any:
    return geoparser.nlp


@pytest.mark.parametrize("service", SERVICES)
def test_online_fallback_places_the_names_the_gazetteer_cannot(
    service: str, nlp: Any, gazetteer: Gazetteer, cache: AnswerCache
) -> None:
    # the gazetteer's own places: an online geocoder looks up what offline is only guessed
    offline = Geoparser(nlp, gazetteer, guess=False).analyse(ARTICLE)
    fake = FakeService(service)
    parser = Geoparser(nlp, gazetteer, fallback=_fallback(fake, cache))

    story = parser.analyse(ARTICLE)

    # Only names the gazetteer lacks are asked (which ones it lacks may shrink as it grows).
    assert "Cholsan County" in fake.queries
    assert set(fake.queries) <= set(UNKNOWN)
    offline_names = {m.name for p in offline.places for m in p.mentions}
    assert not offline_names & set(fake.queries)
    by_name = {p.mentions[0].text: p for p in story.places}
    assert {"North Korea", "Pyongyang", "Cholsan County", "Sinpo Bay"} <= set(by_name)
    assert "Hwajin" not in by_name  # not found online either
    cholsan = by_name["Cholsan County"]
    assert cholsan.candidate.source == f"online:{service}"
    assert (round(cholsan.lat, 2), round(cholsan.lon, 2)) == (39.78, 124.64)
    assert 0.0 < cholsan.confidence < 1.0
    # The offline places are unchanged, and every place is in order of first mention.
    for place in offline.places:
        assert story.place(place.key) == place
    starts = [min(m.start for m in p.mentions) for p in story.places]
    assert starts == sorted(starts)


def test_an_unreachable_service_leaves_the_offline_story(
    nlp: Any, gazetteer: Gazetteer, cache: AnswerCache
) -> None:
    # the gazetteer's own places: an online geocoder looks up what offline is only guessed
    offline = Geoparser(nlp, gazetteer, guess=False).analyse(ARTICLE)
    fake = FakeService("nominatim", fault=slow)
    fallback = _fallback(fake, cache, timeout=0.2)
    parser = Geoparser(nlp, gazetteer, fallback=fallback)

    started = time.monotonic()
    story = parser.analyse(ARTICLE)
    elapsed = time.monotonic() - started

    assert story.places == offline.places
    assert len(fake.requests) == 1
    assert len(fallback.warnings) == 1
    assert elapsed < 2.0

    parser.analyse(ARTICLE)  # the next article asks again, once
    assert len(fake.requests) == 2


def test_the_cached_answers_serve_the_next_article_offline(
    nlp: Any, gazetteer: Gazetteer, cache: AnswerCache
) -> None:
    Geoparser(nlp, gazetteer, fallback=_fallback(FakeService("photon"), cache)).analyse(ARTICLE)
    down = FakeService("photon", fault=unreachable)
    fallback = _fallback(down, cache)

    story = Geoparser(nlp, gazetteer, fallback=fallback).analyse(ARTICLE)

    assert down.requests == []
    assert fallback.warnings == []
    assert any(p.candidate.source == "online:photon" for p in story.places)


# --- In the analysis workers (geo/worker.py): the server asks, the worker analyses ---------------


@pytest.fixture(scope="module")
def workers() -> Iterator[AnalysisPool]:
    """One worker with the real model, shared by the tests below (it takes a while to load)."""
    with AnalysisPool(1) as pool:
        yield pool


def test_a_worker_s_online_story_is_the_one_made_in_process(
    workers: AnalysisPool, nlp: Any, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    in_process = _fallback(FakeService("nominatim"), AnswerCache(tmp_path / "a.sqlite"))
    fake = FakeService("nominatim")
    fallback = _fallback(fake, AnswerCache(tmp_path / "b.sqlite"))

    story = workers.analyse(article_from_text(ARTICLE), geocoder=fallback)

    assert story == Geoparser(nlp, gazetteer, fallback=in_process).analyse(ARTICLE)
    assert "Cholsan County" in fake.queries  # asked here, in the server's process
    assert any(p.candidate.source == "online:nominatim" for p in story.places)
    assert fallback.warnings == []


def test_an_unreachable_service_in_a_worker_says_so_and_keeps_the_offline_story(
    workers: AnalysisPool, nlp: Any, gazetteer: Gazetteer, cache: AnswerCache
) -> None:
    fake = FakeService("nominatim", fault=unreachable)
    fallback = _fallback(fake, cache)

    story = workers.analyse(article_from_text(ARTICLE), geocoder=fallback)

    assert story.places == Geoparser(nlp, gazetteer, guess=False).analyse(ARTICLE).places
    assert fallback.warnings == [
        "Nominatim cannot be reached (is the network down?); kept the offline results"
    ]
    assert len(fake.requests) == 1  # the circuit breaker is the server's, as in-process


def _answering_empty(asked: list[float], pause: float = 0.0) -> Fault:
    """A service that finds nothing, after ``pause`` seconds; ``asked`` gets each request's time."""

    def answer(request: Request, timeout: float | None) -> Any:
        asked.append(time.monotonic())
        time.sleep(pause)
        return _response(b"[]", request.full_url)

    return answer


def _both_loaded(pool: AnalysisPool) -> None:
    """Wait until both workers of ``pool`` have answered an article."""
    seen: set[str] = set()
    deadline = time.monotonic() + 120
    while len(seen) < 2 and time.monotonic() < deadline:
        futures = [pool.submit(Article(f"warm-up {i}")) for i in range(4)]
        seen |= {future.result().article.source for future in futures}
    assert len(seen) == 2


def test_workers_share_the_server_s_one_rate_limit() -> None:
    limit = RateLimit(0.3)  # what shared_rate_limit gives every session of the server
    asked: list[float] = []
    with AnalysisPool(2, factory=Standin) as pool:
        _both_loaded(pool)
        fallbacks = [
            online_fallback(
                "nominatim",
                user_agent="news-atlas-tests",
                adapter_factory=FakeService("nominatim", _answering_empty(asked)).adapter,
                rate_limit=limit,
            )
            for _ in range(2)
        ]
        futures = [
            pool.submit(Article(f"{n}a {n}b {n}c"), geocoder=fallback)
            for n, fallback in enumerate(fallbacks)
        ]
        stories = [future.result(timeout=60) for future in futures]

    assert len({story.article.source for story in stories}) == 2  # two workers, at once
    assert [story.article.title for story in stories] == ["- | - | -"] * 2
    assert len(asked) == 6
    gaps = [later - earlier for earlier, later in itertools.pairwise(asked)]
    assert min(gaps) > 0.2  # 0.3 s apart, give or take a thread's start


def test_the_deadline_does_not_count_the_server_s_time_with_the_geocoder() -> None:
    asked: list[float] = []
    fake = FakeService("nominatim", _answering_empty(asked, pause=0.5))
    with AnalysisPool(1, Limits(deadline=1.0), factory=Standin) as pool:
        story = pool.analyse(Article("one two three four"), geocoder=_fallback(fake, None))

    assert len(asked) == 4  # 2 s with the geocoder, against a deadline of 1 s
    assert story.article.title == "- | - | - | -"


@pytest.mark.live
def test_live_nominatim(tmp_path: Path) -> None:  # pragma: no cover - needs the network
    fallback = geocoder_from_env(
        {
            "NEWS_ATLAS_GEOCODER": "nominatim",
            "NEWS_ATLAS_USER_AGENT": os.environ.get("NEWS_ATLAS_USER_AGENT", "news-atlas-tests"),
            "NEWS_ATLAS_CACHE": str(tmp_path),
        }
    )
    assert fallback is not None
    location = fallback.geocode("Cholsan County, North Korea")
    assert fallback.warnings == []
    assert isinstance(location, Location)


# --- The command line ---------------------------------------------------------------------------


def test_cli_refuses_an_unknown_geocoder_before_reading(capsys: pytest.CaptureFixture[str]) -> None:
    from geo.cli import main

    assert main(["geojson", "--geocoder", "nope", "no-such-file.txt"]) == 1

    err = capsys.readouterr().err
    assert "unknown geocoder 'nope'" in err
    assert "nominatim" in err and "photon" in err


def test_cli_with_an_unreachable_geocoder_warns_and_keeps_the_offline_places(
    gazetteer: Gazetteer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from geo.cli import main
    from geo.gazetteer import default_index_path

    index = default_index_path()  # the answers go to tmp_path; the built index is reused
    (tmp_path / index.name).symlink_to(index)
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setenv("NEWS_ATLAS_CACHE", str(tmp_path))
    monkeypatch.setenv("NEWS_ATLAS_USER_AGENT", "news-atlas-tests")
    # A self-hosted server on this machine that is not running: refused at once, no internet.
    monkeypatch.setenv("NEWS_ATLAS_GEOCODER_DOMAIN", "127.0.0.1:9")

    assert main(["geojson", "--geocoder", "nominatim", str(article)]) == 0

    out, err = capsys.readouterr()
    names = {f["properties"]["name"] for f in json.loads(out)["features"]}
    assert {"North Korea", "Pyongyang"} <= names
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "Nominatim" in warnings[0]
    assert "OpenStreetMap contributors" in err
