"""Fixtures of the operations tests: an empty database of each kind (a new instance)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import PG_URL, in_thread


async def _admin(statement: str) -> None:
    engine = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes empty databases of each kind (`new_database("a")`: a URL), dropped at the end."""
    made: list[str] = []
    if request.param == "postgresql":
        request.getfixturevalue("pg_migrated")  # skips (or fails when required) without PostgreSQL

    def make(label: str) -> str:
        if request.param == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / label / 'musrenbang.db'}"
        name = f"{make_url(PG_URL).database}_{uuid.uuid4().hex[:10]}"
        in_thread(asyncio.run, _admin(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    for name in made:
        in_thread(asyncio.run, _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def empty_db(new_database: Callable[[str], str]) -> str:
    """A database with nothing in it, of each kind."""
    return new_database("empty")
