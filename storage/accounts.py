"""Officer accounts and their console sessions.

Password hashing stays with the callers (the gateway, the CLI): storage also runs in the Rasa
environment, which has no hashing library. Each function is its own unit of work and returns
plain dataclasses (never the password hash, except in `Credentials` for the login check).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from core import roles
from storage.db import Database
from storage.models import Officer, OfficerSession, as_utc, utcnow


@dataclass(frozen=True)
class OfficerView:
    """An officer without the password hash, safe to hand to templates and JSON."""

    id: int
    username: str
    full_name: str
    role: str
    scope_code: str | None
    sector: str | None
    active: bool
    created_at: datetime

    def as_dict(self) -> dict:
        return {"id": self.id, "username": self.username, "full_name": self.full_name, "role": self.role,
                "scope_code": self.scope_code, "sector": self.sector, "active": self.active,
                "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class Credentials:
    officer: OfficerView
    password_hash: str = field(repr=False)


def _officer_view(row: Officer) -> OfficerView:
    return OfficerView(row.id, row.username, row.full_name or "", row.role, row.scope_code, row.sector,
                       bool(row.active), as_utc(row.created_at))


class DuplicateUsername(ValueError):
    """The username is taken."""


async def create_officer(db: Database, username: str, password_hash: str, role: str, scope_code: str | None = None,
                         sector: str | None = None, full_name: str = "") -> OfficerView:
    """Store a new officer; raises ScopeError for an unusable role/scope, DuplicateUsername."""
    username = username.strip().lower()
    if not username:
        raise ValueError("username is empty")
    roles.validate_officer(role, scope_code, sector)
    async with db.session() as session:
        row = Officer(username=username, full_name=full_name.strip(), password_hash=password_hash, role=role,
                      scope_code=scope_code if role != roles.ADMIN else None, sector=sector, active=True,
                      created_at=utcnow())
        session.add(row)
        try:
            await session.commit()
        except IntegrityError as error:
            raise DuplicateUsername(f"username {username!r} is taken") from error
        return _officer_view(row)


async def get_officer(db: Database, username: str) -> OfficerView | None:
    found = await get_credentials(db, username)
    return found.officer if found else None


async def get_credentials(db: Database, username: str) -> Credentials | None:
    async with db.session() as session:
        row = (
            await session.execute(select(Officer).where(Officer.username == username.strip().lower()))
        ).scalar_one_or_none()
        return Credentials(_officer_view(row), row.password_hash) if row else None


async def list_officers(db: Database) -> list[OfficerView]:
    async with db.session() as session:
        rows = (await session.execute(select(Officer).order_by(Officer.role, Officer.username))).scalars().all()
        return [_officer_view(r) for r in rows]


async def set_password_hash(db: Database, username: str, password_hash: str) -> bool:
    async with db.session() as session:
        done = await session.execute(update(Officer).where(Officer.username == username.strip().lower())
                                     .values(password_hash=password_hash))
        await session.commit()
        return done.rowcount == 1


async def change_password(db: Database, officer_id: int, password_hash: str,
                          keep_session: str | None = None) -> int | None:
    """A new password ends every session of the account but `keep_session` (a token hash): whoever
    held the old password, or a browser left logged in, is out. The number of sessions ended, or
    None when there is no such officer."""
    async with db.session() as session:
        done = await session.execute(update(Officer).where(Officer.id == officer_id)
                                     .values(password_hash=password_hash))
        if done.rowcount != 1:
            await session.rollback()
            return None
        ended = delete(OfficerSession).where(OfficerSession.officer_id == officer_id)
        if keep_session is not None:
            ended = ended.where(OfficerSession.token_hash != keep_session)
        count = (await session.execute(ended)).rowcount
        await session.commit()
        return count


async def set_active(db: Database, officer_id: int, active: bool) -> bool:
    """Switch an account on or off; switching it off also ends its sessions."""
    async with db.session() as session:
        done = await session.execute(update(Officer).where(Officer.id == officer_id).values(active=active))
        if not active:
            await session.execute(delete(OfficerSession).where(OfficerSession.officer_id == officer_id))
        await session.commit()
        return done.rowcount == 1


# --- Sessions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionView:
    officer: OfficerView
    csrf_token: str
    expires_at: datetime


async def create_session(db: Database, officer_id: int, token_hash: str, csrf_token: str, expires_at: datetime,
                         ip: str | None = None) -> None:
    now = utcnow()
    async with db.session() as session:
        await session.execute(delete(OfficerSession).where(OfficerSession.expires_at < now))
        session.add(OfficerSession(token_hash=token_hash, officer_id=officer_id, csrf_token=csrf_token, ip=ip,
                                   created_at=now, expires_at=expires_at))
        await session.commit()


async def get_session(db: Database, token_hash: str, now: datetime | None = None) -> SessionView | None:
    """The live session of an active officer with this token hash, or None."""
    now = now or utcnow()
    async with db.session() as session:
        row = (
            await session.execute(
                select(OfficerSession, Officer).join(Officer, Officer.id == OfficerSession.officer_id)
                .where(OfficerSession.token_hash == token_hash, OfficerSession.expires_at > now,
                       Officer.active.is_(True))
            )
        ).one_or_none()
    if row is None:
        return None
    stored, officer = row
    return SessionView(_officer_view(officer), stored.csrf_token, as_utc(stored.expires_at))


async def delete_session(db: Database, token_hash: str) -> None:
    async with db.session() as session:
        await session.execute(delete(OfficerSession).where(OfficerSession.token_hash == token_hash))
        await session.commit()
