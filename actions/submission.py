"""Storing the confirmed proposal and leaving the form cleanly."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Sender, config, database, gazetteer, language, logger
from actions.draft import reset_form
from actions.status import codes_in
from core import answers, proposal_rules, texts
from storage import photos, proposals, status_changes


def draft_from(tracker: Tracker) -> proposals.ProposalDraft:
    rt_rw = tracker.get_slot("rt_rw")
    rt, rw = answers.parse_rt_rw(rt_rw) or (None, None) if rt_rw and rt_rw != answers.SKIP else (None, None)
    pin = tracker.get_slot("map_pin")
    lat_lon = answers.parse_map_pin(pin) if pin and pin != answers.SKIP else None
    photo = tracker.get_slot("photo")
    return proposals.ProposalDraft(
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
        original_text=tracker.get_slot("original_text"),
    )


def refusal(draft: proposals.ProposalDraft) -> list[str]:
    """The answers that may not be stored (core/proposal_rules.py), checked again whoever filled the slots."""
    return proposal_rules.problems(description=draft.description, sector=draft.sector, item_code=draft.item_code,
                                   village_code=draft.village_code, photo_ref=draft.photo_ref,
                                   region_code=config().region_code, photos=photos.store_of(config()),
                                   gazetteer=gazetteer())


class ActionSubmitProposal(Action):
    def name(self) -> str:
        return "action_submit_proposal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        draft_id = tracker.get_slot("draft_id")
        if not tracker.get_slot("confirmed") or not draft_id:
            return reset_form()
        sender = Sender.of(tracker)
        fixing = tracker.get_slot("fixing_code")
        try:
            draft = draft_from(tracker)
            refused = refusal(draft)
        except (TypeError, ValueError, AttributeError):  # slots of the wrong type: forged, never the form's
            refused = ["description", "sector", "village_code"]
        if refused:
            logger.warning("refused to store a proposal for %s: %s", tracker.sender_id, ", ".join(refused))
            dispatcher.utter_message(text=texts.submission_refused(refused, language(tracker)))
            return reset_form()
        try:
            if fixing:
                result = await status_changes.resubmit_proposal(database(), fixing, sender.channel, sender.external_id,
                                                                draft)
            else:
                result = await proposals.submit_proposal(database(), sender.channel, sender.external_id, draft_id,
                                                         draft)
        except Exception:  # the citizen keeps the draft and can confirm again
            logger.exception("storing proposal failed")
            dispatcher.utter_message(response="utter_proposal_failed")
            return []
        if result is None:
            dispatcher.utter_message(response="utter_fix_not_allowed", code=fixing)
            return reset_form()
        view, created = result
        if created:
            response = "utter_proposal_resubmitted" if fixing else "utter_proposal_submitted"
        else:
            response = "utter_proposal_already_submitted"
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


class ActionStartFix(Action):
    """Open the proposal form on a proposal an officer sent back, filled with what was stored."""

    def name(self) -> str:
        return "action_start_fix"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        sender = Sender.of(tracker)
        codes = codes_in(tracker)
        try:
            fixable = await proposals.fixable_proposals(database(), sender.channel, sender.external_id,
                                                        codes[0] if codes else None)
        except Exception:
            logger.exception("loading a proposal to fix failed")
            dispatcher.utter_message(response="utter_system_error")
            return []
        if not fixable:
            if codes:
                dispatcher.utter_message(response="utter_fix_not_allowed", code=codes[0])
            else:
                dispatcher.utter_message(response="utter_fix_which")
            return [SlotSet("tracking_code", None)]
        chosen = fixable[0]
        draft = chosen.draft
        dispatcher.utter_message(response="utter_fix_intro", code=chosen.view.code, note=chosen.note or "-")
        pin = f"{draft.latitude:.6f},{draft.longitude:.6f}" if draft.latitude is not None else answers.SKIP
        return [
            *reset_form(),
            SlotSet("tracking_code", None),
            SlotSet("fixing_code", chosen.view.code),
            SlotSet("draft_id", f"fix-{chosen.view.code}"),
            SlotSet("description", draft.description),
            SlotSet("sector", draft.sector),
            SlotSet("kamus_item", draft.item_code),
            SlotSet("village_code", draft.village_code),
            SlotSet("rt_rw", answers.format_rt_rw(draft.rt, draft.rw) or answers.SKIP),
            SlotSet("photo", draft.photo_ref or answers.SKIP),
            SlotSet("map_pin", pin),
            FollowupAction("proposal_form"),
        ]
