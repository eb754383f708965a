"""The reply language of a conversation, kept stable across turns.

Every user message carries the detected `language` (nlu/components/language.py). A single short or
mixed message must not flip the conversation, so the slot changes only on a confident detection
of a real sentence, or when the citizen asks for a language ("nganggo basa Jawa", "pakai bahasa
Indonesia saja"), which then sticks.
"""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_intent
from core import texts

MIN_CONFIDENCE = 0.75
MIN_CONFIDENCE_SHORT = 0.97  # short replies ("nggih", "iya bener", "rt 5 rw 1") must be unmistakable
SHORT_WORDS = 3


def requested_language(tracker: Tracker) -> str | None:
    if latest_intent(tracker) != "switch_language":
        return None
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "language" and entity.get("value") in texts.LANGUAGES:
            return entity["value"]
    return None


def next_language(current: str, chosen: bool, message: dict) -> str:
    """The language to answer in after this message."""
    if chosen:
        return current
    text = message.get("text") or ""
    detected = message.get("language")
    confidence = float(message.get("language_confidence") or 0.0)
    if text.startswith("/") or detected not in texts.LANGUAGES:
        return current
    words = [w for w in re.findall(r"[^\W\d_]{2,}", text.lower()) if w not in ("rt", "rw", "usl")]
    if not words:  # numbers, codes, emoji: nothing to tell a language by
        return current
    needed = MIN_CONFIDENCE_SHORT if len(words) < SHORT_WORDS else MIN_CONFIDENCE
    return detected if confidence >= needed else current


class ActionSetLanguage(Action):
    def name(self) -> str:
        return "action_set_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        current = tracker.get_slot("language") or texts.DEFAULT_LANGUAGE
        chosen = bool(tracker.get_slot("language_chosen"))
        requested = requested_language(tracker)
        if requested:
            return [SlotSet("language", requested), SlotSet("language_chosen", True)]
        language = next_language(current, chosen, tracker.latest_message)
        return [SlotSet("language", language)] if language != current else []
