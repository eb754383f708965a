"""The Telegram channel in the real gateway app, against the fake Bot API; Rasa is a small echo.

The inbound queue is checked in the database; what the citizen sees is what the fake recorded.
"""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import DB
from bot.channels import telegram
from bot.channels.telegram import outbound
from bot.message import Button, Outgoing
from bot.sender import SendError
from core import texts
from core.settings import Settings
from storage import messages
from storage.models import InboundMessage, OutboxMessage
from tests.bot.conftest import PUBLIC_URL, SECRET, eventually, post
from tests.fakes.rasa import FakeRasa
from tests.images import JPEG, PNG, decodes_as

LONG_TEXT = "Jalan di desa kami rusak parah dan berlubang sehingga warga kesulitan lewat. " * 20


class EchoRasa(FakeRasa):
    """Echoes, and answers "tombol" with buttons (as Rasa does for the sector question)."""

    def reply(self, text: str) -> list[dict]:
        if text == "tombol":
            return [{"text": "Pilih bidangnya:", "buttons": [
                {"title": "Jalan", "payload": '/inform{"sector":"jalan"}'},
                {"title": "Drainase", "payload": '/inform{"sector":"drainase"}'},
                {"title": "Lewati", "payload": "lewati"}]}]
        return [{"text": f"echo: {text}"}]

    def texts_from_chat(self, chat: int) -> list[str]:
        return self.texts_from(f"telegram:{chat}")


@pytest.fixture
async def rasa():
    server = await EchoRasa().start()
    yield server
    await server.stop()



async def inbound_rows(client: TestClient) -> list[InboundMessage]:
    async with client.app[DB].session() as session:
        return list((await session.execute(select(InboundMessage).order_by(InboundMessage.id))).scalars())


async def row_of(client: TestClient, update: dict) -> InboundMessage:
    """The one queue row of `update`, stored under the chat id as sender."""
    rows = [r for r in await inbound_rows(client) if r.message_id == f"u{update['update_id']}"]
    assert len(rows) == 1, rows
    message = update.get("message") or update.get("edited_message") or update["callback_query"]["message"]
    assert (rows[0].channel, rows[0].sender) == ("telegram", str(message["chat"]["id"]))
    return rows[0]


# --- the webhook ---

async def test_webhook_is_registered_with_its_secret(gateway, fake) -> None:
    await fake.wait_for(lambda: fake.webhook, timeout=10)
    assert fake.webhook["url"] == f"{PUBLIC_URL}/webhooks/telegram"
    assert fake.webhook["secret_token"] == SECRET
    assert set(fake.webhook["allowed_updates"]) == {"message", "edited_message", "callback_query"}


async def test_webhook_refuses_what_telegram_did_not_send(gateway, fake) -> None:
    update = fake.text_update(101, "halo")
    assert await post(gateway, update, secret=None) == 401
    assert await post(gateway, update, secret="wrong") == 403
    assert await post(gateway, update, secret=SECRET[:-1]) == 403
    assert await post(gateway, b"{not json") == 400
    assert await post(gateway, "[1, 2]") == 400
    assert await post(gateway, {"update_id": "x"}) == 400
    assert await post(gateway, {"update_id": 5, "message": {"text": 3}}) == 400
    listed = fake.text_update(105, "halo")
    listed["message"]["text"] = ["a", "list"]  # parsed by the library, but no text: a 400, never a 500
    assert await post(gateway, listed) == 400
    assert await post(gateway, b'{"update_id": 1, "pad": "' + b"x" * (1024 * 1024) + b'"}') == 413
    assert await inbound_rows(gateway) == []


async def test_same_update_twice_is_stored_and_answered_once(gateway, fake, rasa) -> None:
    update = fake.text_update(102, "mau usul jalan rusak")
    assert await asyncio.gather(post(gateway, update), post(gateway, update)) == [200, 200]
    await fake.wait_for(lambda: fake.sent_to(102))
    assert await post(gateway, update) == 200  # a late redelivery
    await asyncio.sleep(1)
    assert len(await inbound_rows(gateway)) == 1
    assert rasa.texts_from_chat(102) == ["mau usul jalan rusak"]
    assert [m["text"] for m in fake.sent_to(102)] == ["echo: mau usul jalan rusak"]
    assert "parse_mode" not in fake.calls_of("sendMessage")[0]


@pytest.mark.parametrize(("typed", "relayed"), [
    ("  mau usul lampu jalan  ", "mau usul lampu jalan"),
    ("/start", "/greet"),
    ("/start@musrenbang_test_bot", "/greet"),
    ("/help", "/help"),
    ("/status", "/check_status"),
    ("/status USL-7K3Q9D", "status USL-7K3Q9D"),
    ("/batal", "/cancel"),
])
async def test_texts_and_commands_are_mapped(gateway, fake, rasa, typed, relayed) -> None:
    update = fake.text_update(103, typed)
    assert await post(gateway, update) == 200
    row = await row_of(gateway, update)
    assert row.text == relayed
    assert json.loads(row.meta)["chat_id"] == 103
    await eventually(lambda: rasa.texts_from_chat(103) == [relayed])
    assert rasa.received[0]["sender"] == "telegram:103"


async def test_location_becomes_a_map_pin(gateway, fake, rasa) -> None:
    update = fake.location_update(104, -7.7231, 110.4212)
    assert await post(gateway, update) == 200
    assert (await row_of(gateway, update)).text == '/share_location{"map_pin":"-7.723100,110.421200"}'
    await eventually(lambda: rasa.texts_from_chat(104))


async def test_photo_is_downloaded_then_relayed(gateway, fake, rasa) -> None:
    update = fake.photo_update(105, JPEG, caption="jalan berlubang")
    assert await post(gateway, update) == 200
    row = await row_of(gateway, update)
    name = re.fullmatch(r'/share_photo\{"photo_ref":"([0-9a-f]{32}\.jpg)"\}', row.text).group(1)
    stored = gateway.app[telegram.TELEGRAM].config.media_dir / name
    assert decodes_as(stored.read_bytes(), "jpg")
    assert json.loads(row.meta)["file_id"] == update["message"]["photo"][-1]["file_id"]  # the largest size
    await eventually(lambda: rasa.texts_from_chat(105) == [row.text])
    assert len(fake.calls_of("getFile")) == 1


async def test_image_sent_as_a_file_is_accepted_too(gateway, fake, rasa) -> None:
    png = PNG
    fake.add_file("BQACAgQAAxk-doc", png, "documents/file_9.png")
    update = fake.message_update(118, document={"file_id": "BQACAgQAAxk-doc", "file_unique_id": "d9",
                                                "file_name": "jalan.png", "mime_type": "image/png",
                                                "file_size": len(png)})
    assert await post(gateway, update) == 200
    row = await row_of(gateway, update)
    name = re.fullmatch(r'/share_photo\{"photo_ref":"([0-9a-f]{32}\.png)"\}', row.text).group(1)
    assert decodes_as((gateway.app[telegram.TELEGRAM].config.media_dir / name).read_bytes(), "png")
    await eventually(lambda: rasa.texts_from_chat(118) == [row.text])


async def test_photo_that_is_not_an_image_or_too_big_is_refused_politely(make_gateway, fake, rasa) -> None:
    gateway = await make_gateway(max_photo_bytes=2048)
    not_image = fake.photo_update(106, b"MZ\x90\x00 definitely not a picture")
    too_big = fake.photo_update(107, JPEG * 3)
    for update in (not_image, too_big):
        assert await post(gateway, update) == 200
    refused = texts.gateway("bad_photo", "id", limit_mb=0)
    await fake.wait_for(lambda: fake.sent_to(106) and fake.sent_to(107))
    assert fake.sent_to(106)[0]["text"] == refused and fake.sent_to(107)[0]["text"] == refused
    assert len(fake.calls_of("getFile")) == 1  # the size Telegram announced was enough for the second
    assert rasa.received == []
    assert [r.status for r in await inbound_rows(gateway)] == ["done", "done"]


async def test_unsupported_updates_get_a_polite_reply_and_never_reach_rasa(gateway, fake, rasa) -> None:
    updates = {
        108: (fake.sticker_update(108), texts.gateway("unsupported", "id")),
        109: (fake.voice_update(109), texts.gateway("unsupported", "id")),
        110: (fake.edited_update(110, "ralat: jalan di RT 02"), texts.telegram("edited", "id")),
        111: (fake.text_update(111, "/hapus_semua"), texts.telegram("unknown_command", "id")),
        112: (fake.text_update(112, '/inform{"sector":"jalan"}'), texts.telegram("unknown_command", "id")),
        113: (fake.text_update(113, LONG_TEXT), texts.gateway("too_long", "id", limit=1000)),
    }
    for update, _ in updates.values():
        assert await post(gateway, update) == 200
        assert await post(gateway, update) == 200  # redelivered: still one reply
    await fake.wait_for(lambda: all(fake.sent_to(chat) for chat in updates))
    await asyncio.sleep(0.8)
    for chat, (_, notice) in updates.items():
        assert [m["text"] for m in fake.sent_to(chat)] == [notice], chat
    assert rasa.received == []
    assert {r.status for r in await inbound_rows(gateway)} == {"done"}


async def test_group_chats_and_service_messages_are_ignored(gateway, fake, rasa) -> None:
    assert await post(gateway, fake.text_update(-100200300, "halo semua")) == 200
    pinned = {"message_id": 1, "date": 0, "chat": {"id": 114, "type": "private"}}
    assert await post(gateway, fake.message_update(114, pinned_message=pinned)) == 200
    assert await post(gateway, fake.edited_update(115, "x") | {"edited_message": {
        **fake.location_update(115, -7.7, 110.4)["message"], "edit_date": 1}}) == 200  # a live location moving
    await asyncio.sleep(0.5)
    assert await inbound_rows(gateway) == [] and fake.sent == [] and rasa.received == []


# --- buttons ---

async def test_buttons_become_an_inline_keyboard_and_a_press_relays_the_payload(gateway, fake, rasa) -> None:
    assert await post(gateway, fake.text_update(120, "tombol")) == 200
    await fake.wait_for(lambda: fake.sent_to(120))
    markup = fake.sent_to(120)[0]["reply_markup"]["inline_keyboard"]
    outbox_id = markup[0][0]["callback_data"].split(":")[0]
    assert [[key["text"] for key in row] for row in markup] == [["Jalan", "Drainase"], ["Lewati"]]
    assert [key["callback_data"] for row in markup for key in row] == [f"{outbox_id}:{i}" for i in range(3)]

    press = fake.press(120, "Drainase")
    assert await post(gateway, press) == 200
    assert (await row_of(gateway, press)).text == '/inform{"sector":"drainase"}'
    await eventually(lambda: rasa.texts_from_chat(120) == ["tombol", '/inform{"sector":"drainase"}'])
    assert [a["callback_query_id"] for a in fake.callback_answers] == [press["callback_query"]["id"]]
    assert await post(gateway, press) == 200  # redelivered press: nothing new
    await asyncio.sleep(0.5)
    assert len(fake.callback_answers) == 1 and len(rasa.texts_from_chat(120)) == 2


async def test_expired_or_forged_buttons_are_answered_not_relayed(gateway, fake, rasa) -> None:
    assert await post(gateway, fake.text_update(121, "tombol")) == 200
    await fake.wait_for(lambda: fake.sent_to(121))
    rasa.received.clear()
    message = fake.sent_to(121)[0]
    # A keyboard pointing at an outbox row that no longer exists, and data not on the keyboard at all.
    gone = json.loads(json.dumps(message))
    gone["reply_markup"]["inline_keyboard"][0][0]["callback_data"] = "999999:0"
    for update in (fake.callback_update(121, gone, "999999:0"), fake.callback_update(121, message, "1:5"),
                   fake.callback_update(121, {k: v for k, v in message.items() if k != "reply_markup"}, "1:0")):
        assert await post(gateway, update) == 200
    expired = texts.telegram("button_expired", "id")
    await fake.wait_for(lambda: len(fake.sent_to(121)) == 4)
    assert [m["text"] for m in fake.sent_to(121)[1:]] == [expired] * 3
    assert len(fake.callback_answers) == 3
    assert rasa.received == []


async def test_button_payload_is_found_in_the_outbox(gateway, fake) -> None:
    db = gateway.app[DB]
    payload = Outgoing(text="Pilih:", buttons=(Button("Ya", "/affirm"), Button("Tidak", "/deny"))).as_dict()
    await messages.queue_outgoing(db, "telegram", "122", payload, "reply", dedupe_key="test:122")
    async with db.session() as session:
        outbox_id = (await session.execute(select(OutboxMessage.id))).scalar_one()
    assert await messages.button_payload(db, f"{outbox_id}:1") == "/deny"
    assert await messages.button_payload(db, f"{outbox_id}:2") is None


# --- rate limit ---

async def test_a_flood_is_answered_once_and_not_relayed(make_gateway, fake, rasa) -> None:
    gateway = await make_gateway(telegram_rate_per_minute=3)
    for number in range(6):
        assert await post(gateway, fake.text_update(130, f"pesan {number}")) == 200
    await eventually(lambda: len(rasa.texts_from_chat(130)) == 3)
    await fake.wait_for(lambda: len(fake.sent_to(130)) == 4)
    await asyncio.sleep(0.8)
    sent = [m["text"] for m in fake.sent_to(130)]
    assert sent.count(texts.gateway("rate_limited", "id")) == 1 and len(sent) == 4
    assert rasa.texts_from_chat(130) == ["pesan 0", "pesan 1", "pesan 2"]
    assert len(await inbound_rows(gateway)) == 6  # all stored: a redelivery of any stays quiet
    assert await post(gateway, fake.text_update(131, "chat lain")) == 200  # per chat
    await eventually(lambda: rasa.texts_from_chat(131))


# --- polling ---

async def test_polling_stores_each_update_once_and_survives_errors(make_gateway, fake, rasa) -> None:
    fake.webhook = {"url": "https://old.example/hook"}  # left over: polling has to delete it first
    fake.fail("getUpdates", 502, "Bad Gateway")
    await make_gateway(telegram_mode="polling", public_url="")
    first = fake.text_update(140, "/start")
    await fake.push(first, first, fake.text_update(140, "mau usul"))  # the first one delivered twice
    await fake.wait_for(lambda: len(fake.sent_to(140)) == 2, timeout=15)
    assert rasa.texts_from_chat(140) == ["/greet", "mau usul"]
    assert fake.webhook is None and fake.calls_of("deleteWebhook")
    await fake.wait_for(lambda: any(c.get("offset") == first["update_id"] + 2 for c in fake.calls_of("getUpdates")))
    polls = fake.calls_of("getUpdates")
    assert polls[-1]["timeout"] == 2 and set(polls[-1]["allowed_updates"]) >= {"message", "callback_query"}


# --- the sender ---

@pytest.fixture
def sender(telegram_sender):
    return telegram_sender


def job(outbox_id: int = 41, recipient: str = "150") -> messages.OutboxJob:
    return messages.OutboxJob(outbox_id, "telegram", recipient, {}, "reply", 1)


async def test_sender_sends_plain_text_with_an_inline_keyboard(sender, fake) -> None:
    short = Outgoing(text="Pilih <b>bidang</b> *ini*_:", buttons=(Button("Jalan", "/inform{}"), Button("Air", "x"),
                                                                 Button("Lainnya", "y")))
    message_id = await sender.send(job(), short)
    sent = fake.sent_to(150)[-1]
    assert message_id == str(sent["message_id"])
    assert sent["text"] == "Pilih <b>bidang</b> *ini*_:" and "parse_mode" not in fake.calls_of("sendMessage")[-1]
    assert sent["reply_markup"]["inline_keyboard"] == [
        [{"text": "Jalan", "callback_data": "41:0"}, {"text": "Air", "callback_data": "41:1"}],
        [{"text": "Lainnya", "callback_data": "41:2"}]]
    long_titles = Outgoing(text="Pilih:", buttons=(Button("Perbaikan jalan lingkungan (rabat beton)", "a"),
                                                   Button("Jenis lain / pilih bidang", "b")))
    await sender.send(job(1234567), long_titles)
    rows = fake.sent_to(150)[-1]["reply_markup"]["inline_keyboard"]
    assert [len(row) for row in rows] == [1, 1] and rows[1][0]["callback_data"] == "1234567:1"
    await sender.send(job(42), Outgoing(buttons=(Button("Ya", "/affirm"),)))  # buttons only: a short text above
    assert fake.sent_to(150)[-1]["text"] == texts.telegram("choose")


async def test_sender_splits_long_text_at_line_and_word_boundaries(sender, fake) -> None:
    lines = [f"Baris {n}: " + "kata " * 60 for n in range(40)]  # ~12 000 characters
    text = "\n".join(line.strip() for line in lines)
    await sender.send(job(), Outgoing(text=text, buttons=(Button("Ya", "/affirm"),)))
    parts = fake.sent_to(150)
    assert len(parts) == 4 and all(len(p["text"]) <= 4096 for p in parts)
    assert all(p["text"].endswith("kata") for p in parts)  # cut between lines, never inside one
    assert "\n".join(p["text"] for p in parts) == text
    assert [("reply_markup" in p) for p in parts] == [False, False, False, True]
    words = "kata " * 2000
    assert [len(piece) for piece in outbound.pieces(words)] == [4094, 4094, 1809]
    assert all(piece.endswith("kata") for piece in outbound.pieces(words))
    emoji = "🏗" * 5000  # outside the BMP: two UTF-16 units each
    assert [len(piece) for piece in outbound.pieces(emoji)] == [2048, 2048, 904]
    assert outbound.pieces("x" * 5000) == ["x" * 4096, "x" * 904]


@pytest.mark.parametrize(("status", "description", "permanent"), [
    (403, "Forbidden: bot was blocked by the user", True),
    (400, "Bad Request: chat not found", True),
    (429, "Too Many Requests: retry after 3", False),
    (500, "Internal Server Error", False),
    (502, "Bad Gateway", False),
])
async def test_sender_errors_are_permanent_only_when_retrying_cannot_help(sender, fake, status, description,
                                                                         permanent) -> None:
    fake.fail("sendMessage", status, description, retry_after=3 if status == 429 else None)
    with pytest.raises(SendError) as raised:
        await sender.send(job(), Outgoing(text="halo"))
    assert raised.value.permanent is permanent
    assert fake.token not in str(raised.value)


async def test_sender_network_error_is_retried() -> None:
    bot, requests = telegram.make_bot(Settings(telegram_bot_token="1:x", telegram_api_url="http://127.0.0.1:9"))
    with pytest.raises(SendError) as raised:
        await outbound.TelegramSender(bot).send(job(), Outgoing(text="halo"))
    assert not raised.value.permanent and "1:x" not in str(raised.value)
    for request in requests:
        await request.shutdown()


async def test_a_blocked_chat_fails_once_in_the_outbox(gateway, fake) -> None:
    fake.blocked.add(160)
    db = gateway.app[DB]
    await messages.queue_outgoing(db, "telegram", "160", {"text": "Kabar usulan"}, "notification", dedupe_key="n:160")

    async def failed() -> bool:
        async with db.session() as session:
            row = (await session.execute(select(OutboxMessage))).scalar_one()
        return row.status == "failed" and row.attempts == 1 and "blocked" in row.last_error

    await eventually(failed)


# --- "typing…" while a turn runs ---

class SlowEchoRasa(EchoRasa):
    """Takes `delay_s` over every answer, as a busy Rasa does."""

    delay_s = 1.5

    async def handle(self, request):
        await asyncio.sleep(self.delay_s)
        return await super().handle(request)


async def test_typing_is_shown_before_the_reply(gateway, fake, rasa) -> None:
    assert await post(gateway, fake.text_update(170, "mau usul jalan")) == 200
    await fake.wait_for(lambda: fake.sent_to(170))
    [typing] = fake.typing_to(170)
    assert typing["action"] == "typing" and int(typing["chat_id"]) == 170
    assert fake.first_call_for(170, "sendChatAction") < fake.first_call_for(170, "sendMessage")
    # Nothing to show for what never reaches Rasa: a sticker is answered by the gateway at once.
    assert await post(gateway, fake.sticker_update(171)) == 200
    await fake.wait_for(lambda: fake.sent_to(171))
    assert fake.typing_to(171) == []


async def test_typing_repeats_while_rasa_works_and_stops_with_the_turn(make_gateway, fake, monkeypatch) -> None:
    monkeypatch.setattr(outbound, "TYPING_EVERY_S", 0.3)
    slow = await SlowEchoRasa().start()
    try:
        gateway = await make_gateway(rasa_url=slow.url)
        assert await post(gateway, fake.text_update(172, "halo")) == 200
        await fake.wait_for(lambda: fake.sent_to(172))
        shown = len(fake.typing_to(172))
        assert shown >= 3  # ~1.5 s of work, Telegram's own indicator lasts 5 s: renewed meanwhile
        await asyncio.sleep(1)
        assert len(fake.typing_to(172)) == shown  # none after the reply
    finally:
        await slow.stop()


@pytest.mark.parametrize("trouble", ["error", "slow", "blocked"])
async def test_a_failing_or_slow_typing_call_never_holds_up_the_turn(gateway, fake, rasa, trouble) -> None:
    if trouble == "error":
        fake.fail("sendChatAction", 500, "Internal Server Error", times=5)
    elif trouble == "slow":
        fake.delays["sendChatAction"] = 30  # the turn must not wait for it
    else:
        fake.fail("sendChatAction", 403, "Forbidden: bot was blocked by the user")
    assert await post(gateway, fake.text_update(173, "mau usul lampu")) == 200
    await fake.wait_for(lambda: fake.sent_to(173), timeout=3)
    assert [m["text"] for m in fake.sent_to(173)] == ["echo: mau usul lampu"]
    assert fake.calls_of("sendChatAction") and fake.typing_to(173) == []


async def test_a_turn_rasa_answers_with_nothing_still_gets_an_answer(gateway, rasa) -> None:
    """A custom action that failed (its action server died mid-call) leaves Rasa's reply empty: the web-chat
    citizen is told to send the message again, in their language, never left without an answer."""
    rasa.reply = lambda text: []
    async with gateway.post("/api/chat", json={"sender": "web-silent-1", "message_id": "m-silent-1",
                                               "message": "kula badhe usul margi ingkang risak"}) as response:
        assert response.status == 200
        answer = await response.json()
    texts_ = [m["text"] for m in answer["messages"]]
    assert texts_ == ["Nyuwun pangapunten, pesen panjenengan dereng saged kula proses. Mangga dipunkintun malih."]
