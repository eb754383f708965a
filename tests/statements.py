"""Counting what a piece of code asks of the database: the guard that keeps a turn's cost from growing back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from storage.db import Database

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@dataclass
class Seen:
    """The SQL statements run (transaction control not counted) and the transactions begun."""

    statements: list[str] = field(default_factory=list)
    transactions: int = 0

    def __len__(self) -> int:
        return len(self.statements)


@contextmanager
def statements(db: Database) -> Iterator[Seen]:
    """What runs on `db`'s engine inside the block: through SQLAlchemy's engine, and in one-step transactions
    (storage/onestep.py, which report to `db.trace`)."""
    seen = Seen()

    def record(_conn, _cursor, statement: str, *_args) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.statements.append(statement)

    def begin(_conn) -> None:
        seen.transactions += 1

    def one_step(statement: str) -> None:
        if statement == "BEGIN":
            seen.transactions += 1
        else:
            record(None, None, statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    event.listen(db.engine.sync_engine, "begin", begin)
    db.trace.append(one_step)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
        event.remove(db.engine.sync_engine, "begin", begin)
        db.trace.remove(one_step)
