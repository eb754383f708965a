"""Telegram end to end: the fake Bot API, the real gateway, Rasa and the action server.

The session `stack` has no Telegram token, so this module starts its own stack (own var dir and
ports) in polling mode; the webhook check runs the gateway app in webhook mode in this process,
talking to the same Rasa. The flow is asserted, not the wording: the model's data may change.
"""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import DB, create_app
from bot.channels import telegram
from core.settings import Settings
from ops.stack import Stack
from storage import migrate, proposals
from storage.db import Database
from storage.models import InboundMessage
from tests.conftest import free_port, trained_model
from tests.fakes.telegram import FakeTelegram

CODE = re.compile(r"USL-[0-9A-HJKMNP-TV-Z]{6}")
SINDUADI = (-7.750800, 110.356300)  # inside Sinduadi (core/areas): the pin agrees with the typed desa
SECRET = "e2e-webhook_secret"




@pytest.fixture(scope="module")
async def fake_telegram():
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture(scope="module")
async def telegram_stack(tmp_path_factory, fake_telegram):
    """Rasa, the action server and a gateway polling the fake Telegram server."""
    stack = Stack(var_dir=tmp_path_factory.mktemp("telegram-var"), model=trained_model(), rasa_port=free_port(),
                  actions_port=free_port(), gateway_port=free_port(),
                  extra_env={"TELEGRAM_BOT_TOKEN": fake_telegram.token, "TELEGRAM_API_URL": fake_telegram.url,
                             "TELEGRAM_MODE": "polling", "TELEGRAM_POLL_TIMEOUT": "10"})
    try:
        # In a thread: the fake server lives in this event loop and must keep answering meanwhile.
        await asyncio.to_thread(stack.start, lambda _message: None)
        yield stack
    finally:
        await asyncio.to_thread(stack.stop)


class Citizen:
    """One Telegram user talking to the bot through the fake server (polling delivers the updates)."""

    def __init__(self, fake: FakeTelegram, chat: int) -> None:
        self.fake = fake
        self.chat = chat
        self.pressed = 0

    async def send(self, *updates: dict) -> list[dict]:
        before = len(self.fake.sent_to(self.chat))
        await self.fake.push(*updates)
        return await self.fake.replies(self.chat, before)

    async def say(self, text: str) -> list[dict]:
        return await self.send(self.fake.text_update(self.chat, text))

    async def press(self, match: str | int) -> list[dict]:
        self.pressed += 1
        return await self.send(self.fake.press(self.chat, match))


def titles(message: dict) -> list[str]:
    return [key["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for key in row]


async def test_citizen_submits_a_proposal_over_telegram(telegram_stack, fake_telegram) -> None:
    citizen = Citizen(fake_telegram, 7001)
    start = fake_telegram.text_update(citizen.chat, "/start")
    greeting = await citizen.send(start, start)  # the same update twice: greeted once
    assert len(greeting) == 1 and "e-Musrenbang" in greeting[0]["text"] and titles(greeting[0])
    # "typing…" while Rasa worked on it, before the answer (renewed every 4.5 s if Rasa is slow)
    assert fake_telegram.typing_to(citizen.chat)
    assert fake_telegram.first_call_for(citizen.chat, "sendChatAction") < fake_telegram.first_call_for(
        citizen.chat, "sendMessage")

    replies = await citizen.say("mau usul perbaikan jalan rusak di desa Sinduadi")
    steps: list[str] = []
    code = None
    for _ in range(12):
        last = replies[-1]
        text = "\n".join(m["text"] for m in replies)
        if match := CODE.search(text):
            code = match.group(0)
            break
        buttons = titles(last)
        lowered = last["text"].lower()
        if any("kirim" in t.lower() for t in buttons):  # the summary: confirm with its button
            assert f"{SINDUADI[0]:.6f},{SINDUADI[1]:.6f}" in last["text"]
            steps.append("confirm")
            replies = await citizen.press("kirim")
        elif buttons and "foto" in lowered:
            steps.append("photo skipped")
            replies = await citizen.say("lewati")
        elif buttons and ("lokasi" in lowered or "peta" in lowered) and len(buttons) == 1:
            steps.append("location")
            replies = await citizen.send(fake_telegram.location_update(citizen.chat, *SINDUADI))
        elif buttons:  # the sector (or kamus item, or village) question: take the first suggestion
            steps.append(f"button {buttons[0]}")
            replies = await citizen.press(0)
        elif "rt/rw" in lowered:
            steps.append("rt/rw skipped")
            replies = await citizen.say("lewati")
        elif "desa" in lowered:
            steps.append("village")
            replies = await citizen.say("Sinduadi, Mlati")
        else:
            pytest.fail(f"unexpected question after {steps}: {last['text']!r}")
    assert code, steps
    assert steps[-3:] == ["photo skipped", "location", "confirm"], steps
    assert citizen.pressed >= 2
    answered = {a["callback_query_id"] for a in fake_telegram.callback_answers}
    assert len(answered) == citizen.pressed  # every press stopped its spinner
    assert all("parse_mode" not in call for call in fake_telegram.calls_of("sendMessage"))

    db = Database(f"sqlite+aiosqlite:///{telegram_stack.var_dir / 'musrenbang.db'}")
    try:
        assert await proposals.count_citizen_proposals(db, "telegram", str(citizen.chat)) == 1
    finally:
        await db.dispose()
    status = "\n".join(m["text"] for m in await citizen.say(f"/status {code}"))
    assert code in status


@pytest.fixture
async def webhook_gateway(tmp_path, telegram_stack):
    """The gateway app in webhook mode, in this process, relaying to the stack's Rasa."""
    fake = FakeTelegram()
    await fake.start()
    url = f"sqlite+aiosqlite:///{tmp_path / 'webhook.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    config = Settings(var_dir=tmp_path, database_url=url, rasa_url=telegram_stack.rasa_url,
                      telegram_bot_token=fake.token, telegram_mode="webhook", telegram_webhook_secret=SECRET,
                      telegram_api_url=fake.url, public_url="https://musrenbang.example")
    client = TestClient(TestServer(create_app(config)))
    await client.start_server()
    try:
        yield client, fake
    finally:
        await client.close()
        await fake.stop()


async def test_webhook_mode_answers_and_a_redelivery_is_answered_once(webhook_gateway) -> None:
    client, fake = webhook_gateway
    await fake.wait_for(lambda: fake.webhook, timeout=15)
    assert fake.webhook["url"] == "https://musrenbang.example/webhooks/telegram"
    assert fake.webhook["secret_token"] == SECRET

    async def deliver(update: dict, secret: str = SECRET) -> int:
        headers = {telegram.SECRET_HEADER: secret}
        async with client.post(telegram.WEBHOOK_PATH, json=update, headers=headers) as response:
            return response.status

    chat = 7002
    update = fake.text_update(chat, "halo")
    assert await deliver(update, "not-the-secret") == 403
    assert await asyncio.gather(deliver(update), deliver(update)) == [200, 200]
    answer = await fake.replies(chat, 0)
    assert answer and "e-Musrenbang" in answer[0]["text"]
    assert fake.typing_to(chat) and fake.first_call_for(chat, "sendChatAction") < fake.first_call_for(
        chat, "sendMessage")
    assert await deliver(update) == 200  # Telegram retrying after a timeout
    await asyncio.sleep(2)
    assert fake.sent_to(chat) == answer  # nothing new

    async with client.app[DB].session() as session:
        rows = (await session.execute(select(InboundMessage))).scalars().all()
    assert [(r.message_id, r.text, r.status) for r in rows] == [(f"u{update['update_id']}", "halo", "done")]
    assert json.loads(rows[0].replies)


WEDOMARTANI = (-7.7366, 110.4353)
MALIOBORO = (-7.7926, 110.3658)  # Kota Yogyakarta, outside Kabupaten Sleman


async def test_a_shared_pin_names_its_desa_and_a_pin_outside_is_refused(telegram_stack, fake_telegram) -> None:
    """Asked for the desa, the citizen shares a location: the bot names its desa and asks only "benar?"; a pin
    in Kota Yogyakarta at the map question is refused, saying where it is (core/areas, actions/pin.py)."""
    citizen = Citizen(fake_telegram, 7002)
    replies = await citizen.say("mau usul perbaikan jalan rusak berlubang")
    steps: list[str] = []
    code = None
    for _ in range(14):
        last = replies[-1]
        text = "\n".join(m["text"] for m in replies)
        if match := CODE.search(text):
            code = match.group(0)
            break
        buttons = titles(last)
        lowered = last["text"].lower()
        if "lokasi anda di desa wedomartani, kec. ngemplak — benar?" in lowered:
            assert buttons == ["Ya, benar", "Bukan, desa lain"]
            steps.append("pin named the desa")
            replies = await citizen.press("benar")
        elif any("kirim" in t.lower() for t in buttons):
            assert "Wedomartani" in last["text"] and f"{WEDOMARTANI[0]:.6f},{WEDOMARTANI[1]:.6f}" in last["text"]
            steps.append("confirm")
            replies = await citizen.press("kirim")
        elif buttons and "foto" in lowered:
            steps.append("photo skipped")
            replies = await citizen.say("lewati")
        elif "rt/rw" in lowered:
            steps.append("rt/rw skipped")
            replies = await citizen.say("lewati")
        elif "desa" in lowered and not buttons:
            steps.append("location instead of the desa")
            replies = await citizen.send(fake_telegram.location_update(citizen.chat, *WEDOMARTANI))
        elif buttons:
            steps.append(f"button {buttons[0]}")
            replies = await citizen.press(0)
        else:
            pytest.fail(f"unexpected question after {steps}: {last['text']!r}")
    assert code and "location instead of the desa" in steps and "pin named the desa" in steps, steps
    assert steps.index("pin named the desa") == steps.index("location instead of the desa") + 1, steps
    db = Database(f"sqlite+aiosqlite:///{telegram_stack.var_dir / 'musrenbang.db'}")
    try:
        stored = await proposals.get_proposal(db, code)
    finally:
        await db.dispose()
    assert stored.village_code == "34.04.11.2004"

    other = Citizen(fake_telegram, 7003)
    replies = await other.say("mau usul lampu jalan mati di desa Caturtunggal")
    for _ in range(10):
        last = replies[-1]
        lowered = last["text"].lower()
        if buttons := titles(last):
            if len(buttons) == 1 and ("lokasi" in lowered or "peta" in lowered):
                break
            replies = await other.say("lewati") if "foto" in lowered else await other.press(0)
        else:
            replies = await other.say("lewati")
    else:
        pytest.fail("the map question never came")
    refused = "\n".join(m["text"] for m in await other.send(fake_telegram.location_update(other.chat, *MALIOBORO)))
    assert "Kota Yogyakarta" in refused and "di luar Kabupaten Sleman" in refused
