"""Standard geoparsing scores, exactly as the corpus README states them.

The rules come from Gritta, Pilehvar & Collier, "A pragmatic guide to geoparsing evaluation"
(2019) and are restated in ``shared/corpus/README.md``:

- recognition: a prediction matches a gold span when the lower-cased strings are equal and the
  span mid-points are less than 10 characters apart (strictly: start and end are equal); each gold
  span and each prediction is used at most once. Gold spans are the ``toponyms`` plus the
  ``ner_only`` spans, which have no coordinates and so count for recognition only;
- resolution: the great-circle error of each matched toponym that has gold coordinates, 0 km when
  the prediction carries the gold's GeoNames id, 20039 km when the prediction has no coordinates;
  Acc@161 is the share of errors under 161 km, AUC the normalised area under ln(1 + km);
- end to end (F1@161): a prediction counts only when it matches a gold toponym *and* lands within
  161 km;
- "gold given": the gold toponyms are resolved as given spans, and Acc@161 is taken over all of
  them.

Two further counts follow the corpora's annotation schemes. GeoWebNews marks every adjective
("French wine") as a toponym, LGL and TR-News only some: recognition is also reported without the
predictions the geoparser flags as adjectives (``"demonym": true``), so each corpus shows whether
outputting them helps. LGL and TR-News give each gold place its GeoNames feature code: a
gold-given miss of a first-level division (``ADM1``) by a prediction in that same division
("same region, another point", e.g. Ontario's point from another source) is counted apart.

Everything here is pure: callers parse the JSON, pass plain values in and get numbers out, so the
rules can be tested by hand. A figure whose denominator is empty is ``None`` rather than a made-up
0 or 1, so a report can print "n/a".
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ACCURACY_KM",
    "EARTH_RADIUS_KM",
    "MAX_ERROR_KM",
    "MIDPOINT_WINDOW",
    "Divisions",
    "GoldSpan",
    "Metrics",
    "Misplacement",
    "Prediction",
    "ScoringError",
    "Tally",
    "accuracy_at_161",
    "auc",
    "combine",
    "division_misses",
    "gold_given_errors",
    "gold_spans",
    "great_circle_km",
    "last_fraction_start",
    "match_spans",
    "mean_km",
    "median_km",
    "metrics",
    "precision_recall_f1",
    "predictions",
    "region_key",
    "resolution_error_km",
    "score_document",
]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), the radius the haversine uses."""

MAX_ERROR_KM = 20039.0
"""The error the standard rules give an unresolved toponym, and the AUC's normaliser."""

ACCURACY_KM = 161.0
"""An error under this many km (100 miles) counts as correct."""

MIDPOINT_WINDOW = 10.0
"""Loose matching: span mid-points must be *less* than this many characters apart."""


class ScoringError(ValueError):
    """A gold document or a prediction is malformed; the message quotes the bad value."""


@dataclass(frozen=True)
class GoldSpan:
    """A gold place mention: a toponym with coordinates, or an ``ner_only`` span without."""

    start: int
    end: int
    name: str
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = None
    #: GeoNames feature code of the gold place (LGL, TR-News), e.g. "ADM1"; "" when not given.
    fcode: str = ""
    #: The gold place's country as the corpus writes it ("United States"); "" when not given.
    country: str = ""

    @property
    def point(self) -> tuple[float, float] | None:
        """``(lat, lon)``, or None for a span scored for recognition only (``ner_only``)."""
        return None if self.lat is None or self.lon is None else (self.lat, self.lon)


@dataclass(frozen=True)
class Prediction:
    """One place mention as the geoparser reported it."""

    start: int
    end: int
    text: str
    name: str = ""
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = None
    #: The geoparser took the place from an adjective ("French"): ``"demonym": true``.
    demonym: bool = False
    #: ISO 3166-1 alpha-2 country and first-level division code of the place, "" when unknown.
    country: str = ""
    admin1: str = ""

    @property
    def point(self) -> tuple[float, float] | None:
        """``(lat, lon)``, or None when the geoparser did not resolve the mention."""
        return None if self.lat is None or self.lon is None else (self.lat, self.lon)


@dataclass(frozen=True)
class Misplacement:
    """A matched toponym resolved 161 km or more from the gold point (for error analysis).

    Coordinates are rounded to two decimals and the error to whole km so that the same mistake
    made in several places is counted as one entry with a frequency.
    """

    text: str
    predicted_name: str
    predicted: tuple[float, float] | None
    gold: tuple[float, float]
    km: int

    def describe(self) -> str:
        """One line such as ``"Georgia" → Georgia (32.75, -83.5) vs gold (42.0, 43.5): 9842 km``."""
        where = "unresolved" if self.predicted is None else f"{self.predicted}"
        name = self.predicted_name or "?"
        return f"{self.text!r} → {name} {where} vs gold {self.gold}: {self.km} km"


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points in degrees (haversine formula)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


# --- parsing --------------------------------------------------------------------------------


def _int(record: Mapping[str, Any], key: str, where: str) -> int:
    value = record.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScoringError(f"{where}: {key!r} must be an integer, got {value!r}")
    return value


def _str(record: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = record.get(key, default)
    if not isinstance(value, str):
        raise ScoringError(f"{where}: {key!r} must be a string, got {value!r}")
    return value


def _optional_str(record: Mapping[str, Any], key: str, where: str) -> str:
    """A string field that may be missing or null (then "")."""
    return "" if record.get(key) is None else _str(record, key, where)


def _coordinate(record: Mapping[str, Any], key: str, where: str) -> float | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScoringError(f"{where}: {key!r} must be a finite number or null, got {value!r}")
    return float(value)


def _geonameid(value: object, where: str) -> int | None:
    """Normalise a GeoNames id to an int: gold files hold strings, the geoparser writes ints.

    ``"02988507"``, ``" 2988507"`` and ``2988507`` are the same id; null and ``""`` mean none.
    """
    if value is None:
        return None
    if isinstance(value, str):
        digits = value.strip()
        if not digits:
            return None
        if digits.isdecimal():
            return int(digits)
    elif isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ScoringError(
        f"{where}: 'geonameid' must be an integer, a string of digits or null, got {value!r}"
    )


def _span(record: Mapping[str, Any], where: str) -> tuple[int, int]:
    start, end = _int(record, "start", where), _int(record, "end", where)
    if not 0 <= start <= end:
        raise ScoringError(f"{where}: span must have 0 <= start <= end, got {start}..{end}")
    return start, end


def gold_spans(doc: Mapping[str, Any]) -> list[GoldSpan]:
    """The gold spans of a corpus document: its ``toponyms``, then its ``ner_only`` spans.

    A toponym whose ``lat``/``lon`` is null is kept for recognition only, like an ``ner_only``
    span. A missing ``ner_only`` key means none.
    """
    doc_id = doc.get("id")
    toponyms = doc.get("toponyms")
    ner_only = doc.get("ner_only", [])
    if not isinstance(toponyms, list) or not isinstance(ner_only, list):
        raise ScoringError(
            f"document {doc_id!r}: 'toponyms' and 'ner_only' must be lists, got "
            f"{type(toponyms).__name__} and {type(ner_only).__name__}"
        )
    spans = []
    for i, record in enumerate(toponyms):
        where = f"document {doc_id!r} toponym {i}"
        start, end = _span(record, where)
        spans.append(
            GoldSpan(
                start,
                end,
                _str(record, "name", where),
                _coordinate(record, "lat", where),
                _coordinate(record, "lon", where),
                _geonameid(record.get("geonameid"), where),
                _optional_str(record, "fcode", where),
                _optional_str(record, "country", where),
            )
        )
    for i, record in enumerate(ner_only):
        where = f"document {doc_id!r} ner_only {i}"
        start, end = _span(record, where)
        spans.append(GoldSpan(start, end, _str(record, "name", where)))
    return spans


def predictions(places: Sequence[Mapping[str, Any]], doc_id: str = "?") -> list[Prediction]:
    """Parse the ``places`` of one geoparser output line (``doc_id`` is for error messages)."""
    parsed = []
    for i, record in enumerate(places):
        where = f"output {doc_id!r} place {i}"
        if not isinstance(record, Mapping):
            raise ScoringError(f"{where}: expected an object, got {record!r}")
        start, end = _span(record, where)
        parsed.append(
            Prediction(
                start,
                end,
                _str(record, "text", where),
                _str(record, "name", where, default=""),
                _coordinate(record, "lat", where),
                _coordinate(record, "lon", where),
                _geonameid(record.get("geonameid"), where),
                record.get("demonym") is True,
                _optional_str(record, "country", where),
                _optional_str(record, "admin1", where),
            )
        )
    return parsed


# --- matching and errors --------------------------------------------------------------------


def _midpoint(start: int, end: int) -> float:
    return (start + end) / 2


def match_spans(
    gold: Sequence[GoldSpan], predicted: Sequence[Prediction], *, strict: bool = False
) -> list[tuple[int, int]]:
    """Pair gold spans with predictions one-to-one; returns sorted ``(gold_index, pred_index)``.

    Loose (default): equal lower-cased strings and mid-points less than 10 characters apart,
    paired greedily by the smallest mid-point distance (ties by position), so "Paris … Paris"
    with one prediction takes the nearer gold span. Strict: equal start and end.
    """
    candidates: list[tuple[float, int, int]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            if strict:
                if (g.start, g.end) == (p.start, p.end):
                    candidates.append((0.0, gi, pi))
                continue
            distance = abs(_midpoint(g.start, g.end) - _midpoint(p.start, p.end))
            if distance < MIDPOINT_WINDOW and g.name.lower() == p.text.lower():
                candidates.append((distance, gi, pi))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, gi, pi in sorted(candidates):
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


def resolution_error_km(gold: GoldSpan, predicted: Prediction) -> float:
    """Error of one resolved mention: 0 for the gold's GeoNames id, else great-circle km.

    The id rule exists because sources disagree on where a country's or region's point is. A
    prediction without coordinates (and without the gold's id) gets the maximal 20039 km.
    """
    if gold.point is None:
        raise ScoringError(
            f"gold span {gold.name!r} at {gold.start}..{gold.end} has no "
            "coordinates and cannot be scored for resolution"
        )
    if gold.geonameid is not None and gold.geonameid == predicted.geonameid:
        return 0.0
    if predicted.point is None:
        return MAX_ERROR_KM
    return great_circle_km(*gold.point, *predicted.point)


def gold_given_errors(gold: Sequence[GoldSpan], given: Sequence[Prediction]) -> list[float]:
    """Errors of a ``--spans-given`` run, one per gold span with coordinates, in gold order.

    Each gold span takes the prediction with exactly its offsets; one the geoparser left out or
    did not resolve counts as 20039 km. Spans without coordinates are skipped.
    """
    by_span = _by_span(given)
    errors = []
    for g in gold:
        if g.point is None:
            continue
        match = by_span.get((g.start, g.end))
        errors.append(MAX_ERROR_KM if match is None else resolution_error_km(g, match))
    return errors


def _by_span(given: Sequence[Prediction]) -> dict[tuple[int, int], Prediction]:
    by_span: dict[tuple[int, int], Prediction] = {}
    for p in given:
        by_span.setdefault((p.start, p.end), p)
    return by_span


Divisions = Mapping[tuple[str, str], tuple[str, str]]
"""First-level divisions by :func:`region_key` of (country name, division name), each the ISO
3166-1 alpha-2 country code and the division's code, e.g. ``("CA", "ON")`` for Ontario."""


def region_key(country: str, name: str) -> tuple[str, str]:
    """How a division is looked up by its country's and its own name: case-folded, one space."""
    return " ".join(country.casefold().split()), " ".join(name.casefold().split())


def division_misses(
    gold: Sequence[GoldSpan], given: Sequence[Prediction], divisions: Divisions
) -> tuple[int, int]:
    """Gold-given misses (>= 161 km) of first-level divisions (``fcode`` ADM1), and how many of
    them went to a place inside that same division ("same region, another point").

    The gold division's code comes from ``divisions`` by its country and its name as written;
    a division it does not list counts as a miss elsewhere (so the second figure is a floor).
    """
    by_span = _by_span(given)
    misses = same_region = 0
    for g in gold:
        if g.point is None or g.fcode != "ADM1":
            continue
        p = by_span.get((g.start, g.end))
        if p is not None and resolution_error_km(g, p) < ACCURACY_KM:
            continue
        misses += 1
        code = divisions.get(region_key(g.country, g.name))
        if p is not None and p.admin1 and code == (p.country, p.admin1):
            same_region += 1
    return misses, same_region


# --- tallies --------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts and errors of one or more documents; :func:`combine` adds them up.

    ``predicted_scored`` and ``gold_with_coordinates`` are the F1@161 denominators: predictions
    matched to an ``ner_only`` span are left out of the first (the gold cannot judge their
    coordinates), and only gold toponyms with coordinates make the second.
    ``*_no_demonyms`` count recognition again without the predictions flagged as adjectives;
    ``demonyms_right`` and ``demonyms_unmarked`` name those adjectives that the gold marks and
    does not mark. ``given_division_misses`` and ``given_same_region`` are
    :func:`division_misses`.
    """

    documents: int = 0
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    matched_strict: int = 0
    errors_km: list[float] = field(default_factory=list)
    gold_with_coordinates: int = 0
    predicted_scored: int = 0
    correct_161: int = 0
    given_errors_km: list[float] = field(default_factory=list)
    predicted_no_demonyms: int = 0
    matched_no_demonyms: int = 0
    given_division_misses: int = 0
    given_same_region: int = 0
    missed: Counter[str] = field(default_factory=Counter)
    false: Counter[str] = field(default_factory=Counter)
    misplaced: Counter[Misplacement] = field(default_factory=Counter)
    demonyms_right: Counter[str] = field(default_factory=Counter)
    demonyms_unmarked: Counter[str] = field(default_factory=Counter)


def score_document(
    gold: Sequence[GoldSpan],
    predicted: Sequence[Prediction],
    given: Sequence[Prediction] = (),
    divisions: Divisions | None = None,
) -> Tally:
    """Score one document: the end-to-end ``predicted`` places and the gold-given ``given`` ones
    (``divisions`` finds the code of a gold first-level division, see :func:`division_misses`).
    """
    pairs = match_spans(gold, predicted)
    matched_gold = {gi for gi, _ in pairs}
    matched_pred = {pi for _, pi in pairs}
    plain = [p for p in predicted if not p.demonym]
    misses, same_region = division_misses(gold, given, divisions or {})
    tally = Tally(
        documents=1,
        gold=len(gold),
        predicted=len(predicted),
        matched=len(pairs),
        matched_strict=len(match_spans(gold, predicted, strict=True)),
        gold_with_coordinates=sum(g.point is not None for g in gold),
        predicted_scored=len(predicted),
        given_errors_km=gold_given_errors(gold, given),
        predicted_no_demonyms=len(plain),
        matched_no_demonyms=len(match_spans(gold, plain)),
        given_division_misses=misses,
        given_same_region=same_region,
    )
    for pi, p in enumerate(predicted):
        if p.demonym:
            (tally.demonyms_right if pi in matched_pred else tally.demonyms_unmarked)[p.text] += 1
    for gi, pi in pairs:
        g, p = gold[gi], predicted[pi]
        gold_point = g.point
        if gold_point is None:
            tally.predicted_scored -= 1
            continue
        km = resolution_error_km(g, p)
        tally.errors_km.append(km)
        if km < ACCURACY_KM:
            tally.correct_161 += 1
        else:
            predicted_point = None if p.point is None else _rounded(p.point)
            tally.misplaced[
                Misplacement(p.text, p.name, predicted_point, _rounded(gold_point), round(km))
            ] += 1
    tally.missed.update(g.name for gi, g in enumerate(gold) if gi not in matched_gold)
    tally.false.update(p.text for pi, p in enumerate(predicted) if pi not in matched_pred)
    return tally


def _rounded(point: tuple[float, float]) -> tuple[float, float]:
    return round(point[0], 2), round(point[1], 2)


def combine(tallies: Iterable[Tally]) -> Tally:
    """Add up per-document tallies (micro-averaging: every mention weighs the same)."""
    total = Tally()
    for t in tallies:
        total.documents += t.documents
        total.gold += t.gold
        total.predicted += t.predicted
        total.matched += t.matched
        total.matched_strict += t.matched_strict
        total.errors_km.extend(t.errors_km)
        total.gold_with_coordinates += t.gold_with_coordinates
        total.predicted_scored += t.predicted_scored
        total.correct_161 += t.correct_161
        total.given_errors_km.extend(t.given_errors_km)
        total.predicted_no_demonyms += t.predicted_no_demonyms
        total.matched_no_demonyms += t.matched_no_demonyms
        total.given_division_misses += t.given_division_misses
        total.given_same_region += t.given_same_region
        total.demonyms_right.update(t.demonyms_right)
        total.demonyms_unmarked.update(t.demonyms_unmarked)
        total.missed.update(t.missed)
        total.false.update(t.false)
        total.misplaced.update(t.misplaced)
    return total


# --- figures --------------------------------------------------------------------------------


def precision_recall_f1(
    true_positives: int, predicted: int, gold: int
) -> tuple[float | None, float | None, float | None]:
    """Precision, recall and F1; F1 = 2·TP / (predicted + gold), which is 0 when TP is 0."""
    precision = true_positives / predicted if predicted else None
    recall = true_positives / gold if gold else None
    f1 = 2 * true_positives / (predicted + gold) if predicted + gold else None
    return precision, recall, f1


def accuracy_at_161(errors_km: Sequence[float]) -> float | None:
    """Share of errors strictly under 161 km."""
    if not errors_km:
        return None
    return sum(km < ACCURACY_KM for km in errors_km) / len(errors_km)


def auc(errors_km: Sequence[float]) -> float | None:
    """Area under the sorted ln(1 + km) curve, normalised to [0, 1]; lower is better.

    Trapezoid rule with unit spacing divided by ln(20039) * (n - 1). With one error the curve is
    a single point, whose normalised height ln(1 + km) / ln(20039) is returned; with none, None.
    """
    logs = [math.log1p(km) for km in sorted(errors_km)]
    if not logs:
        return None
    if len(logs) == 1:
        return logs[0] / math.log(MAX_ERROR_KM)
    area = sum((a + b) / 2 for a, b in itertools.pairwise(logs))
    return area / (math.log(MAX_ERROR_KM) * (len(logs) - 1))


def mean_km(errors_km: Sequence[float]) -> float | None:
    """Mean error in km, or None without errors."""
    return statistics.fmean(errors_km) if errors_km else None


def median_km(errors_km: Sequence[float]) -> float | None:
    """Median error in km, or None without errors."""
    return statistics.median(errors_km) if errors_km else None


def last_fraction_start(count: int, fraction: float) -> int:
    """Index of the first of the last ``fraction`` of ``count`` documents (published protocol).

    The size is rounded to the nearest document (200 * 0.3: the last 60; 2 * 0.3: the last 1).
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count!r}")
    return count - math.floor(count * fraction + 0.5)


@dataclass(frozen=True)
class Metrics:
    """The reported figures of a tally; ``None`` where the denominator is empty."""

    documents: int
    precision: float | None
    recall: float | None
    f1: float | None
    strict_f1: float | None
    accuracy_161: float | None
    auc: float | None
    mean_km: float | None
    median_km: float | None
    f1_161: float | None
    given_accuracy_161: float | None
    precision_no_demonyms: float | None = None
    recall_no_demonyms: float | None = None
    f1_no_demonyms: float | None = None
    #: Adjectives output, and how many of them the gold marks.
    demonyms: int = 0
    demonyms_right: int = 0
    #: Gold-given misses of a first-level division, and those inside that same division.
    division_misses: int = 0
    same_region: int = 0


def metrics(tally: Tally) -> Metrics:
    """Compute every reported figure from a (combined) tally."""
    precision, recall, f1 = precision_recall_f1(tally.matched, tally.predicted, tally.gold)
    *_, strict_f1 = precision_recall_f1(tally.matched_strict, tally.predicted, tally.gold)
    plain = precision_recall_f1(tally.matched_no_demonyms, tally.predicted_no_demonyms, tally.gold)
    *_, f1_161 = precision_recall_f1(
        tally.correct_161, tally.predicted_scored, tally.gold_with_coordinates
    )
    return Metrics(
        documents=tally.documents,
        precision=precision,
        recall=recall,
        f1=f1,
        strict_f1=strict_f1,
        accuracy_161=accuracy_at_161(tally.errors_km),
        auc=auc(tally.errors_km),
        mean_km=mean_km(tally.errors_km),
        median_km=median_km(tally.errors_km),
        f1_161=f1_161,
        given_accuracy_161=accuracy_at_161(tally.given_errors_km),
        precision_no_demonyms=plain[0],
        recall_no_demonyms=plain[1],
        f1_no_demonyms=plain[2],
        demonyms=tally.demonyms_right.total() + tally.demonyms_unmarked.total(),
        demonyms_right=tally.demonyms_right.total(),
        division_misses=tally.given_division_misses,
        same_region=tally.given_same_region,
    )
