"""The outbox dispatcher: recipients in parallel, one recipient's messages never out of order."""

from __future__ import annotations

import asyncio

from sqlalchemy import update

from bot.message import Outgoing
from bot.outbox import OutboxDispatcher
from bot.sender import SendError
from storage import messages
from storage.db import Database
from storage.models import OutboxMessage, utcnow


class RecordingSender:
    channel = "telegram"

    def __init__(self, fail_first: set[str]) -> None:
        self.fail_first = set(fail_first)
        self.sent: list[tuple[str, str]] = []
        self.active = 0
        self.max_active = 0

    async def send(self, job: messages.OutboxJob, message: Outgoing) -> str:
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        await asyncio.sleep(0.05)
        self.active -= 1
        if message.text in self.fail_first:
            self.fail_first.discard(message.text)
            raise SendError("timeout")
        self.sent.append((job.recipient, message.text))
        return f"id-{job.id}"


async def test_a_failed_message_holds_back_the_later_ones_of_that_recipient_only(sqlite_db_url: str) -> None:
    db = Database(sqlite_db_url)
    for recipient, text in (("alice", "a1"), ("alice", "a2"), ("bob", "b1"), ("bob", "b2")):
        await messages.queue_outgoing(db, "telegram", recipient, {"text": text}, kind="reply")
    sender = RecordingSender(fail_first={"a1"})
    dispatcher = OutboxDispatcher(db, {"telegram": sender})
    await dispatcher.run_once()
    assert sender.sent == [("bob", "b1"), ("bob", "b2")]  # alice's a2 waits for a1
    assert sender.max_active == 2  # alice and bob were served at the same time
    async with db.session() as session:  # make the retries due now
        await session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        await session.commit()
    await dispatcher.run_once()
    assert sender.sent[2:] == [("alice", "a1"), ("alice", "a2")]
    await db.dispose()
