"""The message queue: inbound messages stored before they are processed, and the outbox.

Every function is one short transaction, and there is one claim function per queue (`claim_inbound`,
`claim_outgoing`; the officers' chat posts: `escalations.queue_escalation_posts`). Several gateways
share the queues:
- PostgreSQL: candidates are locked with `FOR UPDATE SKIP LOCKED`, so claimers never wait for each
  other nor take one row twice;
- SQLite (one writer at a time): compare-and-set updates (`UPDATE ... WHERE status = old`).
Order per conversation holds across processes: an inbound message is claimable only when no earlier
message of its sender is unfinished (one turn at a time per sender), and an outbox message only as
part of the oldest unfinished run of its recipient (one sender of a recipient's messages at a time).
Work that a write makes due wakes the loops (`storage.wakeups`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from storage import onestep, satisfaction
from storage.citizens import citizen_row
from storage.db import Database
from storage.models import Citizen, DeliveryReceipt, InboundMessage, OutboxMessage, as_utc, utcnow
from storage.wakeups import INBOUND, OUTBOX

LEASE = timedelta(seconds=120)  # a claim older than this belongs to a worker that died
# A citizen's last message time is written when it is older than this, not at every message: WhatsApp's
# 24-hour window (its one reader) then closes at most this much early, never late.
LAST_SEEN_PRECISION = timedelta(seconds=60)
WEB_ACK_ROOM = 20  # a poll reads this many received messages beyond its page, to mark them sent (`web_updates`)



@dataclass(frozen=True)
class InboundJob:
    id: int
    channel: str
    sender: str
    message_id: str
    text: str
    meta: dict
    attempts: int
    busy_notice_sent: bool


@dataclass(frozen=True)
class OutboxJob:
    id: int
    channel: str
    recipient: str
    payload: dict
    kind: str
    attempts: int
    # when it was queued (or re-queued by `resend_failed`): the start of its retry budget
    created_at: datetime = field(default_factory=utcnow)
    claimed_at: datetime | None = None  # this claim's stamp: `start_delivery` sends only while it holds
    parts_sent: int = 0  # of a message sent in several platform calls, those already out (skipped now)
    interrupted: int = 0  # earlier deliveries whose sender died between the platform call and its record


@dataclass(frozen=True)
class FailedDelivery:
    """An outbox message given up on, as admins see it (the console's page, `./musrenbang resend`)."""

    id: int
    channel: str
    recipient: str
    kind: str
    text: str
    attempts: int
    last_error: str | None
    created_at: datetime


@dataclass(frozen=True)
class Accepted:
    """A message stored once (`is_new`), with the sender's open satisfaction question read in the same
    transaction (None: nothing open), so the intake needs no lookup of its own."""

    id: int
    is_new: bool
    question: satisfaction.OpenQuestion | None = None
    status: str = ""  # what it was stored as (`queued` wakes the worker)


# The turn's statements, compiled once per dialect (storage/onestep.py runs them).
_OPEN_QUESTION = onestep.Prepared(satisfaction.open_question_of(bindparam("q_channel"), bindparam("q_sender")))
_INBOUND_COLUMNS = ("channel", "sender", "message_id", "text", "meta", "status", "created_at", "claimed_at",
                    "next_attempt_at", "attempts", "busy_notice_sent")
_INSERT_INBOUND = onestep.Prepared(
    insert(InboundMessage.__table__).values({name: bindparam(f"v_{name}") for name in _INBOUND_COLUMNS}),
    insert_id=InboundMessage.__table__.c.id)
_STORED_INBOUND = onestep.Prepared(
    select(InboundMessage.id).where(InboundMessage.channel == bindparam("q_channel"),
                                    InboundMessage.sender == bindparam("q_sender"),
                                    InboundMessage.message_id == bindparam("q_message_id")))
_LAST_SEEN = onestep.Prepared(update(Citizen.__table__).where(Citizen.__table__.c.id == bindparam("q_id"))
                              .values(last_inbound_at=bindparam("v_now")))
_FIRST_CONTACT = object()  # `_accept_steps`' answer for an unknown citizen: the ORM path creates them


async def accept_turn(db: Database, channel: str, sender: str, message_id: str, text: str,
                      meta: dict | None = None, status: str = "queued", hold_on_question: bool = False) -> Accepted:
    """Store a message once, in one transaction that also reads the sender's open satisfaction question.

    A known citizen's message costs two statements (the citizen with their open question, the insert) and a
    third once a minute at most (their last message time, LAST_SEEN_PRECISION), run as one step
    (storage/onestep.py: on SQLite one call into the database thread); the unique key refuses a redelivery
    at the insert, which undoes it all. `hold_on_question`: stored `processing` (held by the caller, which
    decides whether the message answers the question) instead of `status` while one is open.
    """
    now = utcnow()
    encoded = json.dumps(meta or {}, ensure_ascii=False)
    accepted = await onestep.run(db, lambda _dialect: _accept_steps(channel, sender, message_id, text, encoded,
                                                                    status, hold_on_question, now))
    if accepted is _FIRST_CONTACT:
        accepted = await _accept_first_contact(db, channel, sender, message_id, text, encoded, status,
                                               hold_on_question, now)
    if accepted.is_new and accepted.status == "queued":
        db.wakeups.notify(INBOUND)
    return accepted


def _accept_steps(channel: str, sender: str, message_id: str, text: str, meta: str, status: str,
                  hold_on_question: bool, now: datetime) -> onestep.Steps:
    known = next(iter((yield _OPEN_QUESTION, {"q_channel": channel, "q_sender": sender})), None)
    if known is None:
        return _FIRST_CONTACT  # nothing written yet
    question = satisfaction.question_of(known, now)
    if question is not None and hold_on_question:
        status = "processing"
    taken = status == "processing"  # taken by the request itself
    try:
        inbound_id = yield _INSERT_INBOUND, {
            "v_channel": channel, "v_sender": sender, "v_message_id": message_id, "v_text": text, "v_meta": meta,
            "v_status": status, "v_created_at": now, "v_claimed_at": now if taken else None,
            "v_next_attempt_at": now, "v_attempts": 1 if taken else 0, "v_busy_notice_sent": False}
    except onestep.Conflict:  # a redelivery: the first delivery's row
        [(existing,)] = yield _STORED_INBOUND, {"q_channel": channel, "q_sender": sender,
                                                "q_message_id": message_id}
        return Accepted(existing, False)
    if known.last_inbound_at is None or as_utc(known.last_inbound_at) <= now - LAST_SEEN_PRECISION:
        yield _LAST_SEEN, {"q_id": known.id, "v_now": now}
    return Accepted(inbound_id, True, question, status)


async def _accept_first_contact(db: Database, channel: str, sender: str, message_id: str, text: str, meta: str,
                                status: str, hold_on_question: bool, now: datetime) -> Accepted:
    """`accept_turn` for a citizen not stored yet (their first message): created with the message."""
    async with db.session() as session:
        known = (await session.execute(satisfaction.open_question_of(channel, sender))).first()
        question = satisfaction.question_of(known, now) if known is not None else None
        if question is not None and hold_on_question:
            status = "processing"
        row = InboundMessage(channel=channel, sender=sender, message_id=message_id, text=text, meta=meta,
                             status=status, created_at=now, claimed_at=now if status == "processing" else None,
                             next_attempt_at=now, attempts=1 if status == "processing" else 0)
        session.add(row)
        try:
            await session.flush()
        except IntegrityError:
            await session.rollback()
            existing = (
                await session.execute(
                    select(InboundMessage.id).where(InboundMessage.channel == channel,
                                                    InboundMessage.sender == sender,
                                                    InboundMessage.message_id == message_id)
                )
            ).scalar_one()
            return Accepted(existing, False)
        if known is None:  # first contact
            citizen = await citizen_row(session, channel, sender)
            citizen.last_inbound_at = now
        elif known.last_inbound_at is None or as_utc(known.last_inbound_at) <= now - LAST_SEEN_PRECISION:
            await session.execute(update(Citizen).where(Citizen.id == known.id).values(last_inbound_at=now)
                                  .execution_options(synchronize_session=False))
        await session.commit()
    return Accepted(row.id, True, question, status)


async def accept_inbound(db: Database, channel: str, sender: str, message_id: str, text: str,
                         meta: dict | None = None, status: str = "queued") -> tuple[int, bool]:
    """Store a message once; `(id, False)` when the same delivery was stored before (`accept_turn`)."""
    accepted = await accept_turn(db, channel, sender, message_id, text, meta, status)
    return accepted.id, accepted.is_new


def _same_claim(column_status, column_claimed, status: str, claimed_at: datetime | None):  # noqa: ANN001, ANN202
    """The compare-and-set condition: the row is still as it was read (a stale claim included)."""
    return and_(column_status == status,
                column_claimed.is_(None) if claimed_at is None else column_claimed == claimed_at)


async def claim_inbound(db: Database) -> InboundJob | None:
    """The next message to process: due, and the oldest unfinished one of its sender (order kept)."""
    now = utcnow()
    earlier = aliased(InboundMessage)
    ready = or_(
        and_(InboundMessage.status == "queued", InboundMessage.next_attempt_at <= now),
        and_(InboundMessage.status == "processing", InboundMessage.claimed_at < now - LEASE),
    )
    blocked = exists().where(
        earlier.channel == InboundMessage.channel,
        earlier.sender == InboundMessage.sender,
        earlier.id < InboundMessage.id,
        earlier.status.in_(("queued", "processing")),
    )
    # The whole job is read with the candidate: the compare-and-set below takes the row only as it was read
    # (status and claim unchanged, so attempts and the busy notice too), and no read follows the claim.
    query = (select(InboundMessage.id, InboundMessage.status, InboundMessage.claimed_at, InboundMessage.channel,
                    InboundMessage.sender, InboundMessage.message_id, InboundMessage.text, InboundMessage.meta,
                    InboundMessage.attempts, InboundMessage.busy_notice_sent)
             .where(ready, ~blocked).order_by(InboundMessage.id))
    if not db.is_sqlite:  # the row is ours until commit; rows other claimers hold are passed over
        query = query.limit(1).with_for_update(skip_locked=True, of=InboundMessage)
    else:
        query = query.limit(10)
    async with db.session() as session:
        candidates = (await session.execute(query)).all()
        for row in candidates:
            claimed = await session.execute(
                update(InboundMessage)
                .where(InboundMessage.id == row.id,
                       _same_claim(InboundMessage.status, InboundMessage.claimed_at, row.status, row.claimed_at))
                .values(status="processing", claimed_at=now, attempts=InboundMessage.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
            if claimed.rowcount == 1:
                return InboundJob(row.id, row.channel, row.sender, row.message_id, row.text,
                                  json.loads(row.meta or "{}"), (row.attempts or 0) + 1, bool(row.busy_notice_sent))
    return None


async def complete_inbound(db: Database, inbound_id: int, replies: list[dict], deliver: bool = True) -> None:
    """Mark a message processed and queue its replies for delivery, in one transaction."""
    async with db.session() as session:
        row = await session.get(InboundMessage, inbound_id)
        row.status = "done"
        row.replies = json.dumps(replies, ensure_ascii=False)
        row.processed_at = utcnow()
        if deliver:
            for index, reply in enumerate(replies):
                session.add(OutboxMessage(channel=row.channel, recipient=row.sender, kind="reply", status="pending",
                                          payload=json.dumps(reply, ensure_ascii=False), attempts=0,
                                          dedupe_key=f"reply:{inbound_id}:{index}", next_attempt_at=utcnow()))
        await satisfaction.queue_pending(session, row.channel, row.sender)  # after the turn's replies
        await session.commit()
    db.wakeups.notify(INBOUND, here=True)  # the sender's next message may be claimed now
    if deliver and replies:
        db.wakeups.notify(OUTBOX)


async def postpone_inbound(db: Database, inbound_id: int, delay: timedelta, notice: dict | None = None) -> bool:
    """Put a message back in the queue for later; queue `notice` once per message. True if queued."""
    async with db.session() as session:
        row = await session.get(InboundMessage, inbound_id)
        row.status = "queued"
        row.claimed_at = None
        row.next_attempt_at = utcnow() + delay
        queued_notice = False
        if notice is not None and not row.busy_notice_sent:
            row.busy_notice_sent = True
            session.add(OutboxMessage(channel=row.channel, recipient=row.sender, kind="notice", status="pending",
                                      payload=json.dumps(notice, ensure_ascii=False), attempts=0,
                                      dedupe_key=f"busy:{inbound_id}", next_attempt_at=utcnow()))
            queued_notice = True
        await session.commit()
    db.wakeups.notify(INBOUND, delay.total_seconds())
    if queued_notice:
        db.wakeups.notify(OUTBOX)
    return queued_notice


async def release_inbound(db: Database, inbound_id: int) -> None:
    """Processing failed before anything happened: a redelivery or a worker may try again."""
    async with db.session() as session:
        row = await session.get(InboundMessage, inbound_id)
        if row is not None and row.status == "processing":
            row.status = "queued"
            row.claimed_at = None
            row.next_attempt_at = utcnow()
            await session.commit()
            db.wakeups.notify(INBOUND)


async def inbound_state(db: Database, inbound_id: int) -> tuple[str, list[dict] | None]:
    async with db.session() as session:
        row = await session.get(InboundMessage, inbound_id)
        if row is None:
            return "missing", None
        return row.status, json.loads(row.replies) if row.replies else None


_DONE = (update(InboundMessage.__table__).where(InboundMessage.__table__.c.id == bindparam("q_id"))
         .values(status="done", replies=bindparam("v_replies"), processed_at=bindparam("v_now")))
_UNASKED = satisfaction.unasked(InboundMessage.channel, InboundMessage.sender).correlate(InboundMessage)
_MARK_DONE = {  # by dialect: SQLAlchemy 1.4 has no RETURNING for SQLite, so it asks in a SELECT of its own
    "postgresql": (onestep.Prepared(_DONE.returning(InboundMessage.channel, InboundMessage.sender, _UNASKED)),),
    "sqlite": (onestep.Prepared(_DONE), onestep.Prepared(
        select(InboundMessage.channel, InboundMessage.sender, _UNASKED)
        .where(InboundMessage.id == bindparam("q_id")))),
}


async def mark_inbound_done(db: Database, inbound_id: int, replies: list[dict]) -> None:
    """A message answered in the same request (the web chat): its replies went out already, so there is
    nothing to queue but the satisfaction question of an event the turn noted (a proposal stored), which
    follows the replies as in `complete_inbound`. One statement on PostgreSQL (the UPDATE returns whether
    such an event waits), two on SQLite, as one step (storage/onestep.py); the question, on the turn that
    has one to ask, is queued in a transaction of its own right after (`queue_pending` takes an event once,
    and an event left unasked by a crash in between is asked after the citizen's next turn)."""
    values = {"q_id": inbound_id, "v_replies": json.dumps(replies, ensure_ascii=False), "v_now": utcnow()}
    found = await onestep.run(db, lambda dialect: _mark_done_steps(_MARK_DONE.get(dialect, _MARK_DONE["postgresql"]),
                                                                   values))
    if found is None:
        return
    async with db.session() as session:
        queued = await satisfaction.queue_pending(session, found[0], found[1])
        await session.commit()
    if queued:
        db.wakeups.notify(OUTBOX)


def _mark_done_steps(statements: tuple[onestep.Prepared, ...], values: dict) -> onestep.Steps:
    """The UPDATE (and on SQLite the SELECT): the row's (channel, sender) when an event waits, else None."""
    rows: list = []
    for statement in statements:
        rows = yield statement, values
    found = rows[0] if rows else None
    return (found[0], found[1]) if found is not None and found[2] else None


async def queue_outgoing(db: Database, channel: str, recipient: str, payload: dict, kind: str,
                         dedupe_key: str | None = None) -> bool:
    """Queue a message for delivery; False when a message with this dedupe key was queued before."""
    async with db.session() as session:
        session.add(OutboxMessage(channel=channel, recipient=recipient, payload=json.dumps(payload, ensure_ascii=False),
                                  kind=kind, status="pending", attempts=0, dedupe_key=dedupe_key,
                                  next_attempt_at=utcnow()))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            return False
    db.wakeups.notify(OUTBOX)
    return True


async def claim_outgoing(db: Database, channels: tuple[str, ...], limit: int = 20,
                         recipient: str | None = None) -> list[OutboxJob]:
    """Due outbox messages of the given channels (and recipient), claimed for sending, oldest first.

    Per recipient, only the oldest unfinished messages are handed out, as one run: a message waits
    while an earlier one to the same recipient is being sent (by any gateway) or waits for a retry,
    so two processes never send to one recipient at once nor out of order.

    A stale claim is taken over; when its delivery had started (`send_started_at`), the sender died
    between the platform call and recording its outcome: the platform may have the message, and the
    row's `interrupted` counts that (the Bot API and the Graph API have no idempotency key).
    """
    now = utcnow()
    earlier = aliased(OutboxMessage)
    ready = or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - LEASE),
    )
    blocked = exists().where(  # an earlier message of the recipient that is in flight or not due yet
        earlier.channel == OutboxMessage.channel,
        earlier.recipient == OutboxMessage.recipient,
        earlier.id < OutboxMessage.id,
        or_(and_(earlier.status == "sending", earlier.claimed_at >= now - LEASE),
            and_(earlier.status == "pending", earlier.next_attempt_at > now)),
    )
    query = (select(OutboxMessage)
             .where(ready, ~blocked, OutboxMessage.channel.in_(channels),
                    True if recipient is None else OutboxMessage.recipient == recipient)
             .order_by(OutboxMessage.id).limit(limit))
    if not db.is_sqlite:
        query = query.with_for_update(skip_locked=True, of=OutboxMessage)
    jobs = []
    async with db.session() as session:
        rows = (await session.execute(query)).scalars().all()
        if rows and not db.is_sqlite:
            rows = await _oldest_runs(session, rows)
        lost: set[tuple[str, str]] = set()  # recipients whose earlier message another claimer took
        for row in rows:
            key = (row.channel, row.recipient)
            if key in lost:
                continue
            cut_short = int(row.status == "sending" and row.send_started_at is not None)
            claimed = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id,
                       _same_claim(OutboxMessage.status, OutboxMessage.claimed_at, row.status, row.claimed_at))
                .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1,
                        send_started_at=None, interrupted=OutboxMessage.interrupted + cut_short)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:
                jobs.append(OutboxJob(row.id, row.channel, row.recipient, json.loads(row.payload), row.kind,
                                      row.attempts + 1, row.created_at, now, row.parts_sent or 0,
                                      (row.interrupted or 0) + cut_short))
            else:
                lost.add(key)
        await session.commit()
    return jobs


async def _oldest_runs(session, rows: list[OutboxMessage]) -> list[OutboxMessage]:  # noqa: ANN001
    """The locked rows that start their recipient's unfinished messages, without a gap. SKIP LOCKED
    passes over rows another claimer holds (not committed yet, so they still look pending): a later
    row of that recipient must not go out before them."""
    ids = [row.id for row in rows]
    others = (await session.execute(
        select(OutboxMessage.channel, OutboxMessage.recipient, func.min(OutboxMessage.id))
        .where(OutboxMessage.recipient.in_({row.recipient for row in rows}),
               OutboxMessage.channel.in_({row.channel for row in rows}),
               OutboxMessage.status.in_(("pending", "sending")),
               OutboxMessage.id.not_in(ids), OutboxMessage.id < max(ids))
        .group_by(OutboxMessage.channel, OutboxMessage.recipient)
    )).all()
    first_gap = {(channel, recipient): first for channel, recipient, first in others}
    return [row for row in rows if row.id < first_gap.get((row.channel, row.recipient), row.id + 1)]


async def web_updates(db: Database, channel: str, recipient: str, after: int,
                      limit: int = 20) -> list[tuple[int, dict]]:
    """A polling channel's queue (the web chat): messages up to `after` were received by the page and
    are marked sent; the pending ones after it are returned (id, payload), not claimed, so a poll
    whose answer is lost is answered with the same messages again.

    The page polls every few seconds and nearly always finds nothing: one SELECT of the recipient's
    unfinished messages, and the UPDATE only when some of them were received."""
    query = (select(OutboxMessage.id, OutboxMessage.payload)
             .where(OutboxMessage.channel == channel, OutboxMessage.recipient == recipient,
                    OutboxMessage.status.in_(("pending", "sending")))
             .order_by(OutboxMessage.id).limit(limit + WEB_ACK_ROOM))
    async with db.session() as session:
        rows = (await session.execute(query)).all()
        received = [row_id for row_id, _ in rows if row_id <= after]
        if received:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(received), OutboxMessage.status.in_(("pending", "sending")))
                .values(status="sent", sent_at=utcnow(), claimed_at=None)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
    # More than WEB_ACK_ROOM received but unmarked (acks lost many times over) can hold the new ones back
    # for a poll; they come, in order, on the next.
    return [(row_id, json.loads(payload)) for row_id, payload in rows if row_id > after][:limit]


async def start_delivery(db: Database, job: OutboxJob) -> bool:
    """Right before the platform call: mark the delivery as in flight and restart the lease from now, if
    the claim is still this one. False when it is not (a run slower than the lease, taken over by another
    gateway): then this process must not send it."""
    now = utcnow()
    async with db.session() as session:
        started = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == job.id, OutboxMessage.status == "sending",
                   OutboxMessage.claimed_at == job.claimed_at)
            .values(claimed_at=now, send_started_at=now)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
    return started.rowcount == 1


async def outgoing_part_sent(db: Database, outbox_id: int, parts_sent: int, provider_id: str | None) -> None:
    """One part of a message sent in several platform calls is out: a later attempt starts after it."""
    async with db.session() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == outbox_id)
                              .values(parts_sent=parts_sent, provider_id=provider_id))
        await session.commit()


async def outgoing_sent(db: Database, outbox_id: int, provider_id: str | None = None) -> None:
    """The platform took the message: one statement, committed at once (the dispatcher calls it right
    after the platform's answer; until it commits, a dead sender's claim would send the message again)."""
    async with db.session() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == outbox_id)
            .values(status="sent", sent_at=utcnow(), provider_id=provider_id, last_error=None, send_started_at=None)
        )
        await session.commit()


async def outgoing_failed(db: Database, outbox_id: int, error: str, retry_in: timedelta | None) -> None:
    """Record a failed send; retried after `retry_in`, or given up (status failed) when None."""
    values: dict = {"last_error": error[:1000], "claimed_at": None, "send_started_at": None}
    if retry_in is None:
        values["status"] = "failed"
    else:
        values.update(status="pending", next_attempt_at=utcnow() + retry_in)
    async with db.session() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(**values))
        await session.commit()
    if retry_in is not None:
        db.wakeups.notify(OUTBOX, retry_in.total_seconds())


async def failed_deliveries(db: Database, limit: int = 200) -> list[FailedDelivery]:
    """Messages given up on (permanent error or spent budget), newest first."""
    async with db.session() as session:
        rows = (
            await session.execute(
                select(OutboxMessage).where(OutboxMessage.status == "failed")
                .order_by(OutboxMessage.id.desc()).limit(limit)
            )
        ).scalars().all()
    return [FailedDelivery(row.id, row.channel, row.recipient, row.kind,
                           str(json.loads(row.payload).get("text") or ""), row.attempts, row.last_error,
                           row.created_at) for row in rows]


async def resend_failed(db: Database, ids: list[int] | None = None, channel: str | None = None) -> list[int]:
    """Queue failed messages again (all, or those `ids`, or one channel's) with a fresh retry budget.

    Returns the ids re-queued; only `failed` rows change, so a double click re-sends nothing twice.
    """
    now = utcnow()
    conditions = [OutboxMessage.status == "failed"]
    if ids is not None:
        conditions.append(OutboxMessage.id.in_(ids))
    if channel is not None:
        conditions.append(OutboxMessage.channel == channel)
    async with db.session() as session:
        chosen = (await session.execute(select(OutboxMessage.id).where(*conditions))).scalars().all()
        if chosen:
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(chosen), OutboxMessage.status == "failed")
                .values(status="pending", attempts=0, next_attempt_at=now, claimed_at=None, created_at=now)
                .execution_options(synchronize_session=False)
            )
        await session.commit()
    if chosen:
        db.wakeups.notify(OUTBOX)
    return sorted(chosen)


async def record_receipt(db: Database, channel: str, provider_id: str, status: str, recipient: str | None = None,
                         detail: str | None = None) -> bool:
    """Store a delivery receipt once (a redelivered receipt changes nothing)."""
    async with db.session() as session:
        session.add(DeliveryReceipt(channel=channel, provider_id=provider_id, status=status, recipient=recipient,
                                    detail=detail))
        try:
            await session.commit()
            return True
        except IntegrityError:
            await session.rollback()
            return False


async def last_inbound_at(db: Database, channel: str, sender: str) -> datetime | None:
    async with db.session() as session:
        value = (
            await session.execute(
                select(Citizen.last_inbound_at).where(Citizen.channel == channel, Citizen.external_id == sender)
            )
        ).scalar_one_or_none()
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


async def button_payload(db: Database, reference: str) -> str | None:
    """The Rasa payload of button `index` of outbox message `id`, from a short `"id:index"` reference."""
    outbox_id, _, index = reference.partition(":")
    if not outbox_id.isdigit() or not index.isdigit():
        return None
    async with db.session() as session:
        row = await session.get(OutboxMessage, int(outbox_id))
    if row is None:
        return None
    buttons = json.loads(row.payload).get("buttons") or []
    return buttons[int(index)].get("payload") if int(index) < len(buttons) else None
