"""The outbox never sends a message twice on its own: nothing but the "sent" record follows the platform's
answer, a run that outlasts its lease is not sent by two gateways, a message in parts is continued rather
than repeated, and "sent" is written again while the database refuses it. What cannot be excluded (a sender
killed between the platform's answer and that record: the Bot API and the Graph API have no idempotency
key) is counted on the row (`interrupted`), so a re-send is told apart from a real duplicate."""

from __future__ import annotations

import asyncio

from sqlalchemy import select, text, update

from bot.message import Outgoing
from bot.outbox import OutboxDispatcher
from storage import messages
from storage.db import Database
from storage.models import OutboxMessage, utcnow


class Platform:
    """A platform that takes every message; `hold` keeps the sender waiting after it took one (a sender that
    is about to die between the platform's answer and its record)."""

    channel = "telegram"

    def __init__(self) -> None:
        self.got: list[str] = []
        self.hold: set[str] = set()
        self.holding = asyncio.Event()

    async def send(self, job: messages.OutboxJob, message: Outgoing) -> str:
        self.got.append(message.text)
        if message.text in self.hold:
            self.holding.set()
            await asyncio.Event().wait()  # never answers: the process is killed here
        return f"id-{len(self.got)}"


async def rows(db: Database) -> dict[str, OutboxMessage]:
    async with db.session() as session:
        found = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    return {m.payload: m for m in found}


async def lease_runs_out(db: Database) -> None:
    """The claims in flight are older than the lease (their gateway died, or is far too slow)."""
    async with db.session() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.status == "sending")
                              .values(claimed_at=utcnow() - messages.LEASE - messages.LEASE / 10))
        await session.commit()


async def test_a_delivery_cut_short_by_a_dead_sender_is_counted_when_it_is_sent_again(db: Database) -> None:
    for text_ in ("satu", "dua"):
        await messages.queue_outgoing(db, "telegram", "alice", {"text": text_}, kind="reply")
    dying = Platform()
    dying.hold.add("satu")
    gateway_a = asyncio.create_task(OutboxDispatcher(db, {"telegram": dying}).run_once())
    await asyncio.wait_for(dying.holding.wait(), 10)
    gateway_a.cancel()  # SIGKILL: the platform has "satu", no record of it follows
    await asyncio.gather(gateway_a, return_exceptions=True)
    await lease_runs_out(db)
    platform = Platform()
    await OutboxDispatcher(db, {"telegram": platform}).run_once()  # gateway B takes the claims over
    assert platform.got == ["satu", "dua"]
    found = await rows(db)
    satu, dua = found['{"text": "satu"}'], found['{"text": "dua"}']
    assert satu.status == dua.status == "sent"
    assert satu.interrupted == 1  # its first delivery may have reached the citizen: a known re-send
    assert dua.interrupted == 0  # claimed by the dead gateway too, but never handed to the platform


async def test_a_run_that_outlasts_its_lease_is_not_sent_by_two_gateways(db: Database) -> None:
    for text_ in ("satu", "dua"):
        await messages.queue_outgoing(db, "telegram", "alice", {"text": text_}, kind="reply")
    platform = Platform()
    slow = OutboxDispatcher(db, {"telegram": platform})
    jobs = await slow.claim()  # gateway A claims the run, then stalls longer than the lease
    assert [job.payload["text"] for job in jobs] == ["satu", "dua"]
    await lease_runs_out(db)
    await OutboxDispatcher(db, {"telegram": platform}).run_once()  # gateway B takes it over and sends it
    await slow._send_in_order(jobs)  # gateway A wakes up: the claim is not its own any more
    assert platform.got == ["satu", "dua"]  # once each
    assert all(row.status == "sent" and row.interrupted == 0 for row in (await rows(db)).values())


async def test_sent_is_recorded_even_while_the_database_refuses_it_for_a_moment(db: Database) -> None:
    await messages.queue_outgoing(db, "telegram", "alice", {"text": "satu"}, kind="reply")
    refuse, allow = (
        ("CREATE TRIGGER refuse_sent BEFORE UPDATE OF status ON outbox WHEN (NEW.status = 'sent') "
         "BEGIN SELECT RAISE(ABORT, 'the database is restarting'); END",),
        ("DROP TRIGGER refuse_sent",),
    ) if db.is_sqlite else (
        ("CREATE FUNCTION refuse_sent() RETURNS trigger AS $$ BEGIN "
         "RAISE EXCEPTION 'the database is restarting'; END $$ LANGUAGE plpgsql",
         "CREATE TRIGGER refuse_sent BEFORE UPDATE ON outbox FOR EACH ROW WHEN (NEW.status = 'sent') "
         "EXECUTE FUNCTION refuse_sent()"),
        ("DROP TRIGGER refuse_sent ON outbox", "DROP FUNCTION refuse_sent()"),
    )

    async def run(statements: tuple[str, ...]) -> None:
        async with db.engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))

    class Platform2(Platform):
        async def send(self, job: messages.OutboxJob, message: Outgoing) -> str:
            await run(refuse)  # the platform takes it, and the database goes away right then
            asyncio.get_running_loop().call_later(0.5, lambda: asyncio.ensure_future(run(allow)))
            return await super().send(job, message)

    platform = Platform2()
    await OutboxDispatcher(db, {"telegram": platform}).run_once()
    assert (await rows(db))['{"text": "satu"}'].status == "sent"  # not left claimed, to be sent again
    await lease_runs_out(db)
    await OutboxDispatcher(db, {"telegram": Platform()}).run_once()
    assert platform.got == ["satu"]


async def test_a_message_in_parts_is_continued_not_repeated(db: Database, fake, telegram_sender) -> None:
    await messages.queue_outgoing(db, "telegram", "150", {"text": "Foto usulan Anda:",
                                                         "image": "https://example.org/foto.jpg"}, kind="reply")
    fake.fail("sendPhoto", 502, "Bad Gateway")  # the text goes out, the photo fails: tried again later
    dispatcher = OutboxDispatcher(db, {"telegram": telegram_sender})
    await dispatcher.run_once()
    async with db.session() as session:  # the retry is due now
        await session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        await session.commit()
    await dispatcher.run_once()
    sent = fake.sent_to(150)
    assert [m.get("text") or m.get("photo_url") for m in sent] == ["Foto usulan Anda:", "https://example.org/foto.jpg"]
    row = (await rows(db))
    assert [r.status for r in row.values()] == ["sent"]
