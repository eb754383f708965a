"""Similar open proposals on SQLite and PostgreSQL: only the same desa and sector, only open ones, the best
first, pins and kamus items counted, the proposal itself left out, and the candidate cap respected."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect

from core import similarity
from storage import duplicates, proposals, status_changes
from storage.db import Database

VILLAGE = "34.04.07.2001"
NEIGHBOUR = "34.04.07.2002"
ROAD = "Perbaikan jalan rusak berlubang di dusun Krapyak RT 03"
PIN = (-7.7550, 110.3800)


def north(metres: float) -> tuple[float, float]:
    """A pin `metres` north of PIN (one degree of latitude is about 111.2 km)."""
    return PIN[0] + metres / 111_195, PIN[1]


async def submit(db: Database, sender: str, description: str = ROAD, sector: str = "jalan", village: str = VILLAGE,
                 item: str | None = None, pin: tuple[float, float] | None = None) -> str:
    draft = proposals.ProposalDraft(description=description, sector=sector, village_code=village, item_code=item,
                                    latitude=pin[0] if pin else None, longitude=pin[1] if pin else None)
    view, _ = await proposals.submit_proposal(db, "web", sender, f"draft-{sender}", draft)
    return view.code


async def similar(db: Database, description: str = ROAD, **kwargs) -> list[duplicates.SimilarProposal]:
    return await duplicates.similar_open_proposals(db, VILLAGE, "jalan", description, **kwargs)


async def test_the_index_for_the_check_is_migrated(db: Database) -> None:
    async with db.engine.connect() as connection:
        indexes = await connection.run_sync(lambda c: inspect(c).get_indexes("proposals"))
    assert {"name": "ix_proposals_village_sector_status", "columns": ["village_code", "sector", "status"]} in [
        {"name": i["name"], "columns": i["column_names"]} for i in indexes]


async def test_only_open_proposals_of_the_same_village_and_sector(db: Database) -> None:
    fresh = await submit(db, "a", "dalan neng Krapyak RT 3 bolong-bolong, nyuwun didandani")
    verified = await submit(db, "b")
    sent_back = await submit(db, "c")
    await status_changes.change_status(db, verified, "diverifikasi_desa", "test")
    await status_changes.change_status(db, sent_back, "perlu_perbaikan", "test", reason="tambahkan foto")  # still open
    for sender, new_status in (("d", "ditolak"), ("e", "dibatalkan")):
        await status_changes.change_status(db, await submit(db, sender), new_status, "test", reason="x")
    await submit(db, "f", village=NEIGHBOUR)
    await submit(db, "g", sector="drainase")
    await submit(db, "h", "Pengadaan tempat sampah")  # same desa and sector, another need

    found = await similar(db, limit=10)
    assert {f.code for f in found} == {fresh, verified, sent_back}
    assert {f.status for f in found} == {"diajukan", "diverifikasi_desa", "perlu_perbaikan"}
    assert all(f.score >= similarity.THRESHOLD and f.distance_m is None and f.supporters == 0 for f in found)
    assert await duplicates.similar_open_proposals(db, VILLAGE, "jembatan", ROAD) == []


async def test_best_first_then_more_supporters(db: Database) -> None:
    vaguer = await submit(db, "a", "jalan Krapyak rusak, becek kalau hujan, motor sering jatuh")
    exact = await submit(db, "b", "jalan rusak berlubang Krapyak RT 3 mohon diperbaiki")
    same_text = await submit(db, "c", "jalan rusak berlubang Krapyak RT 3 mohon diperbaiki")
    elsewhere = await submit(db, "d", "Perbaikan jalan rusak berlubang di dusun Gondangan RT 08")
    await proposals.add_support(db, same_text, "web", "x")
    await proposals.add_support(db, same_text, "web", "y")

    found = await similar(db)
    assert [f.code for f in found] == [same_text, exact, vaguer]  # equal scores: the one with supporters first
    assert found[0].score == found[1].score > found[2].score
    assert [f.supporters for f in found] == [2, 0, 0]
    assert elsewhere not in {f.code for f in await similar(db, limit=10)}
    assert [f.code for f in await similar(db, limit=1)] == [same_text]
    assert await similar(db, limit=0) == []


async def test_pins_near_lift_far_lower_and_the_distance_is_reported(db: Database) -> None:
    description = "jalan Krapyak rusak, becek kalau hujan"
    near = await submit(db, "a", description, pin=north(60))
    far = await submit(db, "b", description, pin=north(4000))
    unpinned = await submit(db, "c", description)

    found = {f.code: f for f in await similar(db, "Perbaikan jalan rusak di Krapyak", lat=PIN[0], lon=PIN[1])}
    assert near in found and unpinned in found and far not in found  # 4 km away: another road
    assert found[near].distance_m == pytest.approx(60, abs=1)
    assert found[unpinned].distance_m is None
    assert found[near].score > found[unpinned].score
    unpinned_query = {f.code: f for f in await similar(db, "Perbaikan jalan rusak di Krapyak")}
    assert unpinned_query.keys() == {near, far, unpinned}  # without a pin, pins neither lift nor lower
    assert len({f.score for f in unpinned_query.values()}) == 1
    assert all(f.distance_m is None for f in unpinned_query.values())


async def test_the_same_kamus_item_counts(db: Database) -> None:
    description = "jalan Krapyak rusak, becek kalau hujan"
    same = await submit(db, "a", description, item="rehabilitasi_jalan_lingkungan")
    other = await submit(db, "b", description, item="pengaspalan_jalan_desa")
    found = await similar(db, "Perbaikan jalan rusak di Krapyak", item_code="rehabilitasi_jalan_lingkungan")
    assert [f.code for f in found] == [same, other]
    assert found[0].score > found[1].score


async def test_exclude_code_leaves_out_the_proposal_itself(db: Database) -> None:
    own = await submit(db, "a")
    twin = await submit(db, "b", "jalan rusak berlubang Krapyak RT 3 mohon diperbaiki")
    assert {f.code for f in await similar(db)} == {own, twin}
    assert [f.code for f in await similar(db, exclude_code=own)] == [twin]


async def test_filler_only_finds_nothing(db: Database) -> None:
    await submit(db, "a")
    assert await similar(db, "mohon tolong ya pak, terima kasih") == []


async def test_only_the_newest_candidates_are_compared(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    oldest = await submit(db, "a")
    for i in range(3):
        await submit(db, f"n{i}", f"Pengadaan tempat sampah {i}")
    monkeypatch.setattr(duplicates, "CANDIDATES", 3)
    assert await similar(db) == []  # the twin is the fourth newest
    monkeypatch.setattr(duplicates, "CANDIDATES", 4)
    assert [f.code for f in await similar(db)] == [oldest]


async def test_bulk_insert_for_benchmark(db: Database) -> None:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows = [duplicates.BenchProposal(description=f"Perbaikan jalan rusak di RT {i + 1}",
                                     sector="jalan", village_code=VILLAGE, status="diajukan",
                                     created_at=start + timedelta(hours=i), citizen=i, supporters=i % 3,
                                     latitude=PIN[0], longitude=PIN[1])
             for i in range(30)]
    rows.append(duplicates.BenchProposal(ROAD, "jalan", VILLAGE, "ditolak", start, 0, supporters=2))
    codes = await duplicates.bulk_insert_for_benchmark(db, rows, citizens=10, chunk=7)
    assert len(set(codes)) == 31
    found = await similar(db, "jalan RT 05 rusak", lat=PIN[0], lon=PIN[1], limit=10)
    assert [(f.description, f.supporters, f.distance_m) for f in found] == [  # ROAD is closed
        ("Perbaikan jalan rusak di RT 5", 1, 0.0)]
    assert found[0].code == codes[4]
    assert (await proposals.get_proposal(db, codes[4])).supporters == 1
    assert (await proposals.get_proposal(db, codes[30])).status == "ditolak"
    again = await duplicates.bulk_insert_for_benchmark(db, rows[:5], citizens=10)  # a second load adds more
    assert len(again) == 5 and not set(again) & set(codes)


async def test_the_desas_own_name_in_one_description_does_not_hide_the_duplicate(db: Database) -> None:
    """ "… di Caturtunggal": the desa every compared proposal shares is not a place that tells two needs apart
    (read as one, it made "dusun Krapyak" look like another place: 0.26 instead of 0.67)."""
    existing = await submit(db, "a", "Jalan rusak berlubang di Caturtunggal, sering ada yang jatuh")
    found = await similar(db, "dalan neng dusun Krapyak bolong-bolong, akeh sing tiba")
    assert [f.code for f in found] == [existing]
