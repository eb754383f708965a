"""The proposal draft the form fills: its slots, and how to clear them."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

FORM_SLOTS = (
    "fixing_code",
    "description",
    "original_text",
    "offered_text",
    "sector",
    "kamus_item",
    "show_all_sectors",
    "village_code",
    "village_candidates",
    "rt_rw",
    "photo",
    "map_pin",
    "confirmed",
    "similar_codes",
    "duplicate_choice",
    "draft_id",
    "invalid_answers",
    "cancel_pending",
    "requested_slot",
)
# Answers that are worth a "are you sure?" before they are thrown away.
ANSWERS = ("description", "sector", "village_code", "rt_rw", "photo", "map_pin")


def reset_form() -> list[EventType]:
    initial = {"invalid_answers": 0, "show_all_sectors": False, "cancel_pending": False}
    return [SlotSet(slot, initial.get(slot)) for slot in FORM_SLOTS]


def has_answers(tracker: Tracker) -> bool:
    return any(tracker.get_slot(slot) for slot in ANSWERS)


def offer_answered(tracker: Tracker) -> bool:
    """True when the message before this one was the bot's offer to turn a complaint into a proposal."""
    seen_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return False
            seen_user = True
        elif kind == "action" and seen_user and event.get("name") not in ("action_listen", None):
            return event.get("name") == "action_offer_proposal"
    return False
