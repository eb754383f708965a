"""A SQLite file's connections are pooled (storage/db.py): a turn's database work reuses open connections
instead of opening one (a thread, a file, the pragmas) per session, and every guarantee of the unpooled
connections holds: the pragmas on each connection, transactions that end with their session, writers in
two processes waiting for each other, and in-memory SQLite for tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select, text

from storage import messages, proposals
from storage.db import SQLITE_POOL_SIZE, Database
from storage.models import Base, Citizen

VILLAGE = "34.04.07.2001"


@contextmanager
def connections_opened(db: Database) -> Iterator[list[int]]:
    """The new database connections `db` opens inside the block."""
    opened: list[int] = []

    def record(*_args) -> None:
        opened.append(1)

    event.listen(db.engine.sync_engine, "connect", record)
    try:
        yield opened
    finally:
        event.remove(db.engine.sync_engine, "connect", record)


@pytest.fixture
async def sqlite_db(sqlite_db_url: str) -> AsyncIterator[Database]:
    database = Database(sqlite_db_url)
    yield database
    await database.dispose()


async def test_a_citizens_turns_reuse_one_connection(sqlite_db: Database) -> None:
    """Twenty status lookups and message turns, one after another: one connection, not one per session."""
    view, _ = await proposals.submit_proposal(sqlite_db, "web", "warga", "k1", proposals.ProposalDraft(
        description="Jalan rusak di RT 03", sector="jalan", village_code=VILLAGE))
    with connections_opened(sqlite_db) as opened:
        for turn in range(20):
            inbound, _ = await messages.accept_inbound(sqlite_db, "web", "warga", f"m{turn}", "status",
                                                       status="processing")
            assert (await proposals.get_proposal(sqlite_db, view.code)).status == view.status
            await messages.mark_inbound_done(sqlite_db, inbound, [{"text": "Usulan Anda diajukan."}])
    assert len(opened) <= 1, len(opened)


async def test_a_statement_is_one_call_into_aiosqlites_thread(sqlite_db: Database, monkeypatch) -> None:
    """Each call is a hop to aiosqlite's thread and back, most of the gateway's own CPU on a turn: a statement
    is one (SQLAlchemy's adapter made four), a commit one, and a returned connection none (the pool's
    rollback after the commit was one more)."""
    import aiosqlite

    calls: list[str] = []
    execute = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await execute(self, fn, *args, **kwargs)

    await messages.accept_inbound(sqlite_db, "web", "warga", "m0", "halo")  # the pool's connection is open
    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    async with sqlite_db.session() as session:
        assert (await session.execute(select(func.count(Citizen.id)))).scalar_one() == 1
        await session.execute(text("UPDATE citizens SET language = 'jv'"))
        await session.commit()
    assert calls == ["_run_statement", "_run_statement", "commit"], calls


async def test_a_web_chat_turns_storage_is_one_call_into_aiosqlites_thread_per_transaction(
        sqlite_db: Database, monkeypatch) -> None:
    """A known citizen's message stored, and its replies: each transaction one call into the thread
    (storage/onestep.py), on the connection kept for them, not a call per statement and commit."""
    import aiosqlite

    calls: list[str] = []
    execute = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await execute(self, fn, *args, **kwargs)

    await messages.accept_inbound(sqlite_db, "web", "warga", "m0", "halo")  # first contact: the citizen stored
    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    with connections_opened(sqlite_db) as opened:
        for turn in range(1, 4):
            accepted = await messages.accept_turn(sqlite_db, "web", "warga", f"m{turn}", "status", status="processing")
            await messages.mark_inbound_done(sqlite_db, accepted.id, [{"text": "Usulan Anda diajukan."}])
    assert calls == ["_run_sqlite"] * 6, calls
    assert len(opened) <= 1, len(opened)


async def test_every_pooled_connection_has_the_pragmas(sqlite_db: Database) -> None:
    """WAL, foreign keys, the busy timeout and synchronous=NORMAL on each connection, burst ones too."""
    seen = []

    async def pragmas() -> None:
        async with sqlite_db.engine.connect() as connection:
            row = []
            for pragma in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous"):
                row.append((await connection.execute(text(f"PRAGMA {pragma}"))).scalar_one())
            await asyncio.sleep(0.01)  # held, so the others need connections of their own
            seen.append(tuple(row))

    await asyncio.gather(*(pragmas() for _ in range(SQLITE_POOL_SIZE + 3)))
    assert set(seen) == {("wal", 1, 10000, 1)}


async def test_a_failed_transaction_leaves_nothing_on_the_reused_connection(sqlite_db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with sqlite_db.session() as session, session.begin():
            session.add(Citizen(channel="web", external_id="half"))
            await session.flush()
            raise RuntimeError("the turn failed half-way")
    async with sqlite_db.session() as session:  # a forgotten transaction: closed without commit
        session.add(Citizen(channel="web", external_id="forgotten"))
        await session.flush()
    async with sqlite_db.session() as session:
        assert (await session.execute(select(func.count(Citizen.id)))).scalar_one() == 0


async def test_writers_in_two_processes_wait_for_each_other(sqlite_db_url: str) -> None:
    """The gateway and the action server, each with its own pool, write at once: a writer that finds the
    other's write transaction open waits for it (busy timeout) and both land."""
    gateway, actions = Database(sqlite_db_url), Database(sqlite_db_url)
    try:
        async with actions.engine.connect() as holder:
            await holder.exec_driver_sql("BEGIN IMMEDIATE")
            await holder.exec_driver_sql("INSERT INTO citizens (channel, external_id, language, created_at) "
                                         "VALUES ('web', 'first', 'id', CURRENT_TIMESTAMP)")
            waiting = asyncio.create_task(messages.accept_inbound(gateway, "web", "second", "m1", "halo"))
            await asyncio.sleep(0.3)
            assert not waiting.done()  # waits for the other process's transaction
            await holder.commit()
        await waiting

        async def burst(db: Database, who: str) -> None:
            for number in range(5):
                await messages.accept_inbound(db, "web", f"{who}-{number}", "m1", "halo")

        await asyncio.gather(*(burst(db, f"{name}{n}") for n in range(4)
                               for name, db in (("g", gateway), ("a", actions))))
        async with gateway.session() as session:
            assert (await session.execute(select(func.count(Citizen.id)))).scalar_one() == 2 + 40
    finally:
        await gateway.dispose()
        await actions.dispose()


async def test_in_memory_sqlite_keeps_one_database_across_sessions() -> None:
    db = Database("sqlite+aiosqlite://")
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        await messages.accept_inbound(db, "web", "warga", "m1", "halo")
        async with db.session() as session:
            assert (await session.execute(select(Citizen.external_id))).scalar_one() == "warga"
    finally:
        await db.dispose()
