"""The one rate limiter: requests per bucket in fixed windows, counted in the database.

Every limit of the gateway counts here — each chat channel's messages per sender (bot/intake.py),
the web chat's polling, the Open311 API per key and per address — so several gateway processes share
one count (DESIGN.md: state is shared through the database, never through process memory).
Rows live in `api_rate_counters` (named after its first user); old windows are swept as new ones open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, update

from storage import onestep
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


_TABLE = ApiRateCounter.__table__
# The bucket's current window: the newest one opened within `window_s` of now (bound as q_since, q_epoch).
_LATEST = (select(func.max(_TABLE.c.window_start))
           .where(_TABLE.c.bucket == bindparam("q_bucket"), _TABLE.c.window_start > bindparam("q_since"),
                  _TABLE.c.window_start <= bindparam("q_epoch"))
           .scalar_subquery())
_INCREMENT = (update(_TABLE).where(_TABLE.c.bucket == bindparam("q_bucket"), _TABLE.c.window_start == _LATEST)
              .values(count=_TABLE.c.count + 1))
_COUNT = {  # by dialect: SQLAlchemy 1.4 has no RETURNING for SQLite (the embedded default has one writer)
    "postgresql": (onestep.Prepared(_INCREMENT.returning(_TABLE.c.count, _TABLE.c.window_start)),),
    "sqlite": (onestep.Prepared(_INCREMENT), onestep.Prepared(
        select(_TABLE.c.count, _TABLE.c.window_start)
        .where(_TABLE.c.bucket == bindparam("q_bucket"), _TABLE.c.window_start == _LATEST))),
}
_SWEEP = onestep.Prepared(delete(_TABLE).where(_TABLE.c.window_start < bindparam("q_before")))
_OPEN = onestep.Prepared(insert(_TABLE).values(bucket=bindparam("v_bucket"), window_start=bindparam("v_epoch"),
                                               count=1))


async def hit(db: Database, bucket: str, limit: int, window_s: int, now: datetime | None = None) -> RateState:
    """Count one request of `bucket` in its window of `window_s` seconds, which opens with the bucket's
    first request (so a burst is judged the same whenever it comes, not split by the clock's minute).

    The increment is one UPDATE (or the window's first INSERT), so requests arriving at the same time on
    several gateways are all counted; on PostgreSQL it returns the count too: one statement per request.
    Refused requests count too: hammering does not help. Every chat message and web chat poll counts here,
    so it runs as one step (storage/onestep.py).
    """
    if not 0 < window_s <= COUNTER_KEEP_S // 2:
        raise ValueError(f"window of {window_s} s out of range")
    epoch = int((now or utcnow()).timestamp())
    return await onestep.run(db, lambda dialect: _hit_steps(_COUNT.get(dialect, _COUNT["postgresql"]), bucket,
                                                            limit, window_s, epoch))


def _hit_steps(count: tuple[onestep.Prepared, ...], bucket: str, limit: int, window_s: int,
               epoch: int) -> onestep.Steps:
    window = {"q_bucket": bucket, "q_since": epoch - window_s, "q_epoch": epoch}
    for _ in range(5):
        counted: list = []
        for statement in count:
            counted = yield statement, window
        if counted:
            found, start = counted[0]
            return RateState(found, limit, max(1, start + window_s - epoch))
        # A new window: sweep the counters of long-gone windows on the way.
        yield _SWEEP, {"q_before": epoch - COUNTER_KEEP_S}
        try:
            yield _OPEN, {"v_bucket": bucket, "v_epoch": epoch}
        except onestep.Conflict:  # the window's first request arrived twice at once: count on that row
            continue
        return RateState(1, limit, window_s)
    raise RuntimeError(f"could not count a request of {bucket}")
