"""Engine and session factory, tuned per backend.

SQLite is the embedded default: WAL lets readers (status checks) run while a writer commits,
and a busy timeout makes concurrent writers wait instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

from storage.wakeups import WAKE_KEY, Wakeups


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, future=True, connect_args={"timeout": 10})
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
        self.wakeups.close()
        await self.engine.dispose()
