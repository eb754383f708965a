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
