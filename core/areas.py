"""Which desa/kelurahan, kecamatan and kabupaten/kota a map pin is in: the region's shipped polygons.

`core/data/areas/<region>.geojson` is built by `./musrenbang areas build` (integrations/wilayah_boundaries.py)
and read once per process. A pin is placed by ray casting in the desa polygons of the region (a bounding-box
test first); a pin in a sliver between two neighbouring desa (the source digitised each desa on its own) goes
to the nearest desa within `SNAP_DEGREES`. A pin in no desa is outside the region: the province's
kabupaten/kota outlines say where, when they know.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core import settings

DATA_DIR = Path(__file__).resolve().parent / "data" / "areas"
SNAP_DEGREES = 0.0005  # ≈ 55 m: slivers and gaps between neighbouring desa, and the rounding of the borders
OUTLINE_SNAP_DEGREES = 0.005  # ≈ 550 m: inside the kabupaten's outline where its desa polygons stop short

Ring = list[tuple[float, float]]  # (lng, lat) points, closed


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str  # "desa", "kecamatan" or "kabupaten"
    polygons: tuple[tuple[Ring, ...], ...]  # outer ring first, then holes
    bbox: tuple[float, float, float, float]  # min lng, min lat, max lng, max lat

    @property
    def kelurahan(self) -> bool:
        """Kemendagri: a 4th code segment starting with 1 is a kelurahan, with 2 a desa."""
        return self.level == "desa" and self.code.rsplit(".", 1)[-1].startswith("1")

    def contains(self, lng: float, lat: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        if not (x0 <= lng <= x1 and y0 <= lat <= y1):
            return False
        return any(_in_ring(lng, lat, polygon[0]) and not any(_in_ring(lng, lat, hole) for hole in polygon[1:])
                   for polygon in self.polygons)

    def distance(self, lng: float, lat: float) -> float:
        """Degrees from the point to the nearest border (0 inside)."""
        if self.contains(lng, lat):
            return 0.0
        return min(_ring_distance(lng, lat, ring) for polygon in self.polygons for ring in polygon)


@dataclass(frozen=True)
class Location:
    """Where a pin is: inside the region (desa and kecamatan, when known) or outside it (the kabupaten/kota
    of the province that holds it, when known)."""

    inside: bool
    desa: Area | None = None
    kecamatan: Area | None = None
    kabupaten: Area | None = None


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _ring_distance(x: float, y: float, ring: Ring) -> float:
    best = math.inf
    for (ax, ay), (bx, by) in itertools.pairwise(ring):
        dx, dy = bx - ax, by - ay
        length = dx * dx + dy * dy
        t = 0.0 if length == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length))
        best = min(best, math.hypot(x - ax - t * dx, y - ay - t * dy))
    return best


def _segment_distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def douglas_peucker(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker without recursion (rings have thousands of points)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            d = _segment_distance(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if index >= 0 and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _area(feature: dict) -> Area:
    props = feature["properties"]
    polygons = tuple(tuple([(float(p[0]), float(p[1])) for p in ring] for ring in polygon)
                     for polygon in feature["geometry"]["coordinates"])
    xs = [p[0] for polygon in polygons for p in polygon[0]]
    ys = [p[1] for polygon in polygons for p in polygon[0]]
    return Area(props["kode"], props["nama"], props["tingkat"], polygons, (min(xs), min(ys), max(xs), max(ys)))


class Areas:
    """The region's desa and kecamatan and the province's kabupaten/kota outlines."""

    def __init__(self, collection: dict) -> None:
        self.metadata: dict = collection.get("metadata") or {}
        self.region: str = self.metadata.get("region", "")
        found = [_area(f) for f in collection["features"] if f["geometry"]["coordinates"]]
        self.desa = [a for a in found if a.level == "desa"]
        self.kecamatan = [a for a in found if a.level == "kecamatan"]
        self.kabupaten = [a for a in found if a.level == "kabupaten"]
        self.by_code = {a.code: a for a in found}

    @property
    def attribution(self) -> str:
        return self.metadata.get("attribution", "")

    def kecamatan_of(self, code: str) -> Area | None:
        return self.by_code.get(code[:8])

    def locate(self, lat: float, lng: float) -> Location:
        """The desa, kecamatan and kabupaten of a pin (latitude first, as people write it).

        In a desa polygon: that desa (of two overlapping ones, the one the pin is deeper in). Within
        `SNAP_DEGREES` of a desa: the nearest (slivers between neighbours). In another kabupaten/kota of the
        province: outside, named. In the region's own outline but away from every desa (the outline and the
        desa were digitised apart): the nearest desa within `OUTLINE_SNAP_DEGREES`. Else outside, unnamed."""
        hits = [a for a in self.desa if a.contains(lng, lat)]
        if len(hits) > 1:
            hits.sort(key=lambda a: -min(_ring_distance(lng, lat, r) for p in a.polygons for r in p))
        region = self.by_code.get(self.region)
        if hits:
            return Location(True, hits[0], self.kecamatan_of(hits[0].code), region)
        nearest = self._nearest(lng, lat, SNAP_DEGREES)
        if nearest is None:
            outside = next((a for a in self.kabupaten if a.code != self.region and a.contains(lng, lat)), None)
            if outside is not None:
                return Location(False, kabupaten=outside)
            if region is not None and region.contains(lng, lat):
                nearest = self._nearest(lng, lat, OUTLINE_SNAP_DEGREES)
        if nearest is not None:
            return Location(True, nearest, self.kecamatan_of(nearest.code), region)
        return Location(False)

    def _nearest(self, lng: float, lat: float, within: float) -> Area | None:
        near = [(a.distance(lng, lat), a.code, a) for a in self.desa
                if a.bbox[0] - within <= lng <= a.bbox[2] + within and a.bbox[1] - within <= lat <= a.bbox[3] + within]
        near = [n for n in near if n[0] <= within]
        return min(near)[2] if near else None

    def desa_in(self, scope: str) -> list[Area]:
        """The desa of a scope code (the region, a kecamatan or one desa)."""
        return [a for a in self.desa if a.code == scope or a.code.startswith(scope + ".")]


def file_for(region: str) -> Path:
    return DATA_DIR / f"{region}.geojson"


@lru_cache(maxsize=4)
def load(region: str | None = None) -> Areas | None:
    """The shipped areas of the region (MUSRENBANG_REGION by default); None when none were built for it, so
    every caller still works without a map (pins are then stored without a desa)."""
    path = file_for(region or settings.configured_region())
    if not path.is_file():
        return None
    return Areas(json.loads(path.read_text(encoding="utf-8")))


def locate(lat: float, lng: float, region: str | None = None) -> Location | None:
    """Where a pin is, or None when the region has no shipped areas."""
    areas = load(region)
    return areas.locate(lat, lng) if areas else None
