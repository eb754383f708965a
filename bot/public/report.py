"""The yearly evaluation report: the dashboard's year as one printable, self-contained HTML page.

It reads the same numbers as the dashboard (storage.reports) and renders them with the dashboard's
own template macros (summary cards and SVG bar charts), adding the indicators per kecamatan and per
sector. Inline CSS only, no scripts, links or outside files, so it opens offline and prints to PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from bot.public import area_map, common
from core import calendar, settings
from storage import reports
from storage.db import Database

TEMPLATE = "report.html"
REPORT_CSS = ("public.css", "area_map.css")  # inlined: the printed report links nothing


@dataclass(frozen=True)
class YearReport:
    region: str
    region_name: str
    data: reports.Dashboard
    generated_at: datetime
    maps: area_map.YearMaps | None = None  # proposals per kecamatan and desa as shaded maps
    baseline_days: float = 0.0  # the manual process's days to verification (VERIFICATION_BASELINE_DAYS)

    @property
    def year(self) -> int:
        return self.data.year

    @property
    def per_kecamatan(self) -> list[reports.AreaCount]:
        """Every kecamatan of the region, also those with no proposal (a place that sends nothing is a
        finding too), by name."""
        return sorted(self.data.by_kecamatan, key=lambda row: (row.name, row.code))


async def build(db: Database, region: str, year: int, now: datetime | None = None,
                baseline_days: float | None = None) -> YearReport:
    if baseline_days is None:
        baseline_days = settings.load().verification_baseline_days
    data = await reports.dashboard(db, region, year)
    return YearReport(region, common.region_name(region), data, now or calendar.now_utc(),
                      await area_map.year_maps(db, region, data, linked=False), baseline_days=baseline_days)


def render(report: YearReport) -> str:
    """Indonesian HTML, printable to PDF; the dashboard's stylesheets are inlined so the charts and maps look
    the same."""
    css = Markup("\n".join((common.STATIC / name).read_text(encoding="utf-8") for name in REPORT_CSS))
    return common.make_environment().get_template(TEMPLATE).render(
        report=report, data=report.data, year=report.year, region_name=report.region_name, css=css,
        generated=calendar.datetime_text(report.generated_at), zone=calendar.zone_name(),
    )
