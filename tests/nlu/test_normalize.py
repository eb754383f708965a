"""Chat normalisation (core/language/normalise.py): slang, elongation, RT/RW, tracking codes, and no harm to jv/su."""

from __future__ import annotations

import csv
import difflib
import re
import time

import pytest

from core.language.fold import collapse_elongation
from core.language.normalise import RESOURCES, normalise, normalise_example, slang_dictionary

NUSAX_VALID = RESOURCES / "nusax" / "valid.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sy mau usul jln rusak gmn caranya", "saya mau usul jalan rusak bagaimana caranya"),
        ("udh diproses blm?", "sudah diproses belum?"),
        ("tdk ada kabar dgn yg lain", "tidak ada kabar dengan yang lain"),
        ("ini utk warga", "ini untuk warga"),
        ("gimana min", "bagaimana min"),
        ("tlg cek usulan sy", "tolong cek usulan saya"),
        ("Sy mau tanya", "Saya mau tanya"),  # capitalised at the start of a sentence
        ("YG PENTING CEPAT", "YANG PENTING CEPAT"),
        ("ok. Gmn kabarnya?", "ok. Bagaimana kabarnya?"),
    ],
)
def test_expands_abbreviations(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("haloooo", "halo"), ("makasihhh", "makasih"), ("siaaaap", "siap"), ("maaaaf", "maaf"), ("HALOOO", "HALO")],
)
def test_collapses_elongation(word: str, expected: str) -> None:
    assert collapse_elongation(word, frozenset({"halo", "makasih", "siap", "maaf"})) == expected


def test_elongation_in_sentences() -> None:
    assert normalise("haloooo min") == "halo min"
    assert normalise("pagiii, mauuu tanyaaa") == "pagi, mau tanya"
    assert normalise("maaaaf ganggu") == "maaf ganggu"  # the doubled spelling is the known word
    assert normalise("makasihhh") == "terima kasih"  # "makasih", then the dictionary's formal form


@pytest.mark.parametrize("text", ["maaf", "saat", "Allah", "tekkan", "sesuatu", "wkwkwk", "ngeeh"])
def test_keeps_real_doubles(text: str) -> None:
    assert normalise(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rt3/rw02", "RT 03 RW 02"),
        ("RT.03", "RT 03"),
        ("rt 003 rw 05", "RT 03 RW 05"),
        ("Rt03Rw05", "RT 03 RW 05"),
        ("RT.05/RW.11 Kelurahan Condongcatur", "RT 05 RW 11 Kelurahan Condongcatur"),
        ("RT 007 / RW 002", "RT 07 RW 02"),
        ("rt/rw 003/005", "RT 03 RW 05"),
        ("rt:5, rw:3", "RT 05 RW 03"),
        ("di rw 06", "di RW 06"),
        ("rt tiga rw lima", "RT 03 RW 05"),  # number words in the three languages
        ("rt telu rw papat dusun Krajan", "RT 03 RW 04 dusun Krajan"),
        ("RT tilu RW opat", "RT 03 RW 04"),
        ("rt dua belas", "RT 12"),
        ("lampu lima titik di RT 4", "lampu lima titik di RT 04"),  # only right after RT/RW
        ("ketua RT nya", "ketua RT nya"),  # no number: not an address
        ("ganti RT/RW", "ganti RT/RW"),
    ],
)
def test_rt_rw(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    "code",
    ["USL-7K3Q9D", "usl 7k3q9d", "USL7K3Q9D", "usl-yes7n0", "Usl-zfexw1", "USL.7K3Q9D", "USL-AAA111", "USL-SYYYYG"],
)
def test_tracking_codes_untouched(code: str) -> None:
    assert normalise(code) == code
    assert normalise(f"gmn {code} udh blm") == f"bagaimana {code} sudah belum"


def test_links_and_addresses_untouched() -> None:
    assert normalise("sy kirim ke budiii@mail.id ya") == "saya kirim ke budiii@mail.id ya"
    assert normalise("liat https://maps.app/gmnnn yg ini") == "liat https://maps.app/gmnnn yang ini"


@pytest.mark.parametrize(
    "text",
    [
        "aku kowe abdi urang dalan cai ora teu",
        "kula badhe ngusulaken dalan rusak",
        "aku arep ngurus surat neng kelurahan",
        "urang rek ngusulkeun solokan",
        "abdi bade naroskeun, kumaha carana",
        "matur nuwun, sampun nggih",
        "opo iso, piye carane",
        "got neng ngarep omah mampet",
    ],
)
def test_javanese_and_sundanese_untouched(text: str) -> None:
    assert normalise(text) == text


@pytest.mark.parametrize(
    "text", ["sy tinggal di Mlati", "kantor desa di Kotagede", "40 KK terdampak", "jalan rusak 2 km"]
)
def test_names_and_units_untouched(text: str) -> None:
    assert normalise(text) == text.replace("sy ", "saya ")


def test_dictionary_excludes_regional_words() -> None:
    slang = slang_dictionary()
    for word in ("aku", "kowe", "abdi", "urang", "dalan", "cai", "ora", "teu", "opo", "sampun", "nggih", "mampet"):
        assert word not in slang
    for word, formal in {"gmn": "bagaimana", "sy": "saya", "udh": "sudah", "yg": "yang", "jln": "jalan"}.items():
        assert slang[word] == formal


# Differences from normalising NusaX valid that are not Javanese or Sundanese words being rewritten: Indonesian
# abbreviations the translators kept ("rs" = rumah sakit, "jadul" = jaman dulu).
_INDONESIAN_IN_REGIONAL_TEXT = {"rs", "jadul"}
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}", re.IGNORECASE)
_RT_RW = re.compile(r"^(rt|rw)\W*\d", re.IGNORECASE)


def _allowed(token: str) -> bool:
    return bool(_ELONGATED.search(token) or _RT_RW.match(token)) or token.lower().strip(".,!?") in (
        _INDONESIAN_IN_REGIONAL_TEXT
    )


@pytest.mark.parametrize("column", ["javanese", "sundanese"])
def test_nusax_valid_regional_sentences_unchanged(column: str) -> None:
    with NUSAX_VALID.open(encoding="utf-8", newline="") as handle:
        sentences = [row[column] for row in csv.DictReader(handle)]
    damaged = []
    for sentence in sentences:
        before, after = sentence.split(), normalise(sentence).split()
        for tag, i1, i2, _, _ in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
            if tag != "equal" and not all(_allowed(token) for token in before[i1:i2]):
                damaged.append((before[i1:i2], sentence))
    assert not damaged


def test_training_example_entities_follow() -> None:
    text = "usulan sy dgn kode USL-JMD0N1 udh sampe mana di jln Kaliurang"
    entities = [
        {"entity": "tracking_code", "start": 19, "end": 29, "value": "USL-JMD0N1"},
        {"entity": "place", "start": 48, "end": 61, "value": "jln Kaliurang"},
        {"entity": "edit_field", "start": 0, "end": 6, "value": "description"},
    ]
    new_text, moved = normalise_example(text, entities)
    assert new_text == "usulan saya dengan kode USL-JMD0N1 sudah sampai mana di jalan Kaliurang"
    assert [new_text[e["start"] : e["end"]] for e in moved] == ["USL-JMD0N1", "jalan Kaliurang", "usulan"]
    assert [e["value"] for e in moved] == ["USL-JMD0N1", "jalan Kaliurang", "description"]


def test_is_fast() -> None:
    messages = [
        "sy mau usul jln rusak gmn caranya",
        "usulan saya dengan kode USL-7K3Q9D udh sampe mana min",
        "got di rt 3 rw 12 Maguwoharjo mampet, tiap hujan banjir sampe rumah",
        "haloooo min, makasihhh ya udh dibantu",
        "kula badhe nyuwun pirsa babagan usulan kula",
    ]
    normalise("warm up")
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        for message in messages:
            normalise(message)
    mean = (time.perf_counter() - started) / (rounds * len(messages))
    assert mean < 0.0002, f"{mean * 1e6:.0f} µs per message"
