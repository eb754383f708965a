"""The deployment's calendar: its time zone, its planning years and how dates are written for people.

Storage keeps UTC. Everything shown to people, and every rule counted in years or working days,
uses the local time of the deployment's region (MUSRENBANG_REGION): Indonesia has three time zones
and no daylight saving, and which one applies follows the province (the first two digits of the
Kemendagri code). A proposal belongs to the planning year in which it was submitted, local time,
so one sent on 31 December at 23:00 counts in that year wherever the server's clock is.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core import settings, texts

WIB = timezone(timedelta(hours=7), "WIB")  # Sumatra, Java, West and Central Kalimantan
WITA = timezone(timedelta(hours=8), "WITA")  # Bali, Nusa Tenggara, South/East/North Kalimantan, Sulawesi
WIT = timezone(timedelta(hours=9), "WIT")  # Maluku and Papua
# Province codes outside WIB; every other province (11–36, 61, 62) keeps western time.
_WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
_WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96", "97"})


def zone_of(region: str) -> timezone:
    """The time zone of a Kemendagri region code ("51.71" → WITA); WIB when the province is unknown."""
    province = (region or "")[:2]
    if province in _WITA_PROVINCES:
        return WITA
    if province in _WIT_PROVINCES:
        return WIT
    return WIB


def zone(region: str | None = None) -> timezone:
    """The deployment's time zone (or that of `region` when given)."""
    return zone_of(settings.configured_region() if region is None else region)


def zone_name(region: str | None = None) -> str:
    return zone(region).tzname(None) or "WIB"


def local(moment: datetime, region: str | None = None) -> datetime:
    """A stored (UTC) moment in local time; a naive one is taken as UTC, as storage writes it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone(region))


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


# --- Planning years ---------------------------------------------------------------------------------


def planning_year(moment: datetime | None = None, region: str | None = None) -> int:
    """The planning year a moment falls in (now when None): its calendar year in local time."""
    return local(moment or now_utc(), region).year


def year_bounds(year: int, region: str | None = None) -> tuple[datetime, datetime]:
    """The planning year as UTC instants for a query: local 1 January 00:00 up to the next one."""
    tz = zone(region)
    start = datetime(year, 1, 1, tzinfo=tz).astimezone(timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=tz).astimezone(timezone.utc)
    return start, end


# --- Dates as people write them ---------------------------------------------------------------------


def _months(language: str | None) -> tuple[str, ...]:
    return texts.MONTHS.get(language or texts.DEFAULT_LANGUAGE, texts.MONTHS[texts.DEFAULT_LANGUAGE])


def _date(at: datetime, language: str | None) -> str:
    return f"{at.day} {_months(language)[at.month - 1]} {at.year}"


def date_text(moment: datetime, language: str | None = None, region: str | None = None) -> str:
    """The local date ("5 Januari 2027")."""
    return _date(local(moment, region), language)


def datetime_text(moment: datetime, language: str | None = None, region: str | None = None) -> str:
    """The local date and time with the zone, as citizens and officers read it ("5 Januari 2027, 10:00 WIB")."""
    at = local(moment, region)
    return f"{_date(at, language)}, {at:%H:%M} {at.tzname()}"


def iso(moment: datetime, region: str | None = None) -> str:
    """Local ISO 8601 to the minute, with its offset (for <time datetime> and open data)."""
    return local(moment, region).isoformat(timespec="minutes")
