"""Place names as citizens write them resolve to Kemendagri codes in the configured kabupaten."""

from __future__ import annotations

import time

import pytest

from core import regions
from core.regions import address_places, gazetteer, is_ambiguous, key

SLEMAN = "34.04"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Caturtunggal", "34.04.07.2001"),
        ("catur tunggal", "34.04.07.2001"),
        ("Ds. Caturtunggal", "34.04.07.2001"),
        ("desa caturtungal", "34.04.07.2001"),  # typo
        ("Kel. Condong Catur, Kec. Depok", "34.04.07.2003"),
        ("condongcatur", "34.04.07.2003"),
        ("maguwo harjo", "34.04.07.2002"),
        ("sinduadi mlati", "34.04.06.2001"),
        ("wedomartni", "34.04.11.2004"),
    ],
)
def test_resolves_spellings_within_sleman(text: str, code: str) -> None:
    found = gazetteer().resolve(text, SLEMAN)
    assert found, text
    assert found[0].code == code, (text, found[:2])
    assert found[0].kecamatan and found[0].kabupaten == "Kabupaten Sleman"


def test_names_outside_the_kabupaten_are_not_offered() -> None:
    assert gazetteer().resolve("Gunung Anyar", SLEMAN) == []
    national = gazetteer().resolve("Gununganyar", "")
    assert {c.kabupaten for c in national[:3]} >= {"Kota Surabaya"}
    assert is_ambiguous(national)  # the same name in several kabupaten: the citizen chooses


def test_finds_the_village_inside_a_whole_sentence() -> None:
    text = "saya mau mengusulkan perbaikan jalan rusak di RT 03 RW 05 Desa Caturtunggal, Kecamatan Depok"
    found = gazetteer().find_in_message(text, SLEMAN)
    assert found[0].code == "34.04.07.2001"
    assert gazetteer().find_in_message("lampu jalan di gang mawar mati semua", SLEMAN) == []


def test_key_ignores_prefixes_spaces_and_case() -> None:
    assert key("Kel. Gunung Anyar") == key("gununganyar") == "gununganyar"


def test_lookup_is_fast_enough_for_chat() -> None:
    g = gazetteer()
    g.resolve("warmup", SLEMAN)
    started = time.perf_counter()
    for _ in range(200):
        g.resolve("condong catur", SLEMAN)
    assert (time.perf_counter() - started) / 200 < 0.005


def test_kabupaten_named_beside_narrows_a_national_search() -> None:
    found = gazetteer().resolve("desa sukamju kab cianjur", "")  # typo, national scope
    assert found and found[0].kabupaten == "Kabupaten Cianjur" and found[0].name == "Sukamaju"


def test_national_lookups_stay_fast() -> None:
    g = gazetteer()
    queries = ["Caturtunggal", "kel gunung anyar", "sukamju", "Kebayoran Lama Utara", "xyzzy", "desa cibiru wetan"]
    for query in queries:
        g.resolve(query, "")
    started = time.perf_counter()
    for _ in range(20):
        for query in queries:
            g.resolve(query, "")
    assert (time.perf_counter() - started) / (20 * len(queries)) < 0.002



GUNUNGKIDUL = "34.03"  # two desa named Beji (Kec. Patuk, Kec. Ngawen), and a Desa Patuk in Kec. Patuk


@pytest.mark.parametrize(("address", "scope", "codes"), [
    ("RT 3 RW 5 Desa Caturtunggal, Kec. Depok", SLEMAN, ["34.04.07.2001"]),  # a whole address
    ("Kel. Condong Catur", SLEMAN, ["34.04.07.2003"]),
    ("Desa Beji", GUNUNGKIDUL, ["34.03.04.2002", "34.03.13.2005"]),  # fits both: the client must say which
    ("Beji, Kec. Ngawen", GUNUNGKIDUL, ["34.03.13.2005"]),
    # Desa Patuk matches "Kec. Patuk" exactly, but the kecamatan named is not the desa meant.
    ("Beji, Kec. Patuk", GUNUNGKIDUL, ["34.03.04.2002"]),
    ("Atlantis", GUNUNGKIDUL, []),
    ("Caturtunggal", GUNUNGKIDUL, []),  # another kabupaten's desa
])
def test_a_written_address_names_one_desa_or_the_close_choices(address: str, scope: str, codes: list[str]) -> None:
    assert [c.code for c in address_places(gazetteer(), address, scope)] == codes


@pytest.mark.parametrize(("text", "kabupaten"), [
    ("mas aku mau ngusulin jalan rusak di Desa Tlogo, Prambanan. tapi yang Prambanan Klaten ya, bukan yang Sleman",
     "Kabupaten Klaten"),
    ("jalan rusak di Desa Tlogo, Prambanan, Sleman", None),  # Sleman affirmed: the citizen means a place here
])
def test_the_home_kabupaten_named_only_to_deny_it_does_not_keep_a_place_inside(text: str, kabupaten) -> None:
    from core.regions import elsewhere_in_message

    g = gazetteer()
    found = elsewhere_in_message(g, text, SLEMAN, g.find_in_message(text, SLEMAN))
    assert (found.kabupaten if found else None) == kabupaten


@pytest.mark.parametrize(("text", "elsewhere", "kabupaten"), [
    ("ning desa Taji, Prambanan. sing cedhak candi kuwi lho, tapi wis mlebu Klaten", "Taji", "Kabupaten Klaten"),
    ("Prambanan Klaten mas", "Prambanan", "Kabupaten Klaten"),
    ("Wukirsari Imogiri Bantul", "Wukirsari", "Kabupaten Bantul"),
])
def test_a_place_answer_naming_another_kabupaten_is_told_where_it_is(text: str, elsewhere: str,
                                                                       kabupaten: str) -> None:
    """ "Prambanan Klaten mas" got the list of Sleman's Prambanan villages five times over."""
    answer = regions.place_answer(regions.gazetteer(), text, "34.04")
    assert not answer.villages and answer.elsewhere is not None
    assert (answer.elsewhere.name, answer.elsewhere.kabupaten) == (elsewhere, kabupaten)


@pytest.mark.parametrize("text", ["Wukirsari yang di Kapanewon Cangkringan, Sleman, bukan yang di Imogiri.",
                                  "sumberagung yang di Moyudan, bukan Bantul",
                                  "kerja di Magelang, tapi usul buat Sendangadi"])
def test_another_kabupaten_named_to_deny_it_or_in_passing_keeps_the_place_at_home(text: str) -> None:
    answer = regions.place_answer(regions.gazetteer(), text, "34.04")
    assert answer.elsewhere is None and answer.villages


def test_a_common_word_that_is_a_desa_elsewhere_is_no_place_unless_written_as_one() -> None:
    """ "mun hujan jadi balong" (it becomes a pond) was told "Balong is in Gunungkidul" and the proposal derailed."""
    g = gazetteer()
    assert regions.elsewhere_in_message(g, "jalan di lembur urang ruksak, mun hujan jadi balong", "34.04", []) is None
    assert regions.elsewhere_in_message(g, "jalan di Balong rusak", "34.04", []).kabupaten == "Kabupaten Gunungkidul"


def test_a_home_desa_named_like_another_kabupaten_stays_at_home() -> None:
    """Sukoharjo is a desa of Ngaglik and a kabupaten of Central Java: "sukoharjo ngaglik" is Sleman's."""
    answer = regions.place_answer(gazetteer(), "sukoharjo ngaglik", "34.04")
    assert answer.elsewhere is None and answer.villages[0].name == "Sukoharjo"
