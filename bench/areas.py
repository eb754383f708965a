"""The shipped areas: file size, load time and pin lookup speed (core/areas.py), and the maps' SVG weight.

Run: `.venv/app/bin/python -m bench.areas` — prints JSON. Lookups: 5,000 pins spread evenly over the
region's bounding box (inside, in gaps, and outside: every branch of `Areas.locate`), after the file is loaded.
"""

from __future__ import annotations

import gzip
import json
import random
import statistics
import time

from bot.public import area_map
from core import areas, settings


def main() -> None:
    region = settings.configured_region()
    path = areas.file_for(region)
    raw = path.read_bytes()
    start = time.perf_counter()
    areas.load.cache_clear()
    loaded = areas.load(region)
    load_ms = (time.perf_counter() - start) * 1000
    assert loaded is not None, f"no areas shipped for {region}"
    x0, y0, x1, y1 = loaded.by_code[region].bbox
    rng = random.Random(17)
    pins = [(rng.uniform(y0 - 0.02, y1 + 0.02), rng.uniform(x0 - 0.02, x1 + 0.02)) for _ in range(5000)]
    times, inside = [], 0
    for lat, lng in pins:
        t = time.perf_counter()
        where = loaded.locate(lat, lng)
        times.append(time.perf_counter() - t)
        inside += where.inside
    times.sort()
    drawn = area_map.build("m", "t", region, "desa", region, {})
    d = "".join(drawn.paths.values())
    svg = {"path_bytes": len(d), "path_gzip_bytes": len(gzip.compress(d.encode()))}  # shared by both maps
    points = sum(len(r) for a in loaded.by_code.values() for p in a.polygons for r in p)
    print(json.dumps({
        "region": region, "file": str(path.relative_to(settings.PROJECT_ROOT)), "file_bytes": len(raw),
        "file_gzip_bytes": len(gzip.compress(raw)), "areas": {"desa": len(loaded.desa),
                                                             "kecamatan": len(loaded.kecamatan),
                                                             "kabupaten": len(loaded.kabupaten)},
        "points": points, "load_ms": round(load_ms, 1), "lookups": len(pins), "inside": inside,
        "lookup_median_ms": round(statistics.median(times) * 1000, 4),
        "lookup_p95_ms": round(times[int(len(times) * 0.95)] * 1000, 4), "svg": svg,
    }, indent=2))


if __name__ == "__main__":
    main()
