"""The escalation desk: questions the bot passed to officers, claimed and answered on the console
or in the officers' Telegram chat, each at most once.

Storage only: sending the answer to the citizen and the audit row are `workflows.escalations`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from core import roles
from storage import wakeups
from storage.accounts import OfficerView
from storage.citizens import citizen_row
from storage.db import Database
from storage.models import Citizen, Escalation, FaqEntry, Officer, OutboxMessage, Proposal, as_utc, utcnow

VILLAGE_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


async def create_escalation(db: Database, channel: str, external_id: str, question: str, excerpt: str,
                            village_code: str | None = None) -> int:
    """Store the question for the desk, with the citizen's desa when it is known: `village_code`
    (what the citizen answered in the form), else the desa of their latest proposal."""
    async with db.session() as session:
        citizen = await citizen_row(session, channel, external_id)
        if not (village_code and VILLAGE_CODE.match(village_code)):
            village_code = None
            if citizen.id is not None:
                village_code = (await session.execute(
                    select(Proposal.village_code).where(Proposal.citizen_id == citizen.id)
                    .order_by(Proposal.id.desc()).limit(1))).scalar_one_or_none()
        escalation = Escalation(question=question, excerpt=excerpt, status="open", village_code=village_code)
        escalation.citizen = citizen
        session.add(escalation)
        wakeups.after_commit(session, wakeups.ESCALATIONS)
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


def visible_to(officer: roles.OfficerLike) -> ColumnElement[bool]:
    """The WHERE that keeps an officer to the escalations of their scope (`roles.escalation_scope`):
    every desk query (list, read, claim, answer, save as FAQ) carries it."""
    rule = roles.escalation_scope(officer)
    clauses = []
    if rule.desa is not None:
        if rule.desa.village is not None:
            clauses.append(Escalation.village_code == rule.desa.village)
        elif rule.desa.prefix is not None:
            clauses.append(Escalation.village_code.startswith(rule.desa.prefix, autoescape=True))
        else:
            clauses.append(Escalation.village_code.is_not(None))
    if rule.unknown_desa:
        clauses.append(Escalation.village_code.is_(None))
    return or_(*clauses) if clauses else false()


# --- The desk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationView:
    id: int
    question: str
    excerpt: str
    status: str  # open → claimed → answered
    channel: str
    language: str
    created_at: datetime
    due_at: datetime
    overdue: bool
    claimed_by: int | None
    claimed_by_name: str | None
    claimed_at: datetime | None
    answer: str | None
    answered_at: datetime | None
    faq_entry_id: int | None
    village_code: str | None = None
    faq_state: str | None = None  # "pending" (waiting for an admin), "approved", "off"; None: not saved


class ClaimError(RuntimeError):
    """The escalation is someone else's, or answered already."""


def _faq_state(entry: FaqEntry | None) -> str | None:
    if entry is None:
        return None
    if not entry.active:
        return "off"
    return "approved" if entry.approved_at is not None else "pending"


def _escalation_view(row: Escalation, citizen: Citizen, claimer: str | None, entry: FaqEntry | None,
                     now: datetime, sla_days: int) -> EscalationView:
    created = as_utc(row.created_at)
    due = roles.add_working_days(created, sla_days)
    return EscalationView(
        id=row.id, question=row.question, excerpt=row.excerpt or "", status=row.status, channel=citizen.channel,
        language=citizen.language or "id", created_at=created, due_at=due,
        overdue=row.status != "answered" and now > due, claimed_by=row.claimed_by,
        claimed_by_name=claimer or row.answered_by,
        claimed_at=as_utc(row.claimed_at), answer=row.answer, answered_at=as_utc(row.answered_at),
        faq_entry_id=row.faq_entry_id, village_code=row.village_code, faq_state=_faq_state(entry),
    )


def _escalation_query(officer: roles.OfficerLike | None = None):  # noqa: ANN202 - a Select
    query = (select(Escalation, Citizen, Officer.username, FaqEntry)
             .join(Citizen, Citizen.id == Escalation.citizen_id)
             .outerjoin(Officer, Officer.id == Escalation.claimed_by)
             .outerjoin(FaqEntry, FaqEntry.id == Escalation.faq_entry_id))
    return query.where(visible_to(officer)) if officer is not None else query


async def escalation_queue(db: Database, officer: roles.OfficerLike, sla_days: int, now: datetime | None = None,
                           answered: bool = False, limit: int = 100) -> list[EscalationView]:
    """This officer's waiting escalations oldest first (or, with `answered`, the latest answered ones)."""
    now = now or utcnow()
    query = _escalation_query(officer)
    if answered:
        query = query.where(Escalation.status == "answered").order_by(Escalation.answered_at.desc())
    else:
        query = query.where(Escalation.status.in_(("open", "claimed"))).order_by(Escalation.created_at,
                                                                                 Escalation.id)
    async with db.session() as session:
        rows = (await session.execute(query.limit(limit))).all()
    return [_escalation_view(e, c, name, entry, now, sla_days) for e, c, name, entry in rows]


async def get_escalation(db: Database, escalation_id: int, sla_days: int, now: datetime | None = None,
                         officer: roles.OfficerLike | None = None) -> EscalationView | None:
    """One escalation; with `officer` (every console read) only if it is theirs to see, None also
    for another scope's. Without one: the server itself (the officers' chat, the CLI)."""
    query = _escalation_query(officer) if officer is not None else _escalation_query()
    async with db.session() as session:
        row = (await session.execute(query.where(Escalation.id == escalation_id))).one_or_none()
    return _escalation_view(*row, now or utcnow(), sla_days) if row else None


async def claim_escalation(db: Database, escalation_id: int, officer: OfficerView) -> bool:
    """Take an escalation of one's scope to answer it. Atomic: of two officers claiming at once,
    one gets it; another scope's escalation is never taken."""
    async with db.session() as session:
        taken = await session.execute(
            update(Escalation)
            .where(Escalation.id == escalation_id, visible_to(officer),
                   or_(Escalation.status == "open",
                       and_(Escalation.status == "claimed", Escalation.claimed_by == officer.id)))
            .values(status="claimed", claimed_by=officer.id, claimed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        return taken.rowcount == 1


async def release_escalation(db: Database, escalation_id: int, officer_id: int, force: bool = False) -> bool:
    """Give a claimed escalation back to the desk (its claimer, or an admin with `force`)."""
    condition = [Escalation.id == escalation_id, Escalation.status == "claimed"]
    if not force:
        condition.append(Escalation.claimed_by == officer_id)
    async with db.session() as session:
        done = await session.execute(update(Escalation).where(*condition)
                                     .values(status="open", claimed_by=None, claimed_at=None)
                                     .execution_options(synchronize_session=False))
        await session.commit()
        return done.rowcount == 1


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as stored, with where it goes: `fresh` is False for a repeat of an earlier answer."""

    fresh: bool
    question: str
    answer: str
    channel: str
    external_id: str
    language: str | None


async def store_answer(db: Database, escalation_id: int, officer: OfficerView | None, answer: str,
                       actor: str | None = None) -> StoredAnswer:
    """Store the answer; an open escalation is claimed on the way. Raises LookupError (unknown,
    or outside the officer's scope) or ClaimError.

    Storing the same officer's answer again reports the stored one (not fresh), so whoever sends
    it on can send it once. `officer=None` with an `actor` is an answer from outside the console
    (the officers' Telegram chat, trusted as a whole), where there is no officer account to name.
    """
    answer = answer.strip()
    if not answer:
        raise ValueError("the answer is empty")
    if officer is None and not actor:
        raise ValueError("an answer from outside the console needs an actor")
    officer_id = officer.id if officer else None
    scope = visible_to(officer) if officer else Escalation.id.is_not(None)
    now = utcnow()
    async with db.session() as session:
        done = await session.execute(
            update(Escalation)
            .where(Escalation.id == escalation_id, scope,
                   or_(Escalation.status == "open",
                       and_(Escalation.status == "claimed", Escalation.claimed_by == officer_id)))
            .values(status="answered", claimed_by=officer_id, answer=answer, answered_at=now, answered_by=actor,
                    claimed_at=func.coalesce(Escalation.claimed_at, now))
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        found = (await session.execute(select(Escalation, Citizen).join(Citizen, Citizen.id == Escalation.citizen_id)
                                       .where(Escalation.id == escalation_id, scope))).one_or_none()
    if found is None:
        raise LookupError(escalation_id)
    row, citizen = found
    if done.rowcount == 0:
        if not (row.status == "answered" and row.claimed_by == officer_id):
            raise ClaimError("claimed by another officer" if row.status == "claimed" else "answered already")
        answer = row.answer  # a repeat: send what was stored
    return StoredAnswer(done.rowcount == 1, row.question, answer, citizen.channel, citizen.external_id,
                        citizen.language)


@dataclass(frozen=True)
class AnswerState:
    """Where an escalation's answer stands, for the officers' chat to report."""

    status: str
    answer: str | None
    answered_by: str | None
    by: str | None  # the claiming officer's username, else whoever answered from outside the console


async def answer_state(db: Database, escalation_id: int) -> AnswerState:
    async with db.session() as session:
        row, claimer = (await session.execute(
            select(Escalation, Officer.username).outerjoin(Officer, Officer.id == Escalation.claimed_by)
            .where(Escalation.id == escalation_id)
        )).one()
    return AnswerState(row.status, row.answer, row.answered_by, claimer or row.answered_by)


# --- Escalations in the officers' Telegram chat ------------------------------------------------


@dataclass(frozen=True)
class EscalationPost:
    """What the officers' chat is shown of a new escalation; `private` is what must be blanked out."""

    id: int
    question: str
    excerpt: str
    channel: str
    private: tuple[str, ...]  # the citizen's name and phone number (a WhatsApp id is one)


async def queue_escalation_posts(db: Database, channel: str, chat_id: str,
                                 render: Callable[[EscalationPost], dict], limit: int = 20) -> int:
    """The officers' chat queue's claim: waiting escalations not posted yet, oldest first, each
    rendered (`render`: the outbox payload) and queued to `chat_id` in the transaction that marks it
    posted, so it is posted once even when several gateways look at once and nothing is lost in a
    crash. PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: a compare-and-set on `posted_at`.
    Returns how many were queued."""
    query = (select(Escalation, Citizen).join(Citizen, Citizen.id == Escalation.citizen_id)
             .where(Escalation.posted_at.is_(None), Escalation.status.in_(("open", "claimed")))
             .order_by(Escalation.id).limit(limit))
    if not db.is_sqlite:
        query = query.with_for_update(skip_locked=True, of=Escalation)
    queued = 0
    async with db.session() as session:
        for row, citizen in (await session.execute(query)).all():
            taken = await session.execute(
                update(Escalation).where(Escalation.id == row.id, Escalation.posted_at.is_(None))
                .values(posted_at=utcnow()).execution_options(synchronize_session=False))
            if taken.rowcount != 1:  # another gateway posted it meanwhile (SQLite)
                continue
            private = [citizen.name or "", citizen.phone or ""]
            if citizen.channel == "whatsapp":
                private.append(citizen.external_id)
            post = EscalationPost(row.id, row.question, row.excerpt or "", citizen.channel,
                                  tuple(value for value in private if value.strip()))
            session.add(OutboxMessage(channel=channel, recipient=chat_id, kind="escalation", status="pending",
                                      payload=json.dumps(render(post), ensure_ascii=False), attempts=0,
                                      dedupe_key=f"escalation:{post.id}", next_attempt_at=utcnow()))
            queued += 1
        if queued:
            wakeups.after_commit(session, wakeups.OUTBOX)
        await session.commit()
    return queued


async def escalation_post_sent(db: Database, escalation_id: int, chat_id: str, message_id: int) -> None:
    """Telegram's id of the delivered post, so that a reply to it can be matched to the escalation."""
    async with db.session() as session:
        await session.execute(update(Escalation).where(Escalation.id == escalation_id)
                              .values(post_chat_id=str(chat_id), post_message_id=message_id,
                                      posted_at=func.coalesce(Escalation.posted_at, utcnow()))
                              .execution_options(synchronize_session=False))
        await session.commit()


async def escalation_for_post(db: Database, chat_id: str, message_id: int) -> int | None:
    """The escalation whose post in `chat_id` is `message_id`, or None (any other message)."""
    async with db.session() as session:
        return (await session.execute(
            select(Escalation.id).where(Escalation.post_chat_id == str(chat_id),
                                        Escalation.post_message_id == message_id).limit(1)
        )).scalar_one_or_none()
