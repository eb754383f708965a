"""Transactions of the gateway's hot path in one step: a whole transaction below SQLAlchemy's ORM and Core
execution layers, its statements compiled once per dialect from ordinary SQLAlchemy statements.

Why: a web-chat turn stores the message and, after Rasa, its replies. Through the ORM session each of those
statements cost the gateway ~0.5 ms of CPU (statement caching and compilation lookups, the execution context,
the result, greenlet switches, one hop into aiosqlite's thread per statement and per commit): most of the
gateway's own CPU per turn on two cores shared with Rasa (bench/gateway_profile.py). Here a transaction is
a generator (`Steps`) that yields `(Prepared, values)` and receives each statement's result; `run` drives
it on the driver's own connection, taken from the engine's pool:
- SQLite: the whole generator runs in aiosqlite's thread, in ONE call into it (sqlite3 directly);
- PostgreSQL: on the asyncpg connection, its prepared-statement cache doing what SQLAlchemy's did.
The SQL is SQLAlchemy's own compilation of the statement for the dialect, with the column types' bind and
result processors applied, so rows read and written are exactly those of the ORM path.

A step's result: a SELECT (or a statement with RETURNING) gives its rows (named tuples); an INSERT prepared
with `insert_id` gives the new row's id; any other statement its row count. A unique or other integrity
violation rolls the transaction back and is thrown into the generator as `Conflict`: the next step starts a
new transaction (a redelivered message: the insert is refused, the existing row's id read). The transaction
commits when the generator returns; any other error rolls it back and propagates. What runs is reported to
`Database.trace` (tests count statements and transactions with it, tests/statements.py).
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable, Generator
from typing import Any, TypeVar

from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import ClauseElement
from sqlalchemy.util import greenlet_spawn

from storage.db import Database

T = TypeVar("T")
Step = tuple["Prepared", dict[str, Any]]
Steps = Generator[Step, Any, T]


class Conflict(Exception):
    """The statement broke a unique (or other integrity) constraint; its transaction was rolled back."""


class _Compiled:
    """A statement compiled for one dialect: its SQL, positional parameters and type processors."""

    def __init__(self, statement: ClauseElement, dialect: Any, insert_id: bool) -> None:
        compiled = statement.compile(dialect=dialect)
        self.compiled = compiled
        self.keys = tuple(compiled.positiontup or ())
        types = {name: bind.type for bind, name in compiled.bind_names.items()}
        self.bind = tuple(types[key]._cached_bind_processor(dialect) for key in self.keys)
        sql = compiled.string
        if dialect.paramstyle == "format":  # asyncpg: SQLAlchemy's "%s" placeholders become "$n"
            sql = sql % tuple(f"${index}" for index in range(1, len(self.keys) + 1))
        self.sql = sql
        self.insert_id = insert_id
        columns = getattr(statement, "_returning", None) or (
            statement.selected_columns if hasattr(statement, "selected_columns") else None)
        self.row_type = None
        self.result: tuple[Callable | None, ...] = ()
        if columns:
            self.row_type = collections.namedtuple("Row", [getattr(c, "key", None) or f"c{i}"
                                                           for i, c in enumerate(columns)], rename=True)
            self.result = tuple(c.type._cached_result_processor(dialect, None) for c in columns)

    def args(self, values: dict[str, Any]) -> tuple:
        params = self.compiled.construct_params(values)
        return tuple(params[key] if process is None else process(params[key])
                     for key, process in zip(self.keys, self.bind, strict=True))

    def rows(self, fetched: list) -> list:
        make, processors = self.row_type._make, self.result
        if not any(processors):
            return [make(row) for row in fetched]
        return [make(value if process is None else process(value)
                     for value, process in zip(row, processors, strict=True)) for row in fetched]


class Prepared:
    """A statement to run in one-step transactions, compiled once per dialect. `insert_id`: the primary key
    column of an INSERT whose new id the step returns (RETURNING on PostgreSQL, the row id on SQLite)."""

    def __init__(self, statement: ClauseElement, insert_id: Any = None) -> None:
        self.statement = statement
        self.insert_id = insert_id
        self._by_dialect: dict[str, _Compiled] = {}

    def compiled(self, dialect: Any) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            statement = self.statement
            if self.insert_id is not None and dialect.name != "sqlite":
                statement = statement.returning(self.insert_id)
            found = self._by_dialect[dialect.name] = _Compiled(statement, dialect, self.insert_id is not None)
        return found


async def run(db: Database, steps: Callable[[str], Steps[T]]) -> T:
    """Run the transaction `steps(dialect name)` in one step (see the module) and return its value."""
    dialect = db.engine.dialect
    if dialect.name == "sqlite":
        return await _on_sqlite(db, steps(dialect.name), dialect)
    fairy = await db.engine.raw_connection()
    try:
        driver = fairy.driver_connection
        if driver.is_in_transaction():  # SQLAlchemy's pre-ping (a SELECT 1 at checkout) began one: ended
            await greenlet_spawn(fairy.dbapi_connection.rollback)  # through its adapter, which tracks it
        trace = [] if db.trace else None
        value = await _run_asyncpg(driver, steps(dialect.name), dialect, trace)
    except BaseException:
        if not _usable(fairy):  # a lost or half-finished connection is not reused
            fairy.invalidate()
        raise
    finally:
        await greenlet_spawn(fairy.close)
    _report(db, trace)
    return value


async def _on_sqlite(db: Database, steps: Steps[T], dialect: Any) -> T:
    """On a SQLite file, the connection kept for one-step transactions (`Database.one_step_connection`);
    in memory, a connection of the pool (there: the one connection everything shares)."""
    kept = not isinstance(db.engine.pool, StaticPool)
    fairy = db.one_step_connection if kept else None
    if fairy is None:
        fairy = await db.engine.raw_connection()
        if kept:
            if db.one_step_connection is None:
                db.one_step_connection = fairy
            else:  # another call took one meanwhile
                await greenlet_spawn(fairy.close)
                fairy = db.one_step_connection
    try:
        driver = fairy.driver_connection
        value, trace = await driver._execute(_run_sqlite, driver._conn, steps, dialect, bool(db.trace))
    finally:
        if not kept:
            await greenlet_spawn(fairy.close)
    _report(db, trace)
    return value


def _report(db: Database, trace: list[str] | None) -> None:
    for statement in trace or ():
        for listener in db.trace:
            listener(statement)


def _usable(fairy: Any) -> bool:
    driver = fairy.driver_connection
    return driver is not None and not driver.is_closed() and not driver.is_in_transaction()


def _run_sqlite(connection: sqlite3.Connection, steps: Steps[T], dialect: Any,
                tracing: bool) -> tuple[T, list[str]]:
    """In aiosqlite's thread: the whole transaction (the sqlite3 module begins it before the first write, as
    for SQLAlchemy's own statements on this connection)."""
    trace: list[str] = []
    result: Any = None
    thrown: Exception | None = None
    begun = False
    try:
        while True:
            try:
                prepared, values = steps.send(result) if thrown is None else steps.throw(thrown)
            except StopIteration as done:
                if connection.in_transaction:
                    connection.commit()
                return done.value, trace
            thrown = None
            compiled = prepared.compiled(dialect)
            if tracing:
                if not begun:
                    trace.append("BEGIN")
                trace.append(compiled.sql)
            begun = True
            cursor = connection.cursor()
            try:
                cursor.execute(compiled.sql, compiled.args(values))
                if compiled.insert_id:
                    result = cursor.lastrowid
                elif compiled.row_type is not None:
                    result = compiled.rows(cursor.fetchall())
                else:
                    result = cursor.rowcount
            except sqlite3.IntegrityError as error:
                connection.rollback()
                thrown, begun = Conflict(str(error)), False
            finally:
                cursor.close()
    except BaseException:
        if connection.in_transaction:
            connection.rollback()
        steps.close()
        raise


async def _run_asyncpg(connection: Any, steps: Steps[T], dialect: Any,
                       trace: list[str] | None) -> T:
    import asyncpg

    result: Any = None
    thrown: Exception | None = None
    transaction = None
    try:
        while True:
            try:
                prepared, values = steps.send(result) if thrown is None else steps.throw(thrown)
            except StopIteration as done:
                if transaction is not None:
                    await transaction.commit()
                    transaction = None
                return done.value
            thrown = None
            compiled = prepared.compiled(dialect)
            if transaction is None:
                transaction = connection.transaction()
                await transaction.start()
                if trace is not None:
                    trace.append("BEGIN")
            if trace is not None:
                trace.append(compiled.sql)
            try:
                args = compiled.args(values)
                if compiled.insert_id:
                    result = await connection.fetchval(compiled.sql, *args)
                elif compiled.row_type is not None:
                    result = compiled.rows(await connection.fetch(compiled.sql, *args))
                else:
                    status = await connection.execute(compiled.sql, *args)
                    result = int(status.rsplit(" ", 1)[-1]) if status[-1:].isdigit() else -1
            except asyncpg.IntegrityConstraintViolationError as error:
                await transaction.rollback()
                transaction, thrown = None, Conflict(str(error))
    except BaseException:
        steps.close()
        if transaction is not None and not connection.is_closed():
            await transaction.rollback()
        raise
