"""Bring a database to the newest schema with Alembic: `./musrenbang migrate` (`python -m storage.migrate`).

A one-shot step before the services start. Runs of it at the same time (two machines deploying at once)
take turns: on PostgreSQL under an advisory lock, on SQLite under a lock file beside the database; the
one that waited finds the schema at head and does nothing. In production mode the services never migrate;
they check that the schema is at head (`check_current`) and refuse to start otherwise.
"""

from __future__ import annotations

import asyncio
import fcntl
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from core import settings
from storage.db import create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# pg_advisory_lock key of the migration step: any fixed 64-bit number, the same in every process.
LOCK_KEY = 0x6D7573726E62  # "musrnb"


class SchemaBehind(RuntimeError):
    """The database is older than this code: run `./musrenbang migrate` first."""


@dataclass(frozen=True)
class Outcome:
    """What one run did: the revision before and after (equal: nothing to do)."""

    before: str | None
    after: str | None

    @property
    def migrated(self) -> bool:
        return self.before != self.after


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _current(connection) -> str | None:  # noqa: ANN001 - a sync Connection from run_sync
    return MigrationContext.configure(connection).get_current_revision()


@asynccontextmanager
async def _locked(url: str) -> AsyncIterator[AsyncConnection]:
    """A connection holding the migration lock: PostgreSQL's advisory lock (waits for another run to end);
    on SQLite an exclusive lock file beside the database file."""
    engine = create_engine(url)
    lock_file = None
    try:
        if engine.dialect.name == "sqlite":
            database = make_url(url).database
            if database and database != ":memory:":
                lock_file = open(f"{database}.migrate-lock", "a")  # held until the end
                await asyncio.to_thread(fcntl.flock, lock_file, fcntl.LOCK_EX)
        async with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
                await connection.commit()
            try:
                yield connection
            finally:
                if engine.dialect.name == "postgresql":
                    await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                    await connection.commit()
    finally:
        if lock_file is not None:
            lock_file.close()  # releases the flock
        await engine.dispose()


async def _upgrade(url: str) -> Outcome:
    async with _locked(url) as connection:
        before = await connection.run_sync(_current)
        if before != head():
            config = alembic_config(url)

            def run(sync_connection) -> None:  # noqa: ANN001 - a sync Connection from run_sync
                config.attributes["connection"] = sync_connection
                command.upgrade(config, "head")

            await connection.run_sync(run)
            await connection.commit()
        return Outcome(before, await connection.run_sync(_current))


def upgrade(url: str | None = None) -> Outcome:
    """Migrate to head under the lock (the caller must not be inside a running event loop)."""
    return asyncio.run(_upgrade(url or settings.load().database_url))


async def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current)
    finally:
        await engine.dispose()


async def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            else:
                query = ("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                         "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
            return list((await connection.execute(text(query))).scalars())
    finally:
        await engine.dispose()


def existing_tables(url: str) -> list[str]:
    """Every table in the database (any schema): empty for a new instance that a backup may go into."""
    return asyncio.run(_tables(url))


def check_current(url: str) -> None:
    """Raise SchemaBehind unless the database is at this code's head revision."""
    current, newest = asyncio.run(_revision(url)), head()
    if current != newest:
        raise SchemaBehind(f"the database schema is at {current or 'nothing (empty database)'}, this version needs "
                           f"{newest}: run `./musrenbang migrate` (once, before starting the services)")


def prepare(config: settings.Settings) -> Outcome | None:
    """What a process does with the schema at start: local mode migrates (a fresh laptop just works),
    production mode only checks (the migration is its own step)."""
    if config.mode == "production":
        check_current(config.database_url)
        return None
    return upgrade(config.database_url)


def main(argv: list[str]) -> int:
    """`./musrenbang migrate [URL]`: the schema to head, and Rasa's tracker store schema prepared;
    `--check`: only say whether the schema is at head (exit 1 if not)."""
    from storage import tracker_events

    config = settings.load()
    if argv[:1] == ["--check"]:
        try:
            check_current(config.database_url)
        except SchemaBehind as error:
            print(f"error: {error}", file=sys.stderr, flush=True)
            return 1
        return 0
    url = argv[0] if argv else config.database_url
    outcome = upgrade(url)
    if not argv:
        asyncio.run(tracker_events.ensure(tracker_events.TrackerStore.of(config)))
    if outcome.migrated:
        print(f"Migrated the database from {outcome.before or 'empty'} to {outcome.after}.", flush=True)
    else:
        print(f"Database schema up to date ({outcome.after}); nothing to do.", flush=True)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main(sys.argv[1:]))
    except settings.ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
