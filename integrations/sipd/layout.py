"""SIPD's usulan file layout, shared by the export and the import."""

from __future__ import annotations

from pathlib import Path

from core.language.fold import fold
from core.language.words import WORD_RE

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
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def key(text: str) -> str:
    """A header or status as compared: case, accents and punctuation ignored."""
    return " ".join(WORD_RE.findall(fold(text)))


def detect_format(path: Path, file_format: str | None = None) -> str:
    if file_format:
        return file_format
    suffix = path.suffix.lower().lstrip(".")
    return "xlsx" if suffix in ("xlsx", "xlsm") else "csv"
