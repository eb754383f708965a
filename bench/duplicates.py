"""Duplicate check speed with 100,000 proposals in one kabupaten (Sleman, 34.04).

Generates proposals over Sleman's desa/kelurahan (core/data/wilayah_kemendagri_2025.csv) from sector
templates in Indonesian, Javanese and Sundanese with variations (place names, RT, landmarks, fillers, typos);
about one in four re-reports a need already filed, in other words and often another language, as happens.
Loads them with storage.duplicates.bulk_insert_for_benchmark, then times 500 calls of
storage.duplicates.similar_open_proposals (half re-reports of a filed need, half new needs) on SQLite and,
given a URL, on PostgreSQL, in a database of its own that is created and dropped (the test database is left
alone). Target: p95 < 50 ms.

Run: `.venv/app/bin/python -m bench.duplicates [--pg postgresql+asyncpg://...] [--proposals N] [--keep]`
(TEST_DATABASE_URL is used when --pg is not given). Prints JSON and writes bench/results/duplicates.json.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from core import similarity
from core import status as status_rules
from core.status import Status
from storage import duplicates, migrate
from storage.db import Database

ROOT = Path(__file__).resolve().parent.parent
WILAYAH = ROOT / "core" / "data" / "wilayah_kemendagri_2025.csv"
RESULTS = ROOT / "bench" / "results" / "duplicates.json"
KABUPATEN = "34.04"
QUERIES = 500
WARMUP = 20
TARGET_P95_MS = 50.0

# Approximate centres of Sleman's kecamatan (lat, lon); desa are scattered around them.
KECAMATAN_CENTRES: dict[str, tuple[float, float]] = {
    "01": (-7.800, 110.320), "02": (-7.770, 110.290), "03": (-7.770, 110.240), "04": (-7.730, 110.250),
    "05": (-7.720, 110.300), "06": (-7.740, 110.350), "07": (-7.760, 110.400), "08": (-7.800, 110.440),
    "09": (-7.760, 110.490), "10": (-7.760, 110.460), "11": (-7.700, 110.430), "12": (-7.710, 110.390),
    "13": (-7.690, 110.340), "14": (-7.660, 110.320), "15": (-7.630, 110.370), "16": (-7.640, 110.420),
    "17": (-7.640, 110.460),
}
SECTOR_WEIGHTS: dict[str, float] = {
    "jalan": 25, "drainase": 15, "penerangan_jalan": 12, "air_bersih": 8, "sanitasi_sampah": 8, "jembatan": 4,
    "kesehatan": 6, "pendidikan": 6, "ekonomi_umkm": 6, "sosial": 4, "lingkungan_taman": 4, "lainnya": 2,
}
STATUS_WEIGHTS: dict[str, float] = {
    Status.DIAJUKAN: 45, Status.DIVERIFIKASI_DESA: 15, Status.DIBAHAS_KECAMATAN: 8, Status.DIVERIFIKASI_OPD: 5,
    Status.MASUK_RKPD: 4, Status.PERLU_PERBAIKAN: 5, Status.DIREALISASIKAN: 5, Status.DITOLAK: 7, Status.DIGABUNG: 3,
    Status.DIBATALKAN: 3,
}
LANGUAGE_WEIGHTS: dict[str, float] = {"id": 60, "jv": 35, "su": 5}

NAME_HEADS = ("Karang", "Tegal", "Sumber", "Kali", "Jati", "Sido", "Banyu", "Watu", "Gondang", "Wono", "Ngino",
              "Krajan", "Ploso", "Kemiri", "Pucung", "Sambi", "Glagah", "Dadap", "Nglempong", "Pondok")
NAME_TAILS = ("asem", "sari", "rejo", "mulyo", "wetan", "kulon", "anyar", "jeruk", "gede", "kidul", "lor",
              "arum", "agung", "tengah", "kuning", "harjo", "tirto", "gayam", "doyong", "moyo")
SINGLE_NAMES = ("Krapyak", "Jetis", "Gentan", "Ngentak", "Sembego", "Gondangan", "Plosokuning", "Tambakan",
                "Pokoh", "Candi", "Kadisoka", "Jambon", "Ngemplak", "Cebongan", "Dukuh", "Mancasan", "Kowang",
                "Kragilan", "Sorowajan", "Pelem", "Kledokan", "Blotan", "Nologaten", "Ngringin", "Tegalsari")
GANGS = ("Mawar", "Melati", "Kenanga", "Dahlia", "Anggrek", "Flamboyan", "Cempaka", "Teratai", "Seruni",
         "Bougenville", "Nusa Indah", "Sawo", "Manggis", "Rambutan")
MOSQUES = ("Al Ikhlas", "Al Huda", "Nurul Iman", "Baiturrahman", "At Taqwa", "Al Falah", "Darussalam",
           "Nurul Huda", "Al Muttaqin")


@dataclass(frozen=True)
class Template:
    item: str
    language: str
    text: str  # slots: {place} {place2} {rt} {gang} {landmark}


def _t(item: str, language: str, *texts: str) -> list[Template]:
    return [Template(item, language, t) for t in texts]


TEMPLATES: dict[str, list[Template]] = {
    "jalan": [
        *_t("rehabilitasi_jalan_lingkungan", "id", "Perbaikan jalan rusak berlubang di dusun {place} RT {rt}",
            "jalan di {place} rusak parah, banyak lubang, mohon diperbaiki",
            "jalan depan {landmark} {place} rusak dan berlubang kalau hujan jadi kubangan"),
        *_t("rehabilitasi_jalan_lingkungan", "jv", "dalan neng {place} RT {rt} bolong-bolong, nyuwun didandani",
            "margi ing padukuhan {place} risak sanget, nyuwun dipundandosi",
            "dalan ngarep {landmark} {place} growong kabeh"),
        *_t("rehabilitasi_jalan_lingkungan", "su", "jalan ka lembur {place} ruksak parah loba nu bolong"),
        *_t("pengaspalan_jalan_desa", "id", "Pengaspalan jalan dari {place} ke {place2}",
            "jalan {place} masih makadam, mohon diaspal", "aspal jalan poros {place} mengelupas"),
        *_t("pengaspalan_jalan_desa", "jv", "dalan {place} tumuju {place2} durung diaspal",
            "aspale dalan {place} ngelotok kabeh"),
        *_t("paving_jalan_gang", "id", "Paving gang {gang} RT {rt} dusun {place}",
            "gang {gang} di {place} masih tanah, becek kalau hujan, usul dipaving"),
        *_t("paving_jalan_gang", "jv", "gang {gang} {place} isih lemah, nyuwun dipaving"),
        *_t("polisi_tidur_rambu", "id", "Polisi tidur di jalan depan {landmark} {place}",
            "banyak motor ngebut di jalan {place} RT {rt}, mohon dipasang polisi tidur"),
        *_t("polisi_tidur_rambu", "jv", "akeh motor banter neng ngarep {landmark} {place}, nyuwun polisi tidur"),
        *_t("jalan_usaha_tani", "id", "jalan usaha tani di bulak {place} rusak, petani susah angkut panen"),
        *_t("jalan_usaha_tani", "jv", "dalan sawah bulak {place} becek, angel nggawa gabah"),
    ],
    "drainase": [
        *_t("normalisasi_saluran", "id", "Saluran got di depan {landmark} {place} mampet, kalau hujan banjir",
            "got RT {rt} {place} tersumbat sampah, mohon dikeruk", "normalisasi selokan di gang {gang} {place}"),
        *_t("normalisasi_saluran", "jv", "selokan ngarep {landmark} {place} buntu, yen udan banjir",
            "kalen RT {rt} {place} kebak uwuh, nyuwun dikuras"),
        *_t("normalisasi_saluran", "su", "solokan di {place} pampet, mun hujan caah"),
        *_t("saluran_drainase", "id", "Pembangunan saluran drainase di jalan {place} RT {rt}",
            "belum ada saluran air di gang {gang} {place}, jalan tergenang tiap hujan"),
        *_t("saluran_drainase", "jv", "durung ana got neng gang {gang} {place}, banyu ngembeng"),
        *_t("talud_penahan_tanah", "id", "Talud sungai di dusun {place} longsor, mohon dibangun talud baru"),
        *_t("talud_penahan_tanah", "jv", "talud kali {place} ambrol, nyuwun didandani"),
        *_t("gorong_gorong", "id", "gorong-gorong di perempatan {place} rusak dan sempit"),
    ],
    "penerangan_jalan": [
        *_t("perbaikan_pju", "id", "Lampu jalan di gang {gang} {place} mati sudah 2 bulan",
            "PJU di perempatan {place} RT {rt} tidak menyala", "lampu jalan depan {landmark} {place} padam"),
        *_t("perbaikan_pju", "jv", "lampu dalan neng {place} RT {rt} mati, peteng banget",
            "PJU prapatan {place} ora murub"),
        *_t("perbaikan_pju", "su", "lampu jalan di {place} pareum, poek pisan"),
        *_t("pemasangan_pju", "id", "Pemasangan lampu jalan baru di jalan menuju {landmark} {place}",
            "gang {gang} {place} gelap sekali, rawan kejahatan, mohon dipasang lampu jalan"),
        *_t("pemasangan_pju", "jv", "dalan tumuju {landmark} {place} peteng, nyuwun dipasang lampu dalan"),
    ],
    "air_bersih": [
        *_t("sumur_bor", "id", "Sumur bor untuk air bersih warga RT {rt} {place}",
            "warga {place} kesulitan air bersih saat kemarau, usul sumur bor"),
        *_t("sumur_bor", "jv", "butuh sumur bor, banyu resik angel neng RT {rt} {place}"),
        *_t("sumur_bor", "su", "cai bersih hese di {place}, hoyong sumur bor"),
        *_t("jaringan_air_bersih", "id", "pipa air bersih ke dusun {place} bocor dan sering mati",
            "perluasan jaringan pipa PAM ke RT {rt} {place}"),
        *_t("tandon_air", "id", "tandon air untuk warga dusun {place}"),
        *_t("tandon_air", "jv", "nyuwun tandon banyu kangge warga {place}"),
    ],
    "sanitasi_sampah": [
        *_t("tps_sampah", "id", "Pengadaan tempat sampah di pasar {place}", "TPS di {place} penuh, sampah berserakan",
            "sampah menumpuk di pinggir jalan {place} karena tidak ada TPS"),
        *_t("tps_sampah", "jv", "tong uwuh neng pasar {place} kurang, nyuwun diadani", "uwuh numpuk neng TPS {place}"),
        *_t("jamban_sehat", "id", "bantuan jamban sehat untuk warga RT {rt} {place}"),
        *_t("bank_sampah_tps3r", "id", "bank sampah untuk dusun {place}"),
    ],
    "jembatan": [
        *_t("pembangunan_jembatan", "id", "Pembangunan jembatan penghubung dusun {place} ke {place2}"),
        *_t("pembangunan_jembatan", "jv", "kreteg antara {place} lan {place2} perlu dibangun"),
        *_t("rehabilitasi_jembatan", "id", "jembatan bambu di dusun {place} sudah lapuk",
            "perbaikan jembatan kayu di {place} yang hampir ambruk"),
        *_t("rehabilitasi_jembatan", "su", "sasak ka sawah {place} geus butut, kedah dibenerkeun"),
    ],
    "kesehatan": [
        *_t("rehabilitasi_posyandu", "id", "Rehab posyandu {gang} {place} yang atapnya bocor"),
        *_t("rehabilitasi_posyandu", "jv", "atap posyandu {gang} {place} bocor, nyuwun direhab"),
        *_t("peralatan_posyandu", "id", "alat timbang dan tensimeter untuk posyandu {gang} {place}"),
        *_t("pmt_stunting", "id", "makanan tambahan untuk balita stunting di dusun {place}"),
        *_t("pencegahan_dbd", "id", "fogging demam berdarah di RT {rt} {place}"),
    ],
    "pendidikan": [
        *_t("rehabilitasi_ruang_kelas", "id", "ruang kelas {landmark} atapnya hampir roboh"),
        *_t("gedung_paud", "id", "gedung PAUD {gang} di {place} belum punya gedung sendiri"),
        *_t("perpustakaan_desa", "id", "buku untuk perpustakaan dusun {place}"),
        *_t("meubelair_sekolah", "jv", "meja kursi {landmark} wis rusak, nyuwun sing anyar"),
    ],
    "ekonomi_umkm": [
        *_t("pelatihan_umkm", "id", "pelatihan membuat keripik untuk ibu-ibu PKK dusun {place}"),
        *_t("bantuan_alat_usaha", "id", "bantuan gerobak untuk pedagang kecil di pasar {place}"),
        *_t("rehabilitasi_pasar_desa", "jv", "los pasar {place} gentenge bocor"),
        *_t("sarana_produksi_pertanian", "id", "pompa air untuk kelompok tani {place}"),
    ],
    "sosial": [
        *_t("rehabilitasi_rtlh", "id", "bedah rumah tidak layak huni di RT {rt} {place}"),
        *_t("pos_ronda", "id", "pos ronda di gang {gang} {place} roboh"),
        *_t("pos_ronda", "jv", "gardu ronda {place} RT {rt} wis reyot"),
        *_t("bantuan_lansia", "id", "bantuan untuk lansia terlantar di dusun {place}"),
    ],
    "lingkungan_taman": [
        *_t("penghijauan", "id", "penghijauan dan tanam pohon di lahan kosong {place}"),
        *_t("pembersihan_sungai", "id", "sungai di dusun {place} penuh sampah, perlu kerja bakti"),
        *_t("lapangan_olahraga", "id", "perbaikan lapangan voli dusun {place}"),
    ],
    "lainnya": [
        *_t("cctv_keamanan", "id", "pemasangan CCTV di perempatan {place}"),
        *_t("internet_desa", "id", "wifi gratis di balai padukuhan {place}"),
        *_t("tempat_pemakaman_umum", "jv", "pager makam {place} ambrol"),
    ],
}
OPENERS: dict[str, tuple[str, ...]] = {
    "id": ("", "", "", "Mohon ", "Tolong ", "Usul: ", "Kami warga mengusulkan ", "Pak, "),
    "jv": ("", "", "", "Nyuwun sewu, ", "Kula warga ", "Mas, "),
    "su": ("", "", "Punten, ", "Abdi warga "),
}
CLOSERS: dict[str, tuple[str, ...]] = {
    "id": ("", "", "", ". Terima kasih", ", sudah lama sekali", ", mohon segera ditindaklanjuti", "!!"),
    "jv": ("", "", "", ". Matur nuwun", ", wis suwe banget"),
    "su": ("", "", ". Hatur nuhuun", ", tos lami pisan"),
}


@dataclass
class Village:
    code: str
    centre: tuple[float, float]
    places: list[str]
    weight: float


@dataclass
class Need:
    """One real need of a desa; several proposals may report it."""

    id: int
    village: Village
    sector: str
    item: str
    slots: dict[str, str]
    spot: tuple[float, float]
    codes: list[str] = field(default_factory=list)


def villages(rng: random.Random) -> list[Village]:
    found = []
    with WILAYAH.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["kode"]
            if code.startswith(KABUPATEN + ".") and code.count(".") == 3:
                lat, lon = KECAMATAN_CENTRES[code.split(".")[2]]
                names = {*rng.sample(SINGLE_NAMES, 6),
                         *(rng.choice(NAME_HEADS) + rng.choice(NAME_TAILS) for _ in range(10))}
                found.append(Village(code, (lat + rng.uniform(-0.02, 0.02), lon + rng.uniform(-0.02, 0.02)),
                                     sorted(names), rng.lognormvariate(0, 0.6)))
    return found


def _jitter(rng: random.Random, point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0] + rng.uniform(-1, 1) * metres / 111_195, point[1] + rng.uniform(-1, 1) * metres / 110_000


def _typo(rng: random.Random, sentence: str) -> str:
    words = sentence.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if long_words:
        i = rng.choice(long_words)
        cut = rng.randrange(1, len(words[i]) - 1)
        words[i] = words[i][:cut] + words[i][cut + 1:]
    return " ".join(words)


def phrase(rng: random.Random, need: Need) -> str:
    """One citizen's description of the need: a template of its item, in some language, with variations."""
    language = rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
    options = [t for t in TEMPLATES[need.sector] if t.item == need.item]
    in_language = [t for t in options if t.language == language]
    template = rng.choice(in_language or options)
    body = template.text.format(**need.slots)
    if rng.random() < 0.3:
        body = body.lower()
    body = rng.choice(OPENERS[template.language]) + body + rng.choice(CLOSERS[template.language])
    return _typo(rng, body) if rng.random() < 0.1 else body


def new_need(rng: random.Random, need_id: int, village: Village, sector: str) -> Need:
    template = rng.choice(TEMPLATES[sector])
    place, place2 = rng.sample(village.places, 2)
    landmark = rng.choice((f"masjid {rng.choice(MOSQUES)}", f"SD Negeri {village.places[0]} {rng.randint(1, 4)}",
                           "balai padukuhan", f"makam {place}", "pasar", "lapangan"))
    slots = {"place": place, "place2": place2, "rt": f"{rng.randint(1, 12):02d}", "gang": rng.choice(GANGS),
             "landmark": landmark}
    return Need(need_id, village, sector, template.item, slots, _jitter(rng, village.centre, 1500))


@dataclass
class Generated:
    proposals: list[duplicates.BenchProposal]
    need_of: list[int]  # need id of each proposal
    needs: list[Need]
    villages: dict[str, Village]


def generate(count: int, seed: int = 34) -> Generated:
    rng = random.Random(seed)
    places = villages(rng)
    sectors, sector_weights = list(SECTOR_WEIGHTS), list(SECTOR_WEIGHTS.values())
    statuses, status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    village_weights = [v.weight for v in places]
    needs: list[Need] = []
    by_group: dict[tuple[str, str], list[Need]] = defaultdict(list)
    start = datetime.now(timezone.utc) - timedelta(days=365)
    proposals, need_of = [], []
    for n in range(count):
        village = rng.choices(places, weights=village_weights)[0]
        sector = rng.choices(sectors, weights=sector_weights)[0]
        group = by_group[(village.code, sector)]
        if group and rng.random() < 0.25:  # someone reports a need already filed
            need = rng.choice(group)
        else:
            need = new_need(rng, len(needs), village, sector)
            needs.append(need)
            group.append(need)
        pin = _jitter(rng, need.spot, 150) if rng.random() < 0.55 else None
        proposals.append(duplicates.BenchProposal(
            description=phrase(rng, need), sector=sector, village_code=village.code,
            status=rng.choices(statuses, weights=status_weights)[0],
            created_at=start + timedelta(seconds=n * 365 * 86400 / count), citizen=rng.randrange(count // 4),
            item_code=need.item if rng.random() < 0.7 else None,
            latitude=pin[0] if pin else None, longitude=pin[1] if pin else None,
            supporters=0 if rng.random() < 0.6 else min(int(rng.expovariate(1 / 3)) + 1, 30)))
        need_of.append(need.id)
    return Generated(proposals, need_of, needs, {v.code: v for v in places})


@dataclass(frozen=True)
class Query:
    village_code: str
    sector: str
    description: str
    item_code: str | None
    lat: float | None
    lon: float | None
    need: int | None  # the filed need this re-reports, or None for a new need
    item: str  # the need's kamus item and main place, whether or not the citizen named them
    place: str


def queries(generated: Generated, count: int, seed: int = 35) -> list[Query]:
    """Half re-reports of a need filed and still open, half new needs; desa and sector as often as proposals."""
    rng = random.Random(seed)
    open_needs = sorted({generated.need_of[i] for i, p in enumerate(generated.proposals)
                         if status_rules.is_open(p.status)})
    out = []
    for n in range(count):
        source = generated.proposals[rng.randrange(len(generated.proposals))]
        if n % 2 == 0:
            need = generated.needs[rng.choice(open_needs)]
            known = need.id
        else:
            need = new_need(rng, -1, generated.villages[source.village_code], source.sector)
            known = None
        pin = _jitter(rng, need.spot, 150) if rng.random() < 0.55 else (None, None)
        out.append(Query(need.village.code, need.sector, phrase(rng, need),
                         need.item if rng.random() < 0.7 else None, pin[0], pin[1], known, need.item,
                         need.slots["place"]))
    return out


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": round(ordered[-1], 2),
            "mean_ms": round(statistics.fmean(ordered), 2)}


async def load(url: str, generated: Generated) -> tuple[dict[str, int], float]:
    db = Database(url)
    started = time.perf_counter()
    codes = await duplicates.bulk_insert_for_benchmark(db, generated.proposals, citizens=len(generated.proposals) // 4)
    seconds = time.perf_counter() - started
    await db.dispose()
    return dict(zip(codes, generated.need_of, strict=True)), seconds


async def measure(url: str, asked: list[Query]) -> tuple[dict, dict, list[list[str]]]:
    """Time every query twice: cold (the normalisation cache emptied before each query, as in a process just
    started) and warm (a second pass: the candidates' normalisations cached, as in a running process)."""
    db = Database(url)
    for q in asked[:WARMUP]:  # connections, statement caches
        await duplicates.similar_open_proposals(db, q.village_code, q.sector, q.description, q.item_code, q.lat, q.lon)
    timings: dict[str, list[float]] = {"cold": [], "warm": []}
    answers: list[list[str]] = []
    for kind in ("cold", "warm"):
        similarity.clear_cache()
        for q in asked:
            if kind == "cold":
                similarity.clear_cache()
            started = time.perf_counter()
            found = await duplicates.similar_open_proposals(db, q.village_code, q.sector, q.description,
                                                            q.item_code, q.lat, q.lon)
            timings[kind].append((time.perf_counter() - started) * 1000)
            if kind == "cold":
                answers.append([f.code for f in found])
    await db.dispose()
    return percentiles(timings["cold"]), percentiles(timings["warm"]), answers


def quality(generated: Generated, need_of_code: dict[str, int], asked: list[Query],
            answers: list[list[str]]) -> dict:
    """How the suggestions relate to the generated needs. The generator reuses 16 place names per desa and a
    few sentences per item, so different needs of one item and place often read the same: the second figure
    counts those too."""
    re_reports = [(q, a) for q, a in zip(asked, answers, strict=True) if q.need is not None]
    new = [(q, a) for q, a in zip(asked, answers, strict=True) if q.need is None]
    suggested = [(q, generated.needs[need_of_code[code]]) for q, a in zip(asked, answers, strict=True) for code in a]
    return {
        "suggestions_per_query": round(statistics.fmean(len(a) for a in answers), 2),
        "re_reports_with_their_need_in_top3": round(
            sum(any(need_of_code[c] == q.need for c in a) for q, a in re_reports) / len(re_reports), 3),
        "suggestions_of_the_same_need": round(sum(n.id == q.need for q, n in suggested) / max(1, len(suggested)), 3),
        "suggestions_of_the_same_item_and_place": round(
            sum(n.item == q.item and n.slots["place"] == q.place for q, n in suggested) / max(1, len(suggested)), 3),
        "new_needs_with_a_suggestion": round(sum(bool(a) for _, a in new) / len(new), 3),
    }


def group_sizes(generated: Generated) -> dict:
    sizes = Counter((p.village_code, p.sector) for p in generated.proposals if status_rules.is_open(p.status))
    ordered = sorted(sizes.values())
    return {"groups": len(ordered), "median_open": ordered[len(ordered) // 2], "max_open": ordered[-1],
            "groups_over_cap": sum(1 for s in ordered if s > duplicates.CANDIDATES)}


def run_backend(name: str, url: str, generated: Generated, asked: list[Query]) -> dict:
    migrate.upgrade(url)
    need_of_code, load_s = asyncio.run(load(url, generated))
    cold, warm, answers = asyncio.run(measure(url, asked))
    return {"backend": name, "load_s": round(load_s, 1), "rows_per_s": round(len(generated.proposals) / load_s),
            "cold": cold, "warm": warm, "meets_target": cold["p95_ms"] < TARGET_P95_MS,
            "quality": quality(generated, need_of_code, asked, answers)}


async def _admin(url: str, statements: list[str]) -> None:
    db = Database(url)
    async with db.engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        for statement in statements:
            await connection.execute(text(statement))
    await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL", ""),
                        help="a PostgreSQL URL whose server gets a database of its own for the run")
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=QUERIES)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    args = parser.parse_args()

    started = time.perf_counter()
    generated = generate(args.proposals)
    asked = queries(generated, args.queries)
    report = {
        "benchmark": "storage.duplicates.similar_open_proposals",
        "proposals": args.proposals, "kabupaten": KABUPATEN,
        "villages": len({p.village_code for p in generated.proposals}),
        "needs": len(generated.needs), "queries": len(asked), "candidates_cap": duplicates.CANDIDATES,
        "threshold": similarity.THRESHOLD, "open_per_village_and_sector": group_sizes(generated),
        "generate_s": round(time.perf_counter() - started, 1), "target_p95_ms": TARGET_P95_MS,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "results": [],
    }
    folder = Path(tempfile.mkdtemp(prefix="bench-duplicates-"))
    try:
        report["results"].append(run_backend("sqlite", f"sqlite+aiosqlite:///{folder / 'bench.db'}", generated,
                                             asked))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    if args.pg:
        base = make_url(args.pg)
        name = f"{base.database}_bench_duplicates"
        bench_url = base.set(database=name).render_as_string(hide_password=False)
        asyncio.run(_admin(args.pg, [f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"']))
        try:
            report["results"].append(run_backend("postgresql", bench_url, generated, asked))
        finally:
            if not args.keep:
                asyncio.run(_admin(args.pg, [f'DROP DATABASE IF EXISTS "{name}"']))
    report["total_s"] = round(time.perf_counter() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
