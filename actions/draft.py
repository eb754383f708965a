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


OFFER_TURNS = 3  # citizen messages after the offer during which a "yes" or more detail still answers it


def offer_pending(tracker: Tracker, within: int = OFFER_TURNS) -> bool:
    """True while the bot's offer to turn a complaint into a proposal stands: it was made within the
    citizen's last few messages and not declined ("pengen dibikinin saluran yg lebih gede", then "iya")."""
    if not tracker.get_slot("offered_text"):
        return False
    users = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users > within:
                return False
        elif kind == "action" and event.get("name") == "action_offer_proposal":
            return users > 0
        elif kind == "active_loop" and event.get("name"):
            return False  # a form ran since: the offer was taken up or overtaken
    return False
