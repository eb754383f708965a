"""The background worker gives its message back when the gateway stops in the middle of a relay."""

from __future__ import annotations

import asyncio

import pytest

from bot.message import Incoming, Outgoing
from bot.relay import Worker
from storage import messages


class HangingRasa:
    """A Rasa that takes the message and never answers (the gateway stops meanwhile)."""

    def __init__(self) -> None:
        self.called = asyncio.Event()

    async def send(self, message: Incoming) -> list[Outgoing]:
        self.called.set()
        await asyncio.Event().wait()
        return []


async def test_a_cancelled_relay_hands_the_message_back_at_once(db) -> None:
    inbound_id, _ = await messages.accept_inbound(db, "whatsapp", "6281234567890", "wamid.1", "halo")
    rasa = HangingRasa()
    step = asyncio.create_task(Worker(db, rasa).run_once())
    await asyncio.wait_for(rasa.called.wait(), 5)
    step.cancel()  # what the gateway's shutdown does to the worker task
    with pytest.raises(asyncio.CancelledError):
        await step
    assert (await messages.inbound_state(db, inbound_id))[0] == "queued"
    # The next gateway takes it at once, not after the claim's lease.
    job = await messages.claim_inbound(db)
    assert job is not None and job.id == inbound_id and job.attempts == 2
