"""Citizens' descriptions, as they write them in Indonesian, Javanese and Sundanese, find their kamus item."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from core import kamus
from core.sectors import SECTORS

# (description, expected item, language). Written like chat messages: informal, typos, place names mixed in.
DESCRIPTIONS: list[tuple[str, str, str]] = [
    # Indonesian
    ("jalan depan balai dusun bolong-bolong kalau hujan jadi kubangan", "rehabilitasi_jalan_lingkungan", "id"),
    ("Mohon pengaspalan jalan desa dari RT 03 sampai RT 05, aspalnya sudah mengelupas semua",
     "pengaspalan_jalan_desa", "id"),
    ("jalan ke sawah masih tanah, kalau musim hujan petani susah bawa hasil panen", "jalan_usaha_tani", "id"),
    ("gang di RT kami masih tanah dan becek, usul dicor rabat beton", "jalan_rabat_beton", "id"),
    ("banyak anak sekolah ngebut di depan rumah, tolong dipasang polisi tidur", "polisi_tidur_rambu", "id"),
    ("jembatan kayu penghubung dusun sudah lapuk dan hampir ambruk", "rehabilitasi_jembatan", "id"),
    ("anak-anak harus menyeberang sungai untuk ke sekolah karena belum ada jembatan", "pembangunan_jembatan", "id"),
    ("selokan di depan rumah warga mampet penuh sampah, air meluap ke jalan", "normalisasi_saluran", "id"),
    ("setiap hujan deras perumahan kami tergenang karena tidak ada saluran drainase", "saluran_drainase", "id"),
    ("tebing di belakang rumah warga longsor, perlu dibangun talud", "talud_penahan_tanah", "id"),
    ("gang menuju masjid gelap sekali, rawan kejahatan, mohon dipasang lampu jalan", "pemasangan_pju", "id"),
    ("lampu PJU di perempatan sudah mati tiga bulan belum diganti", "perbaikan_pju", "id"),
    ("sumur warga kering setiap kemarau, usul dibuatkan sumur bor", "sumur_bor", "id"),
    ("air PDAM di perumahan sering mati dan belum semua rumah tersambung pipa", "jaringan_air_bersih", "id"),
    ("masih ada warga yang BAB di sungai karena gak punya jamban", "jamban_sehat", "id"),
    ("sampah menumpuk di pinggir jalan karena tidak ada TPS", "tps_sampah", "id"),
    ("gedung posyandu atapnya bocor dan lantainya retak", "rehabilitasi_posyandu", "id"),
    ("banyak balita stunting di dusun kami, perlu pemberian makanan tambahan", "pmt_stunting", "id"),
    ("ruang kelas SD atapnya hampir roboh, anak-anak belajar di teras", "rehabilitasi_ruang_kelas", "id"),
    ("ibu-ibu PKK ingin pelatihan membuat kue dan keripik untuk dijual", "pelatihan_umkm", "id"),
    ("pedagang kecil butuh bantuan gerobak dan etalase untuk berjualan", "bantuan_alat_usaha", "id"),
    ("rumah nenek Sumi dindingnya bambu dan hampir roboh, mohon bedah rumah", "rehabilitasi_rtlh", "id"),
    ("lahan kosong di samping balai desa gersang, usul penghijauan dan tanam pohon", "penghijauan", "id"),
    ("anak-anak tidak punya tempat bermain, usul dibangun taman", "taman_rth", "id"),
    ("butuh pos ronda untuk keamanan kampung", "pos_ronda", "id"),
    ("kantor desa sudah tua dan bocor, pelayanan warga terganggu", "rehabilitasi_kantor_desa", "id"),
    ("minta pemasangan wifi gratis di balai desa, sinyal susah", "internet_desa", "id"),
    ("warga sakit harus ditandu jauh ke puskesmas, usul ambulans desa", "ambulans_desa", "id"),
    ("los pasar desa bocor dan becek, pedagang mengeluh", "rehabilitasi_pasar_desa", "id"),
    ("makam desa belum ada pagarnya, sering dimasuki ternak", "tempat_pemakaman_umum", "id"),
    ("selokkan depan sd mampet, drianase tidak jalan", "normalisasi_saluran", "id"),  # typos
    # Javanese (ngoko and krama)
    ("dalan neng padukuhan kami rusak parah", "rehabilitasi_jalan_lingkungan", "jv"),
    ("kula nyuwun lampu dalan teng gang", "pemasangan_pju", "jv"),
    ("sumur warga garing pas ketiga", "sumur_bor", "jv"),
    ("kalen ngarep omah buntu, yen udan banyune mbludak", "normalisasi_saluran", "jv"),
    ("kretege wis bosok, yen dilewati goyang-goyang", "rehabilitasi_jembatan", "jv"),
    ("uwuh numpuk neng pinggir kali, ora ana papan uwuh", "tps_sampah", "jv"),
    ("banyu PDAM ora mili wis seminggu", "jaringan_air_bersih", "jv"),
    ("gedhung posyandu payone bocor", "rehabilitasi_posyandu", "jv"),
    ("sekolahan SD payone bocor, bangkune yo rusak", "rehabilitasi_ruang_kelas", "jv"),
    ("omahe mbah Karto wis reyot meh ambruk", "rehabilitasi_rtlh", "jv"),
    ("ibu-ibu pengin pelatihan gawe jajanan kanggo dodolan", "pelatihan_umkm", "jv"),
    ("dalan menyang sawah isih lemah, yen udan lunyu", "jalan_usaha_tani", "jv"),
    ("margi dusun risak, kathah ingkang growong", "rehabilitasi_jalan_lingkungan", "jv"),
    ("petani butuh rabuk lan winih pari", "sarana_produksi_pertanian", "jv"),
    ("lampu margi ing prapatan menika pejah sedaya", "perbaikan_pju", "jv"),
    # Sundanese (loma and lemes)
    ("solokan mampet unggal hujan banjir", "normalisasi_saluran", "su"),
    ("jalan ka lembur ruksak parah, loba nu bolong", "rehabilitasi_jalan_lingkungan", "su"),
    ("sasak awi nu nyambung ka kampung geus butut, rek rubuh", "rehabilitasi_jembatan", "su"),
    ("jalan ka masjid poek pisan, teu aya lampu", "pemasangan_pju", "su"),
    ("cai sumur saat mun halodo", "sumur_bor", "su"),
    ("runtah numpuk di sisi jalan, teu aya tempat runtah", "tps_sampah", "su"),
    ("wangunan posyandu geus ruksak, hateupna bocor", "rehabilitasi_posyandu", "su"),
    ("imah abah geus butut pisan, bilikna bolong", "rehabilitasi_rtlh", "su"),
    ("barudak teu boga tempat ulin, hayang aya taman", "taman_rth", "su"),
    ("sakola SD loba kelas nu ruksak", "rehabilitasi_ruang_kelas", "su"),
    ("peryogi palatihan usaha kanggo ibu-ibu", "pelatihan_umkm", "su"),
    ("lampu jalan di gang pareum geus sabulan", "perbaikan_pju", "su"),
    ("hoyong nyungkeun bantuan embe jeung domba kanggo ingon-ingon", "bantuan_ternak_ikan", "su"),
    ("walungan pinuh ku runtah jeung deet, mun hujan caah", "pembersihan_sungai", "su"),
]

UNRELATED = [
    "besok hujan gak ya",
    "selamat pagi pak, terima kasih",
    "status usulan saya sudah sampai mana?",
    "matur nuwun sanget, sampun mangertos",
    "hatur nuhun pisan, abdi tos ngartos",
    "",
    "   ",
]


def _hits() -> tuple[list[str], list[str]]:
    """Descriptions whose expected item is not in the top 3, and those whose top sector is wrong."""
    item_misses, sector_misses = [], []
    for text, code, _ in DESCRIPTIONS:
        found = kamus.match(text)
        if code not in [m.code for m in found]:
            item_misses.append(f"{text!r}: {[m.code for m in found]}")
        if not found or found[0].sector != kamus.item(code).sector:
            sector_misses.append(f"{text!r}: {[m.sector for m in found[:1]]}")
    return item_misses, sector_misses


def test_descriptions_cover_every_sector_and_language() -> None:
    assert len(DESCRIPTIONS) >= 30
    assert {kamus.item(code).sector for _, code, _ in DESCRIPTIONS} == set(SECTORS)
    assert Counter(lang for _, _, lang in DESCRIPTIONS).keys() == {"id", "jv", "su"}


def test_expected_item_in_top_three_and_sector_first_for_nine_in_ten() -> None:
    item_misses, sector_misses = _hits()
    total = len(DESCRIPTIONS)
    top3 = 1 - len(item_misses) / total
    top1_sector = 1 - len(sector_misses) / total
    print(f"\nkamus: top-3 item {top3:.1%}, top-1 sector {top1_sector:.1%} over {total} descriptions")
    assert top3 >= 0.9, item_misses
    assert top1_sector >= 0.9, sector_misses


@pytest.mark.parametrize("text", UNRELATED)
def test_unrelated_text_matches_nothing(text: str) -> None:
    assert kamus.match(text) == []


def test_results_are_ordered_bounded_and_deterministic() -> None:
    for text, _, _ in DESCRIPTIONS:
        found = kamus.match(text, limit=3)
        assert 1 <= len(found) <= 3
        assert all(0 < m.score <= 1 for m in found)
        assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
        assert len({m.code for m in found}) == len(found)
        assert kamus.match(text, limit=3) == found
    assert kamus.match("jalan rusak", limit=0) == []
    assert len(kamus.match("jalan rusak berlubang dan becek, aspal mengelupas", limit=5)) > 3


def test_phrases_outweigh_single_words() -> None:
    # "lampu jalan" is a phrase of the street-light item; "jalan" alone belongs to the road items.
    assert kamus.match("lampu jalan")[0].sector == "penerangan_jalan"
    assert kamus.match("jalan rusak")[0].score > kamus.match("jalan")[0].score


def test_typos_tolerated_for_longer_words_only() -> None:
    assert kamus.match("drainse mampet")[0].sector == "drainase"
    assert kamus.match("posyandoe rusak")[0].code == "rehabilitasi_posyandu"
    assert kamus.match("kali") == []  # "kali" (river) alone is also "times"; short words never fuzzy-match


def test_item_lookup() -> None:
    found = kamus.item("pemasangan_pju")
    assert found is not None
    assert (found.sector, found.unit) == ("penerangan_jalan", "titik")
    assert "PJU" in found.name
    assert kamus.item("tidak_ada") is None
    assert kamus.item("") is None


def test_dictionary_shape() -> None:
    items = kamus.items()
    per_sector = Counter(m.sector for m in items)
    assert set(per_sector) == set(SECTORS)
    assert all(4 <= n <= 8 for n in per_sector.values()), per_sector
    assert 60 <= len(items) <= 80
    assert len({m.code for m in items}) == len(items)
    assert all(m.name and m.unit and len(m.code) <= 64 for m in items)


def test_match_is_fast() -> None:
    texts = [text for text, _, _ in DESCRIPTIONS]
    kamus.match("pemanasan")  # load the dictionary outside the measurement
    kamus._resolve.cache_clear()  # first sight of every word: the slow path
    start = time.perf_counter()
    for text in texts:
        kamus.match(text)
    cold = (time.perf_counter() - start) / len(texts)
    start = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for text in texts:
            kamus.match(text)
    warm = (time.perf_counter() - start) / (rounds * len(texts))
    print(f"\nkamus.match: {cold * 1e3:.3f} ms per description on first sight, {warm * 1e3:.3f} ms warm")
    assert cold < 0.001
    assert warm < 0.001
