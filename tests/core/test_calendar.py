"""The deployment's calendar: the time zone follows the region's province, planning years end at local
midnight, and dates are written in local time with the zone's name."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core import calendar, regions, roles

UTC = timezone.utc


@pytest.mark.parametrize("region, zone", [
    ("34.04", "WIB"),  # Sleman, DI Yogyakarta
    ("31.71", "WIB"),  # Jakarta Pusat
    ("11.71", "WIB"),  # Banda Aceh
    ("61.71", "WIB"),  # Pontianak, West Kalimantan
    ("62.71", "WIB"),  # Palangka Raya, Central Kalimantan
    ("51.71", "WITA"),  # Denpasar, Bali
    ("51.03", "WITA"),  # Badung, Bali
    ("52.71", "WITA"),  # Mataram, NTB
    ("53.71", "WITA"),  # Kupang, NTT
    ("63.71", "WITA"),  # Banjarmasin, South Kalimantan
    ("64.72", "WITA"),  # Samarinda, East Kalimantan
    ("65.71", "WITA"),  # Tarakan, North Kalimantan
    ("73.71", "WITA"),  # Makassar, South Sulawesi
    ("75.71", "WITA"),  # Gorontalo
    ("76.01", "WITA"),  # West Sulawesi
    ("81.71", "WIT"),  # Ambon, Maluku
    ("82.71", "WIT"),  # Ternate, North Maluku
    ("91.71", "WIT"),  # Jayapura, Papua
    ("94.01", "WIT"),  # Central Papua
    ("96.71", "WIT"),  # Sorong, Southwest Papua
    ("", "WIB"),  # national: the default
])
def test_the_zone_follows_the_province(region: str, zone: str) -> None:
    assert calendar.zone_name(region) == zone
    assert calendar.zone_of(region).utcoffset(None) == timedelta(hours={"WIB": 7, "WITA": 8, "WIT": 9}[zone])


def test_every_province_in_the_gazetteer_has_its_zone() -> None:
    provinces = {r.code: r.name for r in regions.gazetteer().by_code.values() if r.level == 1}
    wib = {code for code in provinces if calendar.zone_of(code) is calendar.WIB}
    assert {"11", "31", "32", "33", "34", "35", "36", "61", "62"} <= wib
    assert all(code < "51" or code in ("61", "62") for code in wib)
    assert {code for code in provinces if calendar.zone_of(code) is calendar.WIT} == {
        code for code in provinces if code[0] in "89"}


def test_the_configured_region_sets_the_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSRENBANG_REGION", "51.71")  # Denpasar
    assert calendar.zone() is calendar.WITA
    monkeypatch.setenv("MUSRENBANG_REGION", "91.71")  # Jayapura
    assert calendar.zone() is calendar.WIT
    monkeypatch.setenv("MUSRENBANG_REGION", "34.04")  # Sleman
    assert calendar.zone() is calendar.WIB


@pytest.mark.parametrize("region, start", [
    ("34.04", datetime(2025, 12, 31, 17, tzinfo=UTC)),  # 1 January 00:00 WIB
    ("51.71", datetime(2025, 12, 31, 16, tzinfo=UTC)),  # 1 January 00:00 WITA
    ("91.71", datetime(2025, 12, 31, 15, tzinfo=UTC)),  # 1 January 00:00 WIT
])
def test_planning_year_bounds_are_local_midnights(region: str, start: datetime) -> None:
    assert calendar.year_bounds(2026, region) == (start, start.replace(year=2026))
    assert calendar.planning_year(start, region) == 2026
    assert calendar.planning_year(start - timedelta(seconds=1), region) == 2025


def test_the_same_moment_is_a_new_year_in_papua_and_the_old_one_in_java() -> None:
    moment = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 23:30 WIB, 00:30 WITA, 01:30 WIT
    assert calendar.planning_year(moment, "34.04") == 2025
    assert calendar.planning_year(moment, "51.71") == 2026
    assert calendar.planning_year(moment, "91.71") == 2026


def test_the_configured_region_sets_the_year_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSRENBANG_REGION", "51.71")
    assert calendar.year_bounds(2026)[0] == datetime(2025, 12, 31, 16, tzinfo=UTC)
    monkeypatch.setenv("MUSRENBANG_REGION", "34.04")
    assert calendar.year_bounds(2026)[0] == datetime(2025, 12, 31, 17, tzinfo=UTC)


def test_dates_are_written_in_local_time_with_the_zone() -> None:
    moment = datetime(2027, 1, 5, 3, 0, tzinfo=UTC)
    assert calendar.datetime_text(moment, region="34.04") == "5 Januari 2027, 10:00 WIB"
    assert calendar.datetime_text(moment, region="51.71") == "5 Januari 2027, 11:00 WITA"
    assert calendar.datetime_text(moment, region="91.71") == "5 Januari 2027, 12:00 WIT"
    assert calendar.datetime_text(datetime(2026, 11, 30, 20, tzinfo=UTC), "su", "34.04") == "1 Désémber 2026, 03:00 WIB"
    assert calendar.date_text(datetime(2026, 12, 31, 17, 30, tzinfo=UTC), region="34.04") == "1 Januari 2027"
    assert calendar.iso(moment, "91.71") == "2027-01-05T12:00+09:00"
    assert calendar.local(datetime(2027, 1, 5, 3, 0), "34.04").hour == 10  # naive = UTC, as storage keeps it


def test_working_days_follow_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    friday_evening_utc = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # Fri 23:30 WIB, Sat 01:30 WIT
    monkeypatch.setenv("MUSRENBANG_REGION", "34.04")
    assert roles.add_working_days(friday_evening_utc, 1) == datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # Mon 23:30
    monkeypatch.setenv("MUSRENBANG_REGION", "91.71")  # already Saturday: the clock starts Monday 00:00 WIT
    assert roles.add_working_days(friday_evening_utc, 1) == datetime(2026, 12, 1, 0, 0, tzinfo=calendar.WIT)
