"""geo.geocoders: the offline gazetteer behind geopy's interface, and geocoders by name.

Nothing here touches the network: the online geocoder is only constructed, with an adapter
that fails the test if it is ever asked for a URL, and sockets are refused besides.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from geopy.adapters import BaseSyncAdapter
from geopy.distance import geodesic
from geopy.exc import ConfigurationError as GeopyConfigurationError
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo import ConfigurationError, Gazetteer
from geo.geocoders import OfflineGazetteer, geocoder_names, get_geocoder

PYONGYANG = (39.0339, 125.7543)


@pytest.fixture(scope="module")
def offline(gazetteer: Gazetteer) -> OfflineGazetteer:
    return OfflineGazetteer(gazetteer)


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to resolve a host name or open a connection fails the test, even one
    that a library catches and wraps (geopy turns adapter errors into its own)."""
    attempts: list[tuple[object, ...]] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError(f"network access attempted in a test: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield
    assert attempts == []


class NoNetworkAdapter(BaseSyncAdapter):  # type: ignore[misc]
    """A geopy adapter that fails the test if the geocoder ever makes a request."""

    def __init__(self, *, proxies: object, ssl_context: object) -> None:
        super().__init__(proxies=proxies, ssl_context=ssl_context)

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> object:
        raise AssertionError(f"the geocoder requested {url}")

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        raise AssertionError(f"the geocoder requested {url}")


# --- OfflineGazetteer ----------------------------------------------------------------------


def test_offline_gazetteer_is_a_geopy_geocoder(offline: OfflineGazetteer) -> None:
    assert isinstance(offline, Geocoder)


def test_geocode_returns_a_location_with_the_gazetteer_fields(offline: OfflineGazetteer) -> None:
    location = offline.geocode("Pyongyang")

    assert isinstance(location, Location)
    assert geodesic((location.latitude, location.longitude), PYONGYANG).km < 25
    assert location.raw["kind"] == "capital"
    assert isinstance(location.raw["geonameid"], int)
    assert location.raw["country_code"] == "KP"
    assert "North Korea" in location.address


def test_abbreviation_resolves_to_its_country(offline: OfflineGazetteer) -> None:
    location = offline.geocode("U.S.")

    assert isinstance(location, Location)
    assert location.raw["name"] == "United States"
    assert location.raw["kind"] == "country"
    assert location.raw["country_code"] == "US"


def test_all_candidates_come_best_first(offline: OfflineGazetteer) -> None:
    locations = offline.geocode("Paris", exactly_one=False)

    assert isinstance(locations, list)
    assert len(locations) > 3
    assert all(isinstance(loc, Location) for loc in locations)
    best = offline.geocode("Paris")
    assert locations[0].raw["key"] == best.raw["key"]
    # Best first means in the resolver's order, whose scores never increase.
    ranked = offline.resolver.rank("Paris")
    assert [loc.raw["key"] for loc in locations] == [s.candidate.key for s in ranked]
    scores = [s.score for s in ranked]
    assert scores == sorted(scores, reverse=True)


def test_limit_keeps_the_best_few(offline: OfflineGazetteer) -> None:
    every = offline.geocode("Paris", exactly_one=False)
    three = offline.geocode("Paris", exactly_one=False, limit=3)

    assert [loc.raw["key"] for loc in three] == [loc.raw["key"] for loc in every[:3]]


def test_paris_is_in_france_by_default(offline: OfflineGazetteer) -> None:
    location = offline.geocode("Paris")

    assert location.raw["country_code"] == "FR"
    assert location.raw["kind"] == "capital"


@pytest.mark.parametrize("codes", [["US"], "us"])
def test_country_codes_restrict_results_to_those_countries(
    offline: OfflineGazetteer, codes: list[str] | str
) -> None:
    location = offline.geocode("Paris", country_codes=codes)

    assert location is not None
    assert location.raw["country_code"] == "US"  # e.g. Paris, Texas
    every = offline.geocode("Paris", exactly_one=False, country_codes=codes)
    assert {loc.raw["country_code"] for loc in every} == {"US"}


def test_country_codes_of_the_best_match_keep_it(offline: OfflineGazetteer) -> None:
    location = offline.geocode("Paris", country_codes=["FR"])

    assert location.raw["country_code"] == "FR"


@pytest.mark.parametrize("query", ["Xyzzyqwertville", ""])
def test_unknown_name_gives_none(offline: OfflineGazetteer, query: str) -> None:
    assert offline.geocode(query) is None
    assert offline.geocode(query, exactly_one=False) is None


# --- get_geocoder ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["offline", "gazetteer", " Offline "])
def test_offline_names_give_the_offline_gazetteer(gazetteer: Gazetteer, name: str) -> None:
    geocoder = get_geocoder(name, gazetteer=gazetteer)

    assert isinstance(geocoder, OfflineGazetteer)
    assert geocoder.gazetteer is gazetteer


def test_nominatim_by_name_is_geopys_and_makes_no_request(no_sockets: None) -> None:
    geocoder = get_geocoder(
        "nominatim", user_agent="news-atlas-tests", adapter_factory=NoNetworkAdapter
    )

    assert isinstance(geocoder, Nominatim)
    assert isinstance(geocoder.adapter, NoNetworkAdapter)
    assert geocoder.headers["User-Agent"] == "news-atlas-tests"


def test_nominatim_with_the_default_adapter_makes_no_request(no_sockets: None) -> None:
    geocoder = get_geocoder("nominatim", user_agent="news-atlas-tests")

    assert isinstance(geocoder, Nominatim)


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigurationError) as raised:
        get_geocoder("nope")

    message = str(raised.value)
    assert "'nope'" in message
    for name in ("offline", "gazetteer", "nominatim", "photon", "arcgis"):
        assert name in message
    assert set(geocoder_names()) >= {"offline", "gazetteer", "nominatim"}


@pytest.mark.parametrize(
    "config",
    [{}, {"user_agent": "my_user_agent/1.0"}],
    ids=["no user agent", "geopy's sample user agent"],
)
def test_nominatim_refuses_the_default_user_agent(config: dict[str, str]) -> None:
    # geopy raises its own ConfigurationError (a ValueError) for these; we translate it.
    with pytest.raises(ConfigurationError, match="user_agent") as raised:
        get_geocoder("nominatim", **config)

    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value.__cause__, GeopyConfigurationError)
    assert "nominatim" in str(raised.value)


def test_bad_option_for_an_online_geocoder_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="bogus"):
        get_geocoder("nominatim", user_agent="news-atlas-tests", bogus=1)


def test_bad_option_for_the_offline_geocoder_is_a_configuration_error(
    gazetteer: Gazetteer,
) -> None:
    with pytest.raises(ConfigurationError, match="bogus"):
        get_geocoder("offline", gazetteer=gazetteer, bogus=1)


# --- Online answers as candidates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ({"addresstype": "country", "type": "administrative"}, "country"),  # Nominatim
        ({"addresstype": "state"}, "region"),
        ({"addresstype": "city", "type": "city"}, "city"),
        ({"type": "bay", "class": "natural"}, "sea"),  # no addresstype: its type
        ({"properties": {"type": "other", "osm_value": "peak"}}, "feature"),  # Photon
        ({"properties": {"type": "country"}}, "country"),
        ({"attributes": {"Addr_type": "Locality"}}, "city"),  # ArcGIS: a locality is a town
        ({"attributes": {"Addr_type": "Country"}}, "country"),
        ({}, "city"),  # says nothing: the most local kind
        ({"type": 3}, "city"),  # not a word
    ],
)
def test_online_answers_get_a_kind_from_their_type(raw: dict[str, object], kind: str) -> None:
    from geo.online import candidate_from_location

    candidate = candidate_from_location(Location("Somewhere, Land", (10.0, 20.0), raw), "svc")

    assert candidate.kind == kind
    assert candidate.name == "Somewhere"
    assert candidate.source == "online:svc"
    assert candidate.key == "svc:10.00000,20.00000"
