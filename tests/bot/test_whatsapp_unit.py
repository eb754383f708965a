"""The WhatsApp channel inside the real gateway app (temp SQLite, fake Graph API, no Rasa).

Webhooks are real WhatsApp payloads (tests/fixtures/whatsapp, from pywa), signed with a test secret.
The queue worker and the outbox dispatcher are paused, so what the webhook stored can be read back
through the storage functions.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.app import DISPATCHER, SENDERS, WORKER, create_app
from bot.channels import whatsapp
from bot.channels.whatsapp import inbound, outbound
from bot.message import Button, Outgoing
from bot.outbox import OutboxDispatcher
from bot.relay import Worker
from bot.sender import SendError
from core import texts
from storage import messages
from storage.models import Citizen, utcnow
from tests.bot.whatsapp_bench import (
    PHONE_ID,
    TOKEN,
    USER,
    VERIFY,
    Gateway,
    fake_graph,
    first_message,
    settings_for,
    sign,
    start,
    webhook_payload,
)
from tests.fakes.rasa import FakeRasa
from tests.images import JPEG, decodes_as


@pytest.fixture
def graph():
    fake = fake_graph()
    yield fake
    fake.stop()


@pytest.fixture
async def gateway(tmp_path, sqlite_db_url, graph):
    running = await start(settings_for(tmp_path, sqlite_db_url, graph))
    yield running
    await running.client.close()


# The verify handshake ------------------------------------------------------------------------


async def test_verify_handshake_echoes_the_challenge_only_for_our_token(gateway) -> None:
    ok = await gateway.client.get(whatsapp.PATH, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                                          "hub.challenge": "1158201444"})
    assert ok.status == 200 and await ok.text() == "1158201444"
    for params in ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
                   {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
                   {"hub.challenge": "1"}):
        response = await gateway.client.get(whatsapp.PATH, params=params)
        assert response.status == 403 and "1" not in await response.text()


async def test_channel_is_off_without_a_token(tmp_path, sqlite_db_url, graph) -> None:
    app = create_app(settings_for(tmp_path, sqlite_db_url, graph, whatsapp_token=""))
    assert "whatsapp" not in app[SENDERS]
    assert not any(r.resource.canonical == whatsapp.PATH for r in app.router.routes() if r.resource)


# Inbound messages ----------------------------------------------------------------------------


@pytest.mark.parametrize("key, text", [("text", "Body Text"), ("reply", "replied text"),
                                       ("forwarded", None), ("referral", None)])
async def test_text_messages_are_queued_for_rasa(gateway, key, text) -> None:
    payload = webhook_payload("message", key)
    assert await gateway.post(payload) == 200
    [job] = await gateway.inbound()
    message = first_message(payload)
    assert (job.channel, job.sender, job.message_id) == ("whatsapp", USER, message["id"])
    assert job.text == (text or message["text"]["body"]) and job.meta["wa_type"] == "text"
    assert await gateway.outbox() == []


async def test_sender_is_the_wa_id_when_there_is_no_business_scoped_id(gateway) -> None:
    payload = webhook_payload("message", "text")
    del payload["entry"][0]["changes"][0]["value"]["contacts"][0]["user_id"]
    assert await gateway.post(payload) == 200
    assert [job.sender for job in await gateway.inbound()] == ["972987654321"]


async def test_quick_reply_without_context_uses_from_user_id(gateway) -> None:
    assert await gateway.post(webhook_payload("callback_button", "quick_reply_without_context")) == 200
    [job] = await gateway.inbound()
    assert job.sender == USER and job.text == "title"  # no button of ours: the title the citizen tapped


async def test_button_and_list_replies_become_the_rasa_payloads_of_our_buttons(gateway) -> None:
    buttons = [{"title": "Jalan", "payload": '/inform{"sector":"jalan"}'},
               {"title": "Lampu jalan", "payload": '/inform{"sector":"penerangan_jalan"}'}]
    await messages.queue_outgoing(gateway.db, "whatsapp", USER, {"text": "Bidang?", "buttons": buttons}, "reply")
    [sent] = await gateway.outbox()

    button = webhook_payload("callback_button", "button")
    first_message(button)["interactive"]["button_reply"]["id"] = f"{sent.id}:1"
    listed = webhook_payload("callback_selection", "description")
    first_message(listed)["interactive"]["list_reply"]["id"] = f"{sent.id}:0"
    unknown = webhook_payload("callback_selection", "callback")  # an id we never sent: its title is used
    first_message(unknown)["id"] = "wamid.other"
    for payload in (button, listed, unknown):
        assert await gateway.post(payload) == 200
    assert [job.text for job in await gateway.inbound()] == [
        '/inform{"sector":"penerangan_jalan"}', '/inform{"sector":"jalan"}', "title"]


@pytest.mark.parametrize("key, pin", [("current_location", "12.25089,43.90539"),
                                      ("chosen_location", "37.4611978,-122.2164385")])
async def test_a_shared_location_becomes_a_map_pin(gateway, key, pin) -> None:
    assert await gateway.post(webhook_payload("message", key)) == 200
    [job] = await gateway.inbound()
    assert job.text == f'/share_location{{"map_pin":"{pin}"}}'


async def wait_inbound(gateway: Gateway, timeout: float = 10.0) -> list[messages.InboundJob]:
    for _ in range(int(timeout / 0.05)):
        if jobs := await gateway.inbound():
            return jobs
        await asyncio.sleep(0.05)
    return []


async def wait_outbox(gateway: Gateway, timeout: float = 10.0) -> list[messages.OutboxJob]:
    for _ in range(int(timeout / 0.05)):
        if jobs := await gateway.outbox():
            return jobs
        await asyncio.sleep(0.05)
    return []


@pytest.mark.parametrize("key", ["image", "media_with_url"])
async def test_an_image_is_downloaded_with_the_token_and_shared_as_a_photo(gateway, graph, tmp_path, key) -> None:
    graph.add_media("65463453", JPEG)
    assert await gateway.post(webhook_payload("message", key)) == 200
    [job] = await wait_inbound(gateway)
    name = re.fullmatch(r'/share_photo\{"photo_ref":"([0-9a-f]{32}\.jpg)"\}', job.text).group(1)
    assert decodes_as((tmp_path / "media" / name).read_bytes(), "jpg")
    assert graph.media_requests == ["65463453"] and job.meta["media_id"] == "65463453"
    assert await gateway.outbox() == []


async def test_the_next_message_waits_for_the_photo_download(gateway, graph) -> None:
    graph.add_media("65463453", JPEG)
    text = webhook_payload("message", "text")
    first_message(text)["id"] = "wamid.after-photo"
    assert await gateway.post(webhook_payload("message", "image")) == 200
    assert await gateway.post(text) == 200
    jobs = await wait_inbound(gateway)
    jobs += await wait_inbound(gateway, 2) if len(jobs) == 1 else []
    assert [j.text.split("{")[0] for j in jobs] == ["/share_photo", "Body Text"]  # order kept


@pytest.mark.parametrize("data, mime", [(b"MZ not an image", "image/jpeg"), (JPEG * 40_000, "image/jpeg")])
async def test_a_bad_or_huge_image_gets_a_polite_reply_and_nothing_for_rasa(gateway, graph, data, mime) -> None:
    graph.add_media("65463453", data, mime)
    assert await gateway.post(webhook_payload("message", "image")) == 200
    [notice] = await wait_outbox(gateway)
    assert notice.recipient == USER and notice.payload["text"] == texts.gateway("bad_photo", limit_mb=5)
    assert await gateway.inbound() == []


async def test_a_failing_media_download_is_retried_then_the_citizen_asked_to_resend(gateway, graph,
                                                                                     monkeypatch) -> None:
    monkeypatch.setattr(inbound, "MEDIA_RETRY_WAITS", (0.01, 0.01))
    graph.add_media("65463453", JPEG)
    graph.media_errors = 1  # a hiccup: the retry gets it
    assert await gateway.post(webhook_payload("message", "image")) == 200
    assert len(await wait_inbound(gateway)) == 1 and graph.media_requests == ["65463453"] * 2
    graph.media_errors = 3  # down for longer than the retries
    image = webhook_payload("message", "image")
    first_message(image)["id"] = "wamid.second-photo"
    assert await gateway.post(image) == 200
    [notice] = await wait_outbox(gateway)
    assert notice.payload["text"] == texts.gateway("photo_failed") and await gateway.inbound() == []


async def test_unknown_media_gets_a_polite_reply(gateway) -> None:
    assert await gateway.post(webhook_payload("message", "image")) == 200  # the fake has no such media
    [notice] = await wait_outbox(gateway)
    assert notice.payload["text"] == texts.gateway("bad_photo", limit_mb=5)


@pytest.mark.parametrize("key", ["static_sticker", "animated_sticker", "audio", "voice", "video", "document",
                                 "reaction", "contacts", "order", "unsupported", "unsupported_with_type",
                                 "interactive_message_with_err"])
async def test_unsupported_types_get_a_polite_reply_and_nothing_for_rasa(gateway, key) -> None:
    assert await gateway.post(webhook_payload("message", key)) == 200
    [notice] = await gateway.outbox()
    assert notice.recipient == USER and notice.kind == "reply"
    assert notice.payload == {"text": texts.gateway("unsupported"), "buttons": [], "image": None}
    assert await gateway.inbound() == []
    assert await gateway.post(webhook_payload("message", key)) == 200  # redelivered: no second reply
    assert await gateway.outbox() == []


async def test_a_removed_reaction_is_not_answered(gateway) -> None:
    assert await gateway.post(webhook_payload("message", "unreaction_empty")) == 200
    assert await gateway.outbox() == [] and await gateway.inbound() == []


@pytest.mark.parametrize("key", ["sent", "delivered", "read", "played", "failed", "with_tracker", "group"])
async def test_statuses_are_recorded_not_queued(gateway, key) -> None:
    payload = webhook_payload("message_status", key)
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["id"] = "wamid.xyzxyz"
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = PHONE_ID
    assert await gateway.post(payload) == 200
    assert await gateway.post(payload) == 200  # redelivered
    # Already recorded (exactly once): recording it again changes nothing.
    assert not await messages.record_receipt(gateway.db, "whatsapp", "wamid.xyzxyz", status["status"])
    assert await messages.record_receipt(gateway.db, "whatsapp", "wamid.xyzxyz", "other")
    assert await gateway.inbound() == [] and await gateway.outbox() == []


async def test_the_same_message_twice_is_stored_once(gateway) -> None:
    payload = webhook_payload("message", "text")
    statuses = await asyncio.gather(*(gateway.post(payload) for _ in range(3)))
    assert statuses == [200, 200, 200]
    assert len(await gateway.inbound()) == 1
    assert await gateway.post(payload) == 200
    assert await gateway.inbound() == []


async def test_messages_for_another_phone_number_are_ignored(gateway) -> None:
    payload = webhook_payload("message", "text")
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert await gateway.post(payload) == 200
    assert await gateway.inbound() == []


# Rejected deliveries store nothing -----------------------------------------------------------


async def assert_nothing_stored(gateway: Gateway) -> None:
    assert await gateway.inbound() == [] and await gateway.outbox() == []
    assert await messages.last_inbound_at(gateway.db, "whatsapp", USER) is None


async def test_a_wrong_signature_is_403_and_stores_nothing(gateway) -> None:
    body = json.dumps(webhook_payload("message", "text")).encode()
    assert await gateway.post(body, signature=sign(body, "another-secret")) == 403
    assert await gateway.post(body, signature="sha256=" + "0" * 64) == 403
    assert await gateway.post(body, signature="sha256=ünïcode") == 403
    assert await gateway.post(body + b" ", signature=sign(body)) == 403  # the body was changed
    await assert_nothing_stored(gateway)


async def test_a_missing_signature_is_401_and_stores_nothing(gateway) -> None:
    assert await gateway.post(webhook_payload("message", "text"), signature=None) == 401
    await assert_nothing_stored(gateway)


async def test_malformed_json_is_400_and_stores_nothing(gateway) -> None:
    for body in (b'{"object": "whatsapp_business_account", "entry": [', b"[1, 2]", b"\xff\xfe"):
        assert await gateway.post(body) == 400
    await assert_nothing_stored(gateway)


async def test_a_huge_body_is_413_and_stores_nothing(gateway) -> None:
    payload = webhook_payload("message", "text")
    first_message(payload)["text"]["body"] = "x" * (inbound.MAX_BODY_BYTES + 1)
    assert await gateway.post(payload) == 413
    body = json.dumps(payload).encode()
    response = await gateway.client.post(whatsapp.PATH, data=_chunks(body), headers={  # no Content-Length
        "X-Hub-Signature-256": sign(body), "Content-Type": "application/json"})
    assert response.status == 413
    await assert_nothing_stored(gateway)


async def _chunks(body: bytes):
    for offset in range(0, len(body), 100_000):
        yield body[offset:offset + 100_000]


# Limits: polite replies, and one sender cannot crowd out the others ---------------------------


async def test_a_text_over_the_limit_gets_a_polite_reply(gateway) -> None:
    payload = webhook_payload("message", "text")
    first_message(payload)["text"]["body"] = "jalan rusak " * 200
    assert await gateway.post(payload) == 200
    [notice] = await gateway.outbox()
    assert notice.payload["text"] == texts.gateway("too_long", limit=1000)
    assert await gateway.inbound() == []


async def test_rate_limit_answers_politely_once_and_spares_other_senders(tmp_path, sqlite_db_url, graph) -> None:
    running = await start(settings_for(tmp_path, sqlite_db_url, graph, whatsapp_rate_per_minute=3))
    try:
        for index in range(8):
            payload = webhook_payload("message", "text")
            first_message(payload)["id"] = f"wamid.flood{index}"
            assert await running.post(payload) == 200
        other = webhook_payload("message", "text")
        value = other["entry"][0]["changes"][0]["value"]
        value["contacts"][0].update(wa_id="6281234567890", user_id="ID.42")
        first_message(other).update({"from": "6281234567890", "id": "wamid.other"})
        assert await running.post(other) == 200
        jobs = await running.inbound()
        assert [j.sender for j in jobs].count(USER) == 3 and [j.sender for j in jobs].count("ID.42") == 1
        notices = await running.outbox()
        assert [n.payload["text"] for n in notices] == [texts.gateway("rate_limited")]
    finally:
        await running.client.close()


# The sender ----------------------------------------------------------------------------------


def job(recipient: str = USER, outbox_id: int = 42, kind: str = "reply") -> messages.OutboxJob:
    return messages.OutboxJob(outbox_id, "whatsapp", recipient, {}, kind, 1)


def buttons(count: int, title: str = "Pilihan nomor {n} yang cukup panjang") -> tuple[Button, ...]:
    return tuple(Button(title.format(n=n), f'/choose{{"n":{n}}}') for n in range(count))


async def open_window(gateway: Gateway, recipient: str = USER) -> None:
    await messages.accept_inbound(gateway.db, "whatsapp", recipient, f"wamid.open-{recipient}", "halo")


async def test_plain_text_is_split_at_4096_characters(gateway, graph) -> None:
    await open_window(gateway)
    text = ("Kalimat yang cukup panjang untuk dipotong. " * 250).strip()
    provider_id = await gateway.app[SENDERS]["whatsapp"].send(job(), Outgoing(text=text))
    sent = graph.to(USER)
    assert [s.type for s in sent] == ["text"] * 3 and provider_id == sent[-1].id
    assert all(len(s.text) <= 4096 for s in sent) and " ".join(s.text for s in sent) == text
    assert sent[0].body["recipient"] == USER and "to" not in sent[0].body  # a business-scoped id
    assert sent[0].headers["Authorization"] == f"Bearer {TOKEN}"


async def test_a_phone_number_recipient_goes_in_to(gateway, graph) -> None:
    await open_window(gateway, "6281234567890")
    await gateway.app[SENDERS]["whatsapp"].send(job("6281234567890"), Outgoing(text="halo"))
    assert graph.to("6281234567890")[0].body["to"] == "6281234567890"


@pytest.mark.parametrize("count", [1, 2, 3])
async def test_up_to_three_buttons_are_reply_buttons(gateway, graph, count) -> None:
    await open_window(gateway)
    await gateway.app[SENDERS]["whatsapp"].send(job(), Outgoing(text="Pilih bidang:", buttons=buttons(count)))
    [sent] = graph.to(USER)
    interactive = sent.body["interactive"]
    assert sent.type == "interactive" and interactive["type"] == "button"
    assert interactive["body"]["text"] == "Pilih bidang:"
    assert [i for i, _ in sent.choices] == [f"42:{n}" for n in range(count)]
    assert all(len(title) <= 20 for _, title in sent.choices) and len({t for _, t in sent.choices}) == count


@pytest.mark.parametrize("count", [4, 7, 10])
async def test_four_to_ten_buttons_are_a_list(gateway, graph, count) -> None:
    await open_window(gateway)
    await gateway.app[SENDERS]["whatsapp"].send(job(), Outgoing(text="Pilih bidang:", buttons=buttons(count)))
    [sent] = graph.to(USER)
    interactive = sent.body["interactive"]
    assert interactive["type"] == "list" and interactive["body"]["text"] == "Pilih bidang:"
    assert interactive["action"]["button"] == texts.whatsapp("list_button")
    [section] = interactive["action"]["sections"]
    assert section["title"] and len(section["rows"]) == count
    assert [i for i, _ in sent.choices] == [f"42:{n}" for n in range(count)]
    assert all(len(row["title"]) <= 24 and len(row.get("description", "")) <= 72 for row in section["rows"])


async def test_more_than_ten_buttons_show_nine_rows_and_a_hint(gateway, graph) -> None:
    await open_window(gateway)
    await gateway.app[SENDERS]["whatsapp"].send(job(), Outgoing(text="Pilih:", buttons=buttons(12, "Opsi {n}")))
    [sent] = graph.to(USER)
    assert [t for _, t in sent.choices] == [f"Opsi {n}" for n in range(9)]
    assert sent.text.startswith("Pilih:") and "Opsi 9, Opsi 10, Opsi 11" in sent.text


def test_long_button_titles_stay_distinct_and_a_long_body_is_split() -> None:
    same = tuple(Button("Ubah lokasi desa atau kelurahan", f"/edit{n}") for n in range(3))
    parts = outbound.build_messages(7, Outgoing(text="a " * 1500, buttons=same))
    assert [p["type"] for p in parts] == ["text", "text", "interactive"]
    titles = [b["reply"]["title"] for b in parts[-1]["interactive"]["action"]["buttons"]]
    assert len(set(titles)) == 3 and all(len(t) <= 20 for t in titles)
    assert len(parts[-1]["interactive"]["body"]["text"]) <= 1024
    only_buttons = outbound.build_messages(7, Outgoing(buttons=same[:1]))
    assert only_buttons[0]["interactive"]["body"]["text"] == texts.whatsapp("choose")


async def test_outside_the_window_a_template_carries_the_text(gateway, graph) -> None:
    sender = gateway.app[SENDERS]["whatsapp"]
    news = texts.status_news("USL-7K3Q9D", "Lampu jalan mati", "ditolak", "Sudah dianggarkan tahun lalu")
    await sender.send(job(kind="notification"), Outgoing(text=news, buttons=buttons(2)))  # never wrote to us
    await open_window(gateway)
    async with gateway.db.session() as session:  # ... and last wrote 25 hours ago
        await session.execute(update(Citizen).where(Citizen.external_id == USER)
                              .values(last_inbound_at=utcnow() - timedelta(hours=25)))
        await session.commit()
    await sender.send(job(kind="notice"), Outgoing(text=news))
    for sent in graph.to(USER):
        template = sent.body["template"]
        assert sent.type == "template" and template["name"] == "musrenbang_update"
        assert template["language"] == {"code": "id"}
        [parameter] = template["components"][0]["parameters"]
        assert parameter["type"] == "text" and "\n" not in parameter["text"]
        assert "USL-7K3Q9D" in parameter["text"] and "Sudah dianggarkan tahun lalu" in parameter["text"]


async def test_a_closed_window_reported_by_whatsapp_falls_back_to_the_template(gateway, graph) -> None:
    await open_window(gateway)
    graph.fail_next(400, 131047, "Re-engagement message")
    await gateway.app[SENDERS]["whatsapp"].send(job(), Outgoing(text="Kabar usulan"))
    assert [s.type for s in graph.to(USER)] == ["template"]


@pytest.mark.parametrize("status, code, permanent", [(400, 131026, True), (400, 100, True), (400, 131030, True),
                                                     (429, 130429, False), (400, 131056, False),
                                                     (500, 131000, False), (503, None, False), (401, 190, False)])
async def test_send_errors_are_permanent_only_when_retrying_cannot_help(gateway, graph, status, code,
                                                                        permanent) -> None:
    await open_window(gateway)
    graph.fail_next(status, code)
    with pytest.raises(SendError) as raised:
        await gateway.app[SENDERS]["whatsapp"].send(job(), Outgoing(text="halo"))
    assert raised.value.permanent is permanent


async def test_an_unreachable_graph_api_is_a_retryable_error(tmp_path, sqlite_db_url, graph) -> None:
    running = await start(settings_for(tmp_path, sqlite_db_url, graph, whatsapp_graph_url="http://127.0.0.1:9/v21.0"))
    try:
        await open_window(running)
        with pytest.raises(SendError) as raised:
            await running.app[SENDERS]["whatsapp"].send(job(), Outgoing(text="halo"))
        assert not raised.value.permanent
    finally:
        await running.client.close()


async def test_the_outbox_delivers_a_polite_reply_through_the_graph_api(gateway, graph) -> None:
    assert await gateway.post(webhook_payload("message", "static_sticker")) == 200
    await OutboxDispatcher.run_once(gateway.app[DISPATCHER])  # the real dispatcher step, once
    [sent] = graph.to(USER)
    assert sent.type == "text" and sent.text == texts.gateway("unsupported")
    assert await gateway.outbox() == []  # marked sent


# The typing indicator ------------------------------------------------------------------------


@pytest.fixture
async def rasa():
    server = await FakeRasa().start()
    yield server
    await server.stop()


async def eventually(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("graph_fails", [False, True])
async def test_a_turn_marks_the_message_read_with_typing_before_the_reply(tmp_path, sqlite_db_url, graph, rasa,
                                                                          graph_fails) -> None:
    running = await start(settings_for(tmp_path, sqlite_db_url, graph, rasa_url=rasa.url))
    try:
        graph.read_errors = 1 if graph_fails else 0
        payload = webhook_payload("message", "text")
        wamid = first_message(payload)["id"]
        assert await running.post(payload) == 200
        assert graph.reads == []  # stored, not yet relayed: nothing shown
        assert await Worker.run_once(running.app[WORKER])  # the real worker step: the turn, once
        await OutboxDispatcher.run_once(running.app[DISPATCHER])
        [reply] = graph.to(USER)
        assert reply.text == "(jawaban Rasa)"  # a failing indicator costs the turn nothing
        if graph_fails:
            await asyncio.sleep(0.3)
            assert graph.reads == []
            return
        await eventually(lambda: graph.typing_for(wamid))
        [typing] = graph.typing_for(wamid)
        assert typing.body == {"messaging_product": "whatsapp", "status": "read", "message_id": wamid,
                               "typing_indicator": {"type": "text"}}
        assert typing.seq < reply.seq  # "typing…" first, then the answer
    finally:
        await running.client.close()


async def test_no_typing_for_what_never_reaches_rasa(gateway, graph) -> None:
    assert await gateway.post(webhook_payload("message", "static_sticker")) == 200
    await OutboxDispatcher.run_once(gateway.app[DISPATCHER])
    assert graph.to(USER) and graph.reads == []
