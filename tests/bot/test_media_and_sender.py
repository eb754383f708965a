"""The photo rules every channel shares, and the text splitting every sender uses."""

from __future__ import annotations

import pytest

from bot import media
from bot.message import Outgoing
from bot.sender import Sender, split_text, utf16_units

JPEG = b"\xff\xd8\xff\xe0" + bytes(32)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(32)


def test_image_types_are_read_from_the_bytes_not_the_name() -> None:
    assert [media.kind_of(data) for data in (JPEG, PNG, WEBP)] == ["jpg", "png", "webp"]
    assert media.kind_of(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None  # RIFF, but sound
    assert media.kind_of(b"MZ\x90\x00") is None
    assert media.extension_for("image/jpeg; charset=binary") == "jpg" and media.extension_for("image/gif") is None


def test_check_refuses_what_is_too_large_not_an_image_or_not_as_announced() -> None:
    assert media.check(JPEG, 100) == "jpg" and media.check(PNG, 100, "png") == "png"
    for data, limit, extension in ((JPEG, 10, None), (b"MZ", 100, None), (PNG, 100, "jpg"), (b"", 100, None)):
        with pytest.raises(media.Refused):
            media.check(data, limit, extension)


def test_store_is_atomic_and_read_back_stays_inside_the_folder(tmp_path) -> None:
    name = media.new_name("png")
    media.store(tmp_path / "media", name, PNG)
    assert [p.name for p in (tmp_path / "media").iterdir()] == [name]
    assert media.read(tmp_path / "media", name) == (PNG, "image/png")
    (tmp_path / "secret.png").write_bytes(PNG)
    assert media.read(tmp_path / "media", "../secret.png") is None
    assert media.read(tmp_path / "media", "missing.jpg") is None and media.read(tmp_path, None) is None
    assert media.share_text(name) == f'/share_photo{{"photo_ref":"{name}"}}'


def test_split_prefers_line_breaks_then_spaces_in_the_second_half() -> None:
    text = "a" * 30 + "\n" + "b " * 20
    assert split_text(text, 40) == ["a" * 30, ("b " * 20).strip()]
    early = "ab\n" + "c" * 50
    assert split_text(early, 40) == ["ab\n" + "c" * 37, "c" * 13]  # a break that early is not used
    assert split_text("🏗" * 30, 20, utf16_units) == ["🏗" * 10] * 3
    assert split_text("  ", 10) == []


def test_a_sender_must_implement_send() -> None:
    class Half(Sender):
        channel = "sms"

    with pytest.raises(TypeError):
        Half()

    class Sms(Sender):
        channel = "sms"

        async def send(self, job, message: Outgoing) -> str | None:
            return None

    assert Sms().channel == "sms"
