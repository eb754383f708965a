"""Rasa's tracker store as Rasa serves it here (ops/rasa_tracker.py): the same rows and conversations as
Rasa's own SQLTrackerStore, two statements a turn instead of one per event, WAL on SQLite, and a turn
committed before the process is killed is still there. SQLite and a real PostgreSQL; Rasa environment."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from sqlalchemy.engine import make_url

from ops.rasa_tracker import ResilientSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.from_yaml(textwrap.dedent("""
    version: "3.1"
    intents: [greet, check_status]
    slots:
      tracking_code:
        type: any
        mappings: [{type: custom}]
    responses:
      utter_greet: [{text: "Halo"}]
    """))


def turn(text: str, intent: str, reply: str, code: str | None = None) -> list:
    """The events of one citizen turn, as Rasa's processor appends them."""
    events = [UserUttered(text, {"name": intent, "confidence": 0.97},
                          parse_data={"intent": {"name": intent, "confidence": 0.97}, "entities": [], "text": text})]
    if code:
        events.append(SlotSet("tracking_code", code))
    return [*events, ActionExecuted("action_check_status" if code else "utter_greet"), BotUttered(reply),
            ActionExecuted("action_listen")]


CONVERSATION = [
    [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
     *turn("halo", "greet", "Halo!")],
    turn("status USL-7K3Q9D", "check_status", "Belum ditemukan", code="USL-7K3Q9D"),
    [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
     *turn("halo lagi", "greet", "Halo lagi!")],
    turn("halo", "greet", "Halo!"),
]


def sqlite_store(cls: type[SQLTrackerStore], path: Path) -> SQLTrackerStore:
    return cls(DOMAIN, dialect="sqlite", db=str(path))


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[SQLTrackerStore, SQLTrackerStore]]:
    """Rasa's store and ours, each on a database of its own."""
    if request.param == "sqlite":
        yield sqlite_store(SQLTrackerStore, tmp_path / "rasa.db"), sqlite_store(ResilientSQLTrackerStore,
                                                                                 tmp_path / "ours.db")
        return
    url = make_url(request.getfixturevalue("pg_migrated")).set(drivername="postgresql")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for schema in ("rasa_own", "ours"):
            connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    engine.dispose()
    made = []
    for cls, schema in ((SQLTrackerStore, "rasa_own"), (ResilientSQLTrackerStore, "ours")):
        schema_url = url.update_query_dict({"options": f"-csearch_path={schema}"})
        made.append(cls(DOMAIN, host=schema_url.render_as_string(hide_password=False)))
    yield made[0], made[1]
    for store in made:
        store.engine.dispose()


def rows(store: SQLTrackerStore) -> list[tuple]:
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"))]


def count_statements(store: SQLTrackerStore) -> list[str]:
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute",
                    lambda _conn, _cursor, statement, *_args: statements.append(statement.split()[0].upper()))
    return statements


async def play(store: SQLTrackerStore, sender: str = "web:warga") -> list:
    """Each turn: read the conversation (or start one), append the turn's events, save; the trackers read."""
    seen = []
    for events in CONVERSATION:
        tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
        seen.append(tracker.current_state())
        for event in events:
            tracker.update(event, DOMAIN)
        await store.save(tracker)
    seen.append((await store.retrieve(sender)).current_state())
    seen.append((await store.retrieve_full_tracker(sender)).current_state())
    return seen


def test_the_rows_and_the_conversations_are_rasas_own(stores: tuple[SQLTrackerStore, SQLTrackerStore]) -> None:
    rasa, ours = stores
    assert asyncio.run(play(ours)) == asyncio.run(play(rasa))
    assert rows(ours) == rows(rasa)
    assert len(rows(ours)) == sum(len(events) for events in CONVERSATION)


def test_a_turn_costs_two_statements_not_one_per_event(stores: tuple[SQLTrackerStore, SQLTrackerStore]) -> None:
    rasa, ours = stores
    counted = {}
    for name, store in (("rasa", rasa), ("ours", ours)):
        asyncio.run(play(store, "web:earlier"))
        statements = count_statements(store)

        async def one_turn(store: SQLTrackerStore = store) -> None:
            tracker = await store.get_or_create_tracker("web:earlier", append_action_listen=False)
            for event in turn("halo", "greet", "Halo!"):
                tracker.update(event, DOMAIN)
            await store.save(tracker)

        asyncio.run(one_turn())
        counted[name] = [s for s in statements if s in ("SELECT", "INSERT", "UPDATE", "DELETE")]
    # Rasa: read, count the stored events, then one INSERT per event (psycopg2 batches them on PostgreSQL)
    inserts = 1 if rasa.engine.dialect.name == "postgresql" else 4
    assert counted["rasa"] == ["SELECT", "SELECT"] + ["INSERT"] * inserts
    assert counted["ours"] == ["SELECT", "INSERT"]


def test_a_tracker_saved_twice_or_made_elsewhere_gets_each_event_once(tmp_path: Path) -> None:
    store = sqlite_store(ResilientSQLTrackerStore, tmp_path / "ours.db")

    async def scenario() -> None:
        tracker = await store.get_or_create_tracker("web:a", append_action_listen=False)  # new: not read back
        for event in CONVERSATION[0]:
            tracker.update(event, DOMAIN)
        await store.save(tracker)
        await store.save(tracker)  # nothing new
        for event in CONVERSATION[1]:
            tracker.update(event, DOMAIN)
        await store.save(tracker)

    asyncio.run(scenario())
    assert len(rows(store)) == len(CONVERSATION[0]) + len(CONVERSATION[1])


def test_sqlite_runs_in_wal_with_normal_sync(tmp_path: Path) -> None:
    store = sqlite_store(ResilientSQLTrackerStore, tmp_path / "ours.db")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


KILLED_WRITER = """
import asyncio, os, signal, sys
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from ops.rasa_tracker import ResilientSQLTrackerStore
store = ResilientSQLTrackerStore(Domain.empty(), dialect="sqlite", db=sys.argv[1])
async def main():
    tracker = await store.get_or_create_tracker("web:killed", append_action_listen=False)
    for event in (UserUttered("halo"), ActionExecuted("utter_greet"), BotUttered("Halo!"),
                  ActionExecuted("action_listen")):
        tracker.update(event)
    await store.save(tracker)
asyncio.run(main())
os.kill(os.getpid(), signal.SIGKILL)  # no clean-up, no checkpoint, the connection still open
"""


def test_a_committed_turn_survives_the_process_being_killed(tmp_path: Path) -> None:
    database = tmp_path / "ours.db"
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(database)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    assert Path(f"{database}-wal").exists()  # the turn is in the WAL, not yet in the main file
    tracker = asyncio.run(sqlite_store(ResilientSQLTrackerStore, database).retrieve("web:killed"))
    assert tracker is not None
    assert [type(event) for event in tracker.events] == [UserUttered, ActionExecuted, BotUttered, ActionExecuted]
