"""Login attempts per key (a username, an address), counted in the database before the password
is checked: every gateway instance sees the same count, so a lock holds whichever instance the
next attempt reaches, and a burst of simultaneous guesses cannot all be checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import LoginThrottle, as_utc, utcnow


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    locked_until: datetime | None
    allowed: bool = True  # False: the key was locked, the attempt was not counted and must not be checked


async def locked_until(db: Database, keys: list[str], now: datetime | None = None) -> datetime | None:
    """The latest lock of any of these keys that is still in force, or None."""
    now = now or utcnow()
    async with db.session() as session:
        values = (
            await session.execute(select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys)))
        ).scalars().all()
    active = [as_utc(v) for v in values if v is not None and as_utc(v) > now]
    return max(active) if active else None


async def begin_attempt(db: Database, key: str, lockout: Callable[[int], timedelta | None],
                        window: timedelta, now: datetime | None = None) -> ThrottleState:
    """Count one attempt for `key` before its password is checked, and lock the key for
    `lockout(attempts)`; `allowed` is False (nothing counted) while a lock is in force.

    Counting first is what makes the policy hold under a burst: of ten wrong passwords sent at
    once where three are allowed, three are counted as allowed and the other seven find the lock,
    so only three are ever checked. A successful attempt gives its count back
    (`attempt_succeeded`, or `clear_failed_logins`). The count restarts when the previous attempt
    is older than `window`. The increment is one conditional UPDATE, so attempts arriving at the
    same time on several gateways are each counted once.
    """
    now = now or utcnow()
    for _ in range(5):
        async with db.session() as session:
            bumped = await session.execute(
                update(LoginThrottle)
                .where(LoginThrottle.key == key,
                       or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now))
                .values(failures=case((LoginThrottle.last_failure_at < now - window, 1),
                                      else_=LoginThrottle.failures + 1),
                        last_failure_at=now)
                .execution_options(synchronize_session=False)
            )
            row = (await session.execute(select(LoginThrottle).where(LoginThrottle.key == key))).scalar_one_or_none()
            if bumped.rowcount == 0 and row is not None:
                lock = as_utc(row.locked_until)
                if lock is not None and lock > now:  # locked: refused uncounted
                    return ThrottleState(row.failures, lock, allowed=False)
                await session.rollback()  # the first attempt of another request created it meanwhile
                continue
            if row is None:
                lock = lockout(1)
                session.add(LoginThrottle(key=key, failures=1, last_failure_at=now,
                                          locked_until=now + lock if lock else None))
                try:
                    await session.commit()
                except IntegrityError:  # the first attempt arrived twice at once: count on that row
                    await session.rollback()
                    continue
                return ThrottleState(1, now + lock if lock else None)
            lock = lockout(row.failures)
            previous = as_utc(row.locked_until)
            if lock and (previous is None or previous < now + lock):
                row.locked_until = now + lock
            state = ThrottleState(row.failures, as_utc(row.locked_until))
            await session.commit()
            return state
    raise RuntimeError(f"could not count the login attempt of {key}")


async def attempt_succeeded(db: Database, key: str, lockout: Callable[[int], timedelta | None]) -> None:
    """Give back the count of an attempt that turned out right (an office's address must not be
    locked by its own officers' good logins); a lock that attempt set is lifted with it."""
    async with db.session() as session:
        row = (await session.execute(select(LoginThrottle).where(LoginThrottle.key == key)
                                     .with_for_update())).scalar_one_or_none()
        if row is None:
            return
        await session.execute(
            update(LoginThrottle).where(LoginThrottle.key == key, LoginThrottle.failures > 0)
            .values(failures=LoginThrottle.failures - 1).execution_options(synchronize_session=False)
        )
        remaining = (await session.execute(select(LoginThrottle.failures).where(LoginThrottle.key == key))
                     ).scalar_one()
        if lockout(remaining) is None:
            await session.execute(update(LoginThrottle).where(LoginThrottle.key == key).values(locked_until=None)
                                  .execution_options(synchronize_session=False))
        await session.commit()


async def clear_failed_logins(db: Database, key: str) -> None:
    async with db.session() as session:
        await session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
        await session.commit()
