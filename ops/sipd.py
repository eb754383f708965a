"""SIPD e-Musrenbang exchange (CSV/XLSX usulan files) and the yearly evaluation report (HTML, PDF).

Bappeda keeps SIPD as the system of record; this module lets it take the chat's proposals in
SIPD's own usulan layout, and bring SIPD's decisions back so citizens hear about them (every
imported change goes through storage.repo.change_status: history row plus notification).
File formats live here, in the app environment only: storage/ and core/ also run under Rasa's
Python 3.10 and must not depend on openpyxl.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO

from core import kamus, regions, texts, tracking
from core import status as status_rules
from core.roles import WIB
from core.sectors import SECTORS
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
        "Tanggal Usul": row.created_at.astimezone(WIB).date(),
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


# --- Yearly evaluation report ---------------------------------------------------------------------

VERIFIED: frozenset[str] = frozenset(status_rules.STAGES[1:])
IN_RKPD: frozenset[str] = frozenset({"masuk_rkpd", "direalisasikan"})
REALISED: frozenset[str] = frozenset({"direalisasikan"})


@dataclass(frozen=True)
class Indicators:
    """The evaluation's numbers for one group (a kecamatan, a sector, or everything)."""

    label: str
    proposals: int
    proposers: int
    verified: int
    in_rkpd: int
    realised: int
    avg_days_to_verification: float | None

    def share(self, count: int) -> float | None:
        return round(100.0 * count / self.proposals, 1) if self.proposals else None


def indicators(label: str, rows: list[queries.ReportRow]) -> Indicators:
    """Counts over `rows`; a proposal counts as verified once it has passed desa verification."""
    waits = [(r.first_verified_at - r.created_at).total_seconds() / 86400 for r in rows if r.first_verified_at]
    return Indicators(
        label=label,
        proposals=len(rows),
        proposers=len({r.citizen_id for r in rows}),
        verified=sum(bool(r.reached & VERIFIED) for r in rows),
        in_rkpd=sum(bool(r.reached & IN_RKPD) for r in rows),
        realised=sum(bool(r.reached & REALISED) for r in rows),
        avg_days_to_verification=round(sum(waits) / len(waits), 1) if waits else None,
    )


def grouped(rows: list[queries.ReportRow], key: Callable[[queries.ReportRow], str],
            groups: list[tuple[str, str]], label_of: Callable[[str], str] = str) -> list[Indicators]:
    """Indicators per group, in the order of `groups` (key, label), then groups found only in the data."""
    buckets: dict[str, list[queries.ReportRow]] = {}
    for row in rows:
        buckets.setdefault(key(row), []).append(row)
    labels = dict(groups)
    order = [k for k, _ in groups] + sorted(k for k in buckets if k not in labels)
    return [indicators(labels.get(k) or label_of(k), buckets.get(k, [])) for k in order]


@dataclass(frozen=True)
class Report:
    year: int
    region_name: str
    total: Indicators
    per_kecamatan: list[Indicators]
    per_sector: list[Indicators]
    generated_at: datetime


async def build_report(db: Database, year: int, region_code: str, now: datetime | None = None) -> Report:
    """Every kecamatan of the deployment's kabupaten and every sector, also those with no proposal:
    a place that sends nothing is a finding too."""
    gazetteer = regions.gazetteer()
    rows = await queries.report_rows(db, year)
    kecamatans = sorted(((k.code, k.name) for k in gazetteer.kecamatans(region_code)), key=lambda item: item[1])
    sectors = [(s, texts.sector_label(s)) for s in SECTORS]
    per_kecamatan = grouped(rows, lambda r: r.village_code[:8], kecamatans, gazetteer.name_of)
    return Report(year, gazetteer.name_of(region_code), indicators("Seluruh kabupaten/kota", rows), per_kecamatan,
                  grouped(rows, lambda r: r.sector, sectors, texts.sector_label), now or datetime.now(timezone.utc))


def _number(value: float | None, suffix: str = "") -> str:
    if value is None:
        return "–"
    text = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
    return text.replace(",", "\u2009").replace(".", ",") + suffix  # Indonesian: decimal comma


def _table(title: str, first_column: str, rows: list[Indicators], total: Indicators) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in (
        first_column, "Usulan", "Pengusul", "Terverifikasi", "Masuk RKPD", "Terealisasi",
        "Rata-rata hari sampai verifikasi"))

    def line(item: Indicators, css: str = "") -> str:
        cells = [
            f"<td class='label'>{html.escape(item.label)}</td>",
            f"<td>{_number(item.proposals)}</td>",
            f"<td>{_number(item.proposers)}</td>",
            f"<td>{_number(item.share(item.verified), ' %')}</td>",
            f"<td>{_number(item.share(item.in_rkpd), ' %')}</td>",
            f"<td>{_number(item.share(item.realised), ' %')}</td>",
            f"<td>{_number(item.avg_days_to_verification)}</td>",
        ]
        empty = " empty" if not item.proposals else ""
        return f"<tr class='{css}{empty}'>{''.join(cells)}</tr>"

    body = "".join(line(item) for item in rows)
    return (f"<h2>{html.escape(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
            f"<tfoot>{line(total, 'total')}</tfoot></table>")


STYLE = """
@page { size: A4; margin: 14mm; }
body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: #1f2933; margin: 2rem; font-size: 11pt; }
h1 { font-size: 18pt; margin: 0 0 .2rem; color: #0b4f6c; }
h2 { font-size: 13pt; margin: 1.6rem 0 .5rem; color: #0b4f6c; }
.meta { color: #52606d; margin: 0 0 1rem; }
.cards { display: flex; gap: .8rem; flex-wrap: wrap; margin: 1rem 0; }
.card { border: 1px solid #cbd2d9; border-radius: 6px; padding: .6rem .9rem; min-width: 8rem; }
.card b { display: block; font-size: 16pt; color: #0b4f6c; }
table { border-collapse: collapse; width: 100%; page-break-inside: auto; }
th, td { border: 1px solid #cbd2d9; padding: .3rem .5rem; text-align: right; }
th { background: #e4f0f6; font-weight: 600; }
td.label, th:first-child { text-align: left; }
tr { page-break-inside: avoid; }
tr.empty td { color: #9aa5b1; }
tfoot td { font-weight: 700; background: #f5f7fa; }
.notes { color: #52606d; font-size: 9.5pt; margin-top: 1.5rem; }
"""


def render_html(report: Report) -> str:
    """Self-contained Indonesian HTML (inline CSS, no scripts or outside files), printable to PDF."""
    total = report.total
    title = f"Laporan Evaluasi Musrenbang {report.year} — {report.region_name}"
    cards = "".join(
        f"<div class='card'>{html.escape(name)}<b>{value}</b></div>" for name, value in (
            ("Usulan", _number(total.proposals)),
            ("Pengusul", _number(total.proposers)),
            ("Terverifikasi", _number(total.share(total.verified), " %")),
            ("Masuk RKPD", _number(total.share(total.in_rkpd), " %")),
            ("Terealisasi", _number(total.share(total.realised), " %")),
            ("Rata-rata hari sampai verifikasi", _number(total.avg_days_to_verification)),
        ))
    generated = texts.date(report.generated_at.astimezone(WIB))
    notes = (
        "<div class='notes'><p><b>Catatan cara hitung.</b> Usulan: usulan yang diajukan lewat e-Musrenbang "
        f"pada tahun {report.year} (WIB). Pengusul: warga berbeda yang mengajukan usulan (pendukung tidak "
        "dihitung). Terverifikasi: usulan yang pernah lolos verifikasi desa/kelurahan (termasuk yang kemudian "
        "lanjut ke tahap berikutnya). Masuk RKPD: usulan yang pernah berstatus Masuk RKPD atau Direalisasikan. "
        "Terealisasi: usulan yang berstatus Direalisasikan. Persentase dihitung terhadap jumlah usulan pada "
        "baris yang sama. Rata-rata hari sampai verifikasi: dari pengajuan sampai pertama kali diverifikasi "
        "desa/kelurahan, hanya untuk usulan yang sudah diverifikasi. Tanda – berarti belum ada data.</p></div>"
    )
    return (
        "<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p class='meta'>Indikator partisipasi dan tindak lanjut usulan warga · dibuat {html.escape(generated)}</p>"
        f"<div class='cards'>{cards}</div>"
        + _table("Per kecamatan", "Kecamatan", report.per_kecamatan, total)
        + _table("Per bidang", "Bidang", report.per_sector, total)
        + notes + "</body></html>"
    )


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html_file: Path, pdf_file: Path, timeout_s: int = 120) -> str | None:
    """Print the HTML with headless Chromium; the reason it could not, or None when the PDF is there."""
    browser = chromium_binary()
    if browser is None:
        return "no Chromium found (install Debian's chromium package for --pdf); the HTML report is written"
    with tempfile.TemporaryDirectory(prefix="musrenbang-pdf-") as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                   "--print-to-pdf-no-header", f"--user-data-dir={profile}",
                   f"--print-to-pdf={pdf_file.resolve()}", html_file.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            return f"Chromium did not finish within {timeout_s} s"
    if not pdf_file.exists() or pdf_file.stat().st_size == 0:
        return f"Chromium made no PDF (exit {done.returncode}): {done.stderr.strip()[-300:]}"
    return None


def summary_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
