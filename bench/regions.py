"""Region resolver speed and memory with the national list loaded (83,762 desa/kelurahan).

Run: `.venv/app/bin/python -m bench.regions` — prints p50/p95 per query kind and the RSS growth.
"""

from __future__ import annotations

import json
import resource
import statistics
import time

from core import regions

QUERIES = [
    "Caturtunggal",
    "catur tunggal",
    "Ds. Condong Catur",
    "kel gunung anyar",
    "Sukamaju",
    "sukamju",
    "Kel. Menteng kec menteng",
    "desa cibiru wetan",
    "Kebayoran Lama Utara",
    "wedomartni",
    "Tlogoadi mlati",
    "dsn karangasem",
    "Sidoarjo",
    "margo rejo tempel",
    "xyzzy",
]
SENTENCES = [
    "saya mau mengusulkan perbaikan jalan rusak di RT 03 RW 05 Desa Caturtunggal, Kecamatan Depok",
    "lampu jalan di gang mawar mati semua",
    "sumur bor untuk warga desa Sukamaju kec Cibeber",
]


def timed(function, *args, rounds: int = 20) -> list[float]:
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        function(*args)
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"p50_ms": round(statistics.median(ordered), 3), "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3)}


def main() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    g = regions.gazetteer()
    g.resolve("warmup", "")
    g.resolve("warmup", "34.04")
    load_s = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = {
        "villages": len(g.villages),
        "load_s": round(load_s, 2),
        "rss_growth_mb": round((after - before) / 1024, 1),
    }
    for label, scope in (("national", ""), ("kabupaten", "34.04")):
        report[f"resolve_{label}"] = summary([t for q in QUERIES for t in timed(g.resolve, q, scope)])
        report[f"sentence_{label}"] = summary(
            [t for s in SENTENCES for t in timed(g.find_in_message, s, scope, rounds=5)]
        )
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
