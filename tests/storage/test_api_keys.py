"""Open311 API keys and rate counters on SQLite and PostgreSQL: only a hash is stored, revoked
keys stop working, every request is counted (also when they arrive at once), windows reset;
and the public reads behind the API run on both databases."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from storage import api_keys, open311, proposals, status_changes
from storage.db import Database
from storage.models import ApiKey, ApiRateCounter, Citizen, Proposal

T0 = datetime(2026, 11, 28, 10, 0, 0, tzinfo=timezone.utc)  # on a whole hour


async def test_a_key_is_shown_once_and_only_its_hash_is_stored(db: Database) -> None:
    view, key = await api_keys.create_key(db, "lapor-sleman")
    assert key.startswith(api_keys.KEY_PREFIX) and len(key) >= 40
    assert view.name == "lapor-sleman" and view.prefix == key[:8] and view.active
    assert view.request_count == 0 and view.last_used_at is None and view.created_at.tzinfo is not None
    async with db.session() as session:
        row = (await session.execute(select(ApiKey))).scalar_one()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {row.name, row.key_hash, row.key_prefix}
    listed = await api_keys.list_keys(db)
    assert [k.name for k in listed] == ["lapor-sleman"]
    shown = listed[0].as_dict()
    assert shown["active"] is True and "key" not in shown and "key_hash" not in shown
    assert key not in str(shown)
    _, other = await api_keys.create_key(db, "dashboard.bappeda_2")
    assert other != key


async def test_names_are_checked_and_unique(db: Database) -> None:
    await api_keys.create_key(db, "mitra")
    with pytest.raises(api_keys.DuplicateName):
        await api_keys.create_key(db, "mitra")
    await api_keys.revoke_key(db, "mitra")
    with pytest.raises(api_keys.DuplicateName):  # a revoked key keeps its name, for the record
        await api_keys.create_key(db, "mitra")
    for bad in ("", "with space", "-leading", "x" * 65, "semi;colon"):
        with pytest.raises(ValueError):
            await api_keys.create_key(db, bad)
    assert [k.name for k in await api_keys.list_keys(db)] == ["mitra"]


async def test_authenticate_counts_use_and_revocation_is_immediate(db: Database) -> None:
    view, key = await api_keys.create_key(db, "mitra")
    first = await api_keys.authenticate(db, key, now=T0)
    second = await api_keys.authenticate(db, key, now=T0 + timedelta(minutes=5))
    assert first.id == second.id == view.id
    assert (first.request_count, second.request_count) == (1, 2)
    assert second.last_used_at == T0 + timedelta(minutes=5)
    for wrong in ("", key[:-1], key + "x", key.upper(), "mrb_" + "A" * 43, "not-a-key"):
        assert await api_keys.authenticate(db, wrong) is None, wrong

    revoked = await api_keys.revoke_key(db, "mitra", now=T0 + timedelta(hours=1))
    assert revoked.revoked_at == T0 + timedelta(hours=1) and not revoked.active
    assert await api_keys.authenticate(db, key) is None
    again = await api_keys.revoke_key(db, "mitra", now=T0 + timedelta(hours=2))
    assert again.revoked_at == T0 + timedelta(hours=1)  # the first date stays
    assert await api_keys.revoke_key(db, "no-such-key") is None
    assert (await api_keys.list_keys(db))[0].request_count == 2


async def test_rate_counters_count_per_bucket_and_window(db: Database) -> None:
    states = [await api_keys.hit(db, "key:1", 3, 3600, now=T0 + timedelta(minutes=i)) for i in range(5)]
    assert [s.count for s in states] == [1, 2, 3, 4, 5]
    assert [s.allowed for s in states] == [True, True, True, False, False]  # refused ones count too
    assert states[0].retry_after_s == 3600 and states[4].retry_after_s == 3600 - 4 * 60
    assert states[2].remaining == 0 and states[0].remaining == 2
    other = await api_keys.hit(db, "ip:10.0.0.1", 3, 3600, now=T0)
    assert other.count == 1 and other.allowed
    next_window = await api_keys.hit(db, "key:1", 3, 3600, now=T0 + timedelta(hours=1, seconds=1))
    assert next_window.count == 1 and next_window.allowed and next_window.retry_after_s == 3600
    with pytest.raises(ValueError):
        await api_keys.hit(db, "key:1", 3, 0)


async def test_old_counters_are_swept(db: Database) -> None:
    await api_keys.hit(db, "ip:a", 10, 60, now=T0)
    await api_keys.hit(db, "ip:b", 10, 60, now=T0 + timedelta(minutes=1))
    await api_keys.hit(db, "ip:a", 10, 60, now=T0 + timedelta(days=3))
    async with db.session() as session:
        buckets = (await session.execute(select(ApiRateCounter.bucket, ApiRateCounter.count))).all()
    assert sorted(buckets) == [("ip:a", 1)]


async def test_simultaneous_requests_are_all_counted(db: Database) -> None:
    states = await asyncio.gather(*(api_keys.hit(db, "key:7", 15, 60, now=T0) for _ in range(20)))
    assert sorted(s.count for s in states) == list(range(1, 21))
    assert sum(s.allowed for s in states) == 15
    async with db.session() as session:
        assert (await session.execute(select(func.count(ApiRateCounter.id)))).scalar_one() == 1


# --- the public reads behind the API (storage/open311.py) ------------------------------------------


async def _propose(db: Database, key: str, sector: str = "jalan", description: str = "Jalan rusak berlubang") -> str:
    draft = proposals.ProposalDraft(description=description, sector=sector, village_code="34.04.07.2001",
                                    latitude=-7.77, longitude=110.39)
    view, _ = await proposals.submit_proposal(db, "web", f"citizen-{key}", key, draft)
    return view.code


async def test_public_reads_filter_and_never_carry_the_citizen(db: Database) -> None:
    road = await _propose(db, "a")
    lamp = await _propose(db, "b", "penerangan_jalan", "Lampu jalan mati")
    old = await _propose(db, "c", "drainase", "Selokan mampet")
    now = datetime.now(timezone.utc)
    async with db.session() as session:
        await session.execute(update(Proposal).where(Proposal.code == old).values(created_at=now - timedelta(days=400)))
        await session.commit()
    await status_changes.change_status(db, lamp, "ditolak", "officer:x", reason="Sudah dianggarkan",
                                       note="catatan internal")

    everything = await open311.find_requests(db)
    assert [r.code for r in everything][-1] == old  # newest first
    assert {r.code for r in everything} == {road, lamp, old}
    assert [r.code for r in await open311.find_requests(db, sectors=["jalan", "drainase"], start=now - timedelta(
        days=30))] == [road]
    assert [r.code for r in await open311.find_requests(db, statuses=["ditolak"])] == [lamp]
    assert [r.code for r in await open311.find_requests(db, end=now - timedelta(days=1))] == [old]
    assert [r.code for r in await open311.find_requests(db, codes=[old, "USL-000000"])] == [old]
    assert len(await open311.find_requests(db, offset=1, limit=1)) == 1
    rejected = (await open311.find_requests(db, codes=[lamp]))[0]
    assert rejected.public_reason == "Sudah dianggarkan" and rejected.latitude == -7.77
    assert rejected.created_at.tzinfo is not None

    one = await open311.get_request(db, lamp)
    assert [(c.new_status, c.reason) for c in one.history] == [("diajukan", None), ("ditolak", "Sudah dianggarkan")]
    assert "catatan internal" not in repr(one) and "citizen-b" not in repr(one) and "officer:x" not in repr(one)
    assert await open311.get_request(db, "USL-000000") is None


async def test_api_submission_keeps_contact_for_officers_only(db: Database) -> None:
    draft = proposals.ProposalDraft(description="Sumur bor", sector="air_bersih", village_code="34.04.07.2001")
    view, created = await open311.submit_request(db, "k1:dev", "o311:one", draft, name="Siti Aminah",
                                                 phone="+62811111")
    again, created_again = await open311.submit_request(db, "k1:dev", "o311:one", draft, name="Other")
    assert created and not created_again and again.code == view.code
    async with db.session() as session:
        citizen = (await session.execute(select(Citizen).where(Citizen.channel == open311.CHANNEL))).scalar_one()
    assert (citizen.external_id, citizen.name, citizen.phone) == ("k1:dev", "Siti Aminah", "+62811111")
