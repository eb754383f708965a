"""SIPD's decisions back into the assistant: the Status (and Catatan, as the reason) of every row of
a usulan file, applied on the path of every status change (`workflows.status`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from core import status as status_rules
from core import texts, tracking
from integrations.sipd.layout import FORMULA_START, IMPORT_ACTOR, SHEET_TITLE, detect_format, key
from storage import sipd as queries
from storage.db import Database
from workflows import status as status_flow


class ImportFormatError(ValueError):
    """The file cannot be read as a SIPD usulan file at all (no rows are applied)."""


_STATUS_BY_KEY: dict[str, str] = {}
for _status in status_rules.ALL:
    _STATUS_BY_KEY[key(_status)] = _status.value
    _STATUS_BY_KEY[key(texts.status_label(_status, "id"))] = _status.value


def parse_status(text: str) -> str | None:
    """A status code from its code ("masuk_rkpd") or Indonesian label ("Masuk RKPD"), any case."""
    return _STATUS_BY_KEY.get(key(text))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    # Undo the export's CSV-injection guard.
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


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
        await status_flow.change_status(db, None, code, target, reason, actor=actor, expected_status=old, imported=True)
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
    position = {key(name): index for index, name in enumerate(header)}
    missing = [name for name in ("ID Usulan", "Status") if key(name) not in position]
    if missing:
        raise ImportFormatError(f"line {header_line}: no column {', '.join(missing)} in the header")
    code_at, status_at = position[key("ID Usulan")], position[key("Status")]
    reason_at = position.get(key("Catatan"))
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
