"""Abuse of the web chat: one rate limit in the database for every gateway process, photos only when the
form asks for one (decoded, re-encoded, without EXIF), unreferenced photos removed, Rasa called with its
token. The gateway runs in this process against a fake Rasa, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os
import time

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from PIL import Image

from bot import media
from core import texts
from storage import proposals
from tests.bot.conftest import Gateways
from tests.images import JPEG, image_bytes

SENDER = "webcitizen0001"


@pytest.fixture
async def gateways(db, rasa, tmp_path):
    """Start gateway processes (in this process) sharing one database and one media folder."""
    start = Gateways(var_dir=tmp_path / "var", database_url=db.url, rasa_url=rasa.url, web_rate_per_minute=5,
                     web_poll_per_minute=4)
    yield start
    await start.close()


async def chat(client: TestClient, text: str, sender: str = SENDER) -> tuple[int, list[str]]:
    async with client.post("/api/chat", json={"sender": sender, "message": text}) as response:
        return response.status, [m["text"] for m in (await response.json())["messages"]]


async def upload(client: TestClient, data: bytes, sender: str = SENDER) -> tuple[int, list[str]]:
    form = aiohttp.FormData()
    form.add_field("photo", data, filename="jalan.jpg", content_type="image/jpeg")
    async with client.post(f"/api/photo?sender={sender}", data=form) as response:
        return response.status, [m["text"] for m in (await response.json())["messages"]]


def media_files(tmp_path) -> list[str]:
    folder = tmp_path / "var" / "media"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


async def test_one_rate_for_a_sender_across_gateway_processes(gateways, rasa) -> None:
    first, second = await gateways(), await gateways()
    answers = [await chat((first, second)[n % 2], f"pesan nomor {n}") for n in range(9)]
    assert len(rasa.texts_from(f"web:{SENDER}")) == 5  # the rate holds across both processes
    told = [replies for _, replies in answers[5:]]
    assert told == [[texts.gateway("rate_limited", "id")], [], [], []]  # told once per window
    assert (await chat(first, "pesan lain", sender="webcitizen0002"))[1] == ["(jawaban Rasa)"]  # per sender


async def test_polling_faster_than_the_page_does_is_refused(gateways) -> None:
    client = await gateways()
    statuses = []
    for _ in range(6):
        async with client.get(f"/api/updates?sender={SENDER}") as response:
            statuses.append(response.status)
    assert statuses == [200, 200, 200, 200, 429, 429]


async def test_a_photo_outside_the_photo_question_is_not_kept(gateways, rasa, tmp_path) -> None:
    client = await gateways()
    rasa.requested_slots[f"web:{SENDER}"] = "rt_rw"
    status, told = await upload(client, JPEG)
    assert status == 200 and told == [texts.gateway("photo_not_expected", "id")]
    del rasa.requested_slots[f"web:{SENDER}"]  # no form at all
    assert (await upload(client, JPEG))[1] == [texts.gateway("photo_not_expected", "id")]
    assert media_files(tmp_path) == [] and rasa.received == []


async def test_a_photo_on_the_photo_question_is_stored_without_its_location(gateways, rasa, tmp_path) -> None:
    client = await gateways()
    rasa.requested_slots[f"web:{SENDER}"] = "photo"
    with_gps = image_bytes("jpg", size=(80, 60), gps=True)
    assert b"SERIAL-1234567" in with_gps
    status, told = await upload(client, with_gps)
    assert status == 200 and told == ["(jawaban Rasa)"]
    [name] = media_files(tmp_path)
    assert rasa.texts_from(f"web:{SENDER}") == [media.share_text(name)]
    stored = (tmp_path / "var" / "media" / name).read_bytes()
    with Image.open(io.BytesIO(stored)) as picture:
        assert picture.size == (80, 60) and not picture.getexif() and picture.format == "JPEG"
    assert b"SERIAL-1234567" not in stored and b"Exif" not in stored


async def test_a_decompression_bomb_or_a_fake_image_is_refused(gateways, rasa, tmp_path) -> None:
    client = await gateways(max_photo_pixels=1_000_000)
    rasa.requested_slots[f"web:{SENDER}"] = "photo"
    bomb = image_bytes("png", size=(4000, 4000))  # a few KB on the wire, 16 megapixels unpacked
    assert len(bomb) < 200_000
    fake = b"\xff\xd8\xff\xe0" + b"\x00" * 500  # the first bytes of a JPEG and nothing else
    refused = [texts.gateway("bad_photo", "id", limit_mb=5)]
    assert (await upload(client, bomb))[1] == refused
    assert (await upload(client, fake))[1] == refused
    assert media_files(tmp_path) == [] and rasa.received == []


async def test_photo_uploads_count_against_the_senders_rate(gateways, rasa, tmp_path) -> None:
    client = await gateways(web_rate_per_minute=2)
    rasa.requested_slots[f"web:{SENDER}"] = "photo"
    results = [await upload(client, JPEG) for _ in range(4)]
    assert [told for _, told in results[2:]] == [[texts.gateway("rate_limited", "id")], []]
    assert len(media_files(tmp_path)) == 2


async def test_without_the_token_rasa_is_not_reached(gateways, rasa, monkeypatch) -> None:
    monkeypatch.setenv("RASA_TOKEN", "not-the-token")
    client = await gateways()
    status, _ = await chat(client, "halo")
    assert status == 503 and rasa.received == []  # saved, and Rasa refused the call


async def test_unreferenced_photos_are_swept_once_old(db, tmp_path) -> None:
    folder = tmp_path / "media"
    folder.mkdir()
    kept, orphan, fresh = (media.new_name("jpg") for _ in range(3))
    for name in (kept, orphan, fresh, ".half.jpg.part"):
        (folder / name).write_bytes(JPEG)
    (folder / "notes.txt").write_text("not a photo: never touched")
    day_ago = time.time() - 25 * 3600
    for name in (kept, orphan, ".half.jpg.part", "notes.txt"):
        os.utime(folder / name, (day_ago, day_ago))
    draft = proposals.ProposalDraft(description="Jalan rusak", sector="jalan", village_code="34.04.07.2001",
                                    photo_ref=kept)
    await proposals.submit_proposal(db, "web", SENDER, "d-1", draft)
    removed = await media.sweep_unreferenced(db, folder, 24 * 3600)
    assert removed == sorted([orphan, ".half.jpg.part"])
    assert sorted(p.name for p in folder.iterdir()) == sorted([kept, fresh, "notes.txt"])
