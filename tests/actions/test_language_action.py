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


def test_a_short_first_message_names_its_language_by_one_regional_word() -> None:
    """ "pagi lur", "mas takon", "halo kang", "rek nanya": too short for the identifier, but a Javanese or
    Sundanese speaker is greeting; a neutral "halo min" or "mas" keeps the default."""
    assert next_language("id", False, message("pagi lur", "id", 0.6)) == "jv"
    assert next_language("id", False, message("mas takon", "id", 0.6)) == "jv"
    assert next_language("id", False, message("halo kang", "id", 0.6)) == "su"
    assert next_language("id", False, message("rek nanya", "id", 0.6)) == "su"
    assert next_language("id", False, message("Euy min", "id", 0.6)) == "su"
    assert next_language("id", False, message("halo min", "id", 0.6)) == "id"
    assert next_language("id", False, message("mas", "jv", 0.5)) == "id"
    # once a real sentence set the language, one short word does not undo it
    assert next_language("id", False, message("nuhun kang", "su", 0.6),
                         previous=message("saya mau usul perbaikan jalan desa", "id", 0.95)) == "id"


def test_the_same_message_sent_twice_is_not_two_messages_in_a_new_language() -> None:
    """The bot did not take "lainnya saja, kebencanaan" and the citizen sent it again: still one Indonesian
    message in a Sundanese conversation, no switch."""
    from rasa_sdk import Tracker

    from actions.language import decide

    def user(text: str, language: str, confidence: float) -> dict:
        return {"event": "user", "text": text, "parse_data": {"language": language, "language_confidence": confidence}}

    said = user("lainnya saja, bencana alam", "id", 0.9)
    events = [user("sirine peringatan dini di lembur urang geus ruksak, teu disada", "su", 0.95),
              {"event": "bot", "text": "..."}, said, {"event": "bot", "text": "..."}, said]
    latest = {"text": said["text"], **said["parse_data"]}
    tracker = Tracker("s", {"language": "su"}, latest, events, False, None, {}, "action_listen")
    assert decide(tracker) == {}


def test_minang_read_as_sundanese_is_answered_in_indonesian() -> None:
    text = "Uda, ambo nak maagiah usulan. Di kampuang ambo indak ado tampek sampah, urang-urang mambuang sampah"
    assert next_language("id", False, message(text, "su", 0.95)) == "id"
    sundanese = "di lembur urang teu aya tempat runtah, jalma-jalma miceun runtah ka walungan"
    assert next_language("id", False, message(sundanese, "su", 0.95)) == "su"


def test_grammar_words_confirm_an_unsure_regional_guess() -> None:
    """ "Aku pengin usul dalan rusak neng Tamantirto": the identifier says Javanese, only just unsure (0.74);
    "dalan" and "neng" say it too."""
    text = "Aku pengin usul dalan rusak neng Tamantirto, Kasihan"
    assert next_language("id", False, message(text, "jv", 0.74)) == "jv"


def test_sundanese_grammar_around_indonesian_words_in_a_first_message() -> None:
    """The identifier is unsure between Javanese and Indonesian; the grammar words "upami" and "ka" are Sundanese."""
    text = ("Punten, gorong-gorong di Padukuhan Ngringin, Wedomartani, mampet. Upami hujan, cai nyemprung ka "
            "rorompok warga RT 04.")
    assert next_language("id", False, message(text, "jv", 0.47)) == "su"


def test_a_language_named_by_the_greeting_is_not_undone_by_the_next_short_message() -> None:
    """ "kang" set Sundanese; "taman di dusun Sambisari" has no word of any one language."""
    assert next_language("su", False, message("taman di dusun Sambisari", "id", 0.92),
                         previous=message("kang", "su", 0.6)) == "su"
    # a long, sure Indonesian sentence still switches
    assert next_language("su", False, message("saya mau usul perbaikan jalan di dusun kami yang rusak parah", "id",
                                              0.97), previous=message("kang", "su", 0.6)) == "id"


def test_borrowed_regional_content_words_leave_an_indonesian_sentence_indonesian() -> None:
    text = ("Punten kak, mau ngusulin perpustakaan desa, soalnya barudak di sini gak ada tempat baca, paling main hp "
            "aja. Kumaha, bisa?")
    assert next_language("id", False, message(text, "id", 0.9)) == "id"


def test_after_a_regional_greeting_an_indonesian_sentence_still_switches() -> None:
    assert next_language("su", False, message("mau ngusulin perpustakaan desa buat anak", "id", 0.95),
                         previous=message("punten kak", "su", 0.6)) == "id"


def test_indonesian_with_a_borrowed_regional_question_stays_indonesian() -> None:
    """Both blind writers' mixed messages ("... gak mampu beli. Iso diusulke ra?", "... itu lho numpuk terus, ora
    ono sing ngangkut") were answered in Javanese; the writer spoke Indonesian. Javanese grammar with fewer
    Indonesian words still sets Javanese."""
    text = ("Halo kak, sorry ganggu. Tetangga sy tuna rungu, butuh alat bantu dengar tapi gak mampu beli. "
            "Iso diusulke ra?")
    assert next_language("id", False, message(text, "id", 0.99)) == "id"
    text = "Mas, mau usul bank sampah. Sampah plastik di kampung kami itu lho numpuk terus, ora ono sing ngangkut"
    assert next_language("id", False, message(text, "id", 0.99)) == "id"
    assert next_language("id", False, message("pak, sing ngurusi dana desa iki sopo, aku arep takon", "id", 0.95)) \
        == "jv"
