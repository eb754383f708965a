"""Helpers to talk to the running gateway over HTTP, as the web chat does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import aiohttp
import pytest


@dataclass
class Citizen:
    """One web-chat user: a sender id and the bot's replies to each message."""

    session: aiohttp.ClientSession
    base_url: str
    sender: str = field(default_factory=lambda: uuid.uuid4().hex)
    last_status: int = 0

    async def say(self, text: str, message_id: str | None = None) -> list[dict]:
        body = {"sender": self.sender, "message": text, "message_id": message_id or uuid.uuid4().hex}
        async with self.session.post(f"{self.base_url}/api/chat", json=body) as response:
            self.last_status = response.status
            return (await response.json())["messages"]

    async def text_of(self, text: str) -> str:
        return "\n".join(m["text"] for m in await self.say(text))


@pytest.fixture
async def http():
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


@pytest.fixture
def citizen(stack, http) -> Citizen:
    return Citizen(http, stack.gateway_url)


@pytest.fixture
def new_citizen(stack, http):
    return lambda: Citizen(http, stack.gateway_url)
