"""One privacy module: every phone number either former pattern masked (the public pages' and the
officers' chat's) is masked, plus NIK and e-mail; money and everyday numbers are not."""

from __future__ import annotations

import pytest

from core import privacy


@pytest.mark.parametrize("text", [
    "081234567890", "+62 812 3456 7890", "62812345678", "0274-8123456", "0274 512345", "0274 5123",
    "+62 812-3456-7891", "0812 3456 7890",
    "telp.081234567890",  # glued to a dot: the public pattern missed it, the chat's did not
    "+081234567890",  # a plus before the 0: the chat's pattern missed it, the public one did not
    "081234567890abc", "1.081234567890", "hp:0812345678",
])
def test_every_phone_either_old_pattern_caught_is_masked(text: str) -> None:
    masked = privacy.redact(f"hubungi {text} ya")
    assert "[disembunyikan]" in masked and "1234" not in masked and "8123" not in masked


@pytest.mark.parametrize(("text", "expected"), [
    ("NIK 3404071234567890", "NIK [x]"),
    ("surel budi.s@mail.co.id", "surel [x]"),
    ("Anggaran Rp 150.000.000 untuk 1.500 meter", "Anggaran Rp 150.000.000 untuk 1.500 meter"),
    ("Rp 1.000.000.000,00 dan Rp 12.000.000.000", "Rp 1.000.000.000,00 dan Rp 12.000.000.000"),
    ("kantor (0274) 123456", "kantor (0274) 123456"),
    ("RT 03 RW 05, tahun 2026, kode USL-7K3Q9D", "RT 03 RW 05, tahun 2026, kode USL-7K3Q9D"),
])
def test_redact_masks_personal_data_only(text: str, expected: str) -> None:
    assert privacy.redact(text, "[x]") == expected


def test_the_public_pages_and_the_officers_chat_mask_the_same_data() -> None:
    """The officers' group post once masked phones only, with a weaker pattern than the public pages."""
    from bot.channels.telegram import officers as officers_chat
    from storage import public

    text = "hub 0274-512 345 atau +62 812 3456 7890, NIK 3404011234560003, mail sri@contoh.id; Rp 1.000.000.000"
    posted = officers_chat.redact(text)
    assert all(secret not in posted for secret in ("512 345", "3456 7890", "3404011234560003", "sri@contoh.id"))
    assert "Rp 1.000.000.000" in posted
    assert public._PERSONAL_RE is privacy.PERSONAL_RE and public.REDACTED == privacy.REDACTED
