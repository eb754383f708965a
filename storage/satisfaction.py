"""Citizen satisfaction: one short 1–5 question per citizen and event, its answer and optional comment.

Events (each asked about once: `event_key` is unique, every write is conditional):
- `submitted`: a proposal was stored. Noted in the submission's transaction but asked only after
  the turn that stored it (`queue_pending`, called where a turn's replies are stored), so the
  question follows the tracking code instead of overtaking it;
- `final`: the proposal reached a final status (news queued in the same transaction, question after it);
- `answer`: an officer answered the citizen's escalated question (queued after the answer).
A citizen has at most one open question: asking a new one closes the older ones. The gateway
(bot/satisfaction.py) gets the open question with the message's own storing (`open_question_of`, read by
storage/messages.py `accept_turn`) to take a bare "4" as the answer; anything else closes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Select

from core import texts
from storage.db import Database
from storage.models import Citizen, OutboxMessage, SatisfactionRating, as_utc, utcnow

EVENTS: tuple[str, ...] = ("submitted", "final", "answer")
QUESTION_WINDOW = timedelta(days=7)  # an unanswered question older than this is no longer waited on
COMMENT_WINDOW = timedelta(minutes=15)  # the message after a rating is its comment only within this
PAYLOAD_INTENT = "satisfaction"  # the buttons' payload: /satisfaction{"id": <row>, "rating": <1-5>}
MAX_COMMENT_CHARS = 1000


@dataclass(frozen=True)
class OpenQuestion:
    """What a citizen's next message may answer: the rating (`waiting` = "rating") or the comment."""

    id: int
    waiting: str  # "rating" | "comment"
    language: str


def question_payload(row_id: int, event: str, language: str, code: str | None = None) -> dict:
    """The question as an `Outgoing` dict: the text in the citizen's language, buttons 1–5 and "skip"."""
    buttons = [{"title": str(n), "payload": f'/{PAYLOAD_INTENT}{{"id":{row_id},"rating":{n}}}'} for n in range(1, 6)]
    buttons.append({"title": texts.satisfaction("skip", language),
                    "payload": f'/{PAYLOAD_INTENT}{{"id":{row_id},"rating":0}}'})
    return {"text": texts.satisfaction(f"ask_{event}", language, code=code or ""), "buttons": buttons,
            "image": None}


async def _close_others(session: AsyncSession, citizen_id: int, keep: int, now: datetime) -> None:
    await session.execute(
        update(SatisfactionRating)
        .where(SatisfactionRating.citizen_id == citizen_id, SatisfactionRating.id != keep,
               SatisfactionRating.closed_at.is_(None), SatisfactionRating.asked_at.is_not(None))
        .values(closed_at=now).execution_options(synchronize_session=False)
    )


async def _insert(session: AsyncSession, citizen: Citizen, event: str, key: str, kecamatan: str | None,
                  asked: bool) -> SatisfactionRating | None:
    """The event's row, new; None when this event was noted before (never asked twice)."""
    if event not in EVENTS:
        raise ValueError(f"unknown satisfaction event {event!r}")
    event_key = f"{event}:{key}"
    if (await session.execute(select(SatisfactionRating.id).where(SatisfactionRating.event_key == event_key))
            ).first() is not None:
        return None
    now = utcnow()
    row = SatisfactionRating(event_key=event_key, event=event, citizen_id=citizen.id, channel=citizen.channel,
                             kecamatan_code=(kecamatan or "")[:8] or None, created_at=now,
                             asked_at=now if asked else None)
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # noted concurrently by another writer of the same event
        return None
    return row


def _queue_question(session: AsyncSession, row: SatisfactionRating, citizen: Citizen, code: str | None) -> None:
    session.add(OutboxMessage(channel=citizen.channel, recipient=citizen.external_id, kind="satisfaction",
                              payload=json.dumps(question_payload(row.id, row.event, citizen.language, code),
                                                 ensure_ascii=False),
                              status="pending", attempts=0, next_attempt_at=utcnow(),
                              dedupe_key=f"satisfaction:{row.id}"))


async def note_submitted(session: AsyncSession, citizen: Citizen, code: str, village_code: str | None) -> None:
    """A proposal was stored (the submission's transaction): ask once the turn's replies are out."""
    await _insert(session, citizen, "submitted", code, village_code, asked=False)


async def ask_now(session: AsyncSession, citizen: Citizen, event: str, key: str, kecamatan: str | None,
                  code: str | None = None) -> bool:
    """Note the event and queue its question in the caller's transaction (after what it queued before,
    e.g. the status news or the officer's answer); False when it was asked before."""
    row = await _insert(session, citizen, event, key, kecamatan, asked=True)
    if row is None:
        return False
    await session.flush()
    await _close_others(session, citizen.id, row.id, row.created_at)
    _queue_question(session, row, citizen, code)
    return True


async def ask_after_answer(db: Database, escalation_id: int) -> bool:
    """An officer's answer reached the outbox: ask how helpful it was (once per escalation)."""
    from storage.models import Escalation

    async with db.session() as session:
        escalation = await session.get(Escalation, escalation_id)
        if escalation is None:
            return False
        citizen = await session.get(Citizen, escalation.citizen_id)
        asked = await ask_now(session, citizen, "answer", str(escalation_id), escalation.village_code)
        await session.commit()
        return asked


def unasked(channel: ColumnElement, sender: ColumnElement) -> ColumnElement:
    """Whether the citizen of `channel` and `sender` (columns of the caller's row) has an event noted and
    not asked about yet: `queue_pending` has work. Read with a turn's end, which is nearly always no."""
    return (exists().where(SatisfactionRating.citizen_id == Citizen.id, SatisfactionRating.asked_at.is_(None),
                           Citizen.channel == channel, Citizen.external_id == sender))


async def queue_pending(session: AsyncSession, channel: str, sender: str) -> int:
    """Queue the questions of events noted during the turn just finished (the caller stores the turn's
    replies in the same transaction, before this); returns how many were queued (0 or 1)."""
    found = (await session.execute(  # one statement, and nearly always no row
        select(SatisfactionRating, Citizen).join(Citizen, Citizen.id == SatisfactionRating.citizen_id)
        .where(Citizen.channel == channel, Citizen.external_id == sender, SatisfactionRating.asked_at.is_(None))
        .order_by(SatisfactionRating.id)
    )).all()
    if not found:
        return 0
    rows, citizen = [rating for rating, _ in found], found[0][1]
    now = utcnow()
    newest = rows[-1]
    for row in rows[:-1]:  # several events in one turn: one question, about the latest
        row.asked_at = row.closed_at = now
    taken = await session.execute(
        update(SatisfactionRating).where(SatisfactionRating.id == newest.id, SatisfactionRating.asked_at.is_(None))
        .values(asked_at=now).execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return 0
    await _close_others(session, citizen.id, newest.id, now)
    code = newest.event_key.split(":", 1)[1] if newest.event in ("submitted", "final") else None
    _queue_question(session, newest, citizen, code)
    return 1


def open_question_of(channel: str, sender: str) -> Select:
    """The citizen (id, language, last message time) with their newest question still without an end, one
    row (the question's columns NULL when there is none); no row for an unknown citizen. The intake reads it
    in the transaction that stores the citizen's message (storage/messages.py `accept_turn`), so a turn
    costs no lookup of its own; `question_of` says whether that question still waits."""
    waiting = and_(SatisfactionRating.citizen_id == Citizen.id, SatisfactionRating.asked_at.is_not(None),
                   SatisfactionRating.closed_at.is_(None))
    return (select(Citizen.id, Citizen.language, Citizen.last_inbound_at, SatisfactionRating.id.label("question_id"),
                   SatisfactionRating.asked_at, SatisfactionRating.rating, SatisfactionRating.rated_at,
                   SatisfactionRating.comment)
            .select_from(Citizen).outerjoin(SatisfactionRating, waiting)
            .where(Citizen.channel == channel, Citizen.external_id == sender)
            .order_by(SatisfactionRating.asked_at.desc(), SatisfactionRating.id.desc()).limit(1))


def question_of(found: Row, now: datetime) -> OpenQuestion | None:
    """What a row of `open_question_of` leaves open: the rating (within QUESTION_WINDOW of the question),
    the comment (within COMMENT_WINDOW of the rating), or nothing."""
    if found.question_id is None:
        return None
    if found.rating is None and as_utc(found.asked_at) > now - QUESTION_WINDOW:
        return OpenQuestion(found.question_id, "rating", found.language)
    if found.rating is not None and found.comment is None and as_utc(found.rated_at) > now - COMMENT_WINDOW:
        return OpenQuestion(found.question_id, "comment", found.language)
    return None


async def open_question(db: Database, channel: str, sender: str, now: datetime | None = None) -> OpenQuestion | None:
    """The citizen's question still waiting for a rating, or a rating still open for its comment."""
    async with db.session() as session:
        found = (await session.execute(open_question_of(channel, sender))).first()
    return question_of(found, now or utcnow()) if found is not None else None


async def rate(db: Database, row_id: int, rating: int, channel: str, sender: str) -> bool:
    """Store the rating once (conditional: only a question of this citizen, asked, not rated, not
    closed); 0 is "skip" and closes it. False when nothing was stored (answered or closed before)."""
    if not 0 <= rating <= 5:
        raise ValueError("a rating is 1 to 5 (0: skipped)")
    now = utcnow()
    mine = select(Citizen.id).where(Citizen.channel == channel, Citizen.external_id == sender).scalar_subquery()
    values = {"rating": rating, "rated_at": now} if rating else {"closed_at": now}
    async with db.session() as session:
        done = await session.execute(
            update(SatisfactionRating)
            .where(SatisfactionRating.id == row_id, SatisfactionRating.citizen_id == mine,
                   SatisfactionRating.asked_at.is_not(None), SatisfactionRating.rating.is_(None),
                   SatisfactionRating.closed_at.is_(None))
            .values(**values).execution_options(synchronize_session=False)
        )
        await session.commit()
    return done.rowcount == 1


async def add_comment(db: Database, row_id: int, comment: str) -> bool:
    """The optional comment after a rating, once; closes the question."""
    now = utcnow()
    async with db.session() as session:
        done = await session.execute(
            update(SatisfactionRating)
            .where(SatisfactionRating.id == row_id, SatisfactionRating.rating.is_not(None),
                   SatisfactionRating.comment.is_(None), SatisfactionRating.closed_at.is_(None))
            .values(comment=comment.strip()[:MAX_COMMENT_CHARS], closed_at=now)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
    return done.rowcount == 1


async def close(db: Database, row_id: int) -> None:
    """The citizen moved on (wrote something else): the question or the comment offer lapses."""
    async with db.session() as session:
        await session.execute(
            update(SatisfactionRating).where(SatisfactionRating.id == row_id, SatisfactionRating.closed_at.is_(None))
            .values(closed_at=utcnow()).execution_options(synchronize_session=False)
        )
        await session.commit()


@dataclass(frozen=True)
class StoredRating:
    event_key: str
    event: str
    channel: str
    kecamatan_code: str | None
    rating: int | None
    comment: str | None


async def ratings(db: Database) -> list[StoredRating]:
    """Every event noted, oldest first (tests and the console's export)."""
    async with db.session() as session:
        rows = (await session.execute(select(SatisfactionRating).order_by(SatisfactionRating.id))).scalars().all()
    return [StoredRating(r.event_key, r.event, r.channel, r.kecamatan_code, r.rating, r.comment) for r in rows]
