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

    text = ("hub 0274-512 345 atau +62 812 3456 7890, NIK 3404011234560003 / 3404 0112 3456 0003, "
            "mail sri@contoh.id; Rp 1.000.000.000")
    posted = officers_chat.redact(text)
    assert all(secret not in posted for secret in ("512 345", "3456 7890", "3404011234560003", "3404 ", "0003",
                                                   "sri@contoh.id"))
    assert "Rp 1.000.000.000" in posted
    assert public.redact is privacy.redact


@pytest.mark.parametrize("nik", [
    "3404.0112.3456.0003", "3404 0112 3456 0003", "34.04.01.120345.0003", "340401-120345-0003",
    "3404-0112-3456-0003", "340401 120345 0003",
])
def test_a_nik_written_in_groups_is_masked(nik: str) -> None:
    """People write their NIK the way the card prints it, with dots or spaces; the plain 16-digit
    pattern missed every such spelling."""
    masked = privacy.redact(f"NIK saya {nik}, tolong dicek")
    assert masked == "NIK saya [disembunyikan], tolong dicek"


@pytest.mark.parametrize(("text", "expected"), [
    ("NIK 3404 0112 3456 0003 12 orang", "NIK [x] 12 orang"),  # a number after it is not part of it
    ("RT 3 3404.0112.3456.0003", "RT 3 [x]"),
    ("3404 0112 3456 0003 dan 3404 0112 3456 0004", "[x] dan [x]"),
    ("3404 0112 3456 0003 3404 0112 3456 0004", "[x] [x]"),
])
def test_a_nik_among_other_numbers_is_masked_alone(text: str, expected: str) -> None:
    assert privacy.redact(text, "[x]") == expected


@pytest.mark.parametrize("text", [
    "Rp 1.000.000.000", "Rp 1.000.000.000.000.000", "12.000.000.000.000.000", "tahun 2026 2027 2028 2029",
    "panjang 1.250 m lebar 3,5 m, 25 titik lampu", "RT 03 RW 05 no 12", "koordinat -7.7569, 110.3862",
])
def test_money_years_and_measures_in_groups_are_not_masked(text: str) -> None:
    assert privacy.redact(text) == text


def test_the_public_pin_is_rounded_to_about_a_hundred_metres() -> None:
    assert privacy.public_pin(-7.7569123, 110.3862456) == (-7.757, 110.386)
    assert privacy.public_pin(None, 110.3862456) == (None, None)


@pytest.mark.parametrize(("text", "expected"), [
    ("nama saya Rahmat Hidayat, rumah saya di RT 03", "nama saya [x], rumah saya di RT 03"),
    ("Nama saya: rahmat hidayat warga RT 3", "Nama saya: [x] warga RT 3"),  # chat writes names lowercase
    ("namaku Sri. Jalan rusak", "namaku [x]. Jalan rusak"),
    ("saya bernama Budi Santoso dari Depok", "saya bernama [x] dari Depok"),
    ("nama saya adalah Siti Aminah", "nama saya adalah [x]"),
    ("Nama: Budi Santoso\nAlamat: RT 02", "Nama: [x]\nAlamat: RT 02"),  # written as a form
    ("nama lengkap saya Dewi Lestari", "nama lengkap saya [x]"),
    ("jeneng kula Paijo, badhe usul talud", "jeneng kula [x], badhe usul talud"),  # Javanese
    ("nami abdi Asep Sunandar bade ngusulkeun jalan", "nami abdi [x] bade ngusulkeun jalan"),  # Sundanese
    ("Warga: nama saya Rahmat\nBot: Terima kasih, rahmat.", "Warga: nama saya [x]\nBot: Terima kasih, [x]."),
])
def test_a_name_the_citizen_gives_is_masked_wherever_it_stands(text: str, expected: str) -> None:
    assert privacy.redact(text, "[x]") == expected


@pytest.mark.parametrize("text", [
    "atas nama saya sendiri", "nama jalan saya Jalan Kaliurang", "saya mau usul perbaikan jalan",
    "nama jalan: Kaliurang", "Warga: halo\nBot: hai", "nama saya\nWarga: jalan rusak",
])
def test_texts_without_a_name_are_left_alone(text: str) -> None:
    assert privacy.redact(text, "[x]") == text


def test_what_is_known_of_the_citizen_is_masked_too() -> None:
    text = "WA +62 812-3456-7891, saya Sri Rahayu. Bot: Baik, sri. Rp 15.000.000, RT 03, 2026"
    assert privacy.redact(text, "[x]", private=("Sri Rahayu", "6281234567891"), name_mark="[n]",
                          phone_mark="[p]") == "WA [p], saya [n]. Bot: Baik, [n]. Rp 15.000.000, RT 03, 2026"
    assert privacy.redact("nomor 000000 dan 123456", private=("000000",)) == "nomor 000000 dan 123456"
