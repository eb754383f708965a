"""Greetings answered in kind: "Sampurasun" → "Rampes", "Assalamualaikum" → "Wa'alaikumsalam", and a
short English note for visitors who write in English."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

_SALAM = re.compile(r"\b(?:ass?alamu'?\s*alaikum|asw|askum|assalam)\b", re.IGNORECASE)
_SAMPURASUN = re.compile(r"\bsampurasun\b", re.IGNORECASE)
_ENGLISH = re.compile(r"\b(?:hello|hi|good\s+(?:morning|afternoon|evening)|i|my|the|is|are|what|how|where|want|"
                      r"please|can|you|road|street|broken|proposal|thanks|thank\s+you|english)\b", re.IGNORECASE)
ENGLISH_MIN_WORDS = 2


def is_english(text: str) -> bool:
    """Two or more common English words and a language tag that is none of ours."""
    return len(_ENGLISH.findall(text or "")) >= ENGLISH_MIN_WORDS


def greet_in_kind(dispatcher: CollectingDispatcher, text: str) -> None:
    if _SALAM.search(text):
        dispatcher.utter_message(response="utter_salam_reply")
    elif _SAMPURASUN.search(text):
        dispatcher.utter_message(response="utter_rampes")


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        greet_in_kind(dispatcher, text)
        if tracker.latest_message.get("language") == "other" and is_english(text):
            dispatcher.utter_message(response="utter_english_note")
            return []
        dispatcher.utter_message(response="utter_greet")
        return []
