"""What a plain web-chat turn costs the gateway besides Rasa's own work: database statements and
transactions, and HTTP calls to Rasa (SQLite and PostgreSQL), pinned so that they cannot silently grow back.

On two cores the gateway's CPU per turn is taken from Rasa's, and most of it is the database round trips
(bench/gateway_profile.py). A turn of a citizen in a conversation, with the web chat's per-sender limit on
(the default): the rate count, one transaction storing the message that also reads the open satisfaction
question, the Rasa call, and one storing the replies.
"""

from __future__ import annotations

import aiohttp

from bot.intake import Intake
from bot.message import Incoming, Outgoing
from bot.relay import RasaClient, Relay
from core import texts
from core.settings import Settings
from storage import messages, proposals, satisfaction
from storage.db import Database
from tests.fakes.rasa import FakeRasa
from tests.statements import statements

RATE_STATEMENTS = {"sqlite": 2, "postgresql": 1}  # storage/rate_limits.py `hit`
# After Rasa: the replies' UPDATE, which on PostgreSQL also returns whether the turn noted an event to ask
# about (a proposal stored); SQLite (no RETURNING in SQLAlchemy 1.4) asks that in a SELECT of its own.
END_STATEMENTS = {"sqlite": 2, "postgresql": 1}


async def test_a_plain_web_chat_turn_costs_three_transactions_and_one_rasa_call(db: Database, tmp_path) -> None:
    rasa = await FakeRasa().start()
    async with aiohttp.ClientSession() as session:
        intake = Intake(Settings(var_dir=tmp_path))
        intake.limit("web", 20)
        intake.start(db, Relay(db, RasaClient(rasa.url, session)), wake_worker=lambda: None,
                     wake_dispatcher=lambda: None)
        await intake.answer(Incoming("web", "turn-cost-1", "w1", "halo"))  # the citizen's first message
        rasa.calls.clear()
        with statements(db) as seen:
            replies = await intake.answer(Incoming("web", "turn-cost-1", "w2", "apa itu musrenbang?"))
    await rasa.stop()
    assert replies == [Outgoing(text="(jawaban Rasa)")]
    assert rasa.calls == ["/webhooks/rest/webhook"]
    dialect = db.engine.dialect.name
    # the rate count; the citizen with their open question, the message; the replies
    assert (len(seen), seen.transactions) == (RATE_STATEMENTS[dialect] + 2 + END_STATEMENTS[dialect], 3), \
        seen.statements


async def test_the_web_chat_asks_after_the_turn_that_stored_a_proposal_and_reads_the_answer_once(
        db: Database, tmp_path) -> None:
    """The question follows the turn whose action stored a proposal (through /api/updates, after the
    tracking code the turn answered with); the "4" is read with the question the storing transaction
    found, answered without Rasa; the next message that is no comment reaches Rasa again."""
    rasa = await FakeRasa().start()
    draft = proposals.ProposalDraft(description="Perbaikan jalan rusak di dusun", sector="jalan",
                                    village_code="34.04.07.2001", language="jv")
    async with aiohttp.ClientSession() as session:
        intake = Intake(Settings(var_dir=tmp_path, web_rate_per_minute=0))
        intake.start(db, Relay(db, RasaClient(rasa.url, session)), wake_worker=lambda: None,
                     wake_dispatcher=lambda: None)
        await intake.answer(Incoming("web", "turn-cost-2", "w0", "halo"))
        view, _ = await proposals.submit_proposal(db, "web", "turn-cost-2", "draft-1", draft)  # the form's action
        await intake.answer(Incoming("web", "turn-cost-2", "w1", "kirim"))  # the turn that stored it ends
        [(_, question)] = await messages.web_updates(db, "web", "turn-cost-2", 0)
        assert question["text"] == texts.satisfaction("ask_submitted", "jv", code=view.code)
        rasa.calls.clear()
        with statements(db) as seen:
            [thanks] = await intake.answer(Incoming("web", "turn-cost-2", "w2", "4"))
        # the citizen with the question, the message; the rating; the answer stored (and no event unasked)
        assert (len(seen), seen.transactions) == (2 + 1 + END_STATEMENTS[db.engine.dialect.name], 3), \
            seen.statements
        assert rasa.calls == ["/conversations/web:turn-cost-2/tracker"]  # is a form waiting on a "4"? no: a rating
        await intake.answer(Incoming("web", "turn-cost-2", "w3", "status USL-ABC123"))
    await rasa.stop()
    assert thanks.text == texts.satisfaction("thanks", "jv", rating=4)
    assert [r.rating for r in await satisfaction.ratings(db)] == [4]
    assert rasa.texts_from("web:turn-cost-2") == ["halo", "kirim", "status USL-ABC123"]
