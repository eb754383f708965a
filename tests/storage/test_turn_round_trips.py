"""A web chat turn's own database work around the Rasa call: few statements, still exactly once.

The gateway stores every message before relaying it and its replies after (bot/relay.py `Relay.answer`);
these are the only statements a turn adds to Rasa's, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select

from storage import messages
from storage.db import Database
from storage.models import Citizen, InboundMessage

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements run on `db` inside the block (transaction control not counted)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def test_a_known_citizens_turn_costs_three_statements(db: Database) -> None:
    await messages.accept_inbound(db, "web", "known-citizen", "m0", "halo", status="processing")
    with statements(db) as before:
        inbound_id, is_new = await messages.accept_inbound(db, "web", "known-citizen", "m1", "status usulan saya",
                                                           status="processing")
    with statements(db) as after:
        await messages.mark_inbound_done(db, inbound_id, [{"text": "Usulan Anda sedang diverifikasi."}])
    assert is_new
    assert len(before) == 2, before  # the message, and the citizen's last message time
    assert len(after) == 1, after  # the replies


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
