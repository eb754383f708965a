from __future__ import annotations

import pytest

from core import answers, description, sectors, status


def test_description_is_taken_from_the_opening_message() -> None:
    text = "saya mau mengusulkan perbaikan jalan rusak di RT 03 RW 05 Desa Caturtunggal, Kecamatan Depok"
    assert description.from_opening(text) == "Perbaikan jalan rusak"
    assert description.from_opening("Saya ingin mengajukan usulan pembangunan drainase di Desa Sinduadi, tiap hujan "
                                    "banjir") == "Pembangunan drainase, tiap hujan banjir"
    assert description.from_opening("mau usul") is None
    assert description.from_opening("pengen ngajuin usulan") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("kula badhe ngusulaken dandosan kreteg ingkang rapuh wonten desa Sinduadi", "Dandosan kreteg ingkang rapuh"),
     ("aku arep usul talud kali nang dusun Krajan", "Talud kali nang dusun Krajan"),
     ("abdi bade ngusulkeun solokan anu mampet di desa Caturtunggal", "Solokan anu mampet")],
)
def test_the_place_is_cut_from_javanese_and_sundanese_descriptions(text: str, expected: str) -> None:
    assert description.from_opening(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("RT 03 RW 05", ("03", "05")), ("rt3/rw02", ("03", "02")), ("RT.03", ("03", None)), ("03/05", ("03", "05")),
     ("rt 003 rw 5", ("03", "05")), ("Rt03Rw05", ("03", "05")), ("rw 12", (None, "12"))],
)
def test_rt_rw_spellings(text: str, expected: tuple) -> None:
    assert answers.parse_rt_rw(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("rt tiga rw lima", ("03", "05")), ("RT telu RW papat", ("03", "04")), ("rt tilu rw opat", ("03", "04")),
     ("RT dua belas RW 3", ("12", "03")), ("rt kalih rw sedasa", ("02", "10")), ("rw sewelas", (None, "11"))],
)
def test_rt_rw_written_in_words(text: str, expected: tuple) -> None:
    assert answers.parse_rt_rw(text) == expected


def test_rt_rw_nonsense_is_rejected() -> None:
    for text in ("di depan masjid", "lewati", "rt 0 rw 0", ""):
        parsed = answers.parse_rt_rw(text)
        assert parsed is None or not any(parsed), text


def test_skip_words_in_several_registers() -> None:
    for text in ("lewati", "Skip", "gak ada", "tidak ada.", "ora ana", "teu aya", "-", "gak usah", "ora usah",
                 "Mboten usah", "teu kedah", "tidak perlu", "gak ada fotonya", "ora ana fotone", "euweuh potona",
                 "mboten wonten foto", "teu gaduh poto na"):
        assert answers.is_skip(text), text
    for text in ("ada, sebentar", "tidak ada lampu di gang kami sejak lama", "ora ana banyu resik neng dusun"):
        assert not answers.is_skip(text), text


def test_map_pin_from_typed_or_shared_coordinates() -> None:
    assert answers.parse_map_pin("-7.7756, 110.3783") == (-7.7756, 110.3783)
    assert answers.parse_map_pin("-7,77 110,38") == (-7.77, 110.38)
    assert answers.parse_map_pin("di depan masjid") is None
    assert not answers.in_indonesia(48.85, 2.35)


@pytest.mark.parametrize(
    ("text", "sector"),
    [("perbaikan jalan berlubang", "jalan"), ("lampu PJU mati", "penerangan_jalan"),
     ("selokan mampet tiap hujan banjir", "drainase"), ("sumur bor untuk air bersih", "air_bersih"),
     ("pelatihan UMKM ibu-ibu", "ekonomi_umkm"), ("kreteg ambrol", "jembatan"), ("posyandu balita", "kesehatan"),
     ("tempat sampah TPS", "sanitasi_sampah"), ("ruang kelas PAUD", "pendidikan")],
)
def test_sector_suggestion(text: str, sector: str) -> None:
    assert sectors.suggest(text) == sector


def test_sector_choice_accepts_codes_and_labels() -> None:
    assert sectors.parse_choice("air_bersih") == "air_bersih"
    assert sectors.parse_choice("Lampu jalan") == "penerangan_jalan"
    assert sectors.parse_choice("lain-lain") == "lainnya"
    assert sectors.parse_choice("asdfgh") is None
    # two languages with a slash, or the choice with a word of description after a comma
    assert sectors.parse_choice("Sanesna / lainnya") == "lainnya"
    assert sectors.parse_choice("lainnya we, kebencanaan") == "lainnya"
    assert sectors.parse_choice("Margi / jalan") == "jalan"


def test_status_machine_moves_one_stage_at_a_time() -> None:
    assert status.allowed_next("diajukan")[0] == "diverifikasi_desa"
    assert "masuk_rkpd" not in status.allowed_next("diajukan")
    assert status.allowed_next("ditolak") == ()
    with pytest.raises(status.TransitionError):
        status.check_transition("diajukan", "ditolak", reason=" ")
    status.check_transition("diajukan", "ditolak", reason="Di luar kewenangan kabupaten")
