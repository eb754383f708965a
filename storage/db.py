"""Engine and session factory, tuned per backend.

SQLite is the embedded default: WAL lets readers (status checks) run while a writer commits,
and a busy timeout makes concurrent writers wait instead of failing.

A SQLite file gets a real connection pool. SQLAlchemy 1.4's default for aiosqlite files is NullPool:
every session opened a new connection, i.e. a new thread, a file open and the pragmas, which cost
the gateway ~10 ms of CPU per web-chat turn and the action server ~4 ms per status lookup. Pooled
connections are kept open, so every process closes its `Database` on shutdown (`dispose`): the
gateway (bot/app.py), the action server (ops/action_server.py), the CLI (ops/cli.py). aiosqlite's
threads are daemons (SQLAlchemy marks them; tests/storage/test_exit.py), so a forgotten connection
never keeps a process alive. In-memory SQLite keeps SQLAlchemy's StaticPool (one shared connection).

Each call into aiosqlite is a hop to its thread and back (a queue put, a wake-up, the event loop's
self-pipe), and on two cores those hops were the largest part of the gateway's own CPU per web-chat turn
(bench/gateway_profile.py). SQLAlchemy's adapter makes four for one statement (cursor, execute, fetch,
close); `_OneCallCursor` runs the statement in one (through aiosqlite's `_execute`, as its own methods do:
the version is pinned in both locks, and tests/storage/test_sqlite_pool.py notices a change). A returned
connection is not rolled back again by the pool (`pool_reset_on_return`): every session and connection
ends its transaction itself (commit, or rollback on close), so that reset was one more hop per session
doing nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import aiosqlite
from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import greenlet_spawn

from storage.wakeups import WAKE_KEY, Wakeups

# Connections a SQLite file's pool keeps open (each one is an aiosqlite thread). Beyond them, a burst
# opens extra connections that are closed when returned (unlimited, as NullPool allowed): a session
# never waits for the pool, so the pool never binds to one event loop.
SQLITE_POOL_SIZE = 4
SQLITE_BUSY_TIMEOUT_S = 10  # a writer waits this long for another process's write before failing


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _run_statement(connection: sqlite3.Connection, operation: str, parameters: object) -> tuple:
    """In aiosqlite's thread: a whole statement, what SQLAlchemy's adapter does in four calls into it."""
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        if cursor.description:
            return cursor.description, cursor.fetchall(), -1, -1
        return None, [], cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


class _OneCallCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, its `execute` in one call into aiosqlite's thread (same results)."""

    __slots__ = ()

    def execute(self, operation, parameters=None) -> None:  # noqa: ANN001 - the DB-API signature
        try:
            connection = self._connection  # aiosqlite's Connection; `_conn` raises once it is closed
            self.description, self._rows, self.lastrowid, self.rowcount = self.await_(
                connection._execute(_run_statement, connection._conn, operation, parameters))
        except Exception as error:
            self._adapt_connection._handle_exception(error)


class _OneCallConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        return super().cursor(server_side) if server_side else _OneCallCursor(self)


class _OneCallDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DB-API SQLAlchemy's aiosqlite dialect talks to (`module=`), handing out `_OneCallConnection`s."""

    def connect(self, *args, **kwargs) -> AsyncAdapt_aiosqlite_connection:  # noqa: ANN002, ANN003
        adapted = super().connect(*args, **kwargs)
        if type(adapted) is AsyncAdapt_aiosqlite_connection:  # not the sync fallback (`async_fallback`)
            return _OneCallConnection(self, adapted._connection)
        return adapted


def _is_sqlite_file(parsed) -> bool:  # noqa: ANN001 - a sqlalchemy URL
    """A database file (not `:memory:`, not a `file:...mode=memory` URI): its connections can be pooled."""
    database = parsed.database or ""
    return bool(database) and database != ":memory:" and "mode=memory" not in str(parsed)


def create_engine(url: str) -> AsyncEngine:
    """The one place engines are built (the services, migrations, the CLI, the tests)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        pooling: dict = {}
        if _is_sqlite_file(parsed):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            pooling = {"poolclass": AsyncAdaptedQueuePool, "pool_size": SQLITE_POOL_SIZE, "max_overflow": -1,
                       "pool_reset_on_return": None}
        engine = create_async_engine(url, future=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
                                     module=_OneCallDBAPI(aiosqlite, sqlite3), **pooling)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, future=True, pool_pre_ping=True, pool_size=5, max_overflow=10)


class _Session(Session):
    """A session that wakes the queue loops its commit gave work (`storage.wakeups.after_commit`)."""


@event.listens_for(_Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    queues = session.info.pop(WAKE_KEY, None)
    if queues:
        for queue in queues:
            session.info["wakeups"].notify(queue)


@event.listens_for(_Session, "after_rollback")
def _forget_wakes(session: Session) -> None:
    session.info.pop(WAKE_KEY, None)


class Database:
    """One engine per process; `session()` opens a unit of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.wakeups = Wakeups()  # the queue loops' wake-up events (storage/wakeups.py)
        # Called with each statement (and "BEGIN") of a one-step transaction (storage/onestep.py), which runs
        # below SQLAlchemy's engine events: tests count a turn's statements with both (tests/statements.py).
        self.trace: list[Callable[[str], None]] = []
        # A SQLite file's connection for one-step transactions, checked out of the pool once and kept: each of
        # them is one call into its thread that ends its own transaction, so they share it without waiting
        # for the pool (whose checkout and return cost more than the transaction itself). `dispose` returns it.
        self.one_step_connection: object | None = None
        self.session = sessionmaker(self.engine, class_=AsyncSession, sync_session_class=_Session,
                                    expire_on_commit=False, future=True, info={"wakeups": self.wakeups})

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def dispose(self) -> None:
        """Close the pooled connections: every process calls it on shutdown (see the module's note)."""
        self.wakeups.close()
        held, self.one_step_connection = self.one_step_connection, None
        if held is not None:
            await greenlet_spawn(held.close)
        await self.engine.dispose()
