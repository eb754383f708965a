"""Proposals in SIPD's usulan columns, written as CSV or XLSX that no cell can turn into a formula."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import IO

from core import calendar, kamus, regions, texts
from integrations.sipd.layout import COLUMNS, FORMULA_START, PENGUSUL, SHEET_TITLE
from storage import sipd as queries
from storage.db import Database


def _address(row: queries.ExportRow, village: str) -> str:
    parts = [f"RT {row.rt}" if row.rt else "", f"RW {row.rw}" if row.rw else ""]
    neighbourhood = "/".join(p for p in parts if p)
    return ", ".join(p for p in (neighbourhood, village) if p)


def record(row: queries.ExportRow, gazetteer: regions.Gazetteer | None = None) -> dict[str, str | date]:
    """One proposal in SIPD's columns; what the chat does not collect stays empty."""
    gazetteer = gazetteer or regions.gazetteer()
    item = kamus.item(row.item_code) if row.item_code else None
    kecamatan = gazetteer.kecamatan_of(row.village_code)
    kabupaten = gazetteer.kabupaten_of(row.village_code)
    village = gazetteer.name_of(row.village_code)
    values: dict[str, str | date] = dict.fromkeys(COLUMNS, "")
    values.update({
        "ID Usulan": row.code,
        "Tanggal Usul": calendar.local(row.created_at).date(),
        "Pengusul": PENGUSUL,
        "Usulan": item.name if item else texts.sector_label(row.sector),
        "Masalah": row.description,
        "Alamat": _address(row, village),
        "Kabupaten": kabupaten.name if kabupaten else "",
        "Kecamatan": kecamatan.name if kecamatan else "",
        "Kelurahan": village,
        "Status": texts.status_label(row.status),
        "Catatan": row.last_reason or "",
        "Rekomendasi Kelurahan": row.stage_reasons.get("kelurahan", ""),
        "Rekomendasi Kecamatan": row.stage_reasons.get("kecamatan", ""),
        "Rekomendasi SKPD": row.stage_reasons.get("skpd", ""),
        "Satuan": item.unit if item else "",
    })
    return values


async def export_records(db: Database, year: int | None = None) -> list[dict[str, str | date]]:
    gazetteer = regions.gazetteer()
    return [record(row, gazetteer) for row in await queries.export_rows(db, year)]


def _csv_safe(value: str | date) -> str:
    """ISO dates; a leading apostrophe before formula characters, also behind leading blanks (OWASP CSV
    injection advice)."""
    text = value.isoformat() if isinstance(value, date) else value
    return "'" + text if text.lstrip().startswith(FORMULA_START) else text


def write_csv(records: Iterable[dict[str, str | date]], handle: IO[str]) -> int:
    """Comma-separated, header first; returns the number of proposals written.

    Every cell is quoted: a spreadsheet opened with `;` as its separator (the Indonesian locale's) would
    otherwise split "Jalan rusak;=1+1" into a second cell that starts with "=", past the guard."""
    writer = csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    count = 0
    for values in records:
        writer.writerow([_csv_safe(values[column]) for column in COLUMNS])
        count += 1
    return count


def write_xlsx(records: Iterable[dict[str, str | date]], target: Path | IO[bytes]) -> int:
    """One sheet "Usulan"; every text cell is stored as text, so nothing a citizen wrote is a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for row_number, values in enumerate(records, start=2):
        for column_number, column in enumerate(COLUMNS, start=1):
            value = values[column]
            cell = sheet.cell(row=row_number, column=column_number)
            if isinstance(value, date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            elif value:
                cell.value = value
                cell.data_type = "s"  # openpyxl would otherwise take "=..." for a formula
        count += 1
    sheet.freeze_panes = "A2"
    for letter, width in (("A", 12), ("B", 12), ("E", 28), ("F", 48), ("G", 28), ("N", 30), ("O", 40)):
        sheet.column_dimensions[letter].width = width
    book.save(target)
    return count
