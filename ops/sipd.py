"""SIPD e-Musrenbang exchange: CSV/XLSX usulan files out, SIPD's decisions back in.

Bappeda keeps SIPD as the system of record; this module lets it take the chat's proposals in
SIPD's own usulan layout, and bring SIPD's decisions back so citizens hear about them (every
imported change goes through storage.repo.change_status: history row plus notification).
File formats live here, in the app environment only: storage/ and core/ also run under Rasa's
Python 3.10 and must not depend on openpyxl.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO

from core import calendar, kamus, regions, texts, tracking
from core import status as status_rules
from storage import repo
from storage import sipd as queries
from storage.db import Database

# SIPD's usulan columns, in SIPD's order.
COLUMNS: tuple[str, ...] = (
    "ID Usulan", "Tanggal Usul", "Pengusul", "Profil", "Usulan", "Masalah", "Alamat", "Kabupaten", "Kecamatan",
    "Kelurahan", "Usulan ke", "OPD Tujuan Awal", "OPD Tujuan Akhir", "Status", "Catatan", "Rekomendasi Mitra",
    "Rekomendasi Kelurahan", "Rekomendasi Kecamatan", "Rekomendasi SKPD", "Rekomendasi TAPD", "Volume", "Satuan",
    "Anggaran", "Jenis Belanja", "Sub Kegiatan",
)
# Who proposed, as SIPD shows it: the channel, never the citizen's name or phone number.
PENGUSUL = "Warga (e-Musrenbang chat)"
IMPORT_ACTOR = "sipd-import"
FORMATS: tuple[str, ...] = ("csv", "xlsx")
SHEET_TITLE = "Usulan"
# A cell starting with one of these is a formula to Excel: citizens' text must not run there.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


# --- Export ---------------------------------------------------------------------------------------


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
    """ISO dates; a leading apostrophe before formula characters (OWASP CSV injection advice)."""
    text = value.isoformat() if isinstance(value, date) else value
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(records: Iterable[dict[str, str | date]], handle: IO[str]) -> int:
    """Comma-separated, header first; returns the number of proposals written."""
    writer = csv.writer(handle, lineterminator="\r\n")
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


# --- Import ---------------------------------------------------------------------------------------


class ImportFormatError(ValueError):
    """The file cannot be read as a SIPD usulan file at all (no rows are applied)."""


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return _NON_ALNUM.sub(" ", folded).strip()


_STATUS_BY_KEY: dict[str, str] = {}
for _status in status_rules.ALL:
    _STATUS_BY_KEY[_key(_status)] = _status
    _STATUS_BY_KEY[_key(texts.status_label(_status, "id"))] = _status


def parse_status(text: str) -> str | None:
    """A status code from its code ("masuk_rkpd") or Indonesian label ("Masuk RKPD"), any case."""
    return _STATUS_BY_KEY.get(_key(text))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    # Undo the export's CSV-injection guard.
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def _sheet_rows(path: Path, file_format: str) -> Iterator[tuple[int, list[str]]]:
    """(line number in the file, cells) of every row, header included, blank rows left out."""
    if file_format == "xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # zipfile, XML and openpyxl each raise their own
            raise ImportFormatError(f"not a readable XLSX file: {error}") from error
        try:
            sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                values = [_cell_text(c) for c in cells]
                if any(values):
                    yield number, values
        finally:
            book.close()
        return
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFormatError(f"not UTF-8 text: {error}") from error
    first_line = content.split("\n", 1)[0]
    # Excel in an Indonesian locale saves with semicolons.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    ended = 0
    for cells in reader:
        start, ended = ended + 1, reader.line_num  # a quoted cell may span several lines
        values = [_cell_text(c) for c in cells]
        if any(values):
            yield start, values


@dataclass
class ImportSummary:
    file: str
    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def detect_format(path: Path, file_format: str | None = None) -> str:
    if file_format:
        return file_format
    suffix = path.suffix.lower().lstrip(".")
    return "xlsx" if suffix in ("xlsx", "xlsm") else "csv"


async def _apply_row(db: Database, summary: ImportSummary, current: dict[str, str], line: int, code: str | None,
                     raw_code: str, raw_status: str, reason: str | None, actor: str) -> str | None:
    """Apply one row; what is wrong with it, or None when it changed or needed no change."""
    if code is None:
        return f"not a tracking code: {raw_code!r}" if raw_code else "no ID Usulan"
    target = parse_status(raw_status)
    if target is None:
        return f"unknown status {raw_status!r}" if raw_status else "no Status"
    old = current.get(code)
    if old is None:
        return f"unknown proposal {code}"
    if old == target:
        summary.unchanged += 1
        return None
    try:
        await repo.change_status(db, code, target, actor, reason=reason, expected_status=old)
    except status_rules.TransitionError as problem:
        if target in status_rules.allowed_next(old):  # a missing reason, or moved meanwhile
            return str(problem)
        allowed = ", ".join(status_rules.allowed_next(old)) or "none (closed)"
        return f"{problem} (allowed from {old!r}: {allowed})"
    except LookupError:
        return f"unknown proposal {code}"
    current[code] = target
    summary.changed += 1
    summary.changes.append({"line": line, "code": code, "from": old, "to": target})
    return None


async def import_statuses(db: Database, path: Path, file_format: str | None = None,
                          actor: str = IMPORT_ACTOR) -> ImportSummary:
    """Apply the Status (and Catatan, as the reason) of every row; bad rows are reported, not fatal.

    A row whose proposal already has that status changes nothing, so importing a file twice
    is harmless. Moves follow core.status one step at a time, exactly as an officer would make them.
    """
    summary = ImportSummary(file=str(path))
    rows = _sheet_rows(path, detect_format(path, file_format))
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise ImportFormatError("the file is empty") from None
    position = {_key(name): index for index, name in enumerate(header)}
    missing = [name for name in ("ID Usulan", "Status") if _key(name) not in position]
    if missing:
        raise ImportFormatError(f"line {header_line}: no column {', '.join(missing)} in the header")
    code_at, status_at = position[_key("ID Usulan")], position[_key("Status")]
    reason_at = position.get(_key("Catatan"))
    body = list(rows)
    summary.rows = len(body)

    def cell(cells: list[str], index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    codes = [tracking.normalise(cell(cells, code_at)) for _, cells in body]
    current = await queries.current_statuses(db, [c for c in codes if c])
    for (line, cells), code in zip(body, codes, strict=True):
        raw_code, raw_status = cell(cells, code_at), cell(cells, status_at)
        problem = await _apply_row(db, summary, current, line, code, raw_code, raw_status,
                                   cell(cells, reason_at) or None, actor)
        if problem:
            summary.errors.append({"line": line, "code": code or raw_code, "status": raw_status, "error": problem})
    return summary


def summary_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
