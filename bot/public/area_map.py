"""Shaded maps of proposals per desa or kecamatan, drawn on the server as inline SVG (works offline, no script).

The shapes come from the shipped areas (core/areas.py), projected once per scope (equirectangular, scaled by
the cosine of the latitude) and simplified to about half a pixel, then cached: a request only picks each
area's shade. Each area is a link (keyboard: Tab, Enter) with an accessible name that says its count; the
templates put the same numbers in a table beside the map.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from bot.public.common import link
from core import areas
from storage import reports
from storage.db import Database

WIDTH = 640
PADDING = 6
SHADES = 5  # 0 = no proposal, then four classes up to the largest count
PIXEL_TOLERANCE = 0.6


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    parts: tuple[str, ...]  # the desa drawn for it (itself, or a kecamatan's desa), keys of Geometry.paths
    cx: float
    cy: float


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    shapes: tuple[Shape, ...]
    project: Callable[[float, float], tuple[float, float]]
    paths: dict[str, str]  # desa code → SVG path data in the map's pixels


@dataclass(frozen=True)
class Item:
    shape: Shape
    count: int
    shade: int
    href: str | None
    label: str  # "Desa Wedomartani, Kec. Ngemplak: 5 usulan"


@dataclass(frozen=True)
class Pin:
    x: float
    y: float
    label: str
    href: str | None


@dataclass(frozen=True)
class AreaMap:
    id: str
    title: str
    level: str
    width: int
    height: int
    items: tuple[Item, ...]
    legend: tuple[tuple[int, str], ...]  # (shade, "1–3 usulan")
    paths: dict[str, str]
    pins: tuple[Pin, ...] = ()

    @property
    def shared_paths(self) -> bool:
        """On a page (links), each desa's path is sent once in a hidden <defs> and drawn with <use>, so the
        kecamatan and desa maps share it; the printed report (no links, no references) inlines them."""
        return self.linked

    @property
    def labelled(self) -> bool:
        """Kecamatan get their names on the map (17 fit); desa are too many and small."""
        return self.level == "kecamatan"

    @property
    def linked(self) -> bool:
        return any(item.href for item in self.items) or any(pin.href for pin in self.pins)

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)


def _label(area: areas.Area, loaded: areas.Areas) -> str:
    if area.level == "kecamatan":
        return f"Kec. {area.name}"
    kind = "Kelurahan" if area.kelurahan else "Desa"
    kec = loaded.kecamatan_of(area.code)
    return f"{kind} {area.name}, Kec. {kec.name}" if kec else f"{kind} {area.name}"


@lru_cache(maxsize=64)
def geometry(region: str, level: str, scope: str) -> Geometry | None:
    """The projected shapes of one level ("desa" or "kecamatan") within a scope code (the region, a kecamatan
    or a desa); None when the region has no shipped areas or the scope none of them.

    A kecamatan is drawn as its desa together: the source's kecamatan outlines are far coarser than its desa
    (a few points each) and the desa were digitised one by one, so their union cannot be traced exactly."""
    loaded = areas.load(region)
    if loaded is None:
        return None
    chosen = [a for a in loaded.desa if a.code == scope or a.code.startswith(scope + ".")
              or (level == "kecamatan" and scope.startswith(a.code[:8] + "."))]
    if not chosen:
        return None
    x0 = min(a.bbox[0] for a in chosen)
    y0 = min(a.bbox[1] for a in chosen)
    x1 = max(a.bbox[2] for a in chosen)
    y1 = max(a.bbox[3] for a in chosen)
    squeeze = math.cos(math.radians((y0 + y1) / 2))
    scale = (WIDTH - 2 * PADDING) / max((x1 - x0) * squeeze, 1e-9)
    height = round((y1 - y0) * scale + 2 * PADDING)

    def project(lng: float, lat: float) -> tuple[float, float]:
        return (PADDING + (lng - x0) * squeeze * scale, PADDING + (y1 - lat) * scale)

    tolerance = PIXEL_TOLERANCE / scale
    paths: dict[str, str] = {}
    for area in chosen:
        parts = []
        for polygon in area.polygons:
            for ring in polygon:
                points = areas.douglas_peucker(list(ring), tolerance)
                if len(points) < 4:
                    continue
                parts.append(_ring_path([project(*p) for p in points[:-1]]))
        paths[area.code] = "".join(parts)
    groups: dict[str, list[areas.Area]] = {}
    for area in chosen:
        groups.setdefault(area.code if level == "desa" else area.code[:8], []).append(area)
    shapes = []
    for code, members in sorted(groups.items()):
        named = members[0] if level == "desa" else loaded.by_code.get(code)
        if named is None:
            continue
        weights = [(a.bbox[2] - a.bbox[0]) * (a.bbox[3] - a.bbox[1]) or 1e-12 for a in members]
        pairs = list(zip(weights, members, strict=True))
        cx, cy = project(sum(w * (a.bbox[0] + a.bbox[2]) / 2 for w, a in pairs) / sum(weights),
                         sum(w * (a.bbox[1] + a.bbox[3]) / 2 for w, a in pairs) / sum(weights))
        shapes.append(Shape(code, _label(named, loaded), tuple(m.code for m in members), round(cx, 1), round(cy, 1)))
    return Geometry(WIDTH, height, tuple(shapes), project, paths)


def _ring_path(xy: list[tuple[float, float]]) -> str:
    """A closed ring in whole pixels with relative steps ("M120 40l3-2 0 5..."): a third of the absolute size,
    and it compresses better. Repeated pixels are dropped."""
    pixels: list[tuple[int, int]] = []
    for x, y in xy:
        point = (round(x), round(y))
        if not pixels or pixels[-1] != point:
            pixels.append(point)
    steps = []
    for (ax, ay), (bx, by) in itertools.pairwise(pixels):
        steps.append(f"{bx - ax}" + (f" {by - ay}" if by - ay >= 0 else f"{by - ay}"))
    head = f"M{pixels[0][0]} {pixels[0][1]}"
    return head + ("l" + " ".join(steps) if steps else "") + "Z"


def _classes(counts: list[int]) -> list[int]:
    """Upper bounds of shades 1..4: equal steps up to the largest count (small counts stay distinct)."""
    top = max(counts, default=0)
    if top <= 0:
        return []
    steps = min(SHADES - 1, top)
    return [math.ceil(top * (i + 1) / steps) for i in range(steps)]


def _shade(count: int, bounds: list[int]) -> int:
    if count <= 0:
        return 0
    return next(i + 1 for i, bound in enumerate(bounds) if count <= bound)


def build(map_id: str, title: str, region: str, level: str, scope: str, counts: dict[str, int],
          href: Callable[[str], str | None] | None = None,
          pins: list[tuple[float, float, str, str | None]] | None = None) -> AreaMap | None:
    """A shaded map of `counts` (area code → proposals); `href` links each area; `pins` are (lat, lng, label,
    link) points drawn on top (the officers' map)."""
    shapes = geometry(region, level, scope)
    if shapes is None:
        return None
    bounds = _classes([counts.get(s.code, 0) for s in shapes.shapes])
    items = tuple(Item(s, counts.get(s.code, 0), _shade(counts.get(s.code, 0), bounds),
                       href(s.code) if href else None, f"{s.name}: {counts.get(s.code, 0)} usulan")
                  for s in shapes.shapes)
    legend = [(0, "tidak ada usulan")]
    low = 1
    for i, bound in enumerate(bounds):
        legend.append((i + 1, f"{low} usulan" if low == bound else f"{low}–{bound} usulan"))
        low = bound + 1
    drawn = []
    for lat, lng, label, target in pins or []:
        x, y = shapes.project(lng, lat)
        if -PADDING <= x <= shapes.width + PADDING and -PADDING <= y <= shapes.height + PADDING:
            drawn.append(Pin(round(x, 1), round(y, 1), label, target))
    return AreaMap(map_id, title, level, shapes.width, shapes.height, items, tuple(legend), shapes.paths,
                   tuple(drawn))


@dataclass(frozen=True)
class YearMaps:
    """The dashboard's and the yearly report's two maps of one year."""

    year: int
    kecamatan: AreaMap | None
    desa: AreaMap | None
    attribution: str
    collapse_desa: bool  # the dashboard folds the long desa table; the printed report shows it


async def year_maps(db: Database, region: str, data: reports.Dashboard, linked: bool) -> YearMaps | None:
    """Proposals of `data`'s year per kecamatan and per desa; None without shipped areas for the region."""
    loaded = areas.load(region) if region else None
    if loaded is None:
        return None
    year = data.year
    per_desa = {row.code: row.total for row in await reports.desa_table(db, region, year)}
    per_kecamatan = {row.code: row.total for row in data.by_kecamatan}

    def to(key: str) -> Callable[[str], str | None] | None:
        return (lambda code: link("/", {"tahun": year, key: code}) + "#daftar") if linked else None

    return YearMaps(
        year,
        build("peta-kecamatan", f"Usulan {year} per kecamatan", region, "kecamatan", region, per_kecamatan,
              to("kecamatan")),
        build("peta-desa", f"Usulan {year} per desa/kelurahan", region, "desa", region, per_desa, to("desa")),
        loaded.attribution, collapse_desa=linked)
