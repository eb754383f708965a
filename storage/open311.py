"""The public side of proposals for the Open311 API: what anyone may read, in bulk, and the
submission of a proposal by an API client.

Reads return `PublicRequest`, which has no field for the citizen, internal notes or officers'
names, so a GET response cannot leak them by mistake; its text and pin are the public view (`core.privacy`:
masked phone numbers, NIK and e-mail, pins rounded to about 110 m), as on the dashboard. Listing 1,000
proposals takes three queries (proposals, supporters, last reasons), not three per proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select, update

from core import privacy
from storage import proposals
from storage.db import Database
from storage.models import Citizen, Proposal, StatusChange, as_utc
from storage.public import PublicChange, public_history

CHANNEL = "open311"



@dataclass(frozen=True)
class PublicRequest:
    code: str
    description: str
    sector: str
    village_code: str
    rt: str | None
    rw: str | None
    latitude: float | None
    longitude: float | None
    status: str
    created_at: datetime
    updated_at: datetime
    supporters: int
    public_reason: str | None  # the reason given with the latest change, if any
    history: tuple[PublicChange, ...] = ()


def _request(row: Proposal, supporters: int, reason: str | None,
             history: tuple[PublicChange, ...] = ()) -> PublicRequest:
    latitude, longitude = privacy.public_pin(row.latitude, row.longitude)
    return PublicRequest(row.code, privacy.redact(row.description), row.sector, row.village_code, row.rt, row.rw,
                         latitude, longitude, row.status, as_utc(row.created_at), as_utc(row.updated_at), supporters,
                         privacy.public_text(reason), history)


def _as_utc(moment: datetime) -> datetime:
    # Stored values are UTC; SQLite compares them as text, so filters must be UTC too.
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


async def find_requests(
    db: Database, *, codes: list[str] | None = None, sectors: list[str] | None = None,
    statuses: list[str] | None = None, start: datetime | None = None, end: datetime | None = None,
    offset: int = 0, limit: int = 1000,
) -> list[PublicRequest]:
    """Proposals matching every given filter, newest first; `start`/`end` bound `created_at`."""
    query = select(Proposal)
    if codes is not None:
        query = query.where(Proposal.code.in_(codes))
    if sectors:
        query = query.where(Proposal.sector.in_(sectors))
    if statuses is not None:
        query = query.where(Proposal.status.in_(statuses))
    if start is not None:
        query = query.where(Proposal.created_at >= _as_utc(start))
    if end is not None:
        query = query.where(Proposal.created_at <= _as_utc(end))
    query = query.order_by(Proposal.created_at.desc(), Proposal.id.desc()).offset(offset).limit(limit)
    async with db.session() as session:
        rows = (await session.execute(query)).scalars().all()
        if not rows:
            return []
        ids = [row.id for row in rows]
        supporters = await proposals.supporter_counts(session, ids)
        latest = (
            select(func.max(StatusChange.id)).where(StatusChange.proposal_id.in_(ids))
            .group_by(StatusChange.proposal_id)
        )
        reasons = dict(
            (await session.execute(
                select(StatusChange.proposal_id, StatusChange.reason).where(StatusChange.id.in_(latest))
            )).all()
        )
        return [_request(row, supporters.get(row.id, 0), reasons.get(row.id)) for row in rows]


async def get_request(db: Database, code: str) -> PublicRequest | None:
    """One proposal with its public status history, oldest change first."""
    async with db.session() as session:
        row = (await session.execute(select(Proposal).where(Proposal.code == code))).scalar_one_or_none()
        if row is None:
            return None
        supporters = await proposals.supporter_count(session, row.id)
        history = tuple(await public_history(session, row.id))
        return _request(row, supporters, history[-1].reason if history else None, history)


async def submit_request(
    db: Database, external_id: str, draft_key: str, draft: proposals.ProposalDraft, name: str | None = None,
    phone: str | None = None,
) -> tuple[proposals.ProposalView, bool]:
    """Store a proposal from an API client (idempotent by `draft_key`, like the chat's form).

    The submitter's name and phone, when given, go where the chat keeps them (the citizen row),
    which only officers of the proposal's area see.
    """
    view, created = await proposals.submit_proposal(db, CHANNEL, external_id, draft_key, draft)
    values = {k: v for k, v in (("name", name), ("phone", phone)) if v}
    if created and values:
        async with db.session() as session:
            await session.execute(
                update(Citizen).where(Citizen.channel == CHANNEL, Citizen.external_id == external_id).values(**values)
            )
            await session.commit()
    return view, created
