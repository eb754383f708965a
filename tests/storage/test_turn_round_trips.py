"""A web chat turn's own database work around the Rasa call: few statements, still exactly once.

The gateway stores every message before relaying it and its replies after (bot/relay.py `Relay.answer`);
these are the only statements a turn adds to Rasa's, on SQLite and PostgreSQL alike (the whole turn
through the intake: tests/bot/test_turn_cost.py).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from storage import messages
from storage.db import Database
from storage.models import Citizen, InboundMessage, utcnow
from tests.statements import statements


async def test_a_known_citizens_turn_costs_two_transactions(db: Database) -> None:
    await messages.accept_inbound(db, "web", "known-citizen", "m0", "halo", status="processing")
    with statements(db) as before:
        accepted = await messages.accept_turn(db, "web", "known-citizen", "m1", "status usulan saya",
                                              status="processing")
    with statements(db) as after:
        await messages.mark_inbound_done(db, accepted.id, [{"text": "Usulan Anda sedang diverifikasi."}])
    assert accepted.is_new and accepted.question is None
    # the citizen with their open satisfaction question, and the message (their last message time was
    # written a moment ago: within LAST_SEEN_PRECISION it is not written again)
    assert (len(before), before.transactions) == (2, 1), before
    # the replies (returning, on PostgreSQL, whether the turn noted an event to ask about; SQLite asks apart)
    assert (len(after), after.transactions) == (1 + db.is_sqlite, 1), after


async def test_the_last_message_time_is_kept_to_the_minute(db: Database) -> None:
    """WhatsApp's 24-hour window is judged from it: written once a minute at most, never later than that."""
    await messages.accept_inbound(db, "whatsapp", "628111", "m0", "halo")
    long_ago = utcnow() - messages.LAST_SEEN_PRECISION - timedelta(seconds=5)
    async with db.session() as session:
        await session.execute(update(Citizen).where(Citizen.external_id == "628111").values(last_inbound_at=long_ago))
        await session.commit()
    with statements(db) as seen:
        await messages.accept_inbound(db, "whatsapp", "628111", "m1", "masih ada?")
    assert len(seen) == 3, seen  # the citizen, the message, and now their last message time
    last = await messages.last_inbound_at(db, "whatsapp", "628111")
    assert last is not None and last > utcnow() - timedelta(seconds=5)
    with statements(db) as seen:
        await messages.accept_inbound(db, "whatsapp", "628111", "m2", "halo?")
    assert len(seen) == 2, seen
    assert await messages.last_inbound_at(db, "whatsapp", "628111") == last


async def test_the_turn_is_stored_once_and_answered(db: Database) -> None:
    first, new = await messages.accept_inbound(db, "web", "new-citizen", "m1", "halo", status="processing")
    again, again_new = await messages.accept_inbound(db, "web", "new-citizen", "m1", "halo", status="processing")
    assert new and not again_new and again == first
    await messages.mark_inbound_done(db, first, [{"text": "Halo!"}])
    assert await messages.inbound_state(db, first) == ("done", [{"text": "Halo!"}])
    async with db.session() as session:
        citizen = (await session.execute(select(Citizen).where(Citizen.external_id == "new-citizen"))).scalar_one()
        stored = (await session.execute(select(InboundMessage).where(InboundMessage.id == first))).scalar_one()
    assert citizen.last_inbound_at is not None  # created on first contact, with the time of the message
    assert stored.processed_at is not None and stored.status == "done"


async def test_my_proposals_is_one_query_with_the_newest_five_and_the_total(db: Database) -> None:
    """"Usulan saya": the list used to cost a query per proposal (supporters, last reason) plus a count."""
    from storage import proposals

    draft = proposals.ProposalDraft(description="Perbaikan jalan", sector="jalan", village_code="34.04.07.2001")
    codes = [(await proposals.submit_proposal(db, "web", "erin", f"e-{i}", draft))[0].code for i in range(7)]
    await proposals.submit_proposal(db, "telegram", "erin", "t-1", draft)  # same id, other channel: someone else
    with statements(db) as seen:
        own, total = await proposals.own_proposal_list(db, "web", "erin", limit=5)
    assert len(seen) == 1, seen
    assert [p.code for p in own] == list(reversed(codes))[:5] and total == 7
    assert [(p.description, p.status) for p in own] == [(v.description, v.status)
                                                        for v in await proposals.citizen_proposals(db, "web", "erin")]
    assert await proposals.own_proposal_list(db, "web", "nobody") == ([], 0)


async def test_a_web_chat_poll_that_finds_nothing_costs_one_statement(db: Database) -> None:
    """The page polls /api/updates every 5 s, so a poll outnumbers a turn; nearly always nothing is new."""
    await messages.queue_outgoing(db, "web", "page-1", {"text": "kabar satu"}, kind="status")
    [(first, news)] = await messages.web_updates(db, "web", "page-1", 0)
    await messages.queue_outgoing(db, "web", "page-1", {"text": "kabar dua"}, kind="status")
    with statements(db) as acknowledged:
        [(second, more)] = await messages.web_updates(db, "web", "page-1", first)
    with statements(db) as idle:
        assert await messages.web_updates(db, "web", "page-1", second) == []
    assert (news["text"], more["text"]) == ("kabar satu", "kabar dua")
    assert len(acknowledged) == 2, acknowledged  # the unfinished ones; the first marked sent
    assert len(idle) == 2, idle  # the unfinished ones (the second, received); it marked sent
    with statements(db) as nothing:
        assert await messages.web_updates(db, "web", "page-1", second) == []
    assert len(nothing) == 1, nothing
    assert await messages.web_updates(db, "web", "page-1", 0) == []  # all received: none comes again


async def test_a_webhook_channels_turn_claims_in_two_statements_and_ends_in_four(db: Database) -> None:
    """The worker's side of a Telegram or WhatsApp turn, around the Rasa call."""
    await messages.accept_inbound(db, "telegram", "77", "u1", "halo", {"kind": "text"})
    with statements(db) as claim:
        job = await messages.claim_inbound(db)
    with statements(db) as done:
        await messages.complete_inbound(db, job.id, [{"text": "Halo!"}])
    assert (job.channel, job.sender, job.message_id, job.text, job.meta, job.attempts, job.busy_notice_sent) == (
        "telegram", "77", "u1", "halo", {"kind": "text"}, 1, False)
    assert (len(claim), claim.transactions) == (2, 1), claim  # the candidate with its job, the claim
    # the message; its status and replies; the reply queued; a satisfaction question to ask after it (none)
    assert (len(done), done.transactions) == (4, 1), done
    assert await messages.inbound_state(db, job.id) == ("done", [{"text": "Halo!"}])
    assert await messages.claim_inbound(db) is None


async def test_a_turn_stored_in_one_step_reads_back_as_the_orm_stores_it(db: Database) -> None:
    """The turn's transactions run below the ORM (storage/onestep.py) with SQLAlchemy's own SQL and type
    processing: the rows are those the ORM path writes (its first-contact path still stores the first one)."""
    from sqlalchemy import text

    first, _ = await messages.accept_inbound(db, "web", "same-rows", "m0", "halo", {"k": "é"}, status="processing")
    accepted = await messages.accept_turn(db, "web", "same-rows", "m1", "lagi", {"k": "é"}, status="processing")
    await messages.mark_inbound_done(db, accepted.id, [{"text": "Halo é"}])
    async with db.session() as session:
        rows = {row.id: row for row in (await session.execute(select(InboundMessage))).scalars()}
        raw = dict((await session.execute(text("SELECT id, created_at FROM inbound_messages"))).all())
    orm, one_step = rows[first], rows[accepted.id]
    for name in ("channel", "sender", "meta", "status", "attempts", "busy_notice_sent"):
        assert getattr(one_step, name) == getattr(orm, name) or name == "status", name
    assert one_step.meta == '{"k": "é"}' and one_step.attempts == 1 and one_step.busy_notice_sent is False
    assert await messages.inbound_state(db, accepted.id) == ("done", [{"text": "Halo é"}])
    assert timedelta(0) <= one_step.created_at - orm.created_at < timedelta(seconds=5)
    assert one_step.claimed_at == one_step.created_at and one_step.processed_at >= one_step.created_at
    assert type(raw[accepted.id]) is type(raw[first]) and len(str(raw[accepted.id])) == len(str(raw[first]))


async def test_a_failed_one_step_transaction_stores_nothing(db: Database) -> None:
    """An error between a one-step transaction's statements rolls back what it wrote, and the connection
    serves the next turn."""
    from sqlalchemy import bindparam, insert

    from storage import onestep

    add = onestep.Prepared(insert(Citizen.__table__).values(
        channel="web", external_id=bindparam("who"), language="id", created_at=bindparam("now")))

    def steps(_dialect: str) -> onestep.Steps:
        yield add, {"who": "half-done", "now": utcnow()}
        raise RuntimeError("the turn broke half-way")

    try:
        await onestep.run(db, steps)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the error was swallowed")
    async with db.session() as session:
        assert (await session.execute(select(Citizen).where(Citizen.external_id == "half-done"))).first() is None
    await messages.accept_inbound(db, "web", "after-failure", "m0", "halo", status="processing")
    second = await messages.accept_turn(db, "web", "after-failure", "m1", "lagi", status="processing")
    assert second.is_new and (await messages.accept_turn(db, "web", "after-failure", "m1", "lagi")).id == second.id
