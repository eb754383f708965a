"""The reply language follows the citizen, but one short or mixed message does not flip it."""

from __future__ import annotations

from actions.language import next_language


def message(text: str, language: str, confidence: float) -> dict:
    return {"text": text, "language": language, "language_confidence": confidence}


def test_a_real_sentence_sets_the_language() -> None:
    assert next_language("id", False, message("kula badhe ngusulaken dalan rusak", "jv", 0.9)) == "jv"


def test_short_replies_and_numbers_do_not_flip_it() -> None:
    assert next_language("jv", False, message("iya bener", "id", 0.9)) == "jv"
    assert next_language("jv", False, message("rt 5 rw 1", "id", 0.99)) == "jv"
    assert next_language("su", False, message('/inform{"sector":"jalan"}', "id", 0.99)) == "su"


def test_an_explicit_choice_sticks() -> None:
    assert next_language("id", True, message("kula badhe ngusulaken dalan rusak", "jv", 0.99)) == "id"


def test_only_the_buttons_on_offer_are_titles() -> None:
    from rasa_sdk import Tracker

    from actions.language import _offered_titles

    def bot(text: str, *titles: str) -> dict:
        return {"event": "bot", "text": text, "data": {"buttons": [{"title": t, "payload": "/x"} for t in titles]}}

    events = [{"event": "user", "text": "halo"}, bot("menu", "Ajukan usulan"), {"event": "user", "text": "mau usul"},
              bot("Apa yang dibutuhkan?"), {"event": "user", "text": "ajukan usulan"}]
    tracker = Tracker("s", {}, {}, events, False, None, {}, "action_listen")
    assert _offered_titles(tracker) == ()  # the menu's buttons went two messages ago
    events[-2] = bot("Pilih jenis", "Rehabilitasi jalan lingkungan")
    assert _offered_titles(Tracker("s", {}, {}, events, False, None, {}, "action_listen")) == (
        "Rehabilitasi jalan lingkungan",)


def test_regional_grammar_words_around_indonesian_content_words() -> None:
    from actions.language import own_words, regional_grammar

    assert regional_grammar(own_words("punten, aya petugas nu bisa ditanya? urang rek nanya soal dana")) == "su"
    assert regional_grammar(own_words("pak, sing ngurusi dana desa iki sopo, aku arep takon")) == "jv"
    assert regional_grammar(own_words("saya mau tanya soal dana desa")) is None
    assert regional_grammar(own_words("aku mau usul lampu jalan, matur nuwun")) is None


def test_one_grammar_word_of_the_conversations_language_keeps_it() -> None:
    assert next_language("jv", False, message("sirine peringatan dini Merapi rusak, ra muni", "id", 0.96)) == "jv"
    assert next_language("su", False, message("jalan di kampung teh rusak parah sudah lama", "id", 0.95)) == "su"
    assert next_language("jv", False, message("jalan di kampung saya rusak parah sudah lama sekali", "id", 0.95)) \
        == "id"


def test_a_correction_after_short_answers_does_not_reset_the_language() -> None:
    """Short answers ("cai bersih") between do not un-establish the Sundanese the conversation began in."""
    opening = message("cai di lembur urang saat terus ari katiga, sumur warga garing kabeh", "su", 0.9)
    assert next_language("su", False, message("Sidoarum eh lain, lain Sidoarum tapi Sidokarto", "id", 0.9),
                         opening) == "su"
    assert next_language("su", False, message("Sendangsari eh punten lepat, sanes Sendangsari, nu leres Sendangrejo",
                                              "jv", 0.8), opening) == "su"
