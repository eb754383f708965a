"""Typed answers to a choice of buttons, in Indonesian, Javanese and Sundanese (core/choice.py), and the typed
"another kind" answer and sector labels (core/sectors.py)."""

from __future__ import annotations

import pytest

from core import choice, sectors, texts

ITEMS = ["Rehabilitasi jalan lingkungan", "Pengaspalan jalan desa", "Pembangunan jalan rabat beton/cor blok"]
ONE = ["Pemasangan lampu penerangan jalan umum (PJU)"]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        # digits, with the words around them
        ("1", 0), ("2", 1), ("3", 2), ("no 2", 1), ("no. 2", 1), ("nomer 3", 2), ("nomor 1", 0), ("nmr 3", 2),
        ("yg ke-2", 1), ("yang ke 3", 2), ("ke2", 1), ("pilihan 2", 1), ("saya pilih yang nomor 2 saja pak", 1),
        ("#3", 2), ("2.", 1), ("opsi 1 aja", 0),
        # Indonesian ordinals
        ("pertama", 0), ("yg pertama", 0), ("yang kedua", 1), ("ketiga", 2), ("yang ketiga aja", 2),
        ("yang terakhir", 2), ("satu", 0), ("yg dua", 1), ("iya yang kedua", 1), ("yang paling atas", 0),
        ("paling bawah", 2), ("Yang PERTAMA!", 0), ("yang pertamaaa", 0),
        # Javanese, ngoko and krama
        ("kapisan", 0), ("sing kapisan", 0), ("sing kapindho", 1), ("kapindo wae", 1), ("sing katelu", 2),
        ("sing siji", 0), ("sing loro", 1), ("sing telu", 2), ("pungkasan", 2), ("sing pungkasan", 2),
        ("ingkang setunggal", 0), ("ingkang kaping kalih", 1), ("kaping pindho", 1), ("ingkang nomer 2 mawon", 1),
        ("nggih ingkang kapindho", 1), ("sing paling ngisor dhewe", 2), ("tak pilih sing kapindho", 1),
        # Sundanese, loma and lemes
        ("kahiji", 0), ("nu kahiji", 0), ("nu kadua", 1), ("katilu", 2), ("nu katilu wae", 2), ("nu ka-2", 1),
        ("nu panungtung", 2), ("nu hiji", 0), ("nu tilu", 2), ("muhun nu kadua", 1), ("abdi milih nu kahiji", 0),
        # exact titles, case, punctuation and spacing aside
        ("Pengaspalan jalan desa", 1), ("pengaspalan jalan desa.", 1), ("PEMBANGUNAN JALAN RABAT BETON/COR BLOK", 2),
        ("pembangunan jalan rabat beton cor blok", 2), ("rehabilitasi  jalan   lingkungan", 0),
        # part of a title, typos in longer words tolerated
        ("pengaspalan", 1), ("yang rabat beton", 2), ("cor blok aja", 2), ("rehab jalan", 0), ("aspal", 1),
        ("pengaspln jalan desa", 1), ("yang rehabilitasi", 0), ("jalan lingkungan", 0),
    ],
)
def test_picks_the_option_meant(text: str, index: int) -> None:
    assert choice.pick(text, ITEMS) == index


@pytest.mark.parametrize(
    "text",
    [
        # that one / yes: ambiguous among several options
        "yang itu", "iya yg itu", "itu aja", "sing kuwi", "niku", "ingkang punika", "nu eta", "eta we", "iya", "nggih",
        "muhun",
        # negations, whatever else is said
        "bukan yang itu", "yang lain", "tidak", "gak", "bukan yang pertama", "ora", "dudu sing kuwi", "mboten",
        "sanes ingkang punika", "teu", "lain", "sanes nu eta", "nu sejen", "liyane", "bukan nomor 2", "teu nu kahiji",
        # out of range, several positions, words that are not a position or a title
        "4", "0", "ke-5", "yang keempat", "1 dan 2", "1 atau 3", "dua-duanya", "rt 3", "jalan", "jalan rusak parah di "
        "depan rumah", "halo", "", "   ", "?", "no", "bidang", "jenis lain", "kapan selesai",
    ],
)
def test_refuses_what_is_not_one_option(text: str) -> None:
    assert choice.pick(text, ITEMS) is None


@pytest.mark.parametrize(
    "text",
    ["yang itu", "iya yg itu", "itu aja", "yang ini", "iya", "ya", "oke", "betul", "iya betul yang itu",
     "sing kuwi", "niku", "ingkang punika", "nggih", "inggih ingkang punika", "iyo sing kuwi wae", "ho'oh",
     "nu eta", "eta we", "muhun", "sumuhun nu eta", "enya eta", "mangga",
     "1", "yang pertama", "kapisan", "kahiji", "terakhir", "nu panungtung", "pungkasan", "lampu penerangan jalan",
     "Pemasangan lampu penerangan jalan umum (PJU)"],
)
def test_that_one_picks_a_single_option(text: str) -> None:
    assert choice.pick(text, ONE) == 0


@pytest.mark.parametrize(
    "text",
    ["bukan yang itu", "yang lain", "tidak", "ora", "mboten", "dudu kuwi", "sanes", "teu", "henteu", "nu sejen",
     "2", "yang kedua", "sing kapindho", "nu kadua", "jalan", "lampu", "itu bukan", "gak yang itu", "liyane", ""],
)
def test_single_option_negatives(text: str) -> None:
    assert choice.pick(text, ONE) is None


def test_is_affirmation() -> None:
    for text in ("iya", "iya yg itu", "yang itu aja", "nggih sing kuwi", "ingkang punika", "muhun nu eta",
                 "eta we", "ok", "sip", "leres", "betul itu", "sudah benar", "iya makasih", "nggih matur nuwun",
                 "sampun leres", "muhun hatur nuhun", "tos leres"):
        assert choice.is_affirmation(text), text
    for text in ("bukan yang itu", "tidak", "ora", "teu", "yang lain", "yang kedua", "jalan rusak", "", "iya tapi "
                 "yang lain", "mboten sing kuwi", "sanes nu eta", "sudah", "mau", "makasih", "ya udah batal",
                 "nah gimana", "sampun", "belum benar"):
        assert not choice.is_affirmation(text), text


def test_short_words_are_not_typos_of_other_words() -> None:
    # "bidang" (field) is one letter from "bidan" (midwife): short words must be typed as they are.
    titles = ["Rehabilitasi puskesmas pembantu (pustu)/polindes", "Bidan desa", "Pengadaan ambulans desa"]
    assert choice.pick("bidang", titles) is None
    assert choice.pick("bidan", titles) == 1
    assert choice.pick("ambulan", titles) == 2  # a part of a longer word, two letters or more around it
    assert choice.pick("puskesmas", titles) == 0
    assert choice.pick("jembtan gantung", ["Pembangunan jembatan", "Pembangunan jembatan gantung"]) == 1


def test_runner_up_too_close_is_ambiguous() -> None:
    titles = ["Pemasangan lampu PJU", "Perbaikan lampu PJU rusak", "Pemasangan PJU tenaga surya"]
    assert choice.pick("lampu", titles) is None
    assert choice.pick("lampu pju", titles) is None
    assert choice.pick("perbaikan", titles) == 1
    assert choice.pick("tenaga surya", titles) == 2


def test_title_words_are_not_negations() -> None:
    titles = ["Bantuan sosial keluarga miskin", "Beasiswa bagi siswa dari keluarga tidak mampu"]
    assert choice.pick("beasiswa tidak mampu", titles) == 1
    assert choice.pick("Beasiswa bagi siswa dari keluarga tidak mampu", titles) == 1
    menu = texts.button("other_sector", "id")
    assert choice.pick(menu, [*titles, menu]) == 2
    assert choice.pick("jenis lain", [*titles, menu]) == 2


def test_accents_and_labels_in_every_language() -> None:
    labels = {lang: [texts.sector_label(code, lang) for code in sectors.SECTORS] for lang in texts.LANGUAGES}
    for lang, titles in labels.items():
        for index, title in enumerate(titles):
            assert choice.pick(title, titles) == index, (lang, title)
    assert choice.pick("kalen/saluran", labels["jv"]) == sectors.SECTORS.index("drainase")
    assert choice.pick("kasehatan", labels["su"]) == sectors.SECTORS.index("kesehatan")
    assert choice.pick("cai beresih", labels["su"]) == sectors.SECTORS.index("air_bersih")
    assert choice.pick("sing kapindho", labels["jv"]) == 1
    assert choice.pick("nu panungtung", labels["su"]) == len(sectors.SECTORS) - 1


def test_no_titles() -> None:
    assert choice.pick("1", []) is None
    assert choice.pick("iya", []) is None


# --- core/sectors.py: the "another kind" answer typed, and typed sector labels ---------------------------------

@pytest.mark.parametrize(
    "text",
    [*(texts.button("other_sector", lang) for lang in texts.LANGUAGES),
     "Jenis lain", "jenis lain / pilih bidang", "pilih bidang", "Pilih Bidang", "bidang lain", "bidang lainnya",
     "yang lain", "yg lain aja", "jenis yang lain", "usulan lainnya", "lihat semua bidang", "menu", "bidang",
     "liyane", "sing liyane", "jinis sanes", "jinis sanès", "bidang sanes", "ingkang sanes", "pilih bidang mawon",
     "nu sejen", "nu séjén", "jenis sejen", "pilih widang", "widang sanes", "nu sanes wae",
     "tidak ada yang cocok", "gak ada yg cocok", "ora ana sing cocok", "mboten wonten ingkang jumbuh",
     "teu aya nu cocog"],
)
def test_wants_menu(text: str) -> None:
    assert sectors.wants_menu(text)
    assert sectors.parse_choice(text) is None  # never a sector: "bidang" once read as "bidan", i.e. Kesehatan


@pytest.mark.parametrize(
    "text",
    ["lainnya", "Lainnya", "lain-lain", "lain", "lainnya aja", "Liyanipun", "Lianna", "air bersih", "kesehatan",
     "jalan rusak", "iya", "yang pertama", "", "bidan desa", "sumur kering"],
)
def test_not_menu(text: str) -> None:
    assert not sectors.wants_menu(text)


def test_sector_labels_typed_in_every_language() -> None:
    for code in sectors.SECTORS:
        for lang in texts.LANGUAGES:
            label = texts.sector_label(code, lang)
            assert sectors.parse_choice(label) == code, (code, lang)
            assert sectors.parse_choice(label.lower()) == code, (code, lang)
    assert sectors.parse_choice("Kalen/saluran") == "drainase"  # no accent
    assert sectors.parse_choice("kasehatan") == "kesehatan"
    assert sectors.parse_choice("cai beresih") == "air_bersih"
    assert sectors.parse_choice("penerangan jalan") == "penerangan_jalan"


def test_bidang_is_not_bidan() -> None:
    assert sectors.suggest("bidang") is None
    assert sectors.suggest("pilih bidang air bersih") == "air_bersih"
    assert sectors.suggest("bidan desa") == "kesehatan"
    assert sectors.suggest("drainse mampet") == "drainase"  # typos of longer words still count
    assert sectors.suggest("selokkan") == "drainase"


def test_other_typed_at_the_kamus_items_opens_the_sector_list_in_every_language() -> None:
    from core import sectors

    for text in ("nu sanesna", "nu lainna wae", "Sanesipun", "sing liyane"):
        assert sectors.wants_menu(text), text
    assert sectors.parse_choice("Lainnya") == "lainnya"


def test_english_sector_names() -> None:
    from core import sectors

    assert sectors.parse_choice("social") == "sosial"
    assert sectors.parse_choice("bridge") == "jembatan"


@pytest.mark.parametrize(("typed", "sector"), [("Penerangan jalan umum", "penerangan_jalan"),
                                               ("lampu jalan rusak", "penerangan_jalan"),
                                               ("lampu margi", "penerangan_jalan"),
                                               ("jalan rusak", "jalan")])
def test_a_word_inside_another_sectors_phrase_does_not_vote_on_its_own(typed: str, sector: str) -> None:
    """A citizen typed "Penerangan jalan umum" for the street lights and it was filed under roads: the "jalan"
    of a lighting phrase is no evidence for roads."""
    assert sectors.parse_choice(typed) == sector


def test_an_option_named_in_one_part_of_a_slashed_answer_or_inside_an_affixed_word_is_picked() -> None:
    """ "Sanesna / kabencanaan" (other / disaster matters) was refused twice, then filed under roads: the
    disaster-equipment option was on the screen."""
    titles = ["Nyayogikeun parabot tanggap bencana", "Ngalereskeun/ngagentos lampu PJU ruksak",
              "Ngalereskeun jalan lembur", "Jenis séjén / pilih widang"]
    assert choice.pick("Sanesna / kabencanaan", titles) == 0
    assert choice.pick("kabencanaan", titles) == 0
    assert choice.pick("Jenis sejen / pilih widang", titles) == 3
    assert choice.pick("jalan / lampu", titles) is None  # two options named: ask again
