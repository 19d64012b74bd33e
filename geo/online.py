"""Online geocoders as a fallback, for the names the offline gazetteer cannot resolve.

Small wrappers around a geopy geocoder (see :func:`geo.geocoders.get_geocoder`), each adding
one duty and sharing geopy's ``geocode`` call::

    OnlineFallback          never raises: a failure becomes one warning and None
    └── Cached              answers (and "not found") from the SQLite cache, geo.cache
        └── CircuitBreaker  after one failure, no more requests for this article
            └── RateLimited the service's policy, shared by the whole process
                └── Guarded the geopy geocoder: short timeout, errors translated

:func:`geocoder_from_env` builds that chain from ``NEWS_ATLAS_GEOCODER`` and friends, and
:func:`candidate_from_location` turns a service's answer into a gazetteer-like candidate.
"""

from __future__ import annotations

import inspect
import math
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderParseError,
    GeocoderRateLimited,
    GeocoderTimedOut,
    GeopyError,
)
from geopy.exc import GeocoderUnavailable as GeopyUnavailable
from geopy.geocoders import SERVICE_TO_GEOCODER
from geopy.location import Location

from .cache import AnswerCache, default_cache_path
from .errors import ConfigurationError, GeocoderUnavailable
from .gazetteer import Candidate
from .geocoders import OFFLINE_NAMES, get_geocoder, service_class

__all__ = [
    "ATTRIBUTION",
    "Cached",
    "CircuitBreaker",
    "Fallback",
    "Geocoding",
    "Guarded",
    "OnlineFallback",
    "RateLimit",
    "RateLimited",
    "candidate_from_location",
    "geocoder_from_env",
    "online_fallback",
    "shared_rate_limit",
]


#: What each public service asks of its users, in seconds between two requests over the whole
#: process (Nominatim: at most one a second in all; Photon: fair use of komoot's server).
#: A self-hosted server (``NEWS_ATLAS_GEOCODER_DOMAIN``) sets its own policy: no limit here.
MIN_INTERVAL = {"nominatim": 1.0, "photon": 1.0, "arcgis": 0.2}
DEFAULT_MIN_INTERVAL = 0.2
#: Seconds a request may take; the whole call is abandoned a little after (DNS included).
DEFAULT_TIMEOUT = 1.0
#: What each service asks to be credited with, shown under the map.
ATTRIBUTION = {
    "nominatim": "Geocoding: Nominatim, data © OpenStreetMap contributors (ODbL)",
    "photon": "Geocoding: Photon by komoot, data © OpenStreetMap contributors (ODbL)",
    "arcgis": "Geocoding: Esri ArcGIS World Geocoding Service",
}
DEFAULT_USER_AGENT = "news-atlas/0.1.0 (python-geopy)"
#: Constructor parameters under which geopy geocoders take an API key, most usual first.
_KEY_PARAMETERS = ("api_key", "apikey", "key", "subscription_key", "access_token", "username")


#: How a failed DNS lookup or connection reads once geopy's urllib adapter has wrapped it.
_UNREACHABLE = re.compile(
    r"name resolution|name or service not known|nodename nor servname|getaddrinfo|"
    r"network is unreachable|connection refused|no route to host",
    re.IGNORECASE,
)


class Geocoding(Protocol):
    """geopy's geocoding call: what every geocoder and every wrapper below answers."""

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: float | None = None
    ) -> Any: ...


class Fallback(Protocol):
    """What :class:`~geo.story.Geoparser` asks of an online fallback: an :class:`OnlineFallback`
    in its own process, or, in an analysis worker, a stand-in that passes each question on to
    the server's :class:`OnlineFallback` (:mod:`geo.worker`)."""

    service: str  # the geopy service name, e.g. "nominatim"
    label: str  # how messages and a place's reasons name it, e.g. "Nominatim"

    def new_article(self) -> None: ...

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: float | None = None
    ) -> Location | list[Location] | None: ...


def _as_list(answer: Any) -> list[Location]:
    if answer is None:
        return []
    return list(answer) if isinstance(answer, list) else [answer]


def _as_answer(locations: list[Location], exactly_one: bool) -> Location | list[Location] | None:
    if not locations:
        return None
    return locations[0] if exactly_one else locations


class Guarded:
    """A geopy geocoder whose every failure is a :class:`~geo.errors.GeocoderUnavailable`
    saying what went wrong, and whose calls never outlast ``timeout`` by more than ``grace``
    seconds (the call runs in a daemon thread, so even a hanging DNS lookup cannot stall)."""

    def __init__(
        self,
        inner: Geocoding,
        service: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        grace: float = 0.5,
    ) -> None:
        self.inner = inner
        self.service = service
        self.timeout = timeout
        self.grace = grace

    def geocode(self, query: str, *, exactly_one: bool = True, timeout: float | None = None) -> Any:
        limit = self.timeout if timeout is None else timeout
        outcome: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()

        def call() -> None:
            try:
                outcome.put(
                    (True, self.inner.geocode(query, exactly_one=exactly_one, timeout=limit))
                )
            except BaseException as err:  # handed to the caller below
                outcome.put((False, err))

        threading.Thread(target=call, name=f"geocode-{self.service}", daemon=True).start()
        try:
            ok, value = outcome.get(timeout=limit + self.grace)
        except queue.Empty:
            raise GeocoderUnavailable(f"{self.service} did not answer within {limit:g} s") from None
        if ok:
            return value
        raise self._translate(value, limit) from value

    def _translate(self, err: BaseException, limit: float) -> GeocoderUnavailable:
        name = self.service
        if isinstance(err, GeocoderRateLimited):
            why = "refused the request: too many requests (HTTP 429)"
        elif isinstance(err, GeocoderTimedOut):
            why = f"did not answer within {limit:g} s"
        elif isinstance(err, GeopyUnavailable) or _UNREACHABLE.search(str(err)):
            why = "cannot be reached (is the network down?)"
        elif isinstance(err, GeocoderParseError | KeyError | IndexError | TypeError | ValueError):
            why = "answered with malformed data"
        elif isinstance(err, GeocoderAuthenticationFailure | GeocoderInsufficientPrivileges):
            why = f"refused the API key ({err}); check NEWS_ATLAS_API_KEY"
        elif isinstance(err, GeopyError):
            why = f"failed: {err}"
        else:
            why = f"failed unexpectedly: {type(err).__name__}: {err}"
        return GeocoderUnavailable(f"{name} {why}")


class RateLimit:
    """At most one request every ``min_interval`` seconds, over every thread that shares it.

    Each caller reserves the next free slot and sleeps until it; a caller that would wait more
    than ``max_wait`` seconds (many sessions at once) gives up with ``GeocoderUnavailable``
    rather than queueing forever. ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        min_interval: float,
        *,
        max_wait: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval = min_interval
        self.max_wait = max_wait
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next_free = -math.inf

    def acquire(self, service: str = "the geocoder") -> None:
        with self._lock:
            now = self.clock()
            slot = max(now, self._next_free)
            if slot - now > self.max_wait:
                raise GeocoderUnavailable(
                    f"{service} is busy: more than {self.max_wait:g} s of requests are queued"
                )
            self._next_free = slot + self.min_interval
        if slot > now:
            self.sleep(slot - now)


_SHARED_LIMITS: dict[tuple[str, str], RateLimit] = {}
_SHARED_LOCK = threading.Lock()


def shared_rate_limit(service: str, domain: str = "") -> RateLimit:
    """The one rate limit of ``service`` (at ``domain``) for this whole process: every session
    and every :class:`OnlineFallback` asking the same server shares it."""
    key = (service.strip().lower(), domain.strip().lower())
    with _SHARED_LOCK:
        if key not in _SHARED_LIMITS:
            interval = 0.0 if key[1] else MIN_INTERVAL.get(key[0], DEFAULT_MIN_INTERVAL)
            _SHARED_LIMITS[key] = RateLimit(interval)
        return _SHARED_LIMITS[key]


class RateLimited:
    """Waits for a slot of a :class:`RateLimit` before each request."""

    def __init__(self, inner: Geocoding, limit: RateLimit, service: str) -> None:
        self.inner = inner
        self.limit = limit
        self.service = service

    def geocode(self, query: str, *, exactly_one: bool = True, timeout: float | None = None) -> Any:
        self.limit.acquire(self.service)
        return self.inner.geocode(query, exactly_one=exactly_one, timeout=timeout)


class CircuitBreaker:
    """After one failure, fails at once (without asking) until :meth:`reset`: a service that
    is down costs one timeout per article, not one per place."""

    def __init__(self, inner: Geocoding, service: str) -> None:
        self.inner = inner
        self.service = service
        self.failure: GeocoderUnavailable | None = None

    @property
    def open(self) -> bool:
        return self.failure is not None

    def reset(self) -> None:
        self.failure = None

    def geocode(self, query: str, *, exactly_one: bool = True, timeout: float | None = None) -> Any:
        if self.failure is not None:
            raise GeocoderUnavailable(
                f"{self.service} not asked again after: {self.failure}"
            ) from self.failure
        try:
            return self.inner.geocode(query, exactly_one=exactly_one, timeout=timeout)
        except GeocoderUnavailable as err:
            self.failure = err
            raise


class Cached:
    """Answers from an :class:`~geo.cache.AnswerCache` first; stores every answer the inner
    geocoder gives ("not found" included) and nothing when it fails."""

    def __init__(self, inner: Geocoding, cache: AnswerCache, service: str) -> None:
        self.inner = inner
        self.cache = cache
        self.service = service

    def geocode(self, query: str, *, exactly_one: bool = True, timeout: float | None = None) -> Any:
        key = self.service if exactly_one else f"{self.service}+all"
        stored = self.cache.get(key, query)
        if stored is not None:
            return _as_answer(stored, exactly_one)
        answer = self.inner.geocode(query, exactly_one=exactly_one, timeout=timeout)
        self.cache.put(key, query, _as_list(answer))
        return answer


class OnlineFallback:
    """An online geocoder made fit for an interactive app: cache → circuit breaker → shared
    rate limit → guarded geopy call, composed in that order.

    :meth:`geocode` never raises for a service failure: it returns ``None`` (which is *not*
    cached) and adds one line to :attr:`warnings`. Call :meth:`new_article` before each
    article (``Geoparser`` does) so a service that failed is tried again, once, next time.
    """

    def __init__(
        self,
        geocoder: Geocoding,
        service: str,
        *,
        cache: AnswerCache | None = None,
        rate_limit: RateLimit | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        attribution: str | None = None,
        max_per_article: int = 30,
    ) -> None:
        self.service = service
        self.max_per_article = max_per_article
        self._asked = 0
        self.geocoder = geocoder
        self.attribution = attribution or ATTRIBUTION.get(
            service, f"Geocoding: {type(geocoder).__name__} (geopy)"
        )
        self.label = type(geocoder).__name__
        chain: Geocoding = Guarded(geocoder, self.label, timeout=timeout)
        if rate_limit is not None:
            chain = RateLimited(chain, rate_limit, self.label)
        self.breaker = CircuitBreaker(chain, self.label)
        chain = self.breaker
        if cache is not None:
            chain = Cached(chain, cache, service)
        self.chain = chain
        self.warnings: list[str] = []

    def new_article(self) -> None:
        """Ask the service again (one failure per article stops it for that article)."""
        self.breaker.reset()
        self._asked = 0

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: float | None = None
    ) -> Location | list[Location] | None:
        self._asked += 1
        if self._asked > self.max_per_article:  # an article, not a bulk job
            warning = (
                f"{self.label} was asked for at most {self.max_per_article} names in this "
                "article; the others kept their offline results"
            )
            if warning not in self.warnings:
                self.warnings.append(warning)
            return None
        try:
            answer: Location | list[Location] | None = self.chain.geocode(
                query, exactly_one=exactly_one, timeout=timeout
            )
        except GeocoderUnavailable as err:
            skipped = self.breaker.failure is not None and err.__cause__ is self.breaker.failure
            warning = f"{err}; kept the offline results"
            if not skipped and warning not in self.warnings:
                self.warnings.append(warning)
            return None
        return answer

    def __repr__(self) -> str:
        return f"OnlineFallback({self.label}, service={self.service!r})"


def geocoder_from_env(
    env: Mapping[str, str] | None = None,
    *,
    adapter_factory: Callable[..., Any] | None = None,
    cache: AnswerCache | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> OnlineFallback | None:
    """The online fallback the environment asks for, or ``None`` for offline only.

    ``NEWS_ATLAS_GEOCODER`` names it (``nominatim``, ``photon``, ``arcgis`` or any geopy
    service; unset, empty or ``offline`` means offline only); ``NEWS_ATLAS_USER_AGENT``,
    ``NEWS_ATLAS_API_KEY`` and ``NEWS_ATLAS_GEOCODER_DOMAIN`` configure it; answers are
    cached in ``$NEWS_ATLAS_CACHE/geocoded.sqlite`` unless ``cache`` is given.
    ``adapter_factory`` is geopy's HTTP seam (tests replay recorded answers through it).
    """
    env = os.environ if env is None else env
    name = (env.get("NEWS_ATLAS_GEOCODER") or "").strip().lower()
    if not name or name in OFFLINE_NAMES:
        return None
    return online_fallback(
        name,
        user_agent=env.get("NEWS_ATLAS_USER_AGENT") or DEFAULT_USER_AGENT,
        api_key=env.get("NEWS_ATLAS_API_KEY") or None,
        domain=env.get("NEWS_ATLAS_GEOCODER_DOMAIN") or None,
        cache=cache if cache is not None else AnswerCache(default_cache_path(env)),
        adapter_factory=adapter_factory,
        timeout=timeout,
    )


def online_fallback(
    name: str,
    *,
    user_agent: str = DEFAULT_USER_AGENT,
    api_key: str | None = None,
    domain: str | None = None,
    cache: AnswerCache | None = None,
    adapter_factory: Callable[..., Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    rate_limit: RateLimit | None = None,
) -> OnlineFallback:
    """The geopy geocoder called ``name``, wrapped in an :class:`OnlineFallback` with the
    process-wide rate limit its service requires (unless ``rate_limit`` is given)."""
    key = name.strip().lower()
    if key in OFFLINE_NAMES:
        raise ConfigurationError(
            f"{name!r} is the offline gazetteer, not an online geocoder; "
            f"choose one of: {', '.join(sorted(SERVICE_TO_GEOCODER))}"
        )
    cls = service_class(key)
    accepted = inspect.signature(cls.__init__).parameters
    config: dict[str, Any] = {"user_agent": user_agent, "timeout": timeout}
    if adapter_factory is not None:
        config["adapter_factory"] = adapter_factory
    if domain:
        if "domain" not in accepted:
            raise ConfigurationError(
                f"geocoder {name!r} has no domain option: unset NEWS_ATLAS_GEOCODER_DOMAIN"
            )
        config["domain"] = domain
    if api_key:
        parameter = next((p for p in _KEY_PARAMETERS if p in accepted), None)
        if parameter is None:
            raise ConfigurationError(
                f"geocoder {name!r} takes no API key: unset NEWS_ATLAS_API_KEY"
            )
        config[parameter] = api_key
    required = [
        p
        for p, spec in accepted.items()
        if p != "self" and spec.default is inspect.Parameter.empty and p not in config
    ]
    if required:
        hint = {p: "NEWS_ATLAS_API_KEY" for p in _KEY_PARAMETERS}
        hint["domain"] = "NEWS_ATLAS_GEOCODER_DOMAIN"
        fixes = ", ".join(f"{p} (set {hint[p]})" if p in hint else p for p in required)
        raise ConfigurationError(f"geocoder {name!r} needs: {fixes}")
    geocoder = get_geocoder(key, **config)
    limit = rate_limit if rate_limit is not None else shared_rate_limit(key, domain or "")
    return OnlineFallback(geocoder, key, cache=cache, rate_limit=limit, timeout=timeout)


# --- From an online answer to a gazetteer candidate -------------------------------------------

#: The words services use for a kind of place (Nominatim's addresstype/type, Photon's type
#: and osm_value, ArcGIS's Addr_type), mapped to our kinds; anything else is a city.
_KIND_WORDS = {
    "country": "country",
    "countryregion": "country",
    "continent": "continent",
    "state": "region",
    "province": "region",
    "region": "region",
    "county": "region",
    "district": "region",
    "state_district": "region",
    "subregion": "region",
    "administrative": "region",
    "sea": "sea",
    "ocean": "sea",
    "bay": "sea",
    "strait": "sea",
    "gulf": "sea",
    "waterbody": "sea",
    "peak": "feature",
    "volcano": "feature",
    "mountain_range": "feature",
    "island": "feature",
    "river": "feature",
    "water": "feature",
    "desert": "feature",
    "valley": "feature",
    "border_control": "border",
}


def _kind_of(raw: Mapping[str, Any]) -> str:
    props = raw.get("properties") if isinstance(raw.get("properties"), Mapping) else {}
    attrs = raw.get("attributes") if isinstance(raw.get("attributes"), Mapping) else {}
    words = (
        raw.get("addresstype"),
        raw.get("type"),
        props.get("type") if props else None,
        props.get("osm_value") if props else None,
        attrs.get("Addr_type") if attrs else None,
        attrs.get("Type") if attrs else None,
    )
    for word in words:
        if isinstance(word, str):
            kind = _KIND_WORDS.get(word.strip().lower().replace(" ", ""))
            if kind is not None:
                return kind
    return "city"


def candidate_from_location(location: Location, service: str) -> Candidate:
    """A gazetteer :class:`Candidate` for an online answer: ``source`` names the service, the
    kind comes from the answer's type (a city when it says nothing we know), ``raw`` keeps
    the answer; OpenStreetMap objects keep their id in the key (``osm:R123``)."""
    raw: dict[str, Any] = dict(location.raw) if isinstance(location.raw, Mapping) else {}
    props = raw.get("properties") if isinstance(raw.get("properties"), Mapping) else {}
    osm_type = str(raw.get("osm_type") or (props or {}).get("osm_type") or "")[:1].upper()
    osm_id = raw.get("osm_id") or (props or {}).get("osm_id")
    lat, lon = float(location.latitude), float(location.longitude)
    key = f"osm:{osm_type}{osm_id}" if osm_type and osm_id else f"{service}:{lat:.5f},{lon:.5f}"
    address = location.address or ""
    name = str(raw.get("name") or (props or {}).get("name") or address.split(",")[0]).strip()
    details = raw.get("address") if isinstance(raw.get("address"), Mapping) else {}
    code = (props or {}).get("countrycode") or (details or {}).get("country_code")
    country = str(code).upper() if isinstance(code, str) and len(code) == 2 else ""
    return Candidate(
        key,
        name or address,
        _kind_of(raw),
        lat,
        lon,
        country_code=country,
        countries=(country,) if country else (),
        source=f"online:{service}",
        raw=raw,
    )
