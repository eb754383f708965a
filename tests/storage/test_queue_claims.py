"""Queue claims shared by several gateways: rows another claimer holds are passed over (PostgreSQL's
`FOR UPDATE SKIP LOCKED`), never waited for, and one recipient's messages go out in order, one run
at a time, whichever process claims them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from storage import escalations, messages
from storage.db import Database


@pytest.fixture
async def other(db: Database) -> AsyncIterator[Database]:
    """A second process's connection pool on the same database (its own engine)."""
    second = Database(db.url)
    yield second
    await second.dispose()


async def holding_lock(db: Database, table: str, row_id: int, release: asyncio.Event,
                       locked: asyncio.Event) -> None:
    """Another claimer in the middle of its transaction: the row is locked, nothing committed yet."""
    async with db.engine.connect() as connection:
        await connection.execute(text(f"SELECT id FROM {table} WHERE id = :id FOR UPDATE"), {"id": row_id})
        locked.set()
        await release.wait()
        await connection.rollback()


async def while_locked(db: Database, holder: Database, table: str, row_id: int, claim):
    """The result of `claim()` while `holder` holds the row locked (the claim must not wait for it)."""
    release, locked = asyncio.Event(), asyncio.Event()
    holding = asyncio.create_task(holding_lock(holder, table, row_id, release, locked))
    await asyncio.wait_for(locked.wait(), 10)
    try:
        return await asyncio.wait_for(claim(), 5)
    finally:
        release.set()
        await holding


async def test_an_inbound_row_another_claimer_holds_is_passed_over(db: Database, other: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite has no row locks: one writer at a time, compare-and-set claims")
    alice1, _ = await messages.accept_inbound(db, "telegram", "alice", "1", "satu")
    await messages.accept_inbound(db, "telegram", "alice", "2", "dua")
    bob1, _ = await messages.accept_inbound(db, "telegram", "bob", "1", "halo")
    job = await while_locked(db, other, "inbound_messages", alice1, lambda: messages.claim_inbound(db))
    assert job.id == bob1  # not alice's first (held elsewhere), and never her second before it
    assert (await messages.claim_inbound(db)).id == alice1  # the holder let go without claiming it


async def test_an_outbox_row_another_claimer_holds_stops_its_recipient_only(db: Database, other: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite has no row locks: one writer at a time, compare-and-set claims")
    for text_ in ("r1", "r2"):
        await messages.queue_outgoing(db, "telegram", "rani", {"text": text_}, "reply")
    await messages.queue_outgoing(db, "telegram", "qori", {"text": "q1"}, "reply")
    [first] = await messages.claim_outgoing(db, ("telegram",), limit=1, recipient="rani")
    await messages.outgoing_failed(db, first.id, "timeout", retry_in=timedelta(0))  # due again at once
    jobs = await while_locked(db, other, "outbox", first.id, lambda: messages.claim_outgoing(db, ("telegram",)))
    assert [job.payload["text"] for job in jobs] == ["q1"]  # r2 must not overtake the held r1
    assert [job.payload["text"] for job in await messages.claim_outgoing(db, ("telegram",))] == ["r1", "r2"]


async def test_a_recipients_later_message_waits_while_an_earlier_one_is_in_flight(db: Database,
                                                                               other: Database) -> None:
    await messages.queue_outgoing(db, "whatsapp", "628111", {"text": "satu"}, "reply")
    [first] = await messages.claim_outgoing(db, ("whatsapp",))  # gateway A is sending it
    await messages.queue_outgoing(db, "whatsapp", "628111", {"text": "dua"}, "reply")
    await messages.queue_outgoing(db, "whatsapp", "628222", {"text": "lain"}, "reply")
    taken = await messages.claim_outgoing(other, ("whatsapp",))  # gateway B
    assert [job.payload["text"] for job in taken] == ["lain"]  # not "dua" while "satu" is on its way
    await messages.outgoing_failed(db, first.id, "flood", retry_in=timedelta(minutes=5))
    assert await messages.claim_outgoing(other, ("whatsapp",)) == []  # nor while "satu" waits for its retry
    await messages.outgoing_failed(db, first.id, "flood", retry_in=timedelta(0))
    assert [job.payload["text"] for job in await messages.claim_outgoing(other, ("whatsapp",))] == ["satu", "dua"]


async def test_two_gateways_claiming_at_once_send_each_recipients_messages_once_and_in_order(
        db: Database, other: Database) -> None:
    recipients = [f"62812{i:04d}" for i in range(6)]
    for n in range(5):
        for recipient in recipients:
            await messages.queue_outgoing(db, "whatsapp", recipient, {"text": str(n)}, "reply")
    sent: dict[str, list[str]] = {recipient: [] for recipient in recipients}
    in_flight: set[str] = set()
    overlaps = []

    async def gateway(database: Database) -> None:
        idle = 0
        while idle < 3:
            jobs = await messages.claim_outgoing(database, ("whatsapp",), limit=4)
            idle = 0 if jobs else idle + 1
            for job in jobs:
                if job.recipient in in_flight:
                    overlaps.append(job.recipient)
                in_flight.add(job.recipient)
                await asyncio.sleep(0.005)  # the platform call
                sent[job.recipient].append(job.payload["text"])
                in_flight.discard(job.recipient)
                await messages.outgoing_sent(database, job.id)
            await asyncio.sleep(0)

    await asyncio.gather(gateway(db), gateway(other), gateway(db), gateway(other))
    assert overlaps == []
    assert sent == {recipient: ["0", "1", "2", "3", "4"] for recipient in recipients}


async def test_each_escalation_is_queued_for_the_officers_chat_once(db: Database, other: Database) -> None:
    ids = [await escalations.create_escalation(db, "web", f"w{i}", f"Tanya {i}?", "") for i in range(5)]

    def render(post: escalations.EscalationPost) -> dict:
        return {"text": post.question, "escalation_id": post.id}

    counts = await asyncio.gather(*(escalations.queue_escalation_posts(database, "telegram", "-100", render)
                                    for database in (db, other, db, other)))
    assert sum(counts) == len(ids)
    posts = []
    while jobs := await messages.claim_outgoing(db, ("telegram",), limit=100):
        posts += jobs
        for job in jobs:
            await messages.outgoing_sent(db, job.id)
    assert sorted(job.payload["escalation_id"] for job in posts) == ids
    assert await escalations.queue_escalation_posts(other, "telegram", "-100", render) == 0
