"""Alembic environment: runs migrations on the connection storage/migrate.py holds its lock on, or on
the project's async engine when Alembic is called directly."""

from __future__ import annotations

import asyncio

from alembic import context

from storage.db import create_engine
from storage.models import Base


def _run(connection) -> None:  # noqa: ANN001 - a sync Connection from run_sync
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _main() -> None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


shared = context.config.attributes.get("connection")
if shared is not None:
    _run(shared)
else:
    asyncio.run(_main())
