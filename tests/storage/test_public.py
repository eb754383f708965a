"""The dashboard's aggregates and public views on SQLite and PostgreSQL: the numbers add up, the
indicators read the history (not only today's status), years follow WIB, search finds by words,
desa names and codes, and nothing personal or internal leaves storage."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from core import calendar
from storage import proposals, public, reports, status_changes
from storage.db import Database
from storage.models import Citizen
from tests.seeding import backdate, propose

REGION = "34.04"
CATURTUNGGAL = "34.04.07.2001"  # Kec. Depok
MAGUWOHARJO = "34.04.07.2002"  # Kec. Depok
BALECATUR = "34.04.01.2001"  # Kec. Gamping
KRICAK = "34.71.01.1001"  # Kota Yogyakarta: another kabupaten/kota
OFFICER = "officer:sari"


async def advance(db: Database, code: str, *statuses: str) -> None:
    for status in statuses:
        await status_changes.change_status(db, code, status, OFFICER, note="catatan internal")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


async def test_counts_by_status_sector_kecamatan_and_desa(db: Database) -> None:
    road = await propose(db, "ani", "k1")
    lamp = await propose(db, "ani", "k2", "Lampu jalan mati", "penerangan_jalan")
    await propose(db, "budi", "k3", "Sumur bor", "air_bersih", MAGUWOHARJO)
    school = await propose(db, "cici", "k4", "Atap sekolah bocor", "pendidikan", BALECATUR)
    await propose(db, "dedi", "k5", "Jalan kampung", "jalan", KRICAK)  # outside the region
    await advance(db, road, "diverifikasi_desa")
    await advance(db, lamp, "diverifikasi_desa", "dibahas_kecamatan")
    await status_changes.change_status(db, school, "ditolak", OFFICER, reason="Bukan kewenangan kabupaten")

    data = await reports.dashboard(db, REGION, calendar.planning_year())
    assert data.indicators.proposals == 4
    statuses = dict(data.by_status)
    assert list(statuses)[:6] == ["diajukan", "diverifikasi_desa", "dibahas_kecamatan", "diverifikasi_opd",
                                  "masuk_rkpd", "direalisasikan"]
    assert statuses == {**dict.fromkeys(statuses, 0), "diajukan": 1, "diverifikasi_desa": 1,
                        "dibahas_kecamatan": 1, "ditolak": 1}
    sectors = dict(data.by_sector)
    assert [n for _, n in data.by_sector] == sorted((n for _, n in data.by_sector), reverse=True)
    assert sectors["jalan"] == 1 and sectors["penerangan_jalan"] == 1 and sectors["air_bersih"] == 1
    assert sectors["pendidikan"] == 1 and sectors["jembatan"] == 0 and len(sectors) == 12

    by_kecamatan = {k.name: k for k in data.by_kecamatan}
    assert len(by_kecamatan) == 17  # every kecamatan of Sleman, with zeros
    assert data.by_kecamatan[0].name == "Depok"
    assert (by_kecamatan["Depok"].total, by_kecamatan["Depok"].verified) == (3, 2)
    assert (by_kecamatan["Gamping"].total, by_kecamatan["Gamping"].verified) == (1, 0)
    assert by_kecamatan["Kalasan"].total == 0

    assert [(d.name, d.kecamatan, d.total) for d in data.top_desa] == [
        ("Caturtunggal", "Depok", 2), ("Balecatur", "Gamping", 1), ("Maguwoharjo", "Depok", 1)]
    assert data.desa_with_proposals == 3
    table = await reports.desa_table(db, REGION, calendar.planning_year())
    assert len(table) > 80 and all(row.code.startswith("34.04.") for row in table)
    assert table[0].name == "Caturtunggal" and table[0].verified == 2
    assert sum(row.total for row in table) == 4


async def test_indicators_read_the_history_and_average_days_to_verification(db: Database) -> None:
    year = calendar.planning_year()
    start = datetime(year, 3, 1, 2, 0, tzinfo=timezone.utc)
    verified_then_rejected = await propose(db, "ani", "k1")
    realised = await propose(db, "ani", "k2", "Jembatan bambu", "jembatan")  # same citizen: one proposer
    waiting = await propose(db, "budi", "k3")
    await advance(db, verified_then_rejected, "diverifikasi_desa")
    await status_changes.change_status(db, verified_then_rejected, "ditolak", OFFICER, reason="Anggaran tidak cukup")
    await advance(db, realised, "diverifikasi_desa", "dibahas_kecamatan", "diverifikasi_opd", "masuk_rkpd",
                  "direalisasikan")
    await backdate(db, verified_then_rejected, start, later=start + timedelta(days=4))
    await backdate(db, realised, start, later=start + timedelta(days=2))
    await backdate(db, waiting, start)

    found = await reports.indicators(db, REGION, year)
    assert (found.proposals, found.proposers) == (3, 2)
    assert (found.verified, found.accepted, found.realised) == (2, 1, 1)
    assert found.share(found.verified) == pytest.approx(2 / 3)
    assert found.timed == 2
    assert found.avg_days_to_verification == pytest.approx(3.0, abs=1e-3)


async def test_first_verification_counts_even_after_a_round_of_fixing(db: Database) -> None:
    year = calendar.planning_year()
    start = datetime(year, 5, 1, tzinfo=timezone.utc)
    code = await propose(db, "ani", "k1")
    await status_changes.change_status(db, code, "perlu_perbaikan", OFFICER, reason="Lampirkan foto")
    fixed = proposals.ProposalDraft(description="Perbaikan jalan rusak, foto terlampir", sector="jalan",
                                    village_code=CATURTUNGGAL, photo_ref="foto.png")
    assert await status_changes.resubmit_proposal(db, code, "web", "ani", fixed) is not None
    await advance(db, code, "diverifikasi_desa")
    await backdate(db, code, start, later=start + timedelta(days=6, hours=12))
    found = await reports.indicators(db, REGION, year)
    assert found.verified == 1 and found.avg_days_to_verification == pytest.approx(6.5, abs=1e-3)


async def test_empty_year_has_no_shares_and_no_average(db: Database) -> None:
    found = await reports.indicators(db, REGION, 2001)
    assert (found.proposals, found.proposers, found.verified) == (0, 0, 0)
    assert found.share(found.verified) is None and found.avg_days_to_verification is None
    data = await reports.dashboard(db, REGION, 2001)
    assert data.top_desa == [] and data.desa_with_proposals == 0
    assert await reports.years_with_data(db, REGION) == []


async def test_planning_year_follows_wib_and_earlier_years_are_listed(db: Database) -> None:
    this_year = calendar.planning_year()
    old = await propose(db, "ani", "k1")
    new_year_eve = await propose(db, "budi", "k2")
    await propose(db, "cici", "k3")
    await propose(db, "dedi", "k4", village=KRICAK)  # other region: not in any count
    await backdate(db, old, utc(this_year - 3, 6, 1, 3))
    # 31 December 18:00 UTC is already 1 January 01:00 in WIB: the new year's proposal.
    await backdate(db, new_year_eve, utc(this_year - 2, 12, 31, 18))
    assert await reports.years_with_data(db, REGION) == [(this_year, 1), (this_year - 1, 1), (this_year - 3, 1)]
    assert (await reports.indicators(db, REGION, this_year - 1)).proposals == 1
    assert (await reports.indicators(db, REGION, this_year - 2)).proposals == 0
    assert (await reports.dashboard(db, REGION, this_year - 3)).top_desa[0].name == "Caturtunggal"


async def test_search_by_words_desa_code_and_filters(db: Database) -> None:
    year = calendar.planning_year()
    road = await propose(db, "ani", "k1", "Perbaikan jalan berlubang depan SD", "jalan", CATURTUNGGAL)
    lamp = await propose(db, "budi", "k2", "Lampu jalan mati di gang", "penerangan_jalan", MAGUWOHARJO)
    well = await propose(db, "cici", "k3", "Sumur bor untuk warga", "air_bersih", BALECATUR)
    old = await propose(db, "dedi", "k4", "Talud sungai longsor", "drainase", CATURTUNGGAL)
    await propose(db, "eka", "k5", "Lampu jalan Kricak", "penerangan_jalan", KRICAK)
    await backdate(db, old, utc(year - 1, 7, 1))
    await advance(db, lamp, "diverifikasi_desa")

    async def codes(**kwargs: object) -> list[str]:
        page = await public.search(db, REGION, public.PublicFilter(**{"year": year, **kwargs}))
        return sorted(item.code for item in page.items)

    assert await codes() == sorted([road, lamp, well])
    assert await codes(query="lampu") == [lamp]
    assert await codes(query="JALAN") == sorted([road, lamp])
    assert await codes(query="jalan di desa Caturtunggal") == [road]  # stop words and prefixes dropped
    assert await codes(query="maguwo") == [lamp]  # part of a desa name
    assert await codes(query="gamping") == [well]  # a kecamatan name
    assert await codes(query="talud") == []  # last year's
    assert await codes(query=old.lower().replace("-", " ")) == [old]  # a code is found in any year
    assert await codes(query="USL-000000") == []
    assert await codes(query="100%_") == []
    assert await codes(status="diverifikasi_desa") == [lamp]
    assert await codes(sector="air_bersih") == [well]
    assert await codes(kecamatan="34.04.07") == sorted([road, lamp])
    assert await codes(desa=MAGUWOHARJO) == [lamp]
    assert await codes(query="jalan", kecamatan="34.04.07", sector="jalan") == [road]
    assert await codes(year=None) == sorted([road, lamp, well, old])


async def test_search_pages_newest_first(db: Database) -> None:
    codes = [await propose(db, f"warga-{i}", f"k{i}", f"Usulan nomor {i}") for i in range(23)]
    first = await public.search(db, REGION, public.PublicFilter(calendar.planning_year()), 1, per_page=10)
    assert (first.total, first.pages, first.page) == (23, 3, 1)
    assert [item.code for item in first.items] == list(reversed(codes))[:10]
    last = await public.search(db, REGION, public.PublicFilter(calendar.planning_year()), 99, per_page=10)
    assert last.page == 3 and [item.code for item in last.items] == list(reversed(codes))[20:]
    empty = await public.search(db, REGION, public.PublicFilter(calendar.planning_year(), "tidakada"), 5)
    assert (empty.total, empty.pages, empty.page, empty.items) == (0, 1, 1, [])


async def test_public_views_hold_public_fields_only(db: Database) -> None:
    code = await propose(db, "6281234567890", "k1", "Jalan rusak, hubungi saya 0812-3456-7890 atau ani@contoh.id",
                         latitude=-7.771234567, longitude=110.377612345, rt="03", rw="05", photo_ref="foto.png")
    async with db.session() as session:
        await session.execute(update(Citizen).values(name="Ani Rahasia", phone="081299998888"))
        await session.commit()
    await status_changes.change_status(db, code, "perlu_perbaikan", OFFICER, reason="Sebutkan nomor rumah",
                                       note="warga ini sering telat, cek ulang")
    found = await public.public_proposal(db, code, REGION)
    assert found is not None
    fields = {f.name for f in dataclasses.fields(found)} | {f.name for f in dataclasses.fields(found.history[0])}
    for private in ("name", "phone", "channel", "external_id", "citizen_id", "note", "actor", "photo_ref"):
        assert private not in fields
    text = repr(found)
    for secret in ("Ani Rahasia", "081299998888", "6281234567890", "sering telat", "officer:sari", "sari",
                   "0812-3456-7890", "ani@contoh.id", "foto.png"):
        assert secret not in text
    assert found.description == "Jalan rusak, hubungi saya [disembunyikan] atau [disembunyikan]"
    assert [(h.new_status, h.by, h.reason) for h in found.history] == [
        ("diajukan", "warga", None), ("perlu_perbaikan", "petugas", "Sebutkan nomor rumah")]
    assert (found.latitude, found.longitude) == (-7.771, 110.378)
    assert (found.desa, found.kecamatan, found.rt, found.rw) == ("Caturtunggal", "Depok", "03", "05")
    points = await public.map_points(db, REGION, public.PublicFilter(calendar.planning_year()))
    assert [(p.code, p.latitude, p.longitude) for p in points] == [(code, -7.771, 110.378)]
    assert "0812" not in repr(points)


async def test_unknown_or_other_region_proposal_is_none(db: Database) -> None:
    elsewhere = await propose(db, "ani", "k1", village=KRICAK)
    assert await public.public_proposal(db, "USL-000000", REGION) is None
    assert await public.public_proposal(db, elsewhere, REGION) is None
    assert await public.public_proposal(db, elsewhere, "") is not None


async def test_map_points_are_only_the_pinned_matching_ones(db: Database) -> None:
    pinned = await propose(db, "ani", "k1", "Lampu jalan", "penerangan_jalan", latitude=-7.75, longitude=110.4)
    await propose(db, "budi", "k2", "Lampu jalan juga", "penerangan_jalan")
    other = await propose(db, "cici", "k3", "Sumur", "air_bersih", latitude=-7.7, longitude=110.3)
    year = calendar.planning_year()
    assert {p.code for p in await public.map_points(db, REGION, public.PublicFilter(year))} == {pinned, other}
    lamps = await public.map_points(db, REGION, public.PublicFilter(year, "lampu"))
    assert [p.code for p in lamps] == [pinned]


@pytest.mark.parametrize(("text", "expected"), [
    ("Hubungi 081234567890", "Hubungi [disembunyikan]"),
    ("telp +62 812 3456 7890.", "telp [disembunyikan]."),
    ("kantor (0274) 123456", "kantor (0274) 123456"),  # too short after the area code to be sure
    ("kantor 0274-8123456", "kantor [disembunyikan]"),
    ("NIK 3404071234567890", "NIK [disembunyikan]"),
    ("surel budi.s@mail.co.id", "surel [disembunyikan]"),
    ("Anggaran Rp 150.000.000 untuk 1.500 meter", "Anggaran Rp 150.000.000 untuk 1.500 meter"),
    ("RT 03 RW 05, tahun 2026", "RT 03 RW 05, tahun 2026"),
])
def test_redact_masks_contact_details_only(text: str, expected: str) -> None:
    assert public.redact(text) == expected
