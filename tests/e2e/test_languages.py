"""A whole submission in Javanese and in Sundanese: the bot answers in the citizen's language."""

from __future__ import annotations

import re

import pytest

from core.language.identify import LanguageModel

CODE = re.compile(r"USL-[0-9A-HJKMNP-TV-Z]{6}")


@pytest.fixture(scope="module")
def language_of():
    model = LanguageModel.load()
    return lambda text: model.predict(text)[0]


async def submit(citizen, opening: str, rt_rw: str, skip: str, yes: str) -> list[list[dict]]:
    """Walk the form with the citizen's own words; returns the bot's replies per turn."""
    turns = [await citizen.say(opening)]
    turns.append(await citizen.say(turns[-1][-1]["buttons"][0]["payload"]))  # the first suggestion
    turns.append(await citizen.say(rt_rw))
    turns.append(await citizen.say(skip))
    turns.append(await citizen.say(skip))
    turns.append(await citizen.say(yes))
    return turns


def replies_text(turns: list[list[dict]]) -> list[str]:
    return [m["text"] for turn in turns for m in turn if m.get("text")]


@pytest.mark.parametrize(
    ("language", "opening", "rt_rw", "skip", "yes", "rt_rw_label"),
    [
        ("jv", "kula badhe ngusulaken dandosan margi ingkang rusak sanget wonten desa Sinduadi", "rt 2 rw 3",
         "mboten wonten", "nggih leres", "RT 02 / RW 03"),
        # "ora usah" / "teu kedah" ("no need") skip the optional photo and pin; RT/RW in number words
        ("jv", "aku arep usul lampu dalan neng gangku mati kabeh, desa Wedomartani", "rt lima rw siji", "ora usah",
         "iya bener", "RT 05 / RW 01"),
        ("su", "abdi bade ngusulkeun ngalereskeun solokan anu mampet di desa Caturtunggal", "rt opat rw dua",
         "teu kedah", "muhun leres", "RT 04 / RW 02"),
    ],
)
async def test_submission_is_answered_in_the_citizens_language(new_citizen, language_of, language, opening,
                                                               rt_rw, skip, yes, rt_rw_label) -> None:
    citizen = new_citizen()
    turns = await submit(citizen, opening, rt_rw, skip, yes)
    texts = replies_text(turns)
    assert CODE.search(texts[-1]), texts
    assert any(rt_rw_label in text for text in texts), texts  # shown in the summary
    detected = [language_of(text) for text in texts]
    assert detected.count(language) >= len(texts) - 1, list(zip(detected, texts, strict=True))
    status = await citizen.text_of(f"status {CODE.search(texts[-1]).group(0)}")
    assert language_of(status.split(":", 1)[-1]) in {language, "id"}  # the status labels are short


async def test_citizen_can_ask_for_another_language(new_citizen, language_of) -> None:
    citizen = new_citizen()
    javanese = await citizen.text_of("sugeng enjing, kula badhe nyuwun pirsa babagan musrenbang")
    assert language_of(javanese) == "jv"
    switched = await citizen.text_of("pakai bahasa Indonesia saja")
    assert language_of(switched) == "id"
    after = await citizen.text_of("kula badhe ngusulaken lampu margi")  # still Javanese words...
    assert language_of(after) == "id"  # ...but the citizen asked for Indonesian, and that sticks
