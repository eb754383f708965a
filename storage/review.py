"""What officers read to review proposals: the queue of a scope with counts per status, and one
proposal in full (contact data, history with internal notes, likely duplicates).

Reads only: changes go through `workflows.status`. Which officer may see what is decided by
`core.roles`; this module only turns a scope into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from core import roles, similarity
from storage import duplicates as duplicate_search
from storage.db import Database
from storage.models import Citizen, Proposal, StatusChange, Support, as_utc, utcnow
from storage.proposals import supporter_count, verified_supporter_count

DUPLICATE_SCORE = round(similarity.THRESHOLD * 100)  # percent, as the page shows Duplicate.score
QUEUE_LIMIT = 200


# --- The proposal queue -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None
    sector: str | None = None
    village: str | None = None
    waiting_days: int | None = None  # at least this many days in the current status


@dataclass(frozen=True)
class QueueItem:
    code: str
    description: str
    sector: str
    village_code: str
    status: str
    created_at: datetime
    updated_at: datetime
    supporters: int


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    total: int  # matching every filter (items stop at the limit)
    counts: dict[str, int]  # per status, with every filter but the status one


def _scope_clauses(scope: roles.Scope) -> list:
    clauses = []
    if scope.village is not None:
        clauses.append(Proposal.village_code == scope.village)
    if scope.prefix is not None:
        clauses.append(Proposal.village_code.startswith(scope.prefix, autoescape=True))
    if scope.sector is not None:
        clauses.append(Proposal.sector == scope.sector)
    return clauses


async def proposal_queue(db: Database, scope: roles.Scope, filters: QueueFilter | None = None,
                         now: datetime | None = None, limit: int = QUEUE_LIMIT) -> Queue:
    """Proposals in a scope, the longest-waiting first, with counts per status for the tabs."""
    filters = filters or QueueFilter()
    now = now or utcnow()
    common = _scope_clauses(scope)
    if filters.sector:
        common.append(Proposal.sector == filters.sector)
    if filters.village:
        common.append(Proposal.village_code == filters.village)
    if filters.waiting_days:
        common.append(Proposal.updated_at <= now - timedelta(days=filters.waiting_days))
    chosen = [*common, Proposal.status == filters.status] if filters.status else common
    supporters = (
        select(func.count(Support.id)).where(Support.proposal_id == Proposal.id).scalar_subquery()
    )
    async with db.session() as session:
        counts = dict(
            (await session.execute(select(Proposal.status, func.count(Proposal.id)).where(*common)
                                   .group_by(Proposal.status))).all()
        )
        total = (await session.execute(select(func.count(Proposal.id)).where(*chosen))).scalar_one()
        rows = (
            await session.execute(
                select(Proposal.code, Proposal.description, Proposal.sector, Proposal.village_code, Proposal.status,
                       Proposal.created_at, Proposal.updated_at, supporters.label("supporters"))
                .where(*chosen).order_by(Proposal.updated_at, Proposal.id).limit(limit)
            )
        ).all()
    items = [QueueItem(r.code, r.description, r.sector, r.village_code, r.status, as_utc(r.created_at),
                       as_utc(r.updated_at), r.supporters) for r in rows]
    return Queue(items, total, counts)


# --- One proposal -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalRef:
    """Enough of a proposal to decide who may see and move it."""

    code: str
    status: str
    village_code: str
    sector: str


@dataclass(frozen=True)
class HistoryRow:
    old_status: str | None
    new_status: str
    actor: str
    reason: str | None
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class Duplicate:
    code: str
    description: str
    status: str
    score: int
    supporters: int


@dataclass(frozen=True)
class ProposalDetail:
    code: str
    status: str
    description: str
    sector: str
    item_code: str | None
    village_code: str
    rt: str | None
    rw: str | None
    latitude: float | None
    longitude: float | None
    photo_ref: str | None
    language: str
    created_at: datetime
    updated_at: datetime
    citizen_channel: str
    citizen_name: str | None
    citizen_phone: str | None
    supporters: int
    history: list[HistoryRow]
    duplicates: list[Duplicate]
    verified_supporters: int = 0  # of `supporters`, those from Telegram/WhatsApp (the rest: web chat)


async def proposal_ref(db: Database, code: str) -> ProposalRef | None:
    async with db.session() as session:
        row = (
            await session.execute(select(Proposal.code, Proposal.status, Proposal.village_code, Proposal.sector)
                                  .where(Proposal.code == code))
        ).one_or_none()
    return ProposalRef(*row) if row else None


async def proposal_detail(db: Database, code: str) -> ProposalDetail | None:
    """Everything an officer in scope sees: contact data, full history with internal notes, duplicates."""
    async with db.session() as session:
        found = (
            await session.execute(select(Proposal, Citizen).join(Citizen, Citizen.id == Proposal.citizen_id)
                                  .where(Proposal.code == code))
        ).one_or_none()
        if found is None:
            return None
        proposal, citizen = found
        supporters = await supporter_count(session, proposal.id)
        verified = await verified_supporter_count(session, proposal.id)
        changes = (
            await session.execute(select(StatusChange).where(StatusChange.proposal_id == proposal.id)
                                  .order_by(StatusChange.id))
        ).scalars().all()
        history = [HistoryRow(c.old_status, c.new_status, c.actor, c.reason, c.note, as_utc(c.created_at))
                   for c in changes]
    duplicates = await _likely_duplicates(db, proposal)
    return ProposalDetail(
        code=proposal.code, status=proposal.status, description=proposal.description, sector=proposal.sector,
        item_code=proposal.item_code, village_code=proposal.village_code, rt=proposal.rt, rw=proposal.rw,
        latitude=proposal.latitude, longitude=proposal.longitude, photo_ref=proposal.photo_ref,
        language=proposal.language, created_at=as_utc(proposal.created_at), updated_at=as_utc(proposal.updated_at),
        citizen_channel=citizen.channel, citizen_name=citizen.name, citizen_phone=citizen.phone,
        supporters=supporters, history=history, duplicates=duplicates, verified_supporters=verified,
    )


async def _likely_duplicates(db: Database, proposal: Proposal, limit: int = 5) -> list[Duplicate]:
    """Open proposals of the same village and sector that likely describe the same need (storage.duplicates)."""
    found = await duplicate_search.similar_open_proposals(
        db, proposal.village_code, proposal.sector, proposal.description, proposal.item_code, proposal.latitude,
        proposal.longitude, limit=limit, exclude_code=proposal.code)
    return [Duplicate(d.code, d.description, d.status, round(d.score * 100), d.supporters) for d in found]


# --- The officer's map (bot/officer: /officer/peta) -----------------------------------------------


@dataclass(frozen=True)
class AreaProposals:
    """A scope's proposals for its map: how many per desa, and the pins of those that have one."""

    per_village: dict[str, int]
    pins: list[tuple[str, str, str, float, float]]  # (code, description, status, latitude, longitude)


MAP_PIN_LIMIT = 2000


async def area_proposals(db: Database, scope: roles.Scope, status: str | None = None,
                         limit: int = MAP_PIN_LIMIT) -> AreaProposals:
    """Every proposal of the scope (of one status when given) counted per desa, and up to `limit` pins,
    newest first: the officer's area on a map, with its proposals."""
    clauses = _scope_clauses(scope)
    if status:
        clauses.append(Proposal.status == status)
    async with db.session() as session:
        counted = await session.execute(
            select(Proposal.village_code, func.count()).where(*clauses).group_by(Proposal.village_code))
        pinned = await session.execute(
            select(Proposal.code, Proposal.description, Proposal.status, Proposal.latitude, Proposal.longitude)
            .where(*clauses, Proposal.latitude.is_not(None), Proposal.longitude.is_not(None))
            .order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(limit))
        return AreaProposals({code: count for code, count in counted.all()},
                             [(c, d, s, float(lat), float(lng)) for c, d, s, lat, lng in pinned.all()])
