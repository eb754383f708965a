"""The conversation judge's reading of reply languages (tests/conversations/driver.py), on hand-made turns."""

from __future__ import annotations

from tests.conversations.driver import Reply, Turn, _judge_language, _wrote_another_language


def turn(number: int, text: str, reply_language: str) -> Turn:
    return Turn(number=number, key="opening", text=text, language_slot=reply_language,
                replies=[Reply("...", [], {reply_language}, set())])


def test_a_reply_in_the_language_the_citizen_wrote_is_right_until_they_switch() -> None:
    """ "Selamat siang, saya mau usul perbaikan jembatan", then "aku nganggo boso Jowo wae": the scenario expects
    Javanese, but the first reply could only be Indonesian."""
    indonesian = {"text": "Selamat siang, saya mau usul perbaikan jembatan", "language": "id",
                  "language_confidence": 1.0, "intent": {"name": "submit_proposal"}}
    assert _wrote_another_language(indonesian, "jv")
    first = turn(1, indonesian["text"], "id")
    _judge_language(first, "jv", also="id")
    assert first.language_ok is True
    later = turn(3, "kreteg beton nang dusunku retak gedhe", "id")
    _judge_language(later, "jv")  # after the switch only Javanese is right
    assert later.language_ok is False


def test_short_or_unsure_messages_excuse_nothing() -> None:
    for message in ({"text": "pagi lur", "language": "id", "language_confidence": 0.99},
                    {"text": "lampu gang mati semua", "language": "id", "language_confidence": 0.6},
                    {"text": "nganggo basa Jawa wae", "language": "id", "language_confidence": 0.95,
                     "intent": {"name": "switch_language"}}):
        assert not _wrote_another_language(message, "jv"), message["text"]
    wrong = turn(1, "pagi lur", "id")
    _judge_language(wrong, "jv")
    assert wrong.language_ok is False


def test_a_stem_the_writer_named_is_found_after_a_prefix_but_not_inside_a_word() -> None:
    """ "lubang" was judged missing from "rusak parah, berlubang2": the stored words keep the stem."""
    from tests.conversations.driver import has_group

    assert has_group("Jalan ke sawah yang rusak parah, berlubang2", "lubang")
    assert has_group("rumah warga kebanjiran tiap hujan", "banjir")
    assert has_group("mun hujan caina ngabanjiran jalan", "banjir")
    assert not has_group("Jalan ke sawah yang rusak parah", "lubang")
    assert not has_group("pembangunan gapura", "bangun")  # "pem-" is no prefix the judge strips


def test_a_citizen_whose_writer_left_no_kind_answer_names_the_sector_they_want() -> None:
    from tests.conversations.driver import Scenario, kind_unwritten

    wanted = Scenario(id="x", register="su_lemes", goal="proposal", language="su", expect={"sector": "sosial"})
    assert kind_unwritten(wanted) == "Sosial"
    assert kind_unwritten(Scenario(id="y", register="jv_ngoko", goal="cancel", language="jv")) == "sing kapisan wae"


def test_a_first_message_of_place_names_and_numbers_says_nothing_of_language() -> None:
    from tests.conversations.driver import _says_nothing_of_language

    assert _says_nothing_of_language(Turn(number=1, key="opening", text="Donoharjo, Ngaglik. RT 5 RW 14"))
    assert not _says_nothing_of_language(Turn(number=1, key="opening", text="Donoharjo, dalane rusak"))


def test_an_emoji_the_description_must_not_keep_is_looked_for_as_written() -> None:
    """Every description "contained" 😭: the emoji normalised to nothing, and nothing is in every text."""
    from tests.conversations.driver import _has_word

    assert not _has_word("anak hampir keserempet motor", "😭", whole=True)
    assert _has_word("anak hampir keserempet motor 😭", "😭", whole=True)
