"""Rasa's tracker store (table `events`, written by Rasa's SQLTrackerStore): the one place that deletes
conversations from it, for a citizen's erasure and for the retention period, and that prepares it.

Where it is comes from settings (TRACKER_STORE_URL): an SQLite file (the local default) or PostgreSQL,
where the table lives in its own schema (TRACKER_STORE_SCHEMA) so that it never meets the product's tables.
Rasa writes the events; we only delete them. SQLite: plain sqlite3 with a busy timeout, so a turn Rasa is
saving at that moment only delays the delete. PostgreSQL: the product's async driver (asyncpg).
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from core import settings

BUSY_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class TrackerStore:
    """Rasa's tracker store: `url` an SQLAlchemy URL (sqlite:///path or postgresql://...), `schema` the
    PostgreSQL schema of its `events` table."""

    url: str
    schema: str = "rasa"

    @classmethod
    def of(cls, config: settings.Settings) -> TrackerStore:
        return cls(config.tracker_store_url, config.tracker_store_schema)

    @classmethod
    def sqlite(cls, path: Path) -> TrackerStore:
        return cls(f"sqlite:///{path}")

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")

    @property
    def sqlite_path(self) -> Path:
        return Path(make_url(self.url).database or "")

    @property
    def async_url(self) -> str:
        """The URL for the product's async engine (asyncpg), whatever driver the setting names."""
        return "postgresql+asyncpg://" + self.url.split("://", 1)[1]

    @property
    def table(self) -> str:
        return f'"{self.schema}".events' if self.is_postgres else "events"


async def ensure(store: TrackerStore) -> None:
    """Create the PostgreSQL schema Rasa's events go into (Rasa creates its table, not the schema);
    part of `./musrenbang migrate`. Nothing to do for an SQLite file."""
    if not store.is_postgres:
        return
    engine = create_async_engine(store.async_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{store.schema}"'))
    finally:
        await engine.dispose()


def _delete_sqlite(path: Path, where: str, params: dict) -> int:
    if not path.is_file():
        return 0
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    try:
        exists = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").fetchone()
        if not exists:
            return 0
        with connection:
            return connection.execute(f"DELETE FROM events WHERE {where}", params).rowcount
    finally:
        connection.close()


async def _delete(store: TrackerStore, where: str, params: dict) -> int:
    if not store.is_postgres:
        return await asyncio.to_thread(_delete_sqlite, store.sqlite_path, where, params)
    engine = create_async_engine(store.async_url)
    try:
        async with engine.begin() as connection:
            exists = (await connection.execute(text("SELECT to_regclass(:table)"),
                                               {"table": store.table})).scalar()
            if exists is None:  # Rasa has not started yet: nothing stored
                return 0
            return (await connection.execute(text(f"DELETE FROM {store.table} WHERE {where}"), params)).rowcount
    finally:
        await engine.dispose()


async def forget_conversation(store: TrackerStore, sender_id: str, until: float | None = None) -> int:
    """Delete Rasa's events of one conversation (`<channel>:<external id>`), those up to the epoch
    second `until` when given; the number of events deleted."""
    if until is None:
        return await _delete(store, "sender_id = :sender", {"sender": sender_id})
    return await _delete(store, "sender_id = :sender AND timestamp <= :until", {"sender": sender_id, "until": until})


async def purge_before(store: TrackerStore, epoch_s: float) -> int:
    """Delete every event older than the epoch second `epoch_s` (the retention period)."""
    return await _delete(store, "timestamp < :cutoff", {"cutoff": epoch_s})
