"""The reply language of a conversation, kept stable across turns.

Every user message carries the detected `language` (core/language/identify.py, run by the NLU pipeline).
Only the citizen's own words count: a typed copy of one of the bot's button titles, place names, tracking codes and
RT/RW numbers say nothing about the citizen's language. One short or mixed message must not flip the
conversation either (hysteresis): the language changes on one long, unmistakable sentence, or on two
confident messages in a row in the new language, or when the citizen asks for a language
("nganggo basa Jawa", "pakai bahasa Indonesia saja"), which then sticks.
"""

from __future__ import annotations

from functools import lru_cache

from rasa_sdk import Tracker

from actions.common import UNKNOWN_CHANNEL, Sender, config, database, gazetteer, latest_intent, logger
from core import regions, texts
from core.language.markers import (
    indonesian_grammar,
    keeps_regional,
    opening_language,
    outweighs_regional,
    reads_minang,
    regional_grammar,
)
from core.language.words import letter_words
from storage import citizens

MIN_CONFIDENCE = 0.75
STRONG_CONFIDENCE = 0.9
STRONG_WORDS = 5  # a sentence this long, detected this surely, switches on its own
MIN_WORDS = 3  # fewer own words than this never switch ("nggih", "iya bener", "rt 5 rw 1")
_NOT_WORDS = {"rt", "rw", "usl", "desa", "kec", "kel", "ds", "kab", "dusun"}
# Grammar words of one regional language lift the identifier's guess to at least this.
REGIONAL_CONFIDENCE = 0.9


def requested_language(tracker: Tracker) -> str | None:
    if latest_intent(tracker) != "switch_language":
        return None
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "language" and entity.get("value") in texts.LANGUAGES:
            return entity["value"]
    return None


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """Words of the province's desa and kecamatan names: "Sukamaju" looks Sundanese, "Sendangadi" Javanese."""
    g = gazetteer()
    province = config().region_code[:2] + "."
    names = [r.name for r in g.by_code.values() if r.code.startswith(province) and r.level in (2, 3, 4)]
    return frozenset(regions.key(w) for name in names for w in name.split() if len(w) > 2)


def own_words(text: str, titles: tuple[str, ...] = ()) -> list[str]:
    """The words that are the citizen's own: not a button title, a place name, a code or a number."""
    plain = (text or "").strip()
    if not plain or plain.startswith("/") or plain.lower() in {t.lower() for t in titles}:
        return []
    words = letter_words(plain, 2)
    places = _place_words()
    return [w for w in words if w not in _NOT_WORDS and regions.key(w) not in places]


def next_language(current: str, chosen: bool, message: dict, previous: dict | None = None,
                  titles: tuple[str, ...] = ()) -> str:
    """The language to answer in after this message (`previous`: the citizen's message before it)."""
    if chosen:
        return current
    detected = message.get("language")
    confidence = float(message.get("language_confidence") or 0.0)
    words = own_words(message.get("text") or "", titles)
    minang = reads_minang(words)
    if detected in ("jv", "su") and minang:
        detected = "id"  # "Di kampuang ambo indak ado tampek sampah": Minang, answered in Indonesian
    regional = regional_grammar(words) if not minang else None
    if regional and detected == texts.DEFAULT_LANGUAGE and confidence >= STRONG_CONFIDENCE \
            and outweighs_regional(words, regional):
        regional = None  # Indonesian sure of itself, and as many Indonesian grammar words: a borrowed phrase
    # grammar words confirm a guess, or correct a non-regional or unsure one
    if regional and (detected not in ("jv", "su") or detected == regional or confidence < MIN_CONFIDENCE):
        detected, confidence = regional, max(confidence, REGIONAL_CONFIDENCE)
    if detected != current and keeps_regional(current, words):
        return current  # "sirine peringatan dini Merapi rusak, ra muni": Indonesian words, Javanese grammar
    established = bool(previous) and len(own_words(previous.get("text") or "")) >= MIN_WORDS
    marker = opening_language(words) if not established and len(words) < MIN_WORDS else None
    if marker:
        return marker  # "Sampurasun", "Sugeng enjing", "pagi lur": the first words say the language
    if detected not in texts.LANGUAGES or detected == current:
        return current
    if len(words) < MIN_WORDS or confidence < MIN_CONFIDENCE:
        return current
    if len(words) >= STRONG_WORDS and confidence >= STRONG_CONFIDENCE:
        return detected
    if not established:
        if current != texts.DEFAULT_LANGUAGE and detected == texts.DEFAULT_LANGUAGE and not indonesian_grammar(words):
            return current  # "kang" set Sundanese; "taman di dusun Sambisari" has no word only Indonesian uses
        return detected  # nothing was established yet: the first real sentence sets the language
    if previous.get("language") == detected and float(previous.get("language_confidence") or 0.0) >= MIN_CONFIDENCE:
        return detected
    return current


def _previous_message(tracker: Tracker) -> dict | None:
    """The citizen's last earlier message that was a real sentence: short answers ("cai bersih", "rt 6")
    in between neither establish a language nor undo one."""
    seen = False
    latest = (tracker.latest_message.get("text") or "").strip().lower()
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = event.get("text") or ""
        # The same words sent again (the bot did not take them) are one message, not two in a row.
        if seen and not text.startswith("/") and len(own_words(text)) >= MIN_WORDS and text.strip().lower() != latest:
            return {"text": text, **{k: (event.get("parse_data") or {}).get(k)
                                     for k in ("language", "language_confidence")}}
        seen = True
    return None


def _offered_titles(tracker: Tracker) -> tuple[str, ...]:
    """The button titles of the bot's messages since the citizen's previous message: typing one is choosing,
    not writing. (Older buttons are no longer on offer.)"""
    titles: list[str] = []
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif event.get("event") == "bot":
            titles += [b.get("title") or "" for b in (event.get("data") or {}).get("buttons") or []]
    return tuple(titles)


async def remember(tracker: Tracker, language: str) -> None:
    """Only on a change: the gateway's notices and the status news then use the same language."""
    sender = Sender.of(tracker)
    if sender.channel == UNKNOWN_CHANNEL:
        return
    try:
        await citizens.remember_language(database(), sender.channel, sender.external_id, language)
    except Exception:  # the reply must not fail because the mirror could not be written
        logger.exception("storing the reply language failed")


def decide(tracker: Tracker) -> dict[str, object]:
    """The slots to set after the citizen's latest message: {} while the language stays.

    Run by Rasa itself in the policy step (nlu/components/language_policy.py), so keeping the language
    costs no call to the action server; that calls `remember` when the language changed."""
    current = tracker.get_slot("language") or texts.DEFAULT_LANGUAGE
    chosen = bool(tracker.get_slot("language_chosen"))
    requested = requested_language(tracker)
    if requested:
        return {"language": requested, "language_chosen": True}
    language = next_language(current, chosen, tracker.latest_message, _previous_message(tracker),
                             _offered_titles(tracker))
    return {} if language == current else {"language": language}
