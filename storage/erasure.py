"""Citizens' rights over their personal data (UU No. 27/2022, PDP): erasure on request, and the
retention period for chat messages. The one place that deletes personal data.

Erasing a citizen (`erase_citizen`, asked for in the chat or by an officer's CLI command):
- the citizen row stays as an anonymous tombstone (no name, no phone, no channel id), so the
  proposals it submitted and the supports it gave still count and keep their history;
- those proposals stay, anonymised: phone numbers, NIK and e-mail addresses in the description are
  masked, and the citizen's own words (`original_text`) are deleted;
- the questions it escalated keep the officer's answer, without the question and the excerpt;
- its chat history (inbound messages, outbox, delivery receipts) and Rasa's record of the
  conversation are deleted by `finish_erasures`. That second step waits a minute: asked in the chat,
  the erasure runs inside a turn that Rasa saves when the turn ends, and the confirmation still has to
  be delivered. Until then the tombstone's `external_id` is `erasing:<old id>` and `last_inbound_at`
  the time of the request; then it becomes `erased:<random>`.

Retention (`purge_expired`): processed inbound messages, finished outbox rows, receipts and Rasa's
events older than RETENTION_DAYS are deleted; proposals and their history are public record and stay.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update

from core import privacy
from storage import tracker_events
from storage.db import Database
from storage.models import (
    AuditEntry,
    Citizen,
    DeliveryReceipt,
    Escalation,
    InboundMessage,
    OutboxMessage,
    Proposal,
    utcnow,
)

ERASING = "erasing:"
ERASED = "erased:"
GRACE = timedelta(seconds=60)  # the turn that asked for the erasure ends and its reply is delivered
NO_GRACE = timedelta(0)  # the CLI: no turn of the citizen is running
ERASED_QUESTION = "[dihapus atas permintaan warga]"
FINISHED_OUTBOX = ("sent", "failed")


@dataclass(frozen=True)
class Erasure:
    """What an erasure changed: how many proposals were anonymised and questions emptied."""

    found: bool
    citizen_id: int | None = None
    proposals: int = 0
    escalations: int = 0


@dataclass(frozen=True)
class Finished:
    """What `finish_erasures` deleted."""

    citizens: int = 0
    inbound: int = 0
    outbox: int = 0
    receipts: int = 0
    events: int = 0


async def erase_citizen(db: Database, channel: str, external_id: str, actor: str = "citizen") -> Erasure:
    """Erase the personal data of the citizen behind a channel id, keeping their proposals anonymised;
    an audit row says who asked (the citizen, or an officer on the CLI), never whose data it was.
    The chat history goes with `finish_erasures` (a minute later, or at once from the CLI)."""
    async with db.session() as session:
        citizen = (await session.execute(select(Citizen).where(
            Citizen.channel == channel, Citizen.external_id == external_id).with_for_update())).scalar_one_or_none()
        if citizen is None:
            return Erasure(found=False)
        proposals = (await session.execute(select(Proposal).where(Proposal.citizen_id == citizen.id))).scalars().all()
        for proposal in proposals:
            proposal.description = privacy.redact(proposal.description)
            proposal.original_text = None
        asked = await session.execute(
            update(Escalation).where(Escalation.citizen_id == citizen.id)
            .values(question=ERASED_QUESTION, excerpt=""))
        citizen.name = None
        citizen.phone = None
        tombstone = (ERASING + external_id)[:128]
        earlier = (await session.execute(select(Citizen).where(
            Citizen.channel == channel, Citizen.external_id == tombstone))).scalar_one_or_none()
        if earlier is not None:  # asked again before the first request was finished: that one covers both
            earlier.last_inbound_at = utcnow()
            tombstone = ERASED + secrets.token_hex(12)
        citizen.external_id = tombstone
        citizen.last_inbound_at = None if earlier is not None else utcnow()  # the history goes GRACE later
        session.add(AuditEntry(actor=actor[:120], action="citizen_erase", target=f"citizen:{citizen.id}",
                               detail=f"{len(proposals)} usulan dianonimkan, {asked.rowcount} pertanyaan dikosongkan",
                               created_at=utcnow()))
        await session.commit()
        return Erasure(True, citizen.id, len(proposals), asked.rowcount)


async def finish_erasures(db: Database, tracker: tracker_events.TrackerStore, now: datetime | None = None,
                          grace: timedelta = GRACE) -> Finished:
    """Delete the chat history of every citizen erased at least `grace` ago whose last turn is over:
    inbound messages, outbox rows and receipts up to the request (plus `grace`), and Rasa's events."""
    now = now or utcnow()
    totals = Finished()
    async with db.session() as session:
        pending = (await session.execute(select(Citizen.id, Citizen.channel, Citizen.external_id,
                                                Citizen.last_inbound_at)
                                         .where(Citizen.external_id.startswith(ERASING)))).all()
    for citizen_id, channel, tombstone, asked_at in pending:
        asked_at = _utc(asked_at) or now
        if asked_at > now - grace:
            continue
        sender = tombstone[len(ERASING):]
        until = asked_at + grace
        async with db.session() as session:
            busy = (await session.execute(select(InboundMessage.id).where(
                InboundMessage.channel == channel, InboundMessage.sender == sender,
                InboundMessage.status.in_(("queued", "processing")), InboundMessage.created_at <= until))).first()
            if busy is not None:  # its turn is still running: next time
                continue
            inbound = await session.execute(delete(InboundMessage).where(
                InboundMessage.channel == channel, InboundMessage.sender == sender, InboundMessage.created_at <= until))
            outbox = await session.execute(delete(OutboxMessage).where(
                OutboxMessage.channel == channel, OutboxMessage.recipient == sender,
                OutboxMessage.created_at <= until, OutboxMessage.status.in_(FINISHED_OUTBOX)))
            receipts = await session.execute(delete(DeliveryReceipt).where(
                DeliveryReceipt.channel == channel, DeliveryReceipt.recipient == sender,
                DeliveryReceipt.created_at <= until))
            await session.execute(update(Citizen).where(Citizen.id == citizen_id).values(
                external_id=ERASED + secrets.token_hex(12), last_inbound_at=None))
            events = await tracker_events.forget_conversation(tracker, f"{channel}:{sender}", until.timestamp())
            await session.commit()
        totals = Finished(totals.citizens + 1, totals.inbound + inbound.rowcount, totals.outbox + outbox.rowcount,
                          totals.receipts + receipts.rowcount, totals.events + events)
    return totals


@dataclass(frozen=True)
class Purged:
    inbound: int
    outbox: int
    receipts: int
    events: int


async def purge_expired(db: Database, tracker: tracker_events.TrackerStore, days: int,
                        now: datetime | None = None) -> Purged:
    """Delete processed chat messages and Rasa's events older than `days` (0: keep everything)."""
    if days <= 0:
        return Purged(0, 0, 0, 0)
    cutoff = (now or utcnow()) - timedelta(days=days)
    async with db.session() as session:
        inbound = await session.execute(delete(InboundMessage).where(
            InboundMessage.status == "done", InboundMessage.created_at < cutoff))
        outbox = await session.execute(delete(OutboxMessage).where(
            OutboxMessage.status.in_(FINISHED_OUTBOX), OutboxMessage.created_at < cutoff))
        receipts = await session.execute(delete(DeliveryReceipt).where(DeliveryReceipt.created_at < cutoff))
        await session.commit()
    events = await tracker_events.purge_before(tracker, cutoff.timestamp())
    return Purged(inbound.rowcount, outbox.rowcount, receipts.rowcount, events)


async def maintain(db: Database, tracker: tracker_events.TrackerStore,
                   retention_days: int) -> tuple[Finished, Purged]:
    """The gateway's periodic step: finish erasures, then purge what is past the retention period."""
    return await finish_erasures(db, tracker), await purge_expired(db, tracker, retention_days)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment
