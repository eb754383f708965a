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
from core import calendar
from storage import reports
from storage.db import Database

TEMPLATE = "report.html"


@dataclass(frozen=True)
class YearReport:
    region: str
    region_name: str
    data: reports.Dashboard
    generated_at: datetime
    maps: area_map.YearMaps | None = None  # proposals per kecamatan and desa as shaded maps

    @property
    def year(self) -> int:
        return self.data.year

    @property
    def per_kecamatan(self) -> list[reports.AreaCount]:
        """Every kecamatan of the region, also those with no proposal (a place that sends nothing is a
        finding too), by name."""
        return sorted(self.data.by_kecamatan, key=lambda row: (row.name, row.code))


async def build(db: Database, region: str, year: int, now: datetime | None = None) -> YearReport:
    data = await reports.dashboard(db, region, year)
    return YearReport(region, common.region_name(region), data, now or calendar.now_utc(),
                      await area_map.year_maps(db, region, data, linked=False))


def render(report: YearReport) -> str:
    """Indonesian HTML, printable to PDF; the dashboard's stylesheet is inlined so the charts look the same."""
    css = Markup((common.STATIC / "public.css").read_text(encoding="utf-8"))
    return common.make_environment().get_template(TEMPLATE).render(
        report=report, data=report.data, year=report.year, region_name=report.region_name, css=css,
        generated=calendar.datetime_text(report.generated_at), zone=calendar.zone_name(),
    )
