"""Proposals as citizens make them: submitting, reading one's own, supporting, and what a fix
starts from. Status changes (the officers' and the citizen's fix) live in `storage.status_changes`.

Each function is one unit of work (its own transaction) and returns plain dataclasses, so
callers never hold ORM objects or sessions across awaits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core import privacy, tracking
from core import status as status_rules
from core.status import Status
from storage.citizens import citizen_row
from storage.db import Database
from storage.models import Citizen, Proposal, StatusChange, Support, as_utc, utcnow

CODE_ATTEMPTS = 8


@dataclass(frozen=True)
class ProposalDraft:
    description: str
    sector: str
    village_code: str
    item_code: str | None = None
    rt: str | None = None
    rw: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photo_ref: str | None = None
    language: str = "id"
    original_text: str | None = None


@dataclass(frozen=True)
class ProposalView:
    """What a citizen may see of a proposal: no contact data, no internal notes. Its submitter and
    supporters see the text as written; anyone else the public view (`core.privacy.redact`)."""

    code: str
    description: str
    sector: str
    item_code: str | None
    village_code: str
    rt: str | None
    rw: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    supporters: int
    last_reason: str | None
    has_photo: bool
    has_location: bool


async def supporter_count(session: AsyncSession, proposal_id: int) -> int:
    """How many citizens support one proposal (shown to citizens, officers and the public alike)."""
    query = select(func.count(Support.id)).where(Support.proposal_id == proposal_id)
    return (await session.execute(query)).scalar_one()


# Channels whose sender is a real account (a Telegram user, a WhatsApp number): anyone can make up a
# web chat sender id, so the public count of support says how much came from these.
VERIFIED_CHANNELS = ("telegram", "whatsapp")


async def verified_supporter_count(session: AsyncSession, proposal_id: int) -> int:
    """How many of a proposal's supporters came from a verified channel (VERIFIED_CHANNELS)."""
    query = (select(func.count(Support.id)).join(Citizen, Citizen.id == Support.citizen_id)
             .where(Support.proposal_id == proposal_id, Citizen.channel.in_(VERIFIED_CHANNELS)))
    return (await session.execute(query)).scalar_one()


async def supporter_counts(session: AsyncSession, proposal_ids: list[int]) -> dict[int, int]:
    """Supporters per proposal for many proposals in one query; proposals without any are absent."""
    rows = await session.execute(
        select(Support.proposal_id, func.count(Support.id))
        .where(Support.proposal_id.in_(proposal_ids)).group_by(Support.proposal_id)
    )
    return dict(rows.all())


async def view(session: AsyncSession, proposal: Proposal, public: bool = False) -> ProposalView:
    """The citizen's view of a proposal row (inside the caller's transaction); `public` masks personal
    data in the description and the reason, for a reader who is neither submitter nor supporter."""
    supporters = await supporter_count(session, proposal.id)
    last_reason = (
        await session.execute(
            select(StatusChange.reason)
            .where(StatusChange.proposal_id == proposal.id)
            .order_by(StatusChange.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if public:
        last_reason = privacy.public_text(last_reason)
    return ProposalView(
        code=proposal.code,
        description=privacy.redact(proposal.description) if public else proposal.description,
        sector=proposal.sector,
        item_code=proposal.item_code,
        village_code=proposal.village_code,
        rt=proposal.rt,
        rw=proposal.rw,
        status=proposal.status,
        created_at=as_utc(proposal.created_at),
        updated_at=as_utc(proposal.updated_at),
        supporters=supporters,
        last_reason=last_reason,
        has_photo=bool(proposal.photo_ref),
        has_location=proposal.latitude is not None,
    )


async def submit_proposal(
    db: Database, channel: str, external_id: str, draft_key: str, draft: ProposalDraft
) -> tuple[ProposalView, bool]:
    """Store a proposal in one transaction; `(view, False)` if this draft was stored before."""
    for _ in range(CODE_ATTEMPTS):
        async with db.session() as session:
            existing = (
                await session.execute(select(Proposal).where(Proposal.draft_key == draft_key))
            ).scalar_one_or_none()
            if existing is not None:
                return await view(session, existing), False
            citizen = await citizen_row(session, channel, external_id, draft.language)
            now = datetime.now(timezone.utc)
            proposal = Proposal(
                code=tracking.new_code(),
                draft_key=draft_key,
                citizen_id=citizen.id if citizen.id else None,
                description=draft.description,
                original_text=draft.original_text,
                sector=draft.sector,
                item_code=draft.item_code,
                village_code=draft.village_code,
                rt=draft.rt,
                rw=draft.rw,
                latitude=draft.latitude,
                longitude=draft.longitude,
                photo_ref=draft.photo_ref,
                status=status_rules.INITIAL.value,
                language=draft.language,
                created_at=now,
                updated_at=now,
            )
            proposal.citizen = citizen
            session.add(proposal)
            session.add(
                StatusChange(proposal=proposal, old_status=None, new_status=status_rules.INITIAL.value,
                             actor=f"{channel}:citizen", created_at=now)
            )
            try:
                await session.commit()
            except IntegrityError:
                # Either the same draft was confirmed concurrently (found on the next pass)
                # or the random code collided (a new one is drawn).
                await session.rollback()
                continue
            return await view(session, proposal), True
    raise RuntimeError("could not store the proposal")


async def photo_refs(db: Database) -> set[str]:
    """Every photo file a proposal refers to (the media sweep keeps these and removes the rest)."""
    async with db.session() as session:
        rows = await session.execute(select(Proposal.photo_ref).where(Proposal.photo_ref.is_not(None)))
        return {ref for (ref,) in rows.all()}


async def get_proposal(db: Database, code: str, channel: str | None = None,
                       external_id: str | None = None) -> ProposalView | None:
    """One proposal as the sender (`channel`, `external_id`) may see it: whole for its submitter and
    supporters, the public view for anyone else (and when no sender is named)."""
    async with db.session() as session:
        proposal = (await session.execute(select(Proposal).where(Proposal.code == code))).scalar_one_or_none()
        if proposal is None:
            return None
        own = channel is not None and external_id is not None and await _is_own(session, proposal, channel,
                                                                                 external_id)
        return await view(session, proposal, public=not own)


async def _is_own(session: AsyncSession, proposal: Proposal, channel: str, external_id: str) -> bool:
    """Whether the sender submitted or supports the proposal."""
    citizen_id = (await session.execute(select(Citizen.id).where(
        Citizen.channel == channel, Citizen.external_id == external_id))).scalar_one_or_none()
    if citizen_id is None:
        return False
    if citizen_id == proposal.citizen_id:
        return True
    return (await session.execute(select(Support.id).where(
        Support.proposal_id == proposal.id, Support.citizen_id == citizen_id))).first() is not None


async def citizen_proposals(db: Database, channel: str, external_id: str, limit: int = 5) -> list[ProposalView]:
    """The sender's own proposals, newest first."""
    async with db.session() as session:
        rows = (
            await session.execute(
                select(Proposal)
                .join(Citizen, Proposal.citizen_id == Citizen.id)
                .where(Citizen.channel == channel, Citizen.external_id == external_id)
                .order_by(Proposal.created_at.desc(), Proposal.id.desc())
                .limit(limit)
            )
        ).scalars().all()
        return [await view(session, row) for row in rows]


async def count_citizen_proposals(db: Database, channel: str, external_id: str) -> int:
    async with db.session() as session:
        return (
            await session.execute(
                select(func.count(Proposal.id))
                .join(Citizen, Proposal.citizen_id == Citizen.id)
                .where(Citizen.channel == channel, Citizen.external_id == external_id)
            )
        ).scalar_one()


async def add_support(db: Database, code: str, channel: str, external_id: str) -> tuple[ProposalView, bool] | None:
    """Support a proposal once per citizen; None if the code is unknown."""
    async with db.session() as session:
        proposal = (await session.execute(select(Proposal).where(Proposal.code == code))).scalar_one_or_none()
        if proposal is None:
            return None
        citizen = await citizen_row(session, channel, external_id)
        await session.flush()
        exists = (
            await session.execute(
                select(Support.id).where(Support.proposal_id == proposal.id, Support.citizen_id == citizen.id)
            )
        ).scalar_one_or_none()
        created = False
        if exists is None and proposal.citizen_id != citizen.id:
            session.add(Support(proposal_id=proposal.id, citizen_id=citizen.id))
            try:
                await session.commit()
                created = True
            except IntegrityError:
                await session.rollback()
        return await view(session, proposal), created


async def move_supporters(db: Database, source_code: str, target_code: str) -> tuple[int, int]:
    """A merged duplicate's submitter and supporters become supporters of the target, each once:
    (how many were added, the target's supporters now)."""
    async with db.session() as session:
        locked = (await session.execute(select(Proposal).where(Proposal.code.in_((source_code, target_code)))
                                        .order_by(Proposal.id).with_for_update())).scalars().all()
        found = {row.code: row for row in locked}  # locked in id order, like every merge: no deadlock
        source, target = found[source_code], found[target_code]
        moving = [source.citizen_id, *(
            await session.execute(select(Support.citizen_id).where(Support.proposal_id == source.id)
                                  .order_by(Support.id))
        ).scalars().all()]
        present = {target.citizen_id, *(
            await session.execute(select(Support.citizen_id).where(Support.proposal_id == target.id))
        ).scalars().all()}
        added = 0
        for citizen_id in moving:
            if citizen_id not in present:
                session.add(Support(proposal_id=target.id, citizen_id=citizen_id, created_at=utcnow()))
                present.add(citizen_id)
                added += 1
        await session.execute(delete(Support).where(Support.proposal_id == source.id))
        await session.commit()
        return added, len(present) - 1


@dataclass(frozen=True)
class FixableProposal:
    """An own proposal sent back for fixing, with what the form needs to start from it."""

    view: ProposalView
    draft: ProposalDraft
    note: str


async def fixable_proposals(db: Database, channel: str, external_id: str, code: str | None = None
                            ) -> list[FixableProposal]:
    """The sender's proposals in `perlu_perbaikan` (only that code, when given)."""
    async with db.session() as session:
        query = (
            select(Proposal).join(Citizen, Proposal.citizen_id == Citizen.id)
            .where(Citizen.channel == channel, Citizen.external_id == external_id,
                   Proposal.status == Status.PERLU_PERBAIKAN.value)
            .order_by(Proposal.updated_at.desc())
        )
        if code:
            query = query.where(Proposal.code == code)
        found = []
        for proposal in (await session.execute(query)).scalars().all():
            seen = await view(session, proposal)
            draft = ProposalDraft(proposal.description, proposal.sector, proposal.village_code, proposal.item_code,
                                  proposal.rt, proposal.rw, proposal.latitude, proposal.longitude, proposal.photo_ref,
                                  proposal.language)
            found.append(FixableProposal(seen, draft, seen.last_reason or ""))
        return found


@dataclass(frozen=True)
class OwnProposal:
    """A line of the citizen's own list ("my proposals"): what the chat shows of each."""

    code: str
    description: str
    status: str


async def own_proposal_list(db: Database, channel: str, external_id: str,
                            limit: int = 5) -> tuple[list[OwnProposal], int]:
    """The sender's newest proposals and how many they have in all, in one query (the count is a
    window over the same rows, taken before the limit)."""
    async with db.session() as session:
        rows = (
            await session.execute(
                select(Proposal.code, Proposal.description, Proposal.status, func.count().over())
                .join(Citizen, Proposal.citizen_id == Citizen.id)
                .where(Citizen.channel == channel, Citizen.external_id == external_id)
                .order_by(Proposal.created_at.desc(), Proposal.id.desc())
                .limit(limit)
            )
        ).all()
    total = rows[0][3] if rows else 0
    return [OwnProposal(code, description, status) for code, description, status, _ in rows], total
