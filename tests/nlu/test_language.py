"""Language identification (core/language/identify.py): NusaX test accuracy, chat messages, edge cases, speed.

The chat examples below were written for these tests and are not in the model's training text
(core/language/resources/langid_seed.tsv holds different sentences). The NusaX test split is only measured here.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from core.language import identify as language_model
from core.language.identify import LOW_CONFIDENCE, LanguageModel

ROOT = Path(__file__).resolve().parents[2]
NUSAX_TEST = ROOT / "tests" / "nlu" / "data" / "nusax_test.csv"
COLUMNS = {"id": "indonesian", "jv": "javanese", "su": "sundanese"}

CHAT = {
    "jv": [
        # ngoko
        "aku arep usul lampu dalan",
        "aku wis ngirim usulan wingi, saiki piye kabare",
        "dalane bolong-bolong, motor akeh sing tiba",
        "got neng ngarep omah mampet, banyune ora iso mili",
        "opo iso ngusulke sumur bor kanggo warga",
        "aku ora ngerti carane ndaftar, tulung diwarahi",
        "kapan usulanku dicek karo pak lurah",
        "jembatan cilik neng kampungku meh ambruk",
        "lampu neng prapatan mati wis sewulan luwih",
        "wah matur nuwun banget, mas",
        "aku pengen ngganti alamat sing tak tulis mau",
        # krama
        "kula badhe ngusulaken dalan rusak",
        "nyuwun pangapunten, kula badhe nyuwun pirsa",
        "usulan kula sampun dipuntampi menapa dereng",
        "menapa saged ngusulaken pambangunan talud",
        "griya kula wonten ing RT 03, margi ngajengipun rusak",
        "matur nuwun sanget awit pambiyantunipun",
        "kula dereng mangertos kados pundi caranipun",
        "panjenengan saged mbiyantu kula mboten",
        "saluran toya ing dusun kula buntu",
    ],
    "su": [
        # loma
        "urang rek ngusulkeun solokan",
        "jalan ka lembur urang bolong-bolong",
        "kumaha carana ngadaptar usulan teh",
        "lampu jalan di hareupeun imah geus paeh",
        "urang can ngarti kudu kumaha",
        "cai di solokan teu ngocor, mampet ku runtah",
        "iraha usulan urang dipariksa ku desa",
        "sasak leutik di kampung urang rek rubuh",
        "hatur nuhun pisan kang, geus dibantuan",
        "naha usulan kuring can aya kabar wae",
        "aing hayang ngaganti alamat nu tadi",
        # lemes
        "abdi bade ngusulkeun jalan nu ruksak",
        "punten, abdi hoyong naroskeun status usulan",
        "usulan abdi parantos katampi teu acan",
        "naha tiasa ngusulkeun ngadamel sumur bor",
        "bumi abdi aya di RT 02, jalan payuneunana ruksak",
        "hatur nuhun kana bantosanana",
        "abdi teu acan ngartos kumaha carana",
        "bapa tiasa ngabantosan abdi henteu",
        "saluran cai di dusun abdi mampet",
    ],
    "id": [
        # informal chat
        "gimana status usulan saya",
        "sy mau usul jln rusak gmn caranya",
        "min, lampu jalan di gang kami mati semua",
        "gue mau ngajuin bikin sumur bor buat warga",
        "kok usulan aku belum diverifikasi ya kak",
        "udh seminggu ga ada kabar, tlg dicek dong",
        "aku mau tanya soal usulan drainase kemarin",
        "knp usulan sy ditolak ya",
        "mau lapor jalan berlubang di dekat sekolah",
        "jembatan di kampung kami hampir roboh pak",
        # formal
        "saya ingin mengusulkan perbaikan jalan desa",
        "usulan saya dengan kode USL-7K3Q9D sudah sampai mana",
        "mohon bantuan untuk mendaftarkan usulan musrenbang",
        "bisa ganti alamat yang tadi saya tulis?",
        "terima kasih banyak atas bantuannya min",
        "kapan jadwal musrenbang di kelurahan kami",
        "selokan depan rumah mampet, airnya meluap kalau hujan",
        "apakah usulan saya bisa diubah setelah dikirim",
        "tolong sambungkan saya ke petugas",
        "di RT 03 RW 05 banyak rumah tidak layak huni",
    ],
    "other": [
        "how do i check my proposal status",
        "please connect me to a human agent",
        "the street light in front of my house is broken",
        "thanks a lot for your help",
        "i want to submit a new proposal",
    ],
}
# Proposal descriptions are often bare noun phrases with no function words: they must stay Indonesian.
PROPOSAL_PHRASES = [
    "perbaikan gorong-gorong di depan masjid",
    "pengecoran jalan gang buntu",
    "bantuan kursi roda untuk lansia",
    "pembangunan gapura dusun",
    "pemasangan CCTV di perempatan",
    "usulan pelebaran jalan kabupaten",
    "rehab atap sekolah yang bocor",
    "pengerukan embung desa",
    "pembuatan taman bermain anak",
    "air bersih untuk dusun atas",
    "drainase depan balai desa mampet",
    "jalan tani menuju sawah berlumpur",
]
# The examples of the specification: these must always be right.
REQUIRED = [
    ("jv", "kula badhe ngusulaken dalan rusak"),
    ("jv", "aku arep usul lampu dalan"),
    ("su", "abdi bade ngusulkeun jalan nu ruksak"),
    ("su", "urang rek ngusulkeun solokan"),
    ("id", "gimana status usulan saya"),
    ("id", "sy mau usul jln rusak gmn caranya"),
]
MIN_CHAT_ACCURACY = 0.9  # per language; a statistical model may miss one ambiguous message in ten


@pytest.fixture(scope="module")
def model() -> LanguageModel:
    return LanguageModel.load()


def test_loads_fast() -> None:
    started = time.perf_counter()
    LanguageModel.load()
    assert time.perf_counter() - started < 2.0


def test_nusax_test_accuracy(model: LanguageModel) -> None:
    with NUSAX_TEST.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    correct = {
        language: sum(model.predict(row[column])[0] == language for row in rows) for language, column in COLUMNS.items()
    }
    accuracy = {language: count / len(rows) for language, count in correct.items()}
    overall = sum(correct.values()) / (len(rows) * len(COLUMNS))
    assert overall >= 0.96, accuracy
    for language, value in accuracy.items():
        assert value >= 0.93, (language, accuracy)


@pytest.mark.parametrize(("language", "text"), REQUIRED)
def test_required_examples(model: LanguageModel, language: str, text: str) -> None:
    predicted, confidence = model.predict(text)
    assert predicted == language
    assert 0.5 < confidence <= 1.0


@pytest.mark.parametrize("language", sorted(CHAT))
def test_chat_accuracy(model: LanguageModel, language: str) -> None:
    texts = CHAT[language]
    wrong = [(text, model.predict(text)) for text in texts if model.predict(text)[0] != language]
    assert 1 - len(wrong) / len(texts) >= MIN_CHAT_ACCURACY, wrong


# The blind held-out intent files double as chat messages of a known language (tests/nlu/test_heldout.py).
HELDOUT_LANGUAGE = {"heldout_id_formal.yml": "id", "heldout_id_informal.yml": "id", "heldout_jv.yml": "jv",
                    "heldout_su.yml": "su"}
MIN_HELDOUT_CHAT_ACCURACY = 0.93  # the bar for chat messages of three words or more


@pytest.mark.parametrize("name", sorted(HELDOUT_LANGUAGE))
def test_heldout_chat_messages(model: LanguageModel, name: str) -> None:
    from tests.nlu.test_heldout import load_examples

    language = HELDOUT_LANGUAGE[name]
    texts = [text for text, _, _ in load_examples(ROOT / "tests" / "nlu" / name) if len(text.split()) >= 3]
    assert len(texts) >= 50
    wrong = [(text, model.predict(text)) for text in texts if model.predict(text)[0] != language]
    assert 1 - len(wrong) / len(texts) >= MIN_HELDOUT_CHAT_ACCURACY, wrong


def test_proposal_phrases_are_indonesian(model: LanguageModel) -> None:
    wrong = [(text, model.predict(text)) for text in PROPOSAL_PHRASES if model.predict(text)[0] != "id"]
    assert 1 - len(wrong) / len(PROPOSAL_PHRASES) >= MIN_CHAT_ACCURACY, wrong


def test_enough_chat_examples() -> None:
    for language in ("id", "jv", "su"):
        assert len(CHAT[language]) >= 15


@pytest.mark.parametrize(
    "text", ["", "   ", "👍🙏", "123 456", "USL-7K3Q9D", "ok", "p", "?!", "cek USL-7K3Q9D", "RT 03"]
)
def test_too_short_falls_back_to_indonesian(model: LanguageModel, text: str) -> None:
    assert model.predict(text) == ("id", LOW_CONFIDENCE)


@pytest.mark.parametrize(
    "text",
    ["kula badhe nyuwun pirsa usulan kula", "urang hayang nanya usulan urang", "saya mau menanyakan usulan saya"],
)
def test_codes_and_numbers_do_not_sway(model: LanguageModel, text: str) -> None:
    language = model.predict(text)[0]
    for noise in ("USL-7K3Q9D", "usl 7k3q9d", "USL7K3Q9D 0812345678 2025", "rt3/rw02 100000", "https://x.id/a@b.id"):
        assert model.predict(f"{noise} {text} {noise}")[0] == language


def test_confidence_grows_with_evidence(model: LanguageModel) -> None:
    short = model.predict("aku ga ngerti")  # East Javanese and Jakarta Indonesian alike
    long = model.predict("aku ora ngerti carane ngirim usulan, tulung diwarahi ya mas")
    assert short[1] < long[1]
    assert long[0] == "jv"
    assert long[1] > 0.99


def test_detect_uses_shared_model() -> None:
    assert language_model.detect("abdi bade ngusulkeun jalan nu ruksak") == "su"
    assert language_model.get_model() is language_model.get_model()


def test_prediction_is_fast() -> None:
    model = LanguageModel.load()  # cold word cache: every word is new the first time
    texts = [text for texts in CHAT.values() for text in texts] + PROPOSAL_PHRASES
    started = time.perf_counter()
    for text in texts:
        model.predict(text)
    mean = (time.perf_counter() - started) / len(texts)
    assert mean < 0.001, f"{mean * 1e6:.0f} µs per message"
