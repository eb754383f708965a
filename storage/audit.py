"""The audit log: who did what to which target, from where. Officers' actions, the CLI's and the
imports' are recorded here; the console's audit page reads it back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage.db import Database
from storage.models import AuditEntry, as_utc, utcnow


@dataclass(frozen=True)
class AuditView:
    id: int
    actor: str
    action: str
    target: str | None
    detail: str | None
    ip: str | None
    created_at: datetime


async def record(db: Database, actor: str, action: str, target: str | None = None, detail: str | None = None,
                 ip: str | None = None, officer_id: int | None = None) -> None:
    async with db.session() as session:
        session.add(AuditEntry(officer_id=officer_id, actor=actor[:120], action=action[:40],
                               target=target[:160] if target else None, detail=detail, ip=ip, created_at=utcnow()))
        await session.commit()


async def entries(db: Database, limit: int = 200, actor: str | None = None,
                  action: str | None = None, target: str | None = None) -> list[AuditView]:
    """The newest entries first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    if target:
        query = query.where(AuditEntry.target == target)
    async with db.session() as session:
        rows = (await session.execute(query)).scalars().all()
        return [AuditView(r.id, r.actor, r.action, r.target, r.detail, r.ip, as_utc(r.created_at)) for r in rows]
