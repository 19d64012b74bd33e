"""Small geometry helpers for tests: distances, point in polygon, distance to a polyline."""

from __future__ import annotations

import itertools
from typing import Any

from geo.gazetteer import distance_km


def inside(lat: float, lon: float, geometry: dict[str, Any]) -> bool:
    """Ray casting over a GeoJSON Polygon or MultiPolygon (holes ignored: none at this scale)."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    for polygon in polygons:
        ring = polygon[0]
        hit = False
        for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
        if hit:
            return True
    return False


def km_to_polyline(lat: float, lon: float, vertices: list[tuple[float, float]]) -> float:
    """Shortest distance from a point to a line through ``vertices`` (sampled every ~1 km)."""
    best = float("inf")
    for (a_lat, a_lon), (b_lat, b_lon) in itertools.pairwise(vertices):
        steps = max(1, int(distance_km(a_lat, a_lon, b_lat, b_lon)))
        for i in range(steps + 1):
            t = i / steps
            point = (a_lat + t * (b_lat - a_lat), a_lon + t * (b_lon - a_lon))
            best = min(best, distance_km(lat, lon, *point))
    return best


def overlap_share(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    """How much of the smaller of two boxes ``(x, y, width, height)`` the other covers, from
    0 (apart or touching) to 1 (one inside the other)."""
    x1, y1, w1, h1 = first[:4]
    x2, y2, w2, h2 = second[:4]
    width = min(x1 + w1, x2 + w2) - max(x1, x2)
    height = min(y1 + h1, y2 + h2) - max(y1, y2)
    if width <= 0 or height <= 0:
        return 0.0
    return width * height / min(w1 * h1, w2 * h2)
