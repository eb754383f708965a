"""Storing the confirmed proposal and leaving the form cleanly."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Sender, database, language, logger
from core import answers
from storage import repo

FORM_SLOTS = (
    "description",
    "sector",
    "kamus_item",
    "show_all_sectors",
    "village_code",
    "village_candidates",
    "rt_rw",
    "photo",
    "map_pin",
    "confirmed",
    "draft_id",
    "invalid_answers",
    "requested_slot",
)


def reset_form() -> list[EventType]:
    initial = {"invalid_answers": 0, "show_all_sectors": False}
    return [SlotSet(slot, initial.get(slot)) for slot in FORM_SLOTS]


def draft_from(tracker: Tracker) -> repo.ProposalDraft:
    rt_rw = tracker.get_slot("rt_rw")
    rt, rw = answers.parse_rt_rw(rt_rw) or (None, None) if rt_rw and rt_rw != answers.SKIP else (None, None)
    pin = tracker.get_slot("map_pin")
    lat_lon = answers.parse_map_pin(pin) if pin and pin != answers.SKIP else None
    photo = tracker.get_slot("photo")
    return repo.ProposalDraft(
        description=tracker.get_slot("description"),
        sector=tracker.get_slot("sector"),
        item_code=tracker.get_slot("kamus_item"),
        village_code=tracker.get_slot("village_code"),
        rt=rt,
        rw=rw,
        latitude=lat_lon[0] if lat_lon else None,
        longitude=lat_lon[1] if lat_lon else None,
        photo_ref=photo if photo and photo != answers.SKIP else None,
        language=language(tracker),
    )


class ActionSubmitProposal(Action):
    def name(self) -> str:
        return "action_submit_proposal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        draft_id = tracker.get_slot("draft_id")
        if not tracker.get_slot("confirmed") or not draft_id:
            return reset_form()
        sender = Sender.of(tracker)
        try:
            view, created = await repo.submit_proposal(
                database(), sender.channel, sender.external_id, draft_id, draft_from(tracker)
            )
        except Exception:  # the citizen keeps the draft and can confirm again
            logger.exception("storing proposal failed")
            dispatcher.utter_message(response="utter_proposal_failed")
            return []
        response = "utter_proposal_submitted" if created else "utter_proposal_already_submitted"
        dispatcher.utter_message(response=response, code=view.code)
        return [*reset_form(), SlotSet("last_code", view.code)]


class ActionRepeatSubmission(Action):
    """A second "ya" after the proposal was stored: say so, store nothing."""

    def name(self) -> str:
        return "action_repeat_submission"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        code = tracker.get_slot("last_code")
        if code:
            dispatcher.utter_message(response="utter_proposal_already_submitted", code=code)
        else:
            dispatcher.utter_message(response="utter_no_problem")
        return []


class ActionResetProposal(Action):
    def name(self) -> str:
        return "action_reset_proposal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.latest_message.get("intent", {}).get("name") == "cancel":
            dispatcher.utter_message(response="utter_proposal_cancelled")
        return reset_form()
