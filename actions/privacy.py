"""A citizen's right to erasure (UU No. 27/2022): "hapus data saya", asked once for confirmation
(utter_ask_erase_data, nlu/data/rules/privacy.yml), then erased by storage.erasure, the one place that
does it for the chat and for the officers' CLI alike."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Sender, database, language, logger
from storage import erasure

ASK = "utter_ask_erase_data"
QUIET_ACTIONS = {"action_listen"}


def just_asked(tracker: Tracker) -> bool:
    """Whether the bot's last action before this message was the confirmation question: a "ya" that
    answers anything else never erases a citizen's data."""
    seen_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return False
            seen_user = True
        elif kind == "action" and seen_user and event.get("name") not in QUIET_ACTIONS:
            return event.get("name") == ASK
    return False


class ActionEraseData(Action):
    def name(self) -> str:
        return "action_erase_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = language(tracker)
        if not just_asked(tracker):
            dispatcher.utter_message(response="utter_erase_kept")
            return []
        sender = Sender.of(tracker)
        try:
            erased = await erasure.erase_citizen(database(), sender.channel, sender.external_id, actor="citizen")
        except Exception:
            logger.exception("erasing a citizen's data failed")
            dispatcher.utter_message(response="utter_system_error")
            return []
        dispatcher.utter_message(response="utter_data_erased", proposals=erased.proposals)
        # Nothing of this conversation is carried on; Rasa's record of it is deleted a minute later
        # (storage.erasure.finish_erasures, run by the gateway), once this turn is saved and answered.
        return [AllSlotsReset(), SlotSet("language", lang)]
