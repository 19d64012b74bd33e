"""Geocoders behind geopy's interface, chosen by name.

The default, ``"offline"``, answers from the embedded gazetteer: no network, no key, no rate
limit. It is a real :class:`geopy.geocoders.base.Geocoder`, so code written for geopy's
``geocode(query, exactly_one=True)`` works with it unchanged, and online geopy geocoders
(Nominatim, Photon, ArcGIS, …) can stand in its place by name. :mod:`geo.online` wraps those
for use as a fallback: cached, rate-limited and never stalling the app.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from geopy.exc import GeocoderNotFound
from geopy.geocoders import SERVICE_TO_GEOCODER, get_geocoder_for_service
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from .errors import ConfigurationError
from .features import Context
from .gazetteer import Candidate, Gazetteer
from .resolve import Resolver

__all__ = ["OfflineGazetteer", "geocoder_names", "get_geocoder", "location_of"]


def location_of(candidate: Candidate, gazetteer: Gazetteer) -> Location:
    """A geopy ``Location`` for a gazetteer candidate; ``raw`` holds the candidate's fields."""
    country = gazetteer.country(candidate.country_code) if candidate.country_code else None
    parts = [candidate.name]
    if country is not None and country.key != candidate.key:
        parts.append(country.name)
    raw = {k: v for k, v in asdict(candidate).items() if k != "raw"}
    return Location(", ".join(parts), (candidate.lat, candidate.lon), raw)


class OfflineGazetteer(Geocoder):  # type: ignore[misc]
    """geopy's geocoder interface over the embedded gazetteer.

    >>> OfflineGazetteer().geocode("Pyongyang").point   # doctest: +SKIP
    Point(39.03385, 125.75432, 0.0)
    """

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        super().__init__()
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer.open()
        self.resolver = Resolver(self.gazetteer)

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
        country_codes: Iterable[str] | str | None = None,
        limit: int | None = None,
    ) -> Location | list[Location] | None:
        """The best place for ``query`` (or all candidates, best first, with
        ``exactly_one=False``); ``country_codes`` keeps only places in those countries.
        ``timeout`` is accepted for compatibility; the lookup never waits on a network."""
        codes = [country_codes] if isinstance(country_codes, str) else list(country_codes or ())
        wanted = frozenset(code.upper() for code in codes)
        ranked = self.resolver.rank(query, context=Context(wanted))
        if wanted:  # like geopy's country_codes: a restriction, not only a preference
            ranked = [s for s in ranked if wanted & s.candidate.country_codes]
        if not ranked:
            return None
        if exactly_one:
            return location_of(ranked[0].candidate, self.gazetteer)
        return [location_of(s.candidate, self.gazetteer) for s in ranked[:limit]]


OFFLINE_NAMES = ("offline", "gazetteer")


def geocoder_names() -> list[str]:
    """Every name :func:`get_geocoder` accepts."""
    return [*OFFLINE_NAMES, *sorted(SERVICE_TO_GEOCODER)]


def service_class(name: str) -> type[Geocoder]:
    """geopy's geocoder class for a service name, or an error listing the valid names."""
    try:
        cls: type[Geocoder] = get_geocoder_for_service(name.strip().lower())
    except GeocoderNotFound as err:
        raise ConfigurationError(
            f"unknown geocoder {name!r}; choose one of: {', '.join(geocoder_names())}"
        ) from err
    return cls


def get_geocoder(name: str = "offline", **config: Any) -> Geocoder:
    """The geocoder called ``name``: ``offline`` (the default) or any geopy service name,
    configured with ``config`` (``user_agent=…``, ``api_key=…``, ``domain=…``)."""
    cls: type[Geocoder] = (
        OfflineGazetteer if name.strip().lower() in OFFLINE_NAMES else service_class(name)
    )
    try:
        return cls(**config)
    except (TypeError, ValueError) as err:  # geopy's ConfigurationError is a ValueError
        raise ConfigurationError(f"cannot configure geocoder {name!r}: {err}") from err


# --- Online geocoders: wrappers composed around a geopy geocoder ------------------------------
