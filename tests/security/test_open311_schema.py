"""schemathesis against the Open311 OpenAPI document (bot/open311/openapi.py), served by a real gateway
process on SQLite and on PostgreSQL: whatever the generated requests hold, no answer is a 5xx, and
nothing is half-stored (every proposal a 201 announced is there with its citizen, and no other)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select

from ops.stack import Stack
from storage import api_keys, migrate
from storage.db import Database
from storage.models import Citizen, Proposal
from tests.conftest import _truncate, free_port, in_thread
from tests.security.counts import count

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
CREATED: dict[str, set[str]] = {}  # database kind → codes answered 201


class Open311Gateway:
    def __init__(self, kind: str, url: str, var_dir: Path) -> None:
        self.kind, self.database_url = kind, url
        self.stack = Stack(var_dir=var_dir, model=Path("unused"), rasa_port=free_port(), gateway_port=free_port(),
                           database_url=url, extra_env={"OPEN311_RATE_PER_MINUTE": "1000000",
                                                        "OPEN311_POSTS_PER_HOUR": "1000000"})
        self.key = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.stack.gateway_port}/open311/v2"

    def start(self) -> Open311Gateway:
        async def prepare() -> str:
            db = Database(self.database_url)
            await _truncate(db)
            _, key = await api_keys.create_key(db, "schemathesis")
            await db.dispose()
            return key

        self.key = in_thread(asyncio.run, prepare())
        self.stack.launch("gateway", True, 60)
        return self

    def counts(self) -> tuple[int, int]:
        async def read() -> tuple[int, int]:
            db = Database(self.database_url)
            async with db.session() as session:
                proposals = (await session.execute(select(func.count()).select_from(Proposal))).scalar_one()
                orphans = (await session.execute(
                    select(func.count()).select_from(Proposal).where(~Proposal.citizen_id.in_(select(Citizen.id))))
                ).scalar_one()
            await db.dispose()
            return proposals, orphans

        return in_thread(asyncio.run, read())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def open311_gateway(request: pytest.FixtureRequest,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[Open311Gateway]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('o311') / 'o311.db'}"
        in_thread(migrate.upgrade, url)
    else:
        url = request.getfixturevalue("pg_migrated")
    gateway = Open311Gateway(request.param, url, tmp_path_factory.mktemp("var")).start()
    CREATED[request.param] = set()
    yield gateway
    gateway.stack.stop()


def test_open311_never_answers_5xx(open311_gateway: Open311Gateway) -> None:
    """Every operation of the document, `EXAMPLES` generated requests each (valid and invalid ones)."""
    schema = schemathesis.openapi.from_url(f"{open311_gateway.base}/openapi.json")
    failures = []
    for found in schema.get_all_operations():
        operation = found.ok()

        @EXAMPLES
        @given(case=operation.as_strategy())
        def call(case) -> None:
            response = case.call(base_url=open311_gateway.base, headers={"X-API-Key": open311_gateway.key},
                                 timeout=20)
            count(f"open311 ({open311_gateway.kind})", response.status_code)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, response.status_code, response.text[:300]))
            if response.status_code == 201:
                CREATED[open311_gateway.kind].add(response.json()[0]["service_request_id"])

        call()
    assert failures == []


def test_nothing_half_stored(open311_gateway: Open311Gateway) -> None:
    """Runs after the schema tests of its database (same module fixture): one proposal per 201, each with
    its citizen row."""
    proposals, orphans = open311_gateway.counts()
    assert proposals == len(CREATED[open311_gateway.kind]) and orphans == 0
