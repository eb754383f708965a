"""Failed logins per key (a username, an address), counted in the database: every gateway
instance sees the same failures, so a lock holds whichever instance the next attempt reaches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import LoginThrottle, as_utc, utcnow


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    locked_until: datetime | None


async def locked_until(db: Database, keys: list[str], now: datetime | None = None) -> datetime | None:
    """The latest lock of any of these keys that is still in force, or None."""
    now = now or utcnow()
    async with db.session() as session:
        values = (
            await session.execute(select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys)))
        ).scalars().all()
    active = [as_utc(v) for v in values if v is not None and as_utc(v) > now]
    return max(active) if active else None


async def record_failed_login(db: Database, key: str, lockout: Callable[[int], timedelta | None],
                              window: timedelta, now: datetime | None = None) -> ThrottleState:
    """Count one failure for `key` and lock it for `lockout(failures)`.

    The count restarts when the previous failure is older than `window`. The increment is one
    UPDATE, so failures arriving at the same time on several gateways are all counted.
    """
    now = now or utcnow()
    for _ in range(5):
        async with db.session() as session:
            bumped = await session.execute(
                update(LoginThrottle).where(LoginThrottle.key == key)
                .values(failures=case((LoginThrottle.last_failure_at < now - window, 1),
                                      else_=LoginThrottle.failures + 1),
                        last_failure_at=now)
                .execution_options(synchronize_session=False)
            )
            if bumped.rowcount == 0:
                lock = lockout(1)
                session.add(LoginThrottle(key=key, failures=1, last_failure_at=now,
                                          locked_until=now + lock if lock else None))
                try:
                    await session.commit()
                except IntegrityError:  # the first failure arrived twice at once: count on that row
                    await session.rollback()
                    continue
                return ThrottleState(1, now + lock if lock else None)
            row = (await session.execute(select(LoginThrottle).where(LoginThrottle.key == key))).scalar_one()
            lock = lockout(row.failures)
            previous = as_utc(row.locked_until)
            if lock and (previous is None or previous < now + lock):
                row.locked_until = now + lock
            state = ThrottleState(row.failures, as_utc(row.locked_until))
            await session.commit()
            return state
    raise RuntimeError(f"could not record the failed login of {key}")


async def clear_failed_logins(db: Database, key: str) -> None:
    async with db.session() as session:
        await session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
        await session.commit()
