"""Open data at /data (Satu Data Indonesia): the schema of the CSV and JSON and their metadata, the
absence of personal data (the database holds plenty), daily regeneration and the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

from bot.public import opendata
from core import calendar, privacy, texts
from core import status as status_rules
from core.sectors import SECTORS
from tests.bot.sites import BALECATUR, SECRETS, Site, propose, seed_private

META_KEYS = {"judul", "deskripsi", "produsen_data", "lisensi", "periode", "frekuensi_pembaruan",
             "tanggal_pembaruan", "kolom", "daftar_kode", "referensi_kode_wilayah", "jumlah_baris"}


async def test_csv_and_json_follow_the_schema_with_satu_data_metadata(site: Site) -> None:
    code, other = await seed_private(site.db)
    await propose(site.db, "warga-03", "k3", "Sumur bor", "air_bersih", BALECATUR)
    status, page, _ = await site.get("/data")
    assert status == 200 and "Unduh CSV" in page and "Lisensi" in page and "Creative Commons" in page

    status, text, response = await site.get("/data/usulan_musrenbang.csv")
    assert status == 200 and response.content_type == "text/csv"
    today = calendar.local(calendar.now_utc()).date().isoformat()
    assert f"usulan_musrenbang_{today}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == opendata.FIELDS and len(rows) == 3
    by_code = {row["kode_usulan"]: row for row in rows}
    private = by_code[code]
    assert (private["kode_status"], private["status"]) == ("diverifikasi_desa", texts.status_label("diverifikasi_desa"))
    assert (private["kode_provinsi"], private["kode_kabupaten_kota"], private["kode_kecamatan"],
            private["kode_desa_kelurahan"], private["nama_desa_kelurahan"]) == (
        "34", "34.04", "34.04.07", "34.04.07.2001", "Caturtunggal")
    assert (float(private["lintang"]), float(private["bujur"])) == privacy.public_pin(-7.7713, 110.3776)
    assert private["uraian"] == privacy.redact("Jalan berlubang, telepon saya 0812-3456-7890")
    assert by_code[other]["lintang"] == "" and by_code[other]["kode_status"] == "ditolak"

    status, text, response = await site.get("/data/usulan_musrenbang.json")
    assert status == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    document = json.loads(text)
    meta, data = document["metadata"], document["data"]
    assert META_KEYS <= set(meta) and meta["jumlah_baris"] == 3 and meta["tanggal_pembaruan"] == today
    assert meta["lisensi"]["id"] == "CC-BY-4.0" and meta["produsen_data"] == "Bappeda Kabupaten Sleman"
    assert meta["periode"]["tahun_perencanaan"] == [calendar.planning_year()]
    assert [c["nama"] for c in meta["kolom"]] == list(opendata.FIELDS)
    assert [c["kode"] for c in meta["daftar_kode"]["status"]] == list(status_rules.ALL)
    assert [c["kode"] for c in meta["daftar_kode"]["bidang"]] == list(SECTORS)
    wilayah = {c["kode"]: c for c in meta["daftar_kode"]["wilayah"]}
    assert wilayah["34.04"]["tingkat"] == "kabupaten/kota" and wilayah["34.04.07"]["nama"] == "Depok"
    assert all(row["kode_desa_kelurahan"] in wilayah and row["kode_status"] in status_rules.ALL
               and row["kode_bidang"] in SECTORS for row in data)
    assert [list(row) for row in data] == [list(opendata.FIELDS)] * 3
    assert {row["kode_usulan"] for row in data} == set(by_code)
    status, text, _ = await site.get("/data/metadata.json")
    assert json.loads(text) == meta
    assert (await site.get("/data/../secrets.txt"))[0] == 404


async def test_no_personal_data_in_any_open_data_file(site: Site) -> None:
    await seed_private(site.db)
    for name in (opendata.CSV_NAME, opendata.JSON_NAME, opendata.METADATA_NAME):
        status, text, _ = await site.get(f"/data/{name}")
        assert status == 200
        for secret in (*SECRETS, "-7.7713", "110.3776", "rahasia"):
            assert secret not in text, (name, secret)
    assert set(json.loads((await site.get("/data/usulan_musrenbang.json"))[1])["data"][0]) == set(opendata.FIELDS)


async def test_files_are_regenerated_daily_and_by_the_cli(site: Site, tmp_path: Path, monkeypatch) -> None:
    await propose(site.db, "warga-01", "k1", "Sumur bor", "air_bersih", BALECATUR)
    directory = tmp_path / "var" / "opendata"
    yesterday = calendar.now_utc() - timedelta(days=1)
    await opendata.generate(site.db, "34.04", directory, now=yesterday)
    assert opendata.made_on(directory) == calendar.local(yesterday).date()
    await propose(site.db, "warga-02", "k2", "Lampu jalan mati", "penerangan_jalan", BALECATUR)
    _, text, _ = await site.get("/data/usulan_musrenbang.json")  # yesterday's files: made again first
    assert json.loads(text)["metadata"]["jumlah_baris"] == 2
    assert opendata.made_on(directory) == calendar.local(calendar.now_utc()).date()

    from ops import cli
    from tests.conftest import in_thread

    monkeypatch.setenv("DATABASE_URL", str(site.db.engine.url.render_as_string(hide_password=False)))
    out = tmp_path / "cli"
    assert in_thread(cli.main, ["opendata", "--out", str(out)]) == 0
    assert json.loads((out / opendata.METADATA_NAME).read_text(encoding="utf-8"))["jumlah_baris"] == 2
    assert (out / opendata.CSV_NAME).read_text(encoding="utf-8-sig").count("\n") == 3
