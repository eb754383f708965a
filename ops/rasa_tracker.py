"""Rasa's SQLTrackerStore with its per-turn cost taken out (loaded by Rasa through the endpoints file that
ops/endpoints.py writes, for SQLite and PostgreSQL alike). Runs in the Rasa environment only.

What Rasa 3.6's class costs a turn, and what changes here (py-spy under 20 senders, docs/operations.md):
- the engine: on PostgreSQL it has no `pool_pre_ping`, so after a restart (an upgrade, a fail-over) every
  pooled connection fails a citizen's turn once; here a dead connection is replaced before use. On SQLite
  SQLAlchemy 1.4 opens a new connection (and re-reads the schema) for every session, two a turn; here a
  small pool keeps them.
- SQLite in its default rollback journal with `synchronous=FULL`: each commit syncs the disk twice, inside
  Rasa's event loop, stalling every turn of the process. Here WAL with `synchronous=NORMAL` (as storage/db.py
  sets for the project's database): a commit appends to the WAL; a committed turn survives a crash or a kill
  of any process (the WAL is in the OS's page cache, the next opener replays it), only an OS crash or power
  loss can lose the last turns before a checkpoint.
- `save` counted the stored events of the session with a second query (`_additional_events`) to know which
  of the tracker's events are new, then issued one ORM INSERT per event (6 a turn): here the tracker
  remembers how many of its events the database holds (set when it was read, updated when it is saved;
  a tracker that did not come from `retrieve` falls back to Rasa's count), and the new events go in as one
  multi-row INSERT, the very rows Rasa would write, in order.
- `retrieve` built Rasa's query anew for every read and an ORM object per event row, only to read its `data`
  column: here the same query (Rasa's conditions, `data` only) is built once and run with the sender's id.
The conversation a turn sees, and the rows in `events`, are Rasa's: tests/ops/test_rasa_tracker.py.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

# Attribute on a DialogueStateTracker: how many of its events (from its first) are in the `events` table.
STORED = "_musrenbang_stored_events"
SQLITE_POOL_SIZE = 4  # one event loop uses one at a time; a few for Rasa's API calls that overlap a turn


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL and NORMAL sync on every new SQLite connection (module docstring)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine_for(url: sa.engine.URL) -> sa.engine.Engine:
    """The tracker store's engine: pinged pool on PostgreSQL, pooled WAL connections on an SQLite file."""
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
    if url.database in (None, "", ":memory:"):  # one in-memory database per connection: keep Rasa's pool
        return sa.create_engine(url)
    engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=SQLITE_POOL_SIZE,
                              connect_args={"check_same_thread": False})
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class ResilientSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore with a pinged or pooled engine, WAL on SQLite and two statements a turn (module
    docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = engine_for(url)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._reads = self._event_data_queries()

    def _event_data_queries(self) -> dict[bool, sa.sql.Select]:
        """Rasa's `_event_query` (by all sessions or not), selecting `data` only, with the sender as a parameter."""
        events = self.SQLEvent.__table__
        sender = events.c.sender_id == sa.bindparam("sender_id")
        latest = (sa.select(sa.func.max(events.c.timestamp).label("session_start"))
                  .where(sender, events.c.type_name == SessionStarted.type_name).subquery())
        everything = sa.select(events.c.data).where(sender).order_by(events.c.id)
        since_latest = (sa.select(events.c.data)
                        .where(sender, sa.or_(events.c.timestamp >= latest.c.session_start,
                                              latest.c.session_start.is_(None)))
                        .order_by(events.c.id))
        return {True: everything, False: since_latest}

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Rasa's tracker of the latest session, remembering how many of its events are stored."""
        tracker = await self._retrieve(sender_id, fetch_events_from_all_sessions=False)
        if tracker is not None:
            setattr(tracker, STORED, len(tracker.events))
        return tracker

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """Rasa's query and tracker, reading the `data` column only."""
        with self.session_scope() as session:
            found = session.execute(self._reads[fetch_events_from_all_sessions], {"sender_id": sender_id})
            events = [json.loads(data) for data in found.scalars()]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Inserts the tracker's events that are not stored yet, as Rasa does, in one statement."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = getattr(tracker, STORED, None)
            if stored is None or stored > len(tracker.events):
                new_events = self._additional_events(session, tracker)
            else:
                new_events = itertools.islice(tracker.events, stored, None)
            rows = []
            for event in new_events:
                data = event.as_dict()
                rows.append({"sender_id": tracker.sender_id, "type_name": event.type_name,
                             "timestamp": data.get("timestamp"),
                             "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                             "action_name": data.get("name"), "data": json.dumps(data)})
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        setattr(tracker, STORED, len(tracker.events))
