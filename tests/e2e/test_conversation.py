"""Whole conversations through the gateway, with Rasa and the action server running for real."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import uuid

from ops.stack import ROOT
from storage import escalations, proposals
from storage.db import Database

CODE = re.compile(r"USL-[0-9A-HJKMNP-TV-Z]{6}")
OPENING = "saya mau mengusulkan perbaikan jalan rusak di RT 03 RW 05 Desa Caturtunggal, Kecamatan Depok"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cfc0f01f0005000"
    "1ff89993d1d0000000049454e44ae426082"
)


def database(stack) -> Database:
    return Database(f"sqlite+aiosqlite:///{stack.var_dir / 'musrenbang.db'}")


async def own_count(stack, sender: str) -> int:
    db = database(stack)
    try:
        return await proposals.count_citizen_proposals(db, "web", sender)
    finally:
        await db.dispose()


async def test_submit_then_ask_status_end_to_end(stack, citizen, new_citizen) -> None:
    greeting = await citizen.say("halo")
    assert "e-Musrenbang" in greeting[0]["text"] and greeting[0]["buttons"]

    kind_question = await citizen.say(OPENING)
    # Only what is missing is asked: the kind of proposal (kamus items of the road sector first),
    # not the description, place or RT/RW the first message already gave.
    first = kind_question[-1]["buttons"][0]
    assert first["payload"].startswith('/inform{"sector":"jalan","kamus_item":') and "jalan" in first["title"].lower()
    assert "foto" in (await citizen.text_of(first["payload"])).lower()
    # "gak usah" to the optional photo means "skip it", not "cancel my proposal" (the NLU may read it as cancel)
    assert "lokasi" in (await citizen.text_of("gak usah")).lower()
    summary = await citizen.text_of("lewati")
    for part in ("Perbaikan jalan rusak", f"Jalan — {first['title']}", "Caturtunggal, Kec. Depok", "RT 03 / RW 05"):
        assert part in summary
    confirmation = await citizen.text_of("ya")
    code = CODE.search(confirmation).group(0)

    written = code.lower().replace("-", " ")
    status = await citizen.text_of(f"bagaimana status usulan {written}?")
    assert code in status and "Diajukan" in status and "tahap 1 dari 6" in status
    own = await citizen.text_of("usulan saya sudah sampai mana?")
    assert code in own

    stranger = new_citizen()
    assert code not in await stranger.text_of("usulan saya sudah sampai mana?")
    assert "tidak ditemukan" in await stranger.text_of("status USL-0000ZZ")
    assert await own_count(stack, citizen.sender) == 1


async def test_double_confirmation_and_redelivery_store_one_proposal(stack, citizen) -> None:
    await citizen.say("mau usul pembangunan saluran drainase yang mampet di Desa Sinduadi")
    await citizen.say('/inform{"sector":"drainase"}')
    await citizen.say("rt 1 rw 2")
    await citizen.say("lewati")
    await citizen.say("lewati")
    message_id = uuid.uuid4().hex
    first, redelivered = await asyncio.gather(citizen.say("ya", message_id), citizen.say("ya", message_id))
    assert first == redelivered  # the same delivery is answered, not processed again
    code = CODE.search(first[0]["text"]).group(0)
    again = await citizen.text_of("ya")
    assert code in again and "sudah tersimpan sebelumnya" in again
    assert await own_count(stack, citizen.sender) == 1


async def test_cancel_leaves_the_form_and_stores_nothing(stack, citizen) -> None:
    await citizen.say("mau usul lampu jalan di gang kami")
    # The draft already holds a description: one "are you sure?" before it is thrown away.
    assert "Yakin" in await citizen.text_of("batal")
    cancelled = await citizen.text_of("ya")
    assert "dibatalkan" in cancelled
    assert "belum punya usulan" in await citizen.text_of("usulan saya")
    assert await own_count(stack, citizen.sender) == 0


async def test_photo_upload_is_attached_and_bad_files_refused(stack, citizen, http) -> None:
    await citizen.say("mau usul perbaikan jembatan bambu yang rapuh di desa Wedomartani")
    await citizen.say('/inform{"sector":"jembatan"}')
    assert "foto" in (await citizen.text_of("lewati")).lower()  # RT/RW skipped; now the photo

    async def upload(content: bytes, name: str) -> tuple[int, str]:
        form = __import__("aiohttp").FormData()
        form.add_field("photo", content, filename=name, content_type="application/octet-stream")
        async with http.post(f"{stack.gateway_url}/api/photo?sender={citizen.sender}", data=form) as response:
            return response.status, "\n".join(m["text"] for m in (await response.json())["messages"])

    status, text = await upload(b"MZ not an image", "virus.exe")
    assert status == 200 and "Foto tidak dapat diterima" in text
    status, text = await upload(PNG, "jembatan.png")
    assert status == 200 and "lokasi" in text.lower()
    summary = await citizen.text_of("-7.7356, 110.4272")  # inside Wedomartani, the desa typed
    assert "Foto: ✓" in summary and "-7.735600,110.427200" in summary


async def test_an_unclear_answer_inside_the_form_gets_that_questions_hint(stack, citizen) -> None:
    await citizen.say("mau usul pembangunan saluran drainase yang mampet di Desa Sinduadi")
    await citizen.say('/inform{"sector":"drainase"}')  # the RT/RW question comes next
    hint = await citizen.text_of("qwrtp zxcvb mnbvc")
    assert "Format RT/RW belum saya pahami" in hint and "belum paham" not in hint
    assert "foto" in (await citizen.text_of("rt 1 rw 2")).lower()  # still in the form, nothing lost


async def test_unclear_messages_lead_to_an_officer(stack, citizen) -> None:
    mash = await citizen.text_of("qwrtp zxcvb mnbvc")  # keyboard mash: a rephrase, never counted towards an officer
    assert "belum paham" in mash
    first = await citizen.text_of("bagaimana cara mengurus tunjangan pensiun janda veteran")
    assert "belum paham" in first or "di luar layanan" in first
    offer = await citizen.say("kenapa tunjangan guru honorer di sekolah anak saya belum dibayar")
    assert offer[-1]["buttons"][0]["payload"] == "/request_human"
    escalated = await citizen.text_of("/request_human")
    assert "diteruskan ke petugas" in escalated
    db = database(stack)
    try:
        questions = [q for _, q, _ in await escalations.open_escalations(db)]
    finally:
        await db.dispose()
    assert any("tunjangan guru honorer" in q for q in questions)


async def test_bad_input_gets_a_clear_answer_and_never_a_server_error(stack, citizen, http) -> None:
    cases = ["", "   ", "😀😀😀🙏", "a" * 5000, "<script>alert('x')</script><b>halo</b>",
             "'; DROP TABLE proposals; --", "status USL-ZZZZZZ", "\x00\x01", "🏗️" * 400]
    for text in cases:
        replies = await citizen.say(text)
        assert citizen.last_status < 500, text
        assert replies and all(isinstance(m["text"], str) for m in replies), text
        assert "Traceback" not in str(replies)
    assert "terlalu panjang" in await citizen.text_of("x" * 5000)
    assert "kosong" in await citizen.text_of("")
    for raw, content_type in ((b"{not json", "application/json"), (b"[1,2]", "application/json"),
                              (b'{"sender": "short", "message": "hi"}', "application/json")):
        async with http.post(f"{stack.gateway_url}/api/chat", data=raw, headers={"Content-Type": content_type}) as r:
            assert r.status == 400
            assert "tidak dapat dibaca" in (await r.json())["messages"][0]["text"]
    assert await own_count(stack, citizen.sender) == 0


def test_terminal_chat_submits_a_proposal(stack) -> None:
    script = "\n".join([
        "mau usul pengaspalan jalan dusun yang berlubang di desa Maguwoharjo",
        "1",  # the suggested sector button
        "rt 4 rw 11",
        "lewati",
        "lewati",
        "1",  # "Ya, kirim"
    ]) + "\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot.terminal", "--url", stack.gateway_url], input=script, capture_output=True,
        text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"\[1\] .*[Jj]alan", result.stdout), result.stdout  # a road item, offered first
    assert "Maguwoharjo, Kec. Depok" in result.stdout
    assert CODE.search(result.stdout.split("Mohon periksa")[-1]), result.stdout
