"""Citizen satisfaction: one 1–5 question per event, asked after the turn, answered without Rasa,
stored once, easy to ignore (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.intake import Intake
from bot.message import Incoming
from bot.satisfaction import button_of, rating_of
from core import texts
from core.settings import Settings
from storage import escalations, messages, proposals, satisfaction, status_changes
from storage.models import InboundMessage, OutboxMessage
from workflows.escalations import answer_escalation

DRAFT = proposals.ProposalDraft(description="Perbaikan jalan rusak di dusun", sector="jalan",
                                village_code="34.04.07.2001", language="jv")


@pytest.fixture
def intake(db, tmp_path) -> Intake:
    intake = Intake(Settings(var_dir=tmp_path))
    intake.start(db, None, wake_worker=lambda: None, wake_dispatcher=lambda: None)
    return intake


def said(text: str, message_id: str, sender: str = "0812") -> Incoming:
    return Incoming("telegram", sender, message_id, text, {"kind": "text"})


async def outbox(db, recipient: str = "0812") -> list[dict]:
    async with db.session() as session:
        rows = (await session.execute(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                                      .order_by(OutboxMessage.id))).scalars().all()
    return [{"kind": row.kind, **json.loads(row.payload)} for row in rows]


async def turn(db, text: str, message_id: str, sender: str = "0812") -> None:
    """A turn the worker relayed to Rasa (whose action stored the proposal), its reply stored."""
    inbound_id, _ = await messages.accept_inbound(db, "telegram", sender, message_id, text, {}, status="processing")
    await messages.complete_inbound(db, inbound_id, [{"text": "Usulan tersimpan: USL-…", "buttons": [],
                                                      "image": None}])


async def submitted(db, sender: str = "0812") -> str:
    view, _ = await proposals.submit_proposal(db, "telegram", sender, f"draft-{sender}", DRAFT)
    return view.code


async def test_the_question_follows_the_turn_that_stored_the_proposal_once(db) -> None:
    await submitted(db)
    assert await outbox(db) == []  # not before the tracking code
    await turn(db, "kirim", "m1")
    await turn(db, "matur nuwun", "m2")
    sent = await outbox(db)
    assert [m["text"] for m in sent] == ["Usulan tersimpan: USL-…", texts.satisfaction("ask_submitted", "jv"),
                                         "Usulan tersimpan: USL-…"]
    assert [b["title"] for b in sent[1]["buttons"]] == ["1", "2", "3", "4", "5", texts.satisfaction("skip", "jv")]


async def test_a_bare_digit_is_the_rating_stored_once_then_the_comment(db, intake) -> None:
    await submitted(db)
    await turn(db, "kirim", "m1")
    assert await intake.accept(said("4", "m2"))
    assert not await intake.accept(said("4", "m2"))  # the platform's redelivery is not a comment
    assert await intake.accept(said("Gampil, nanging tombolipun alit", "m3"))
    assert await intake.accept(said("5", "m4"))  # asked once: a later "5" goes to Rasa
    [stored] = await satisfaction.ratings(db)
    assert (stored.event, stored.rating, stored.comment, stored.channel, stored.kecamatan_code) == (
        "submitted", 4, "Gampil, nanging tombolipun alit", "telegram", "34.04.07")
    async with db.session() as session:
        inbound = (await session.execute(select(InboundMessage).order_by(InboundMessage.id))).scalars().all()
    assert [(row.message_id, row.status) for row in inbound] == [("m1", "done"), ("m2", "done"), ("m3", "done"),
                                                                 ("m4", "queued")]
    answers = [json.loads(row.replies)[0]["text"] for row in inbound[1:3]]
    assert answers == [texts.satisfaction("thanks", "jv", rating=4), texts.satisfaction("comment_thanks", "jv")]


async def test_anything_else_goes_to_rasa_and_the_question_lapses(db, intake) -> None:
    await submitted(db)
    await turn(db, "kirim", "m1")
    assert await intake.accept(said("status USL-ABC123", "m2"))
    assert await intake.accept(said("3", "m3"))
    assert [s.rating for s in await satisfaction.ratings(db)] == [None]
    job = await messages.claim_inbound(db)
    assert job is not None and job.text == "status USL-ABC123"


async def test_a_button_pressed_twice_rates_once_in_the_web_chat(db, intake) -> None:
    await submitted(db, "web-1")
    await turn(db, "kirim", "m1", sender="web-1")
    question = (await outbox(db, "web-1"))[-1]
    payload = question["buttons"][1]["payload"]
    first = await intake.answer(Incoming("telegram", "web-1", "b1", payload, {}))
    second = await intake.answer(Incoming("telegram", "web-1", "b2", payload, {}))
    assert [r.text for r in first + second] == [texts.satisfaction("thanks", "jv", rating=2),
                                                texts.satisfaction("closed", "jv")]
    assert [s.rating for s in await satisfaction.ratings(db)] == [2]


async def test_a_final_status_and_an_officers_answer_are_each_asked_once(db) -> None:
    code = await submitted(db)
    await status_changes.change_status(db, code, "ditolak", "admin", reason="Bukan kewenangan kabupaten")
    escalation = await escalations.create_escalation(db, "telegram", "0812", "Kapan musrenbang desa?", "")
    assert await answer_escalation(db, escalation, None, "Bulan Januari.", actor="telegram:1")
    await answer_escalation(db, escalation, None, "Bulan Januari.", actor="telegram:1")  # again: no 2nd question
    sent = [m["text"] for m in await outbox(db)]
    assert sent[0].startswith(texts.status_news(code, DRAFT.description, "ditolak", None, "jv")[:20])
    assert sent[1] == texts.satisfaction("ask_final", "jv", code=code)
    assert sent[3] == texts.satisfaction("ask_answer", "jv")
    assert len(sent) == 4
    assert sorted(s.event for s in await satisfaction.ratings(db)) == ["answer", "final", "submitted"]


@pytest.mark.parametrize(("text", "rating"), [("4", 4), (" 5/5 ", 5), ("3️⃣", 3), ("⭐⭐⭐⭐", 4), ("★", 1),
                                              ("6", None), ("45", None), ("4 jalan", None), ("", None)])
def test_what_counts_as_a_rating(text: str, rating: int | None) -> None:
    assert rating_of(text) == rating


def test_only_our_payload_is_a_button() -> None:
    assert button_of('/satisfaction{"id":3,"rating":5}') == (3, 5)
    assert button_of('/inform{"sector":"jalan"}') is None
    assert button_of('/satisfaction{"id":"x"}') == (-1, -1)


async def test_the_report_sets_satisfaction_beside_the_counts(db, intake) -> None:
    """Two citizens on two channels rate; the yearly report shows the mean by kecamatan and channel,
    and the days to verification against the manual baseline."""
    from bot.public import report
    from core import calendar

    for sender, rating, village in (("0812", "5", "34.04.07.2001"), ("0813", "2", "34.04.07.2002")):
        await proposals.submit_proposal(db, "telegram", sender, f"d-{sender}", proposals.ProposalDraft(
            description="Lampu jalan mati", sector="penerangan_jalan", village_code=village))
        await turn(db, "kirim", f"m-{sender}", sender=sender)
        assert await intake.accept(said(rating, f"r-{sender}", sender=sender))
    built = await report.build(db, "34.04", calendar.planning_year(), baseline_days=21)
    summary = built.data.satisfaction
    assert (summary.total.count, summary.total.mean) == (2, 3.5)
    assert [(code, rating.count, rating.mean) for code, _, rating in summary.by_kecamatan] == [("34.04.07", 2, 3.5)]
    assert [(channel, rating.count) for channel, rating in summary.by_channel] == [("telegram", 2)]
    html = report.render(built)
    section = html[html.index('id="indikator-evaluasi"'):]
    assert "Kepuasan warga" in section and "3,5 dari 5" in section and "proses manual sebelumnya: 21" in section
    assert "Telegram" in section and "Warga pengusul" in section


async def test_erasure_drops_the_comment_and_keeps_the_anonymous_rating(db, intake) -> None:
    from storage import erasure

    await submitted(db)
    await turn(db, "kirim", "m1")
    assert await intake.accept(said("5", "m2"))
    assert await intake.accept(said("Pak Budi RT 3 sangat membantu, hubungi 0812 3456 7890", "m3"))
    await erasure.erase_citizen(db, "telegram", "0812")
    [stored] = await satisfaction.ratings(db)
    assert (stored.rating, stored.comment) == (5, None)


async def test_a_digit_for_the_form_is_not_a_rating(db, tmp_path) -> None:
    """A final status's question can arrive while the citizen fills in a new proposal: their "3" for
    the RT question goes to Rasa (its tracker says the form waits on a slot)."""
    import aiohttp

    from bot.relay import RasaClient, Relay
    from tests.fakes.rasa import FakeRasa

    rasa = await FakeRasa().start()
    async with aiohttp.ClientSession() as session:
        intake = Intake(Settings(var_dir=tmp_path))
        intake.start(db, Relay(db, RasaClient(rasa.url, session)), wake_worker=lambda: None,
                     wake_dispatcher=lambda: None)
        code = await submitted(db)
        await status_changes.change_status(db, code, "ditolak", "admin", reason="Bukan kewenangan")
        rasa.requested_slots["telegram:0812"] = "rt_rw"
        assert await intake.accept(said("3", "m1"))
        del rasa.requested_slots["telegram:0812"]
        assert await intake.accept(said("3", "m2"))  # the question lapsed with the form's answer
    await rasa.stop()
    assert [s.rating for s in await satisfaction.ratings(db)] == [None, None]
    job = await messages.claim_inbound(db)
    assert job is not None and job.text == "3" and job.message_id == "m1"
