"""The message queue and outbox on SQLite and PostgreSQL: nothing lost, nothing twice, order kept."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update

from storage import messages, proposals, status_changes
from storage.db import Database
from storage.models import InboundMessage, utcnow

DRAFT = proposals.ProposalDraft(description="Perbaikan jalan", sector="jalan", village_code="34.04.07.2001")


async def test_a_redelivered_message_is_stored_once(db: Database) -> None:
    first, new = await messages.accept_inbound(db, "telegram", "42", "update-1", "halo")
    again, again_new = await messages.accept_inbound(db, "telegram", "42", "update-1", "halo")
    assert new and not again_new and again == first
    job = await messages.claim_inbound(db)
    assert job.id == first and await messages.claim_inbound(db) is None


async def test_one_senders_messages_are_processed_in_order_others_in_parallel(db: Database) -> None:
    a1, _ = await messages.accept_inbound(db, "telegram", "alice", "1", "satu")
    a2, _ = await messages.accept_inbound(db, "telegram", "alice", "2", "dua")
    b1, _ = await messages.accept_inbound(db, "whatsapp", "bob", "x", "halo")
    first = await messages.claim_inbound(db)
    second = await messages.claim_inbound(db)
    assert (first.id, second.id) == (a1, b1)  # alice's second waits for her first
    assert await messages.claim_inbound(db) is None
    await messages.complete_inbound(db, a1, [{"text": "ok"}])
    assert (await messages.claim_inbound(db)).id == a2


async def test_a_postponed_message_keeps_its_place_and_notice_goes_once(db: Database) -> None:
    a1, _ = await messages.accept_inbound(db, "telegram", "alice", "1", "satu")
    await messages.accept_inbound(db, "telegram", "alice", "2", "dua")
    job = await messages.claim_inbound(db)
    assert await messages.postpone_inbound(db, job.id, timedelta(seconds=0), {"text": "sibuk"})
    assert await messages.claim_inbound(db) is not None  # due again at once: the same message, not "dua"
    assert not await messages.postpone_inbound(db, a1, timedelta(hours=1), {"text": "sibuk"})
    assert await messages.claim_inbound(db) is None  # "dua" must not overtake "satu"
    notices = await messages.claim_outgoing(db, ("telegram",))
    assert [n.payload["text"] for n in notices] == ["sibuk"]


async def test_a_claim_of_a_dead_worker_is_taken_over(db: Database) -> None:
    inbound_id, _ = await messages.accept_inbound(db, "telegram", "carol", "9", "halo")
    await messages.claim_inbound(db)
    assert await messages.claim_inbound(db) is None
    async with db.session() as session:  # the worker died long ago
        await session.execute(update(InboundMessage).where(InboundMessage.id == inbound_id)
                              .values(claimed_at=utcnow() - messages.LEASE * 2))
        await session.commit()
    taken = await messages.claim_inbound(db)
    assert taken.id == inbound_id and taken.attempts == 2


async def test_replies_are_queued_with_the_completion_and_delivered_with_retries(db: Database) -> None:
    inbound_id, _ = await messages.accept_inbound(db, "whatsapp", "628123", "wamid.1", "halo")
    await messages.claim_inbound(db)
    await messages.complete_inbound(db, inbound_id, [{"text": "Halo!"}, {"text": "Ada yang bisa dibantu?"}])
    jobs = await messages.claim_outgoing(db, ("whatsapp",))
    assert [j.payload["text"] for j in jobs] == ["Halo!", "Ada yang bisa dibantu?"]
    assert await messages.claim_outgoing(db, ("whatsapp",)) == []  # claimed: not sent twice
    await messages.outgoing_sent(db, jobs[0].id, "wamid.out1")
    await messages.outgoing_failed(db, jobs[1].id, "timeout", retry_in=timedelta(seconds=0))
    retried = await messages.claim_outgoing(db, ("whatsapp",))
    assert [j.id for j in retried] == [jobs[1].id] and retried[0].attempts == 2
    await messages.outgoing_failed(db, jobs[1].id, "blocked", retry_in=None)
    assert await messages.claim_outgoing(db, ("whatsapp",)) == []


async def test_concurrent_claims_never_hand_out_a_message_twice(db: Database) -> None:
    for i in range(6):
        await messages.accept_inbound(db, "telegram", f"user{i}", "1", "halo")
    claimed = await asyncio.gather(*(messages.claim_inbound(db) for _ in range(10)))
    ids = [job.id for job in claimed if job is not None]
    assert len(ids) == len(set(ids)) == 6


async def test_receipts_are_recorded_once(db: Database) -> None:
    assert await messages.record_receipt(db, "whatsapp", "wamid.1", "delivered", "628123")
    assert not await messages.record_receipt(db, "whatsapp", "wamid.1", "delivered", "628123")
    assert await messages.record_receipt(db, "whatsapp", "wamid.1", "read", "628123")


async def test_status_change_notifies_submitter_and_supporters_in_their_language(db: Database) -> None:
    view, _ = await proposals.submit_proposal(db, "telegram", "111", "d1",
                                              proposals.ProposalDraft(**{**DRAFT.__dict__, "language": "jv"}))
    await proposals.add_support(db, view.code, "whatsapp", "628999")
    await proposals.add_support(db, view.code, "web", "browser123")
    await status_changes.change_status(db, view.code, "perlu_perbaikan", "desa:1", reason="Lengkapi foto",
                                       note="internal")
    news = await messages.claim_outgoing(db, ("telegram", "whatsapp", "web"))
    by_recipient = {job.recipient: job.payload["text"] for job in news}
    assert set(by_recipient) == {"111", "628999", "browser123"}
    assert "Perlu didandani" in by_recipient["111"] and "Lengkapi foto" in by_recipient["111"]  # Javanese
    assert "Perlu perbaikan" in by_recipient["628999"]
    assert all("internal" not in text for text in by_recipient.values())
    buttons = {job.recipient: job.payload["buttons"] for job in news}
    assert buttons["111"] == [{"title": "Dandosi usulan", "payload": f'/fix_proposal{{"tracking_code":"{view.code}"}}'}]
    assert buttons["628999"] == []  # only the submitter can fix it
    web_only = await messages.claim_outgoing(db, ("web",), recipient="someone-else")
    assert web_only == []


async def test_short_button_references_resolve_to_their_payloads(db: Database) -> None:
    await messages.queue_outgoing(db, "telegram", "42", {"text": "Pilih", "buttons": [
        {"title": "Jalan", "payload": '/inform{"sector":"jalan","kamus_item":"rehabilitasi_jalan_lingkungan"}'}]},
        kind="reply")
    job = (await messages.claim_outgoing(db, ("telegram",)))[0]
    assert await messages.button_payload(db, f"{job.id}:0") == \
        '/inform{"sector":"jalan","kamus_item":"rehabilitasi_jalan_lingkungan"}'
    assert await messages.button_payload(db, f"{job.id}:5") is None
    assert await messages.button_payload(db, "x:y") is None
