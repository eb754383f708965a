"""What /readyz and /metrics read from the database: that it answers, and how the two queues stand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select, text

from storage.db import Database
from storage.models import InboundMessage, OutboxMessage, utcnow

WAITING = {"inbound": ("queued", "processing"), "outbox": ("pending", "sending", "failed")}


@dataclass(frozen=True)
class QueueState:
    """Rows per status (only the statuses that wait), and how long the most overdue due row has waited:
    a message whose retry time passed and that no worker took (0 when none)."""

    depth: dict[str, int]
    overdue_s: float


async def ping(db: Database) -> None:
    """Raises when the database does not answer."""
    async with db.session() as session:
        await session.execute(text("SELECT 1"))


def _age(moment: datetime | None, now: datetime) -> float:
    if moment is None:
        return 0.0
    if moment.tzinfo is None:  # SQLite gives naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (now - moment).total_seconds())


async def queues(db: Database) -> dict[str, QueueState]:
    """The inbound queue and the outbox, in one short read."""
    now = utcnow()
    result = {}
    async with db.session() as session:
        for name, table, due in (("inbound", InboundMessage, "queued"), ("outbox", OutboxMessage, "pending")):
            rows = (await session.execute(
                select(table.status, func.count()).where(table.status.in_(WAITING[name])).group_by(table.status)
            )).all()
            oldest = (await session.execute(
                select(func.min(table.next_attempt_at)).where(table.status == due, table.next_attempt_at <= now)
            )).scalar()
            depth = {status: 0 for status in WAITING[name]}
            depth.update({status: count for status, count in rows})
            result[name] = QueueState(depth=depth, overdue_s=_age(oldest, now))
    return result
