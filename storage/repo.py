"""Repository functions: every read and write the rest of the project needs.

Each function is one unit of work (its own transaction) and returns plain dataclasses, so
callers never hold ORM objects or sessions across awaits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core import status as status_rules
from core import texts, tracking
from storage.db import Database
from storage.models import Citizen, Escalation, FaqEntry, OutboxMessage, Proposal, StatusChange, Support, as_utc

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
class StatusChangeView:
    old_status: str | None
    new_status: str
    reason: str | None
    created_at: datetime


@dataclass(frozen=True)
class ProposalView:
    """What a citizen may see of a proposal: no contact data, no internal notes."""

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


async def citizen_row(session: AsyncSession, channel: str, external_id: str, language: str | None = None) -> Citizen:
    """The citizen behind a channel id, created on first contact (inside the caller's transaction)."""
    found = (
        await session.execute(select(Citizen).where(Citizen.channel == channel, Citizen.external_id == external_id))
    ).scalar_one_or_none()
    if found is not None:
        if language and found.language != language:
            found.language = language
        return found
    citizen = Citizen(channel=channel, external_id=external_id, language=language or "id")
    try:
        async with session.begin_nested():
            session.add(citizen)
    except IntegrityError:  # created concurrently by another request of the same sender
        return (
            await session.execute(select(Citizen).where(Citizen.channel == channel, Citizen.external_id == external_id))
        ).scalar_one()
    return citizen


async def remember_language(db: Database, channel: str, external_id: str, language: str) -> None:
    """The conversation's reply language, decided by the Rasa slot, mirrored where the gateway and the
    notifications read it (so no other part re-detects it from text)."""
    async with db.session() as session:
        await citizen_row(session, channel, external_id, language)
        await session.commit()


async def citizen_language(db: Database, channel: str, external_id: str) -> str | None:
    async with db.session() as session:
        return (await session.execute(select(Citizen.language).where(
            Citizen.channel == channel, Citizen.external_id == external_id))).scalar_one_or_none()


async def supporter_count(session: AsyncSession, proposal_id: int) -> int:
    """How many citizens support one proposal (shown to citizens, officers and the public alike)."""
    query = select(func.count(Support.id)).where(Support.proposal_id == proposal_id)
    return (await session.execute(query)).scalar_one()


async def supporter_counts(session: AsyncSession, proposal_ids: list[int]) -> dict[int, int]:
    """Supporters per proposal for many proposals in one query; proposals without any are absent."""
    rows = await session.execute(
        select(Support.proposal_id, func.count(Support.id))
        .where(Support.proposal_id.in_(proposal_ids)).group_by(Support.proposal_id)
    )
    return dict(rows.all())


async def _view(session: AsyncSession, proposal: Proposal) -> ProposalView:
    supporters = await supporter_count(session, proposal.id)
    last_reason = (
        await session.execute(
            select(StatusChange.reason)
            .where(StatusChange.proposal_id == proposal.id)
            .order_by(StatusChange.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return ProposalView(
        code=proposal.code,
        description=proposal.description,
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
                return await _view(session, existing), False
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
                status=status_rules.INITIAL,
                language=draft.language,
                created_at=now,
                updated_at=now,
            )
            proposal.citizen = citizen
            session.add(proposal)
            session.add(
                StatusChange(proposal=proposal, old_status=None, new_status=status_rules.INITIAL,
                             actor=f"{channel}:citizen", created_at=now)
            )
            try:
                await session.commit()
            except IntegrityError:
                # Either the same draft was confirmed concurrently (found on the next pass)
                # or the random code collided (a new one is drawn).
                await session.rollback()
                continue
            return await _view(session, proposal), True
    raise RuntimeError("could not store the proposal")


async def get_proposal(db: Database, code: str) -> ProposalView | None:
    async with db.session() as session:
        proposal = (await session.execute(select(Proposal).where(Proposal.code == code))).scalar_one_or_none()
        return await _view(session, proposal) if proposal else None


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
        return [await _view(session, row) for row in rows]


async def count_citizen_proposals(db: Database, channel: str, external_id: str) -> int:
    async with db.session() as session:
        return (
            await session.execute(
                select(func.count(Proposal.id))
                .join(Citizen, Proposal.citizen_id == Citizen.id)
                .where(Citizen.channel == channel, Citizen.external_id == external_id)
            )
        ).scalar_one()


async def history(db: Database, code: str) -> list[StatusChangeView]:
    async with db.session() as session:
        rows = (
            await session.execute(
                select(StatusChange)
                .join(Proposal, StatusChange.proposal_id == Proposal.id)
                .where(Proposal.code == code)
                .order_by(StatusChange.id)
            )
        ).scalars().all()
        return [StatusChangeView(r.old_status, r.new_status, r.reason, as_utc(r.created_at)) for r in rows]


async def change_status(
    db: Database, code: str, new_status: str, actor: str, reason: str | None = None, note: str | None = None,
    expected_status: str | None = None,
) -> ProposalView:
    """Move a proposal along the status machine; raises TransitionError or LookupError.

    `expected_status` is the status the caller's permission check saw: if someone moved the
    proposal meanwhile, the change is refused instead of skipping that check.
    """
    async with db.session() as session:
        proposal = (
            await session.execute(select(Proposal).where(Proposal.code == code).with_for_update())
        ).scalar_one_or_none()
        if proposal is None:
            raise LookupError(code)
        if expected_status is not None and proposal.status != expected_status:
            raise status_rules.TransitionError(f"{code} is now {proposal.status!r}, not {expected_status!r}")
        status_rules.check_transition(proposal.status, new_status, reason)
        now = datetime.now(timezone.utc)
        change = StatusChange(proposal_id=proposal.id, old_status=proposal.status, new_status=new_status,
                              actor=actor, reason=reason, note=note, created_at=now)
        session.add(change)
        proposal.status = new_status
        proposal.updated_at = now
        await session.flush()
        await _queue_status_news(session, proposal, change)
        await session.commit()
        return await _view(session, proposal)


async def _queue_status_news(session: AsyncSession, proposal: Proposal, change: StatusChange,
                             skip_citizen_id: int | None = None) -> None:
    """Tell the submitter and every supporter, on their own channel and in their language.

    Queued in the same transaction as the change: no change without its news, no news twice.
    """
    people = (
        await session.execute(
            select(Citizen).where(
                (Citizen.id == proposal.citizen_id)
                | Citizen.id.in_(select(Support.citizen_id).where(Support.proposal_id == proposal.id))
            )
        )
    ).scalars().all()
    for person in people:
        if person.id == skip_citizen_id:  # the one who made the change was just told in the chat
            continue
        text = texts.status_news(proposal.code, proposal.description, change.new_status, change.reason,
                                 person.language)
        buttons = []
        if change.new_status == "perlu_perbaikan" and person.id == proposal.citizen_id:
            buttons = [{"title": texts.button("fix", person.language),
                        "payload": f'/fix_proposal{{"tracking_code":"{proposal.code}"}}'}]
        session.add(OutboxMessage(channel=person.channel, recipient=person.external_id, kind="notification",
                                  payload=json.dumps({"text": text, "buttons": buttons, "image": None},
                                                     ensure_ascii=False),
                                  status="pending", attempts=0, next_attempt_at=change.created_at,
                                  dedupe_key=f"status:{change.id}:{person.id}"))


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
        return await _view(session, proposal), created


async def create_escalation(db: Database, channel: str, external_id: str, question: str, excerpt: str) -> int:
    async with db.session() as session:
        citizen = await citizen_row(session, channel, external_id)
        escalation = Escalation(question=question, excerpt=excerpt, status="open")
        escalation.citizen = citizen
        session.add(escalation)
        await session.commit()
        return escalation.id


async def open_escalations(db: Database) -> list[tuple[int, str, str]]:
    async with db.session() as session:
        rows = (
            await session.execute(
                select(Escalation.id, Escalation.question, Escalation.excerpt)
                .where(Escalation.status == "open")
                .order_by(Escalation.created_at)
            )
        ).all()
        return [tuple(row) for row in rows]



@dataclass(frozen=True)
class LearnedFaq:
    question: str
    answer: str
    language: str


async def learned_faqs(db: Database) -> list[LearnedFaq]:
    """FAQ entries added at run time (officers' "save as FAQ"), answered before any retraining."""
    async with db.session() as session:
        rows = (await session.execute(select(FaqEntry).where(FaqEntry.active.is_(True)))).scalars().all()
        return [LearnedFaq(r.question, r.answer, r.language) for r in rows]


async def add_faq(db: Database, topic: str, question: str, answer: str, language: str = "id") -> int:
    async with db.session() as session:
        entry = FaqEntry(topic=topic, question=question, answer=answer, language=language, active=True)
        session.add(entry)
        await session.commit()
        return entry.id


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
                   Proposal.status == "perlu_perbaikan")
            .order_by(Proposal.updated_at.desc())
        )
        if code:
            query = query.where(Proposal.code == code)
        found = []
        for proposal in (await session.execute(query)).scalars().all():
            view = await _view(session, proposal)
            draft = ProposalDraft(proposal.description, proposal.sector, proposal.village_code, proposal.item_code,
                                  proposal.rt, proposal.rw, proposal.latitude, proposal.longitude, proposal.photo_ref,
                                  proposal.language)
            found.append(FixableProposal(view, draft, view.last_reason or ""))
        return found


async def resubmit_proposal(db: Database, code: str, channel: str, external_id: str, draft: ProposalDraft
                            ) -> tuple[ProposalView, bool] | None:
    """Store the citizen's fix and send the proposal back to `diajukan`, in one transaction.

    `(view, False)` when it was resubmitted already (a repeated confirmation); None when it is
    not this citizen's proposal.
    """
    async with db.session() as session:
        proposal = (
            await session.execute(
                select(Proposal).join(Citizen, Proposal.citizen_id == Citizen.id)
                .where(Proposal.code == code, Citizen.channel == channel, Citizen.external_id == external_id)
                .with_for_update()
            )
        ).scalar_one_or_none()
        if proposal is None:
            return None
        if proposal.status != "perlu_perbaikan":
            return await _view(session, proposal), False
        for name in ("description", "sector", "item_code", "village_code", "rt", "rw", "latitude", "longitude",
                     "photo_ref"):
            setattr(proposal, name, getattr(draft, name))
        status_rules.check_transition(proposal.status, status_rules.INITIAL, None)
        now = datetime.now(timezone.utc)
        change = StatusChange(proposal_id=proposal.id, old_status=proposal.status, new_status=status_rules.INITIAL,
                              actor=f"{channel}:citizen", note="diperbaiki warga", created_at=now)
        session.add(change)
        proposal.status = status_rules.INITIAL
        proposal.updated_at = now
        await session.flush()
        await _queue_status_news(session, proposal, change, skip_citizen_id=proposal.citizen_id)
        await session.commit()
        return await _view(session, proposal), True
