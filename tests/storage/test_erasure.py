"""A citizen's erasure (UU 27/2022) and the retention period, on SQLite and PostgreSQL, with Rasa's tracker
store where the settings put it (an SQLite file; on PostgreSQL the `rasa` schema of the database): personal
data and chat history go, the proposals stay anonymised and counted."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text, update

from core.settings import Settings
from storage import erasure, escalations, messages, proposals, status_changes, tracker_events
from storage.db import Database
from storage.models import (
    Citizen,
    DeliveryReceipt,
    Escalation,
    InboundMessage,
    OutboxMessage,
    Proposal,
    StatusChange,
    Support,
    utcnow,
)
from storage.tracker_events import TrackerStore

PHONE = "6281234567890"
TEXT = "Saluran depan rumah saya mampet, hubungi 0812-3456-7890, NIK 3404 0112 3456 0003"
DRAFT = proposals.ProposalDraft(description=TEXT, sector="drainase", village_code="34.04.07.2001",
                                original_text="Assalamualaikum pak, saya Sri. " + TEXT)


EVENTS_DDL = ("CREATE TABLE {table} (id {id} PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
              "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
              "action_name VARCHAR(255), data TEXT)")


def sqlite_tracker(path: Path, rows: list[tuple[str, float]]) -> TrackerStore:
    """Rasa's SQL tracker store schema (rasa/core/tracker_store.py SQLTrackerStore.SQLEvent) in a file."""
    connection = sqlite3.connect(path)
    connection.execute(EVENTS_DDL.format(table="events", id="INTEGER"))
    connection.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
                           [(sender, at, json.dumps({"text": "NIK saya 3404011234560003"})) for sender, at in rows])
    connection.commit()
    connection.close()
    return TrackerStore.sqlite(path)


async def tracker_store(db: Database, tmp_path: Path, rows: list[tuple[str, float]]) -> TrackerStore:
    """The tracker store beside `db`, as settings derive it: a file next to SQLite, the `rasa` schema of
    the same PostgreSQL database (made by `./musrenbang migrate`, its table by Rasa)."""
    if db.is_sqlite:
        return sqlite_tracker(tmp_path / "tracker.db", rows)
    store = TrackerStore(Settings(var_dir=tmp_path, database_url=db.url).tracker_store_url)
    async with db.engine.begin() as connection:
        await connection.execute(text('DROP SCHEMA IF EXISTS "rasa" CASCADE'))
    await tracker_events.ensure(store)
    async with db.engine.begin() as connection:
        await connection.execute(text(EVENTS_DDL.format(table="rasa.events", id="SERIAL")))
        for sender, at in rows:
            await connection.execute(text(
                "INSERT INTO rasa.events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, :d)"),
                {"s": sender, "t": at, "d": json.dumps({"text": "NIK saya 3404011234560003"})})
    return store


def sqlite_senders(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT sender_id FROM events ORDER BY id")]
    finally:
        connection.close()


async def senders_in(db: Database, store: TrackerStore) -> list[str]:
    if not store.is_postgres:
        return sqlite_senders(store.sqlite_path)
    async with db.engine.connect() as connection:
        return list((await connection.execute(text("SELECT sender_id FROM rasa.events ORDER BY id"))).scalars())


async def chat(db: Database, sender: str, text: str, message_id: str) -> None:
    """One finished turn of a WhatsApp citizen: the message, its reply (sent) and its receipt."""
    inbound, _ = await messages.accept_inbound(db, "whatsapp", sender, message_id, text)
    job = await messages.claim_inbound(db)
    assert job.id == inbound
    await messages.complete_inbound(db, inbound, [{"text": "Baik"}])
    async with db.session() as session:
        await session.execute(update(OutboxMessage).values(status="sent"))
        session.add(DeliveryReceipt(channel="whatsapp", provider_id=f"wamid.{message_id}", recipient=sender,
                                    status="read"))
        await session.commit()


async def count(db: Database, model: type, *where: object) -> int:
    async with db.session() as session:
        return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def test_erasure_keeps_proposals_anonymised_and_deletes_the_history(db: Database, tmp_path: Path) -> None:
    own, _ = await proposals.submit_proposal(db, "whatsapp", PHONE, "d1", DRAFT)
    other, _ = await proposals.submit_proposal(db, "web", "tetangga", "d2", proposals.ProposalDraft(
        description="Lampu jalan mati", sector="penerangan_jalan", village_code="34.04.07.2001"))
    await proposals.add_support(db, other.code, "whatsapp", PHONE)
    await status_changes.change_status(db, own.code, "diverifikasi_desa", "officer:sari", note="cek lapangan")
    await escalations.create_escalation(db, "whatsapp", PHONE, "Kapan dibahas? Sri, 0812-3456-7890",
                                        "warga: halo\nbot: ...")
    async with db.session() as session:
        await session.execute(update(Citizen).where(Citizen.external_id == PHONE).values(name="Sri", phone=PHONE))
        await session.commit()
    await chat(db, PHONE, "NIK saya 3404011234560003", "m1")
    await chat(db, "6289999999999", "halo", "m2")  # someone else's conversation stays
    now = utcnow().timestamp()
    tracker = await tracker_store(db, tmp_path, [(f"whatsapp:{PHONE}", now - 5), ("whatsapp:6289999999999", now)])

    erased = await erasure.erase_citizen(db, "whatsapp", PHONE)
    assert erased.found and (erased.proposals, erased.escalations) == (1, 1)
    # Nothing of the person is left where anyone reads it.
    async with db.session() as session:
        citizen = (await session.execute(select(Citizen).where(Citizen.id == erased.citizen_id))).scalar_one()
        assert (citizen.name, citizen.phone) == (None, None) and citizen.external_id.startswith(erasure.ERASING)
        proposal = (await session.execute(select(Proposal).where(Proposal.code == own.code))).scalar_one()
        assert proposal.original_text is None
        assert proposal.description == "Saluran depan rumah saya mampet, hubungi [disembunyikan], NIK [disembunyikan]"
        question = (await session.execute(select(Escalation.question, Escalation.excerpt))).one()
        assert tuple(question) == (erasure.ERASED_QUESTION, "")
    # The proposal stays with its history, and the support still counts.
    assert await count(db, StatusChange, StatusChange.proposal_id == proposal.id) == 2
    assert (await proposals.get_proposal(db, other.code)).supporters == 1
    assert await count(db, Support) == 1

    # The chat history goes a minute later, once the turn that asked is over.
    early = await erasure.finish_erasures(db, tracker)
    assert early.citizens == 0 and await count(db, InboundMessage, InboundMessage.sender == PHONE) == 1
    done = await erasure.finish_erasures(db, tracker, now=utcnow() + erasure.GRACE + timedelta(seconds=1))
    # the reply and the status news of the verification, both sent
    assert (done.citizens, done.inbound, done.outbox, done.receipts, done.events) == (1, 1, 2, 1, 1)
    for model, column in ((InboundMessage, InboundMessage.sender), (OutboxMessage, OutboxMessage.recipient),
                          (DeliveryReceipt, DeliveryReceipt.recipient)):
        assert await count(db, model, column == PHONE) == 0
        assert await count(db, model, column == "6289999999999") == 1
    assert await senders_in(db, tracker) == ["whatsapp:6289999999999"]
    async with db.session() as session:
        ids = (await session.execute(select(Citizen.external_id))).scalars().all()
    assert all(PHONE not in external_id for external_id in ids)
    assert await count(db, Citizen, Citizen.external_id.startswith(erasure.ERASED)) == 1

    # Chatting again starts afresh: the old proposals are no longer theirs.
    assert await proposals.citizen_proposals(db, "whatsapp", PHONE) == []


async def test_a_turn_still_running_delays_the_history(db: Database, tmp_path: Path) -> None:
    await proposals.submit_proposal(db, "whatsapp", PHONE, "d1", DRAFT)
    await messages.accept_inbound(db, "whatsapp", PHONE, "m1", "ya, hapus")
    await messages.claim_inbound(db)  # the turn that asked is being processed
    await erasure.erase_citizen(db, "whatsapp", PHONE)
    later = utcnow() + erasure.GRACE + timedelta(seconds=1)
    assert (await erasure.finish_erasures(db, TrackerStore.sqlite(tmp_path / "none.db"), now=later)).citizens == 0
    async with db.session() as session:
        inbound_id = (await session.execute(select(InboundMessage.id))).scalar_one()
    await messages.complete_inbound(db, inbound_id, [{"text": "Data Anda sudah dihapus"}])
    async with db.session() as session:
        await session.execute(update(OutboxMessage).values(status="sent"))
        await session.commit()
    assert (await erasure.finish_erasures(db, TrackerStore.sqlite(tmp_path / "none.db"), now=later)).citizens == 1
    assert await count(db, InboundMessage) == 0 and await count(db, OutboxMessage) == 0


async def test_erasing_an_unknown_sender_changes_nothing(db: Database) -> None:
    await proposals.submit_proposal(db, "whatsapp", PHONE, "d1", DRAFT)
    assert not (await erasure.erase_citizen(db, "whatsapp", "6280000000000")).found
    assert (await proposals.citizen_proposals(db, "whatsapp", PHONE))[0].description == TEXT


async def test_retention_purges_old_processed_messages_and_events_only(db: Database, tmp_path: Path) -> None:
    await chat(db, PHONE, "lama", "m1")
    await chat(db, PHONE, "baru", "m2")
    await messages.accept_inbound(db, "whatsapp", PHONE, "m3", "belum diproses")
    await messages.queue_outgoing(db, "whatsapp", PHONE, {"text": "kabar"}, "notification", dedupe_key="n1")
    old = utcnow() - timedelta(days=91)
    async with db.session() as session:
        for model in (InboundMessage, OutboxMessage, DeliveryReceipt):
            await session.execute(update(model).values(created_at=old))
        await session.execute(update(InboundMessage).where(InboundMessage.message_id == "m2")
                              .values(created_at=utcnow()))
        await session.commit()
    tracker = await tracker_store(db, tmp_path, [(f"whatsapp:{PHONE}", old.timestamp()),
                                                 (f"whatsapp:{PHONE}", utcnow().timestamp())])
    assert await erasure.purge_expired(db, tracker, 0) == erasure.Purged(0, 0, 0, 0)  # 0 keeps everything
    purged = await erasure.purge_expired(db, tracker, 90)
    assert purged == erasure.Purged(inbound=1, outbox=2, receipts=2, events=1)
    async with db.session() as session:
        left = (await session.execute(select(InboundMessage.message_id).order_by(InboundMessage.id))).scalars().all()
        pending = (await session.execute(select(OutboxMessage.status))).scalars().all()
    assert left == ["m2", "m3"]  # the recent one, and the one not processed yet
    assert pending == ["pending"]  # an undelivered notification is never purged
    assert len(await senders_in(db, tracker)) == 1


def test_the_cli_erases_at_once_and_purges(sqlite_db_url: str, tmp_path: Path, monkeypatch, capsys) -> None:
    """`./musrenbang citizen erase whatsapp:62...` for an officer who received the request by letter or
    at the desk; `./musrenbang purge` runs the retention step now."""
    import asyncio

    from ops import cli
    from storage import audit
    from tests.conftest import in_thread

    var = tmp_path / "var"
    var.mkdir()
    tracker = sqlite_tracker(var / "tracker.db", [(f"whatsapp:{PHONE}", utcnow().timestamp())])
    monkeypatch.setenv("DATABASE_URL", sqlite_db_url)
    monkeypatch.setenv("MUSRENBANG_VAR", str(var))

    async def seed() -> None:
        database = Database(sqlite_db_url)
        try:
            await proposals.submit_proposal(database, "whatsapp", PHONE, "d1", DRAFT)
            await chat(database, PHONE, "halo", "m1")
        finally:
            await database.dispose()

    in_thread(asyncio.run, seed())
    assert in_thread(cli.main, ["citizen", "erase", f"whatsapp:{PHONE}", "--actor", "cli:admin"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["found"] and printed["proposals_anonymised"] == 1 and printed["rasa_events_deleted"] == 1
    assert printed["messages_deleted"] == 2 and sqlite_senders(tracker.sqlite_path) == []
    assert in_thread(cli.main, ["citizen", "erase", f"whatsapp:{PHONE}"]) == 1  # nobody left to erase
    capsys.readouterr()
    assert in_thread(cli.main, ["citizen", "erase", "62812"]) == 1

    async def audited() -> list[tuple[str, str]]:
        database = Database(sqlite_db_url)
        try:
            return [(e.actor, e.action) for e in await audit.entries(database, action="citizen_erase")]
        finally:
            await database.dispose()

    assert in_thread(asyncio.run, audited()) == [("cli:admin", "citizen_erase")]
    capsys.readouterr()
    assert in_thread(cli.main, ["purge", "--days", "30"]) == 0
    assert json.loads(capsys.readouterr().out)["retention_days"] == 30
