"""SIPD e-Musrenbang exchange: CSV/XLSX usulan files in SIPD's own layout, both ways.

Bappeda keeps SIPD as the system of record; the export lets it take the chat's proposals in
SIPD's usulan layout (no personal data), and the import brings SIPD's decisions back so citizens
hear about them (every imported change goes through `workflows.status`, the path of every writer:
history row plus notification).
"""

from integrations.sipd.export import export_records, record, write_csv, write_xlsx
from integrations.sipd.importer import ImportFormatError, ImportSummary, import_statuses, parse_status
from integrations.sipd.layout import COLUMNS, FORMATS, IMPORT_ACTOR, PENGUSUL, SHEET_TITLE, detect_format

__all__ = [
    "COLUMNS", "FORMATS", "IMPORT_ACTOR", "PENGUSUL", "SHEET_TITLE", "ImportFormatError", "ImportSummary",
    "detect_format", "export_records", "import_statuses", "parse_status", "record", "write_csv", "write_xlsx",
]
