"""The one intake: what every channel's message goes through, tested without any platform."""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import media
from bot.intake import Intake
from bot.message import Incoming, Outgoing, Photo
from core import texts
from core.settings import Settings
from storage import messages
from storage.models import InboundMessage
from tests.images import JPEG, PNG, decodes_as

ROOT = Path(__file__).resolve().parents[2]


class Wakes:
    def __init__(self) -> None:
        self.worker = 0
        self.dispatcher = 0


@pytest.fixture
def make_intake(db, tmp_path):
    def make(**overrides: object) -> tuple[Intake, Wakes]:
        intake = Intake(Settings(var_dir=tmp_path, **overrides))
        wakes = Wakes()
        intake.start(db, None, wake_worker=lambda: setattr(wakes, "worker", wakes.worker + 1),
                     wake_dispatcher=lambda: setattr(wakes, "dispatcher", wakes.dispatcher + 1))
        return intake, wakes

    return make


async def rows(db) -> list[InboundMessage]:
    async with db.session() as session:
        return list((await session.execute(select(InboundMessage).order_by(InboundMessage.id))).scalars())


def message(text: str, message_id: str = "m1", **fields: object) -> Incoming:
    return Incoming("sms", "0812", message_id, text, {"kind": "text"}, **fields)


async def test_a_message_is_queued_once_and_wakes_the_worker(db, make_intake) -> None:
    intake, wakes = make_intake()
    assert await intake.accept(message("  mau usul jalan  "))
    assert not await intake.accept(message("  mau usul jalan  "))  # a redelivery
    [row] = await rows(db)
    assert (row.channel, row.sender, row.text, row.status) == ("sms", "0812", "mau usul jalan", "queued")
    assert (wakes.worker, wakes.dispatcher) == (1, 0)


@pytest.mark.parametrize(("text", "key", "values"), [
    ("   ", "empty", {}),
    ("jalan rusak " * 100, "too_long", {"limit": 1000}),
])
async def test_empty_and_long_messages_are_answered_not_relayed(db, make_intake, text, key, values) -> None:
    intake, wakes = make_intake()
    assert await intake.accept(message(text))
    [row] = await rows(db)
    assert row.status == "done" and json.loads(row.replies) == [
        Outgoing(text=texts.gateway(key, "id", **values)).as_dict()]
    assert await messages.claim_inbound(db) is None
    assert (wakes.worker, wakes.dispatcher) == (0, 1)


async def test_a_channels_own_notice_stands_and_follows_its_language(db, make_intake) -> None:
    intake, _ = make_intake()
    notice = Outgoing(text=texts.gateway("unsupported", "su"))
    assert await intake.accept(message("", notice=notice, language="su"))
    [row] = await rows(db)
    assert json.loads(row.replies) == [notice.as_dict()]
    assert await intake.accept(message("", "m2", language="jv"))  # no words: the channel's language
    assert json.loads((await rows(db))[1].replies)[0]["text"] == texts.gateway("empty", "jv")


async def test_the_rate_counts_every_message_and_tells_once(db, make_intake) -> None:
    intake, _ = make_intake()
    intake.limit("sms", 2)
    for number in range(5):
        await intake.accept(message(f"pesan {number}", f"m{number}"))
    stored = await rows(db)
    assert [r.status for r in stored] == ["queued", "queued", "done", "done", "done"]
    assert [len(json.loads(r.replies or "[]")) for r in stored[2:]] == [1, 0, 0]
    assert all(json.loads(r.meta)["rate_limited"] for r in stored[2:])
    await intake.accept(Incoming("web", "0812", "w1", "halo"))  # another channel, no limit of its own
    assert (await rows(db))[-1].status == "queued"


def photo(data: bytes | Exception, extension: str | None = "jpg", background: bool = False) -> Photo:
    async def fetch(limit: int) -> bytes:
        if isinstance(data, Exception):
            raise data
        return data

    return Photo(media.new_name(extension or "jpg"), fetch, extension=extension, background=background)


async def test_a_photo_is_stored_then_released_to_the_worker(db, make_intake, tmp_path) -> None:
    intake, wakes = make_intake()
    held = photo(JPEG)
    assert await intake.accept(message(media.share_text(held.name), photo=held))
    assert decodes_as((tmp_path / "media" / held.name).read_bytes(), "jpg")
    assert [f.name for f in (tmp_path / "media").iterdir()] == [held.name]  # no partial file left
    [row] = await rows(db)
    assert row.status == "queued" and wakes.worker == 1


@pytest.mark.parametrize(("data", "extension", "key"), [
    (b"MZ not an image", "jpg", "bad_photo"),
    (PNG, "jpg", "bad_photo"),  # not the type the platform announced
    (JPEG * 100, "jpg", "bad_photo"),  # over the limit
    (media.Refused("gone"), "jpg", "bad_photo"),
    (media.Unavailable("server trouble"), "jpg", "photo_failed"),
    (OSError("disk full"), "jpg", "photo_failed"),
])
async def test_a_photo_that_cannot_be_taken_is_answered(db, make_intake, tmp_path, data, extension, key) -> None:
    intake, wakes = make_intake(max_photo_bytes=2048)
    held = photo(data, extension)
    assert await intake.accept(message(media.share_text(held.name), photo=held, language="jv"))
    [row] = await rows(db)
    assert row.status == "done" and json.loads(row.replies)[0]["text"] == texts.gateway(key, "jv", limit_mb=0)
    assert not (tmp_path / "media" / held.name).exists() and wakes.dispatcher == 1


async def test_a_background_photo_is_acknowledged_first(db, make_intake) -> None:
    intake, wakes = make_intake()
    gate = asyncio.Event()

    async def fetch(limit: int) -> bytes:
        await gate.wait()
        return JPEG

    held = Photo(media.new_name("jpg"), fetch, background=True)
    assert await intake.accept(message(media.share_text(held.name), photo=held))
    assert (await rows(db))[0].status == "processing"  # held: the worker cannot take it yet
    gate.set()
    await asyncio.gather(*intake.tasks)
    assert (await rows(db))[0].status == "queued" and wakes.worker == 1


async def test_the_web_chat_is_answered_in_the_request_and_refusals_are_not_stored(db, make_intake) -> None:
    intake, _ = make_intake()
    assert await intake.answer(Incoming("web", "abcdefgh", "w1", "  ")) == [Outgoing(text=texts.gateway("empty"))]
    assert await rows(db) == []


def test_no_channel_stores_messages_or_reads_another_channels_internals() -> None:
    """Channels hand `Incoming` to the intake; only the intake calls `accept_inbound` / `accept_turn`."""
    for path in sorted((ROOT / "bot").rglob("*.py")):
        tree = ast.parse(path.read_text())
        calls = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        if path.name != "intake.py":
            assert not calls & {"accept_inbound", "accept_turn"}, path
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot."):
                private = [alias.name for alias in node.names if alias.name.startswith("_")]
                assert not private, (path, node.module, private)


def test_request_helpers_are_defined_once() -> None:
    """db_of, client_ip, config_of and read_body live in bot/httputil.py only."""
    names = {"db_of", "client_ip", "config_of", "read_body", "_read_body", "_image_kind", "split_text"}
    found = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
                found.setdefault(node.name, []).append(path.relative_to(ROOT).as_posix())
    assert found == {"db_of": ["bot/httputil.py"], "client_ip": ["bot/httputil.py"],
                     "config_of": ["bot/httputil.py"], "read_body": ["bot/httputil.py"],
                     "split_text": ["bot/sender.py"]}
