"""Rasa's SQLTrackerStore with connections checked before use (loaded by Rasa through the endpoints file
that ops/endpoints.py writes, for a tracker store on PostgreSQL).

Rasa 3.6 builds its engine without `pool_pre_ping`: after PostgreSQL restarts (an upgrade, a fail-over)
every pooled connection is dead and each one fails a citizen's turn once before it is replaced. With the
ping a dead connection is replaced before the turn uses it. Everything else is Rasa's own class.
Runs in the Rasa environment only.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class ResilientSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose pool pings a connection before lending it out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
