"""The proposal draft the form fills: its slots, and how to clear them."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from core import answers, description, kamus, sectors

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


ELABORATION_WORDS = 3  # a message after the offer that names the problem in this many words adds to it
QUESTION_MARK = re.compile(r"\?\s*$")
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
        elif kind == "active_loop" and event.get("name") and users > 0:
            return False  # a form ran since: the offer was taken up or overtaken (not the one this message opens)
    return False


def elaborates_offer(text: str) -> bool:
    """More about the complaint after the offer ("pengen dibikinin saluran yg lebih gede"): a statement that
    names the problem, not a question, not a button, and not a plain "yes" (which takes the complaint as it was)."""
    plain_yes = answers.accepts(text) and description.from_opening(text) is None  # "Kami mengusulkan ..." tells more
    return (not text.startswith("/") and not QUESTION_MARK.search(text) and not plain_yes
            and len(text.split()) >= ELABORATION_WORDS and bool(kamus.match(text, limit=1) or sectors.suggest(text)))


NOT_TAKEN_UP = {"nlu_fallback", "out_of_scope", "inform", "report_problem"}


def told_before(tracker: Tracker, limit: int = 2) -> list[str]:
    """The citizen's messages just before the latest one that the bot did not take up and that name a need
    ("kreteg cilik neng dusunku wis keropos", then "aku arep usul kreteg kuwi" or "enya dukung")."""
    told: list[str] = []
    users = [e for e in tracker.events if e.get("event") == "user"][:-1]
    for event in reversed(users[-limit:]):
        # "bisa gak ngusulin perpus?" was answered (yes, anyone may), but the perpus itself was not taken up
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") not in NOT_TAKEN_UP \
                and not description.asks_may_i(event.get("text") or ""):
            break
        told.insert(0, (event.get("text") or "").strip())
    return [t for t in told if t and sectors.rank(t)]


_PLACE_WORDS = frozenset("rt rw desa kalurahan kelurahan kapanewon kecamatan kec ds di ing neng ning dusun "
                         "padukuhan".split())
PLACE_ONLY_EXTRA_WORDS = 2  # "Donoharjo, Ngaglik. RT 5 RW 14", "di Sendangadi ya": the place and little else


def names_only_a_place(text: str) -> bool:
    """A first message that gives only where ("Donoharjo, Ngaglik. RT 5 RW 14"): the start of a proposal whose
    what comes next, as an officer would take it, not an unclear message."""
    from actions.common import config, gazetteer
    from core import regions

    found = gazetteer().find_in_message(text or "", config().region_code, limit=1)
    if not found or found[0].score < regions.CONFIDENT_SCORE:
        return False
    place_words = {regions.key(w) for c in found for w in (c.name, c.kecamatan)} | _PLACE_WORDS
    rest = [w for w in re.findall(r"[^\W\d_]{2,}", text.lower()) if regions.key(w) not in place_words]
    return len(rest) <= PLACE_ONLY_EXTRA_WORDS
