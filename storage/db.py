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
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import AsyncAdaptedQueuePool

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
            pooling = {"poolclass": AsyncAdaptedQueuePool, "pool_size": SQLITE_POOL_SIZE, "max_overflow": -1}
        engine = create_async_engine(url, future=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, **pooling)
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
        self.session = sessionmaker(self.engine, class_=AsyncSession, sync_session_class=_Session,
                                    expire_on_commit=False, future=True, info={"wakeups": self.wakeups})

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def dispose(self) -> None:
        """Close the pooled connections: every process calls it on shutdown (see the module's note)."""
        self.wakeups.close()
        await self.engine.dispose()
