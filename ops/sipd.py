"""The yearly evaluation report (HTML, PDF). The SIPD exchange itself (CSV/XLSX usulan files) is
the `integrations.sipd` package.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from core import regions, texts
from core import status as status_rules
from core.roles import WIB
from core.sectors import SECTORS
from storage import sipd as queries
from storage.db import Database

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
