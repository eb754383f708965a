"""Nothing dropped silently (issue 13): the outbox retries on a time budget and honours the platform's
wait, failed deliveries are shown to admins and re-sent; a gateway stopped mid-turn hands the message
back at once and its redelivery reaches Rasa only once; the web chat's news count as delivered only
once the page has them."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import aiohttp
from sqlalchemy import select, update

from bot.message import Outgoing
from bot.outbox import OutboxDispatcher
from bot.sender import SendError
from ops import cli
from storage import audit, messages
from storage.db import Database
from storage.models import InboundMessage, OutboxMessage, utcnow
from tests.bot.sites import make_officer, start_gateway
from tests.fakes.rasa import FakeRasa


class Outage:
    """A channel that is down (or rate-limits, or refuses for good) until told otherwise."""

    channel = "telegram"

    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.sent: list[str] = []

    async def send(self, job: messages.OutboxJob, message: Outgoing) -> str:
        if self.error is not None:
            raise self.error
        self.sent.append(message.text)
        return f"id-{job.id}"


async def _row(db: Database, outbox_id: int) -> OutboxMessage:
    async with db.session() as session:
        return await session.get(OutboxMessage, outbox_id)


async def _queue(db: Database, text: str, age: timedelta = timedelta(0), attempts: int = 0) -> int:
    await messages.queue_outgoing(db, "telegram", "4242", {"text": text}, kind="status")
    async with db.session() as session:
        row_id = (await session.execute(select(OutboxMessage.id).where(OutboxMessage.payload.contains(text)))
                  ).scalar_one()
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                              .values(created_at=utcnow() - age, attempts=attempts))
        await session.commit()
    return row_id


async def test_an_outage_longer_than_eight_attempts_loses_nothing(db_url: str) -> None:
    db = Database(db_url)
    row_id = await _queue(db, "Usulan USL-AAAAAA diverifikasi", age=timedelta(hours=3), attempts=30)
    channel = Outage(SendError("telegram unreachable"))
    dispatcher = OutboxDispatcher(db, {"telegram": channel}, budget=timedelta(hours=48))
    await dispatcher.run_once()
    row = await _row(db, row_id)
    assert row.status == "pending" and row.attempts == 31  # was "failed" after 8 attempts (~4 min)
    wait = row.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(minutes=5) < wait <= timedelta(minutes=10, seconds=5)  # capped backoff
    channel.error = None  # the channel is back: delivered
    async with db.session() as session:
        await session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        await session.commit()
    await dispatcher.run_once()
    assert channel.sent == ["Usulan USL-AAAAAA diverifikasi"] and (await _row(db, row_id)).status == "sent"
    await db.dispose()


async def test_the_budget_ends_retries_and_a_permanent_error_fails_at_once(db_url: str) -> None:
    db = Database(db_url)
    old = await _queue(db, "lama", age=timedelta(hours=49), attempts=40)
    dispatcher = OutboxDispatcher(db, {"telegram": Outage(SendError("still down"))}, budget=timedelta(hours=48))
    await dispatcher.run_once()
    assert (await _row(db, old)).status == "failed"
    blocked = await _queue(db, "diblokir")
    await OutboxDispatcher(db, {"telegram": Outage(SendError("bot was blocked", permanent=True))}).run_once()
    row = await _row(db, blocked)
    assert row.status == "failed" and row.attempts == 1 and "blocked" in row.last_error
    await db.dispose()


async def test_telegrams_retry_after_is_honoured(db_url: str) -> None:
    db = Database(db_url)
    row_id = await _queue(db, "banjir pesan")
    await OutboxDispatcher(db, {"telegram": Outage(SendError("flood control", retry_after=600))}).run_once()
    row = await _row(db, row_id)
    wait = row.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert row.status == "pending" and wait > timedelta(seconds=590)  # not 2 s later, into more flood control
    await db.dispose()


async def test_telegram_sender_carries_retry_after() -> None:
    from telegram.error import RetryAfter

    from bot.channels.telegram.outbound import TelegramSender

    class FloodedBot:
        token = "123:abc"

        async def send_message(self, **_: object) -> None:
            raise RetryAfter(37)

    try:
        await TelegramSender(FloodedBot()).send(messages.OutboxJob(1, "telegram", "9", {}, "reply", 1),
                                                Outgoing(text="halo"))
    except SendError as error:
        assert error.retry_after == 37 and not error.permanent
    else:
        raise AssertionError("no SendError")


async def test_admins_see_failed_deliveries_and_resend_them(tmp_path, db_url: str, capsys, monkeypatch) -> None:
    gateway = await start_gateway(tmp_path, db_url)
    db = gateway.db
    failed = await _queue(db, "Jawaban petugas: musrenbang desa tanggal 5")
    await messages.outgoing_failed(db, failed, "bot was blocked by the user", None)
    await make_officer(db, "admin", "admin")
    await make_officer(db, "desa", "desa", "34.04.07.2001")
    desa, admin = gateway.browser(), gateway.browser()
    try:
        assert await desa.login("desa") == 302
        assert (await desa.get("/officer/admin/pengiriman"))[0] == 403  # admins only
        assert await admin.login("admin") == 302
        status, page, _ = await admin.get("/officer/admin/pengiriman")
        assert status == 200 and "Jawaban petugas: musrenbang desa tanggal 5" in page and "blocked" in page
        status, _, response = await admin.post("/officer/admin/pengiriman/kirim-ulang", {"id": str(failed)})
        assert status == 302 and "ok=kirim_ulang" in response.headers["Location"]
        row = await _row(db, failed)
        assert row.status == "pending" and row.attempts == 0  # a fresh budget
        assert any(e.action == "outbox_resend" for e in await audit.entries(db, 10))
        status, page, _ = await admin.get("/officer/admin/pengiriman")
        assert "Tidak ada pengiriman yang gagal" in page
    finally:
        await desa.close()
        await admin.close()
        await gateway.server.close()
    # The CLI twin: ./musrenbang resend --list / ID / --all
    await messages.outgoing_failed(db, failed, "still blocked", None)
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert await asyncio.to_thread(cli.main, ["resend", "--list"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [item["id"] for item in listed] == [failed] and listed[0]["last_error"] == "still blocked"
    assert await asyncio.to_thread(cli.main, ["resend", str(failed)]) == 0
    assert json.loads(capsys.readouterr().out) == {"queued": [failed]}
    assert (await _row(db, failed)).status == "pending"
    await db.dispose()


async def test_web_news_count_as_delivered_only_when_the_page_has_them(tmp_path, db_url: str) -> None:
    gateway = await start_gateway(tmp_path, db_url)
    sender = "browser-0001"
    for text in ("kabar satu", "kabar dua"):
        await messages.queue_outgoing(gateway.db, "web", sender, {"text": text}, kind="status")
    url = gateway.server.make_url("/api/updates")
    async with aiohttp.ClientSession() as http:
        async with http.get(url, params={"sender": sender}) as response:
            first = await response.json()
        assert [m["text"] for m in first["messages"]] == ["kabar satu", "kabar dua"]
        # The answer was lost (tab closed, connection dropped): the next poll without an ack gets them again.
        async with http.get(url, params={"sender": sender}) as response:
            again = await response.json()
        assert [m["text"] for m in again["messages"]] == ["kabar satu", "kabar dua"]
        async with http.get(url, params={"sender": sender, "after": again["last"]}) as response:
            acknowledged = await response.json()
        assert acknowledged["messages"] == []
        async with http.get(url, params={"sender": sender, "after": "1\n"}) as response:
            assert response.status == 400
    async with gateway.db.session() as session:
        statuses = (await session.execute(select(OutboxMessage.status).where(OutboxMessage.recipient == sender))
                    ).scalars().all()
    assert statuses == ["sent", "sent"]
    await gateway.server.close()
    await gateway.db.dispose()


class TakesThenHangs(FakeRasa):
    """Rasa that takes the turn (it is in the tracker, with its reply) and then never answers the HTTP call:
    the gateway is stopped while it waits."""

    def __init__(self) -> None:
        super().__init__()
        self.took = asyncio.Event()
        self.release = asyncio.Event()  # set at the end, so the fake itself stops at once

    def reply(self, text: str) -> list[dict]:
        return [{"text": f"(jawaban untuk {len(text)} huruf)"}]

    async def handle(self, request):
        if self.took.is_set():
            return await super().handle(request)
        await super().handle(request)  # recorded in the tracker, as Rasa does before it answers
        self.took.set()
        await self.release.wait()
        raise ConnectionResetError


async def test_a_gateway_stopped_mid_turn_hands_back_and_the_redelivery_reaches_rasa_once(
        gateway_process, db_url: str) -> None:
    slow = await TakesThenHangs().start()
    try:
        first = await gateway_process(db_url, RASA_URL=slow.url)
        sender = "citizen-stop-1"
        async with aiohttp.ClientSession() as http:
            chat = asyncio.create_task(http.post(f"{first.url}/api/chat", json={
                "sender": sender, "message_id": "m1", "message": "saya mau usul jalan rusak"}))
            await asyncio.wait_for(slow.took.wait(), 20)
            took_s = await first.terminate()
            chat.cancel()
            await asyncio.gather(chat, return_exceptions=True)
        assert took_s < 12  # well inside the stack's 15 s before SIGKILL
        db = Database(db_url)
        async with db.session() as session:
            row = (await session.execute(select(InboundMessage))).scalar_one()
        assert row.status == "queued" and row.claimed_at is None  # handed back, not left for the 120 s lease
        second = await gateway_process(db_url, var="var2", RASA_URL=slow.url)
        async with aiohttp.ClientSession() as http:
            texts: list[str] = []
            after = 0
            for _ in range(100):
                async with http.get(f"{second.url}/api/updates", params={"sender": sender, "after": after}) as r:
                    answer = await r.json()
                texts += [m["text"] for m in answer["messages"]]
                after = answer["last"]
                if texts:
                    break
                await asyncio.sleep(0.2)
        assert texts == ["(jawaban untuk 25 huruf)"]  # the first turn's reply, replayed from the tracker
        assert slow.texts_from(f"web:{sender}") == ["saya mau usul jalan rusak"]  # Rasa got it once
        await db.dispose()
    finally:
        slow.release.set()
        await slow.stop()
