"""Converter: cahyadsn/wilayah_boundaries SQL files → the region's simplified areas (GeoJSON) for the web.

The upstream repository (MIT) keeps every province in one layout: `db/kab/wilayah_boundaries_kab_PP.sql`
(its kabupaten/kota), `db/kec/wilayah_boundaries_kec_PP.sql` (kecamatan) and
`db/kel/PP/wilayah_boundaries_kel_PP.KK.sql` (desa/kelurahan of one kabupaten), as INSERTs of
`(kode, nama, lat, lng, path)` where `path` is a JSON polygon or multipolygon of `[lat, lng]` points on the
Kemendagri 2025 codes. The shared copy flattens `kab/` and `kec/` into the folder itself; both layouts are read.

One file comes out (`core/data/areas/<region>.geojson`): the region's desa/kelurahan and kecamatan, and the
province's kabupaten/kota outlines (coarser: they only say where an outside pin is), each ring simplified
with Douglas–Peucker and rounded to 5 decimals (≈ 1 m). Pure Python: no GIS library in either environment.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from core.areas import douglas_peucker

ATTRIBUTION = ("cahyadsn/wilayah_boundaries (GitHub), "
               "kode Kepmendagri 300.2.2-2430/2025, MIT License, (c) 2024-2025 Cahya DSN")
SOURCE_COMMIT = "3c5a7960"
# Tolerances in degrees (1e-5 ≈ 1.1 m at the equator). Desa borders decide which desa a pin is in, so they stay
# close to the source; kabupaten outlines only name where an outside pin is.
DESA_TOLERANCE = 0.00005
KECAMATAN_TOLERANCE = 0.0001
KABUPATEN_TOLERANCE = 0.0005
DECIMALS = 5

_ROW = re.compile(r"\('([0-9.]+)','((?:[^'\\]|\\.|'')*)',\s*(-?[0-9.]+|NULL),\s*(-?[0-9.]+|NULL),\s*'(\[[^']*\])'\)")

Point = tuple[float, float]  # (lng, lat): GeoJSON order


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    polygons: list[list[list[Point]]]  # polygons → rings (outer first, then holes) → points


def read_sql(path: Path) -> list[Area]:
    """Every row of one upstream SQL file; `[lat, lng]` paths become `(lng, lat)` polygons."""
    areas = []
    for match in _ROW.finditer(path.read_text(encoding="utf-8")):
        code, name, _, _, raw = match.groups()
        name = name.replace("''", "'").replace("\\'", "'")
        areas.append(Area(code, name, _polygons(json.loads(raw))))
    return areas


def _polygons(path: list) -> list[list[list[Point]]]:
    """A polygon (`[ring, ...]`) or a multipolygon (`[[ring, ...], ...]`) of `[lat, lng]` points."""
    if not path:
        return []
    multi = isinstance(path[0][0][0], list)
    polygons = path if multi else [path]
    return [[[(float(p[1]), float(p[0])) for p in ring] for ring in polygon] for polygon in polygons]


def simplify_ring(ring: list[Point], tolerance: float) -> list[Point] | None:
    """A closed ring, simplified and rounded; None when too little is left to enclose anything."""
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    if len(ring) < 3:
        return None
    # Split the closed ring at its farthest point from the start, so both halves keep their ends.
    far = max(range(len(ring)), key=lambda i: math.hypot(ring[i][0] - ring[0][0], ring[i][1] - ring[0][1]))
    halves = douglas_peucker(ring[: far + 1], tolerance)[:-1] + douglas_peucker([*ring[far:], ring[0]], tolerance)
    out: list[Point] = []
    for lng, lat in halves:
        point = (round(lng, DECIMALS), round(lat, DECIMALS))
        if not out or out[-1] != point:
            out.append(point)
    if len(out) < 4:  # closed: three corners and the first again
        return None
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def simplify(area: Area, tolerance: float) -> list[list[list[Point]]]:
    polygons = []
    for polygon in area.polygons:
        rings = [simplify_ring(ring, tolerance) for ring in polygon]
        if rings and rings[0] is not None:
            polygons.append([r for r in rings if r is not None])
    return polygons


def _feature(area: Area, level: str, tolerance: float) -> dict:
    polygons = simplify(area, tolerance)
    return {"type": "Feature", "id": area.code,
            "properties": {"kode": area.code, "nama": area.name, "tingkat": level},
            "geometry": {"type": "MultiPolygon", "coordinates": [[[list(p) for p in ring] for ring in polygon]
                                                                 for polygon in polygons]}}


def _find(source: Path, *candidates: str) -> Path:
    for name in candidates:
        if (source / name).is_file():
            return source / name
    raise FileNotFoundError(f"none of {', '.join(candidates)} under {source}")


def convert(source: Path, region: str) -> dict:
    """The region's desa and kecamatan and its province's kabupaten/kota as one GeoJSON FeatureCollection."""
    if not re.fullmatch(r"\d{2}\.\d{2}", region):
        raise ValueError(f"a kabupaten/kota code looks like 34.04, not {region!r}")
    province = region[:2]
    kab_file, kec_file = f"wilayah_boundaries_kab_{province}.sql", f"wilayah_boundaries_kec_{province}.sql"
    kab = read_sql(_find(source, kab_file, f"kab/{kab_file}"))
    kec = read_sql(_find(source, kec_file, f"kec/{kec_file}"))
    kel = read_sql(_find(source, f"kel/wilayah_boundaries_kel_{region}.sql",
                         f"kel/{province}/wilayah_boundaries_kel_{region}.sql"))
    if not any(a.code == region for a in kab):
        raise ValueError(f"{region} is not among the kabupaten/kota of province {province}")
    features = [_feature(a, "kabupaten", KABUPATEN_TOLERANCE) for a in kab if len(a.code) == 5]
    features += [_feature(a, "kecamatan", KECAMATAN_TOLERANCE) for a in kec if a.code.startswith(region + ".")]
    features += [_feature(a, "desa", DESA_TOLERANCE) for a in kel if a.code.startswith(region + ".")]
    return {"type": "FeatureCollection",
            "metadata": {"region": region, "attribution": ATTRIBUTION, "source_commit": SOURCE_COMMIT,
                         "licence": "MIT", "coordinates": "lng, lat (WGS 84), 5 decimals",
                         "tolerance_degrees": {"desa": DESA_TOLERANCE, "kecamatan": KECAMATAN_TOLERANCE,
                                               "kabupaten": KABUPATEN_TOLERANCE}},
            "features": features}


def write(collection: dict, out: Path) -> int:
    """Compact JSON (one feature a line, so a diff shows which area changed); returns the size in bytes."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]]
    head = json.dumps({k: v for k, v in collection.items() if k != "features"}, ensure_ascii=False,
                      separators=(",", ":"))[:-1]
    text = head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))
