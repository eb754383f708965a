"""API keys of the Open311 interface (its rate limits count through storage.rate_limits).

A key is shown once, when it is created; only its SHA-256 is stored, so a leaked database
lets no one submit proposals. (Keys are 256 random bits, so a fast hash is enough: there is
nothing to guess, unlike a password.)
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import ApiKey, as_utc, utcnow
from storage.rate_limits import RateState, hit  # noqa: F401 - the Open311 limits count through the one limiter

KEY_PREFIX = "mrb_"
PREFIX_SHOWN = 8  # "mrb_" and four random characters: enough to tell keys apart in a list
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")


class DuplicateName(ValueError):
    """A key with this name exists already (revoked keys keep their name, for the record)."""




def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApiKeyView:
    """A key as listed: never the key itself."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    request_count: int

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict:
        data = asdict(self)
        for name in ("created_at", "revoked_at", "last_used_at"):
            data[name] = data[name].isoformat(timespec="seconds") if data[name] else None
        data["active"] = self.active
        return data


def _view(row: ApiKey) -> ApiKeyView:
    return ApiKeyView(row.id, row.name, row.key_prefix, as_utc(row.created_at), as_utc(row.revoked_at),
                      as_utc(row.last_used_at), row.request_count or 0)


async def create_key(db: Database, name: str) -> tuple[ApiKeyView, str]:
    """A new key named `name`: its view and the key itself, which is not stored and not shown again."""
    if not NAME_RE.match(name or ""):
        raise ValueError("a key name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    async with db.session() as session:
        row = ApiKey(name=name, key_hash=key_hash(key), key_prefix=key[:PREFIX_SHOWN], request_count=0,
                     created_at=utcnow())
        session.add(row)
        try:
            await session.commit()
        except IntegrityError as error:
            await session.rollback()
            raise DuplicateName(f"an API key named {name!r} exists already (revoked keys keep their name)") from error
        return _view(row), key


async def list_keys(db: Database) -> list[ApiKeyView]:
    async with db.session() as session:
        rows = (await session.execute(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))).scalars().all()
        return [_view(row) for row in rows]


async def revoke_key(db: Database, name: str, now: datetime | None = None) -> ApiKeyView | None:
    """Revoke the key named `name` (a second revoke keeps the first date); None if there is none."""
    async with db.session() as session:
        row = (await session.execute(select(ApiKey).where(ApiKey.name == name))).scalar_one_or_none()
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = now or utcnow()
            await session.commit()
        return _view(row)


async def authenticate(db: Database, key: str, now: datetime | None = None) -> ApiKeyView | None:
    """The active key behind `key`, counted as used once; None when unknown or revoked."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 128:
        return None
    now = now or utcnow()
    async with db.session() as session:
        row = (
            await session.execute(select(ApiKey).where(ApiKey.key_hash == key_hash(key), ApiKey.revoked_at.is_(None)))
        ).scalar_one_or_none()
        if row is None:
            return None
        await session.execute(
            update(ApiKey).where(ApiKey.id == row.id)
            .values(request_count=ApiKey.request_count + 1, last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        await session.refresh(row)
        return _view(row)
