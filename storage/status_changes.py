"""Status changes of proposals: the one SQL write of a change, and the history it leaves.

`record_change` is the only code that moves `proposals.status` after submission: it checks the
status machine (`core.status`), writes the history row and queues the news to the submitter and
supporters, all in the caller's transaction. Officers, the CLI and the SIPD import reach it
through `workflows.status` (role check, audit row), the citizen's own fix through
`resubmit_proposal`.

Every move is a conditional UPDATE (`... WHERE id = :id AND status = :seen`) whose row count
decides: of two changes at the same moment (two officers, a double click, an import during a
review) exactly one applies, with one history row and one round of news, on SQLite too, where
`SELECT ... FOR UPDATE` locks nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from core import status as status_rules
from core import texts
from core.status import Status
from storage import wakeups
from storage.db import Database
from storage.models import Citizen, OutboxMessage, Proposal, StatusChange, Support, as_utc
from storage.proposals import ProposalDraft, ProposalView, view


@dataclass(frozen=True)
class StatusChangeView:
    old_status: str | None
    new_status: str
    reason: str | None
    created_at: datetime


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


async def last_reason(db: Database, code: str) -> str | None:
    """The reason of the proposal's latest change (None without one)."""
    async with db.session() as session:
        return (
            await session.execute(select(StatusChange.reason).join(Proposal, Proposal.id == StatusChange.proposal_id)
                                  .where(Proposal.code == code).order_by(StatusChange.id.desc()).limit(1))
        ).scalar_one_or_none()


class StatusMoved(status_rules.TransitionError):
    """Someone changed the proposal between the caller's read and this write: nothing was done."""


async def _still(session: AsyncSession, proposal: Proposal, new_status: str | None = None,
                 now: datetime | None = None) -> None:
    """The conditional write: `proposal` still has the status read into it, and (with `new_status`)
    now has that one instead. Takes the row's write lock (SQLite: the database's) until commit.
    Raises StatusMoved when the row count says another transaction got there first."""
    values = {"status": new_status, "updated_at": now} if new_status else {"status": Proposal.status}
    done = await session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.status == proposal.status)
        .values(**values).execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise StatusMoved(f"{proposal.code} was changed by someone else a moment ago")
    if new_status:
        set_committed_value(proposal, "status", new_status)
        set_committed_value(proposal, "updated_at", now)


async def record_change(session: AsyncSession, proposal: Proposal, new_status: str, actor: str,
                        reason: str | None = None, note: str | None = None,
                        skip_citizen_id: int | None = None) -> StatusChange:
    """Move the proposal from the status read into `proposal` to `new_status` inside the caller's
    transaction: the status machine's check, the conditional write, the history row and the news.
    Raises TransitionError (StatusMoved when someone else moved it first)."""
    status_rules.check_transition(proposal.status, new_status, reason)
    new_status = Status(new_status).value
    now = datetime.now(timezone.utc)
    old_status = proposal.status
    await _still(session, proposal, new_status, now)
    change = StatusChange(proposal_id=proposal.id, old_status=old_status, new_status=new_status,
                          actor=actor, reason=reason, note=note, created_at=now)
    session.add(change)
    await session.flush()
    await _queue_status_news(session, proposal, change, skip_citizen_id)
    return change


async def change_status(
    db: Database, code: str, new_status: str, actor: str, reason: str | None = None, note: str | None = None,
    expected_status: str | None = None, merge_into: str | None = None,
) -> ProposalView:
    """Move a proposal along the status machine; raises TransitionError or LookupError.

    `expected_status` is the status the caller's permission check saw: if someone moved the
    proposal meanwhile, the change is refused instead of skipping that check. `merge_into`: the
    open proposal a `digabung` one goes into. Both rows are locked in id order (PostgreSQL:
    `FOR UPDATE`; SQLite: the conditional write takes the database's write lock) and both
    statuses re-checked before the change, so two opposite merges at once close one proposal,
    not each into the other, and cannot deadlock.
    """
    async with db.session() as session:
        codes = [code, merge_into] if merge_into else [code]
        rows = (
            await session.execute(select(Proposal).where(Proposal.code.in_(codes)).order_by(Proposal.id)
                                  .with_for_update())
        ).scalars().all()
        found = {row.code: row for row in rows}
        proposal = found.get(code)
        if proposal is None or (merge_into and merge_into not in found):
            raise LookupError(code if proposal is None else merge_into)
        if expected_status is not None and proposal.status != expected_status:
            raise StatusMoved(f"{code} is now {proposal.status!r}, not {expected_status!r}")
        if merge_into:
            for row in rows:  # in id order: the same order for every transaction
                await _still(session, row)
            target = found[merge_into]
            if not status_rules.is_open(target.status):
                raise status_rules.TransitionError(f"{merge_into} is closed ({target.status})")
        await record_change(session, proposal, new_status, actor, reason, note)
        await session.commit()
        return await view(session, proposal)


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
        if change.new_status == Status.PERLU_PERBAIKAN and person.id == proposal.citizen_id:
            buttons = [{"title": texts.button("fix", person.language),
                        "payload": f'/fix_proposal{{"tracking_code":"{proposal.code}"}}'}]
        session.add(OutboxMessage(channel=person.channel, recipient=person.external_id, kind="notification",
                                  payload=json.dumps({"text": text, "buttons": buttons, "image": None},
                                                     ensure_ascii=False),
                                  status="pending", attempts=0, next_attempt_at=change.created_at,
                                  dedupe_key=f"status:{change.id}:{person.id}"))
        wakeups.after_commit(session, wakeups.OUTBOX)


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
        if proposal.status != Status.PERLU_PERBAIKAN:
            return await view(session, proposal), False
        for name in ("description", "sector", "item_code", "village_code", "rt", "rw", "latitude", "longitude",
                     "photo_ref"):
            setattr(proposal, name, getattr(draft, name))
        proposal_id = proposal.id
        try:
            await record_change(session, proposal, status_rules.INITIAL, f"{channel}:citizen",
                                note="diperbaiki warga", skip_citizen_id=proposal.citizen_id)
        except StatusMoved:  # the same confirmation twice at once (SQLite): the other one stored it
            await session.rollback()
            return await view(session, await session.get(Proposal, proposal_id, populate_existing=True)), False
        await session.commit()
        return await view(session, proposal), True
