"""SIPD exchange: what Bappeda hands to SIPD and what comes back (the yearly report: tests/bot/test_report.py).

The storage-facing tests run on SQLite and PostgreSQL (`db`); the command-line tests run the real
`ops.cli` against a temporary SQLite database.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from core import calendar
from integrations import sipd as exchange
from storage import audit, messages, proposals, review
from storage import sipd as queries
from storage.db import Database
from tests.seeding import CHANNELS, PERSONAL, ROAD_ITEM, seed

ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc
def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


# --- Export ---------------------------------------------------------------------------------------


async def test_export_rows_are_the_years_proposals_with_public_reasons(db: Database) -> None:
    s = await seed(db)
    rows = {r.code: r for r in await queries.export_rows(db, 2026)}
    assert set(rows) == {s.a, s.b, s.c, s.d}  # C is 2026 in WIB; E is 2025
    assert {r.code for r in await queries.export_rows(db)} == {s.a, s.b, s.c, s.d, s.e}
    assert rows[s.a].stage_reasons == {"kelurahan": "Lokasi sudah dicek", "kecamatan": "Disepakati forum",
                                       "skpd": "Masuk RKPD 2027"}
    assert rows[s.a].last_reason is None  # direalisasikan came without a reason
    assert rows[s.b].stage_reasons == {"kecamatan": "Sudah ada program normalisasi"}
    assert rows[s.b].last_reason == "Sudah ada program normalisasi"
    assert rows[s.d].stage_reasons == {"kelurahan": "Jalan kabupaten, bukan usulan desa"}
    assert rows[s.c].created_at == datetime(2025, 12, 31, 17, 30, tzinfo=UTC)


async def test_csv_export_has_sipd_columns_in_order_and_no_personal_data(db: Database) -> None:
    s = await seed(db)
    out = io.StringIO()
    assert exchange.write_csv(await exchange.export_records(db, 2026), out) == 4
    text = out.getvalue()
    rows = _csv_rows(text)
    assert rows[0] == list(exchange.COLUMNS)
    assert rows[0][:3] == ["ID Usulan", "Tanggal Usul", "Pengusul"] and rows[0][-1] == "Sub Kegiatan"
    by_code = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    a = by_code[s.a]
    assert a == {**dict.fromkeys(exchange.COLUMNS, ""), **{
        "ID Usulan": s.a, "Tanggal Usul": "2026-03-01", "Pengusul": "Warga (e-Musrenbang chat)",
        "Usulan": ROAD_ITEM.name, "Masalah": "Jalan berlubang di depan masjid",
        "Alamat": "RT 03/RW 05, Condongcatur", "Kabupaten": "Kabupaten Sleman", "Kecamatan": "Depok",
        "Kelurahan": "Condongcatur", "Status": "Direalisasikan", "Rekomendasi Kelurahan": "Lokasi sudah dicek",
        "Rekomendasi Kecamatan": "Disepakati forum", "Rekomendasi SKPD": "Masuk RKPD 2027",
        "Satuan": ROAD_ITEM.unit}}
    c = by_code[s.c]
    assert (c["Tanggal Usul"], c["Usulan"], c["Alamat"], c["Kecamatan"], c["Status"], c["Satuan"]) == (
        "2026-01-01", "Lampu jalan", "Balecatur", "Gamping", "Diajukan", "")
    assert by_code[s.b]["Status"] == "Ditolak" and by_code[s.b]["Catatan"] == "Sudah ada program normalisasi"
    assert by_code[s.b]["Masalah"] == "'=1+1 selokan mampet tiap hujan"  # no formula for Excel to run
    assert by_code[s.b]["Alamat"] == "RT 01, Condongcatur"
    for secret in PERSONAL:
        assert secret not in text


async def test_xlsx_export_has_the_same_columns_and_text_cells_only(db: Database) -> None:
    s = await seed(db)
    out = io.BytesIO()
    assert exchange.write_xlsx(await exchange.export_records(db, 2026), out) == 4
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet.title == "Usulan"
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == list(exchange.COLUMNS)
    by_code = {r[0]: dict(zip(values[0], r, strict=True)) for r in values[1:]}
    a = by_code[s.a]
    assert a["Tanggal Usul"] == datetime(2026, 3, 1)  # a real date cell
    assert (a["Usulan"], a["Satuan"], a["Kecamatan"], a["Status"], a["Rekomendasi SKPD"]) == (
        ROAD_ITEM.name, ROAD_ITEM.unit, "Depok", "Direalisasikan", "Masuk RKPD 2027")
    assert a["Volume"] is None and a["Anggaran"] is None and a["OPD Tujuan Awal"] is None
    b_row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == s.b)
    assert b_row[5].value == "=1+1 selokan mampet tiap hujan" and b_row[5].data_type == "s"
    cells = " ".join(str(v) for row in values for v in row if v is not None)
    for secret in PERSONAL:
        assert secret not in cells


# --- Import ---------------------------------------------------------------------------------------


async def test_import_moves_statuses_notifies_and_reports_bad_rows_by_line(db: Database, tmp_path: Path) -> None:
    s = await seed(db)
    path = tmp_path / "sipd.csv"
    path.write_text(
        "ID Usulan,Status,Catatan\n"
        f'{s.c},Diverifikasi desa/kelurahan,"Sudah dicek\nbersama RT"\n'  # lines 2-3
        f"{s.a},Direalisasikan,\n"  # 4: already there
        "USL-000000,Masuk RKPD,\n"  # 5: unknown proposal
        f"{s.d},masuk_rkpd,\n"  # 6: ditolak is closed
        f"{s.c},Ditolak,\n"  # 7: a rejection needs a reason
        "bukan kode,Ditolak,x\n"  # 8
        f"{s.e},Status aneh,\n"  # 9
        "\n"
        f"{s.e.lower().replace('-', ' ')},DIBAHAS DI MUSRENBANG KECAMATAN,Dibahas 12 Maret\n",  # 11
        encoding="utf-8",
    )
    summary = await exchange.import_statuses(db, path)
    assert (summary.rows, summary.changed, summary.unchanged) == (8, 2, 1)
    assert [(e["line"], e["code"]) for e in summary.errors] == [
        (5, "USL-000000"), (6, s.d), (7, s.c), (8, "bukan kode"), (9, s.e)]
    errors = {e["line"]: e["error"] for e in summary.errors}
    assert "unknown proposal" in errors[5]
    assert "cannot move from 'ditolak' to 'masuk_rkpd'" in errors[6] and "none (closed)" in errors[6]
    assert "needs a reason" in errors[7]
    assert "not a tracking code" in errors[8] and "unknown status" in errors[9]
    assert summary.changes == [{"line": 2, "code": s.c, "from": "diajukan", "to": "diverifikasi_desa"},
                               {"line": 11, "code": s.e, "from": "diverifikasi_desa", "to": "dibahas_kecamatan"}]

    detail = await review.proposal_detail(db, s.c)
    assert detail.status == "diverifikasi_desa"
    assert (detail.history[-1].actor, detail.history[-1].reason) == ("sipd-import", "Sudah dicek\nbersama RT")
    assert (await proposals.get_proposal(db, s.d)).status == "ditolak"
    news = await messages.claim_outgoing(db, CHANNELS, limit=100)
    assert sorted((n.channel, n.recipient, n.kind) for n in news) == [("telegram", "tg-77", "notification")] * 2
    assert any(s.c in n.payload["text"] and "Sudah dicek" in n.payload["text"] for n in news)

    again = await exchange.import_statuses(db, path)
    assert (again.changed, again.unchanged, len(again.errors)) == (0, 3, 5)
    assert await messages.claim_outgoing(db, CHANNELS, limit=100) == []
    assert len((await review.proposal_detail(db, s.c)).history) == len(detail.history)


async def test_import_of_an_xlsx_file_and_of_an_unchanged_export(db: Database, tmp_path: Path) -> None:
    s = await seed(db)
    exported = tmp_path / "export.csv"
    with exported.open("w", encoding="utf-8-sig", newline="") as handle:
        exchange.write_csv(await exchange.export_records(db), handle)
    same = await exchange.import_statuses(db, exported)
    assert (same.rows, same.changed, same.unchanged, same.errors) == (5, 0, 5, [])

    path = tmp_path / "sipd.xlsx"
    exchange.write_xlsx(await exchange.export_records(db), path)
    book = load_workbook(path)
    sheet = book.active
    status_column = exchange.COLUMNS.index("Status") + 1
    reason_column = exchange.COLUMNS.index("Catatan") + 1
    lines = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(row=lines[s.c], column=status_column).value = "Perlu perbaikan"
    sheet.cell(row=lines[s.c], column=reason_column).value = "Mohon lengkapi foto lokasi"
    sheet.cell(row=lines[s.e], column=status_column).value = "Masuk RKPD"
    book.save(path)
    summary = await exchange.import_statuses(db, path)
    assert (summary.changed, summary.unchanged) == (1, 3)
    assert [(e["line"], e["code"]) for e in summary.errors] == [(lines[s.e], s.e)]
    assert (await proposals.get_proposal(db, s.c)).last_reason == "Mohon lengkapi foto lokasi"
    news = await messages.claim_outgoing(db, ("telegram",), recipient="tg-77")
    assert len(news) == 1 and news[0].payload["buttons"]  # "fix your proposal" button for the submitter
    assert (await exchange.import_statuses(db, path)).changed == 0


async def test_semicolon_csv_and_a_file_without_the_needed_columns(db: Database, tmp_path: Path) -> None:
    s = await seed(db)
    path = tmp_path / "excel.csv"
    path.write_text(f"\ufeffID Usulan;Status;Catatan\r\n{s.c};diverifikasi_desa;ok\r\n", encoding="utf-8")
    assert (await exchange.import_statuses(db, path)).changed == 1
    wrong = _write_csv(tmp_path / "wrong.csv", [["Kode", "Keadaan"], [s.c, "Ditolak"]])
    with pytest.raises(exchange.ImportFormatError, match="ID Usulan, Status"):
        await exchange.import_statuses(db, wrong)
    empty = tmp_path / "empty.xlsx"
    Workbook().save(empty)
    with pytest.raises(exchange.ImportFormatError, match="empty"):
        await exchange.import_statuses(db, empty)


def test_status_is_read_from_its_code_or_its_indonesian_label() -> None:
    assert exchange.parse_status("masuk_rkpd") == exchange.parse_status(" Masuk RKPD ") == "masuk_rkpd"
    assert exchange.parse_status("Diverifikasi perangkat daerah (OPD)") == "diverifikasi_opd"
    assert exchange.parse_status("dibahas kecamatan") == "dibahas_kecamatan"
    assert exchange.parse_status("Disetujui") is None and exchange.parse_status("") is None


# --- The commands ---------------------------------------------------------------------------------


def _cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "MUSRENBANG_REGION": "34.04"}
    return subprocess.run([sys.executable, "-m", "ops.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=180)


async def test_commands_export_import_and_report(sqlite_db_url: str, tmp_path: Path) -> None:
    database = Database(sqlite_db_url)
    try:
        s = await seed(database)
    finally:
        await database.dispose()

    for file_format in ("csv", "xlsx"):
        out = tmp_path / f"usulan.{file_format}"
        done = _cli(sqlite_db_url, "export", "sipd", "--format", file_format, "--year", "2026", "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == {"file": str(out), "format": file_format, "year": 2026, "rows": 4}
    raw = (tmp_path / "usulan.csv").read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"ID Usulan","Tanggal Usul","Pengusul",')  # BOM: Excel reads UTF-8
    assert load_workbook(tmp_path / "usulan.xlsx").active.max_row == 5
    streamed = _cli(sqlite_db_url, "export", "sipd", "--out", "-")
    assert streamed.returncode == 0 and len(_csv_rows(streamed.stdout)) == 6

    good = _write_csv(tmp_path / "good.csv", [["ID Usulan", "Status", "Catatan"],
                                              [s.c, "Diverifikasi desa/kelurahan", "Lengkap"]])
    done = _cli(sqlite_db_url, "import", "sipd", str(good))
    assert done.returncode == 0, done.stderr
    assert {k: json.loads(done.stdout)[k] for k in ("changed", "unchanged", "errors")} == {
        "changed": 1, "unchanged": 0, "errors": []}
    again = json.loads(_cli(sqlite_db_url, "import", "sipd", str(good)).stdout)
    assert (again["changed"], again["unchanged"]) == (0, 1)

    bad = _write_csv(tmp_path / "bad.csv", [["ID Usulan", "Status", "Catatan"], [s.d, "Direalisasikan", ""],
                                            [s.e, "Dibahas di Musrenbang kecamatan", ""]])
    done = _cli(sqlite_db_url, "import", "sipd", str(bad))
    answer = json.loads(done.stdout)
    assert done.returncode == 1 and "1 of 2 rows" in done.stderr
    assert (answer["changed"], [e["line"] for e in answer["errors"]]) == (1, [2])
    missing = _cli(sqlite_db_url, "import", "sipd", str(tmp_path / "nothing.csv"))
    assert missing.returncode == 1 and "no such file" in missing.stderr

    database = Database(sqlite_db_url)
    try:
        imports = await audit.entries(database, action="sipd_import")
    finally:
        await database.dispose()
    assert len(imports) == 3 and imports[0].actor == "sipd-import"

    report = tmp_path / "laporan.html"
    done = _cli(sqlite_db_url, "report", "--year", "2026", "--out", str(report))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"year": 2026, "html": str(report)}
    assert "Kabupaten Sleman" in report.read_text(encoding="utf-8")


def test_dates_in_the_export_are_wib_dates() -> None:
    row = queries.ExportRow("USL-AAAAAA", datetime(2026, 6, 30, 18, tzinfo=UTC), "x", "lainnya", None,
                            "34.04.07.2003", None, None, "diajukan", None)
    assert exchange.record(row)["Tanggal Usul"] == date(2026, 7, 1)
    assert calendar.year_bounds(2026) == (datetime(2025, 12, 31, 17, tzinfo=UTC),
                                         datetime(2026, 12, 31, 17, tzinfo=UTC))
