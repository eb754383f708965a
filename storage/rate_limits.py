"""The one rate limiter: requests per bucket in fixed windows, counted in the database.

Every limit of the gateway counts here — each chat channel's messages per sender (bot/intake.py),
the web chat's polling, the Open311 API per key and per address — so several gateway processes share
one count (DESIGN.md: state is shared through the database, never through process memory).
Rows live in `api_rate_counters` (named after its first user); old windows are swept as new ones open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import ApiRateCounter, utcnow

COUNTER_KEEP_S = 2 * 24 * 3600  # counters older than this are swept; every window must be shorter


@dataclass(frozen=True)
class RateState:
    """One counted request: how many the bucket has seen in this window, and when it resets."""

    count: int
    limit: int
    retry_after_s: int  # seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


async def hit(db: Database, bucket: str, limit: int, window_s: int, now: datetime | None = None) -> RateState:
    """Count one request of `bucket` in its window of `window_s` seconds, which opens with the bucket's
    first request (so a burst is judged the same whenever it comes, not split by the clock's minute).

    The increment is one UPDATE (or the window's first INSERT), so requests arriving at the same time on
    several gateways are all counted; on PostgreSQL it returns the count too: one statement per request.
    Refused requests count too: hammering does not help.
    """
    if not 0 < window_s <= COUNTER_KEEP_S // 2:
        raise ValueError(f"window of {window_s} s out of range")
    epoch = int((now or utcnow()).timestamp())
    for _ in range(5):
        async with db.session() as session:
            latest = (
                select(func.max(ApiRateCounter.window_start))
                .where(ApiRateCounter.bucket == bucket, ApiRateCounter.window_start > epoch - window_s,
                       ApiRateCounter.window_start <= epoch)
                .scalar_subquery()
            )
            increment = (
                update(ApiRateCounter)
                .where(ApiRateCounter.bucket == bucket, ApiRateCounter.window_start == latest)
                .values(count=ApiRateCounter.count + 1)
                .execution_options(synchronize_session=False)
            )
            if db.is_sqlite:  # SQLAlchemy 1.4 has no RETURNING for SQLite; the embedded default has one writer
                await session.execute(increment)
                counted = (await session.execute(
                    select(ApiRateCounter.count, ApiRateCounter.window_start)
                    .where(ApiRateCounter.bucket == bucket, ApiRateCounter.window_start == latest)
                )).first()
            else:
                counted = (await session.execute(
                    increment.returning(ApiRateCounter.count, ApiRateCounter.window_start))).first()
            if counted is not None:
                await session.commit()
                count, start = counted
                return RateState(count, limit, max(1, start + window_s - epoch))
            # A new window: sweep the counters of long-gone windows on the way.
            await session.execute(
                delete(ApiRateCounter).where(ApiRateCounter.window_start < epoch - COUNTER_KEEP_S)
                .execution_options(synchronize_session=False)
            )
            session.add(ApiRateCounter(bucket=bucket, window_start=epoch, count=1))
            try:
                await session.commit()
            except IntegrityError:  # the window's first request arrived twice at once: count on that row
                await session.rollback()
                continue
            return RateState(1, limit, window_s)
    raise RuntimeError(f"could not count a request of {bucket}")
