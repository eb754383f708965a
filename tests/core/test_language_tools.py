"""core/language: one folding, one word list per meaning, and every reader agreeing with them.

The same "not" or the same accented, elongated spelling used to be read differently by the answer readers,
the kamus, the duplicate check and the SIPD import, each with its own copy of the list or the rule.
"""

from __future__ import annotations

import pytest

from core import answers, kamus, sectors, similarity
from core.language import markers
from core.language.fold import collapse_elongation, fold, plain
from core.language.words import has_word, letter_words
from integrations.sipd import layout


def test_folding() -> None:
    assert fold("Kalèn DÉSA") == "kalen desa"
    assert plain("Jalannya rusak bangeeet, bolong2 semua") == "jalannya rusak banget, bolong bolong semua"
    assert collapse_elongation("maaaaf", frozenset({"maaf"})) == "maaf"
    assert collapse_elongation("haloooo") == "halo"


def test_words() -> None:
    assert letter_words("RT03 jalan2 rusaaak!", 2) == ["rt", "jalan", "rusaaak"]
    assert has_word("ok 👍") and not has_word("👍 7 ?")


def test_kamus_and_duplicate_check_fold_alike() -> None:
    """An accented, elongated or reduplicated spelling means what the plain one means, to both readers."""
    written, plain_text = "Dalanè bolong2 parah bangeeet", "dalane bolong bolong parah banget"
    assert [m.code for m in kamus.match(written)] == [m.code for m in kamus.match(plain_text)]
    assert similarity.normalise(written) == similarity.normalise(plain_text)


@pytest.mark.parametrize("no", sorted(markers.NEGATIONS))
def test_every_not_is_read_as_not(no: str) -> None:
    """"kagak mau" is not a yes; "engga jadi" cancels; "lampu kagak nyala" is a dead lamp — in every reader."""
    assert not answers.accepts(f"{no} mau")
    assert answers.is_cancel(f"{no} jadi")
    assert answers.declines(f"{no} bisa kirim foto")
    assert sectors.wants_menu(f"{no} ada yang cocok")
    assert similarity.normalise(f"lampu jalan {no} nyala") == similarity.normalise("lampu jalan mati")


def test_yes_words_still_accept() -> None:
    assert all(answers.accepts(word) for word in markers.YES)
    assert answers.accepts("iya tak kirim sekarang")  # Javanese "tak" is "I", not "not"


def test_regional_grammar() -> None:
    assert markers.regional_grammar("punten aya petugas nu bisa ditanya".split()) == "su"
    assert markers.regional_grammar("saya mau tanya soal dana desa".split()) is None


def test_sipd_headers_fold_accents() -> None:
    """A header typed with an accent or in full-width letters is the same header."""
    assert layout.key("Désa / Kelurahan") == layout.key("DESA-kelurahan") == "desa kelurahan"
    assert layout.key("ＫＯＤＥ") == "kode"
