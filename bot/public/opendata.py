"""Open data (Satu Data Indonesia, Perpres 39/2019): the region's proposals as CSV and JSON with metadata.

Rows come from the one public view (`storage.public.open_data`: masked text, pins rounded as
core/privacy.py does, no citizen, no officer, no note). The metadata names what Satu Data asks of a
dataset: title, description, producer, licence, period, update frequency and date, the columns, and
the code lists (status, sector, Kemendagri 2025 region codes) the rows use.

The files are written to OPEN_DATA_DIR with the date of their making and served from there
(`/data`); a request on a later day regenerates them first (so they are at most a day old), and
`./musrenbang opendata` regenerates them at once.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from aiohttp import web

from bot.public import common
from core import calendar, regions, texts
from core import status as status_rules
from core.sectors import SECTORS
from storage import public
from storage.db import Database

CSV_NAME = "usulan_musrenbang.csv"
JSON_NAME = "usulan_musrenbang.json"
METADATA_NAME = "metadata.json"
LICENCE = {"id": "CC-BY-4.0", "nama": "Creative Commons Atribusi 4.0 Internasional",
           "url": "https://creativecommons.org/licenses/by/4.0/deed.id"}
# The columns, in order, with what Satu Data's metadata calls their definition.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("kode_usulan", "Kode pelacakan usulan (USL-XXXXXX)"),
    ("tahun_perencanaan", "Tahun perencanaan saat usulan diajukan"),
    ("tanggal_diajukan", "Tanggal usulan diajukan (zona waktu daerah, ISO 8601)"),
    ("kode_status", "Kode status usulan (daftar kode: status)"),
    ("status", "Nama status usulan"),
    ("kode_bidang", "Kode bidang usulan (daftar kode: bidang)"),
    ("bidang", "Nama bidang usulan"),
    ("kode_kamus_usulan", "Kode kamus usulan, bila ada"),
    ("kode_provinsi", "Kode wilayah provinsi (Kemendagri 2025)"),
    ("kode_kabupaten_kota", "Kode wilayah kabupaten/kota (Kemendagri 2025)"),
    ("kode_kecamatan", "Kode wilayah kecamatan (Kemendagri 2025)"),
    ("nama_kecamatan", "Nama kecamatan"),
    ("kode_desa_kelurahan", "Kode wilayah desa/kelurahan (Kemendagri 2025)"),
    ("nama_desa_kelurahan", "Nama desa/kelurahan"),
    ("uraian", "Uraian usulan dari warga; nomor telepon, NIK dan e-mail disamarkan"),
    ("lintang", "Lintang titik lokasi, dibulatkan sekitar 110 m; kosong bila tidak ada"),
    ("bujur", "Bujur titik lokasi, dibulatkan sekitar 110 m; kosong bila tidak ada"),
)
FIELDS: tuple[str, ...] = tuple(name for name, _ in COLUMNS)
_LOCK = asyncio.Lock()


@dataclass(frozen=True)
class Files:
    directory: Path
    made_on: date

    def path(self, name: str) -> Path:
        return self.directory / name


def _row(item: public.PublicItem) -> dict[str, object]:
    code = item.village_code
    return {
        "kode_usulan": item.code, "tahun_perencanaan": calendar.planning_year(item.created_at),
        "tanggal_diajukan": calendar.local(item.created_at).date().isoformat(),
        "kode_status": item.status, "status": texts.status_label(item.status),
        "kode_bidang": item.sector, "bidang": texts.sector_label(item.sector),
        "kode_kamus_usulan": item.item_code or "",
        "kode_provinsi": code[:2], "kode_kabupaten_kota": code[:5], "kode_kecamatan": code[:8],
        "nama_kecamatan": item.kecamatan, "kode_desa_kelurahan": code, "nama_desa_kelurahan": item.desa,
        "uraian": item.description,
        "lintang": item.latitude if item.latitude is not None else "",
        "bujur": item.longitude if item.longitude is not None else "",
    }


def _region_codes(region: str, rows: list[dict[str, object]]) -> list[dict[str, str]]:
    """The Kemendagri codes the data can hold: the region, its kecamatan and desa, and any other used."""
    gazetteer = regions.gazetteer()
    codes = set()
    if region:
        codes.add(region)
        codes.update(k.code for k in gazetteer.kecamatans(region))
        codes.update(p.code for p in public.places(region))
    for row in rows:
        codes.update(str(row[key]) for key in ("kode_provinsi", "kode_kabupaten_kota", "kode_kecamatan",
                                                 "kode_desa_kelurahan"))
    levels = {2: "provinsi", 5: "kabupaten/kota", 8: "kecamatan", 13: "desa/kelurahan"}
    return [{"kode": code, "nama": gazetteer.name_of(code), "tingkat": levels.get(len(code), "")}
            for code in sorted(codes)]


def metadata(region: str, rows: list[dict[str, object]], made_at: datetime) -> dict:
    name = common.region_name(region)
    years = sorted({int(row["tahun_perencanaan"]) for row in rows})
    start = calendar.local(calendar.year_bounds(years[0], region or None)[0]).date().isoformat() if years else None
    end = max((str(row["tanggal_diajukan"]) for row in rows), default=None)
    return {
        "judul": f"Usulan Warga Musrenbang {name}",
        "deskripsi": (f"Usulan pembangunan yang diajukan warga {name} lewat asisten e-Musrenbang (web, Telegram, "
                      "WhatsApp), dengan bidang, lokasi (kode wilayah Kemendagri) dan status tindak lanjutnya "
                      "sampai RKPD dan realisasi. Tanpa data pribadi: nama dan nomor warga tidak dimuat, nomor "
                      "telepon/NIK/e-mail dalam uraian disamarkan, titik lokasi dibulatkan sekitar 110 m."),
        "produsen_data": f"Bappeda {name}",
        "kode_wilayah_produsen": region,
        "lisensi": LICENCE,
        "periode": {"awal": start, "akhir": end, "tahun_perencanaan": years},
        "frekuensi_pembaruan": "harian",
        "tanggal_pembaruan": calendar.local(made_at).date().isoformat(),
        "waktu_pembaruan": calendar.local(made_at).isoformat(timespec="seconds"),
        "jumlah_baris": len(rows),
        "format": ["CSV", "JSON"],
        "berkas": {"csv": CSV_NAME, "json": JSON_NAME},
        "kolom": [{"nama": field, "definisi": definition} for field, definition in COLUMNS],
        "daftar_kode": {
            "status": [{"kode": s, "nama": texts.status_label(s)} for s in status_rules.ALL],
            "bidang": [{"kode": s, "nama": texts.sector_label(s)} for s in SECTORS],
            "wilayah": _region_codes(region, rows),
        },
        "referensi_kode_wilayah": "Kode dan Data Wilayah Administrasi Pemerintahan, Kemendagri 2025",
        "tag": ["musrenbang", "perencanaan pembangunan", "partisipasi warga", "RKPD"],
    }


def _atomic_write(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


async def generate(db: Database, region: str, directory: Path, now: datetime | None = None) -> Files:
    """Write the CSV, the JSON (metadata and rows) and the metadata alone; each file replaced whole."""
    made_at = now or calendar.now_utc()
    rows = [_row(item) for item in await public.open_data(db, region)]
    meta = metadata(region, rows, made_at)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    directory.mkdir(parents=True, exist_ok=True)
    _atomic_write(directory / CSV_NAME, ("\ufeff" + out.getvalue()).encode("utf-8"))  # BOM: Excel reads UTF-8
    _atomic_write(directory / JSON_NAME, json.dumps({"metadata": meta, "data": rows}, ensure_ascii=False,
                                                    indent=1).encode("utf-8"))
    _atomic_write(directory / METADATA_NAME, json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
    return Files(directory, date.fromisoformat(meta["tanggal_pembaruan"]))


def made_on(directory: Path) -> date | None:
    """The day the files were made (their metadata says), None when there are none."""
    try:
        meta = json.loads((directory / METADATA_NAME).read_text(encoding="utf-8"))
        return date.fromisoformat(meta["tanggal_pembaruan"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


async def current(db: Database, region: str, directory: Path) -> Files:
    """Today's files, regenerated first when they are from an earlier day (one request does it)."""
    today = calendar.local(calendar.now_utc()).date()
    async with _LOCK:
        day = made_on(directory)
        if day is None or day < today or not all((directory / n).exists() for n in (CSV_NAME, JSON_NAME)):
            return await generate(db, region, directory)
    return Files(directory, day)


# --- /data -----------------------------------------------------------------------------------------

routes = web.RouteTableDef()
TYPES = {CSV_NAME: "text/csv", JSON_NAME: "application/json", METADATA_NAME: "application/json"}


@routes.get("/data", name="open_data")
async def index(request: web.Request) -> web.Response:
    config, db = common.config_of(request), common.db_of(request)
    files = await current(db, config.region_code, config.open_data_dir)
    meta = json.loads(files.path(METADATA_NAME).read_text(encoding="utf-8"))
    return common.render(request, "opendata.html", meta=meta, year=calendar.planning_year(),
                         sizes={n: files.path(n).stat().st_size for n in TYPES})


@routes.get("/data/{name}", name="open_data_file")
async def download(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in TYPES:
        raise web.HTTPNotFound()
    config, db = common.config_of(request), common.db_of(request)
    files = await current(db, config.region_code, config.open_data_dir)
    body = files.path(name).read_bytes()
    response = web.Response(body=body, content_type=TYPES[name], charset="utf-8")
    response.headers.update(request.app[common.HEADERS])
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Last-Modified"] = files.made_on.strftime("%a, %d %b %Y 00:00:00 GMT")
    if name != METADATA_NAME:
        stem, _, extension = name.rpartition(".")
        dated = f"{stem}_{files.made_on.isoformat()}.{extension}"
        response.headers["Content-Disposition"] = f'attachment; filename="{dated}"'
    response.enable_compression()
    return response
