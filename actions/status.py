"""Where a proposal stands, and supporting someone else's proposal."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Sender, database, language, logger
from actions.draft import offer_pending
from core import answers, calendar, status, texts, tracking
from storage import proposals

LIST_LIMIT = 5


def codes_in(tracker: Tracker) -> list[str]:
    """Codes from the entities, else from the raw text (the regex accepts every spelling)."""
    found = []
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "tracking_code":
            code = tracking.normalise(str(entity.get("value")))
            if code and code not in found:
                found.append(code)
    return found or tracking.find_all(tracker.latest_message.get("text") or "")


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = language(tracker)
        text = tracker.latest_message.get("text") or ""
        if offer_pending(tracker) and answers.accepts(text) and not tracking.find_all(text):
            return [FollowupAction("proposal_form")]  # "iya itu usulan sy": a yes to the offer, not "my proposals"
        try:
            codes = codes_in(tracker)
            if codes:
                await answer_codes(dispatcher, codes, lang, Sender.of(tracker))
                return [SlotSet("tracking_code", None)]
            partial = tracking.partial_code(tracker.latest_message.get("text") or "")
            if partial:
                dispatcher.utter_message(response="utter_code_incomplete", code=partial)
                return [SlotSet("tracking_code", None)]
            await self._list_own(dispatcher, tracker, lang)
        except Exception:
            logger.exception("status lookup failed")
            dispatcher.utter_message(response="utter_system_error")
        return [SlotSet("tracking_code", None)]

    @staticmethod
    def detail(dispatcher: CollectingDispatcher, view: proposals.ProposalView, lang: str) -> None:
        dispatcher.utter_message(
            response="utter_status_detail",
            code=view.code,
            description=view.description,
            status_label=texts.status_label(view.status, lang),
            stage_label=texts.stage(status.stage_number(view.status), len(status.STAGES), lang),
            updated=calendar.datetime_text(view.updated_at, lang),
            supporters=view.supporters,
        )
        if view.last_reason and view.status in status.NEEDS_REASON:
            dispatcher.utter_message(response="utter_status_reason", reason=view.last_reason)

    @staticmethod
    async def _list_own(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> None:
        sender = Sender.of(tracker)
        own, total = await proposals.own_proposal_list(database(), sender.channel, sender.external_id, LIST_LIMIT)
        if not own:
            dispatcher.utter_message(response="utter_no_proposals")
            return
        lines = "\n".join(
            f"• {v.code} — {v.description[:60]} — {texts.status_label(v.status, lang)}" for v in own
        )
        buttons = [{"title": texts.button("status_of", lang, code=v.code), "payload": f"status {v.code}"} for v in own]
        dispatcher.utter_message(response="utter_my_proposals", count=len(own), total=total, lines=lines,
                                 buttons=buttons)


async def support(dispatcher: CollectingDispatcher, tracker: Tracker, code: str) -> bool:
    """Add the sender's support to a proposal and say so; False when it could not be added."""
    sender = Sender.of(tracker)
    try:
        view = await proposals.get_proposal(database(), code)
        if view is None:
            dispatcher.utter_message(response="utter_status_not_found", code=code)
            return False
        if not status.is_open(view.status):
            dispatcher.utter_message(response="utter_support_closed", code=code,
                                     status_label=texts.status_label(view.status, language(tracker)))
            return False
        view, created = await proposals.add_support(database(), code, sender.channel, sender.external_id)
    except Exception:
        logger.exception("support failed")
        dispatcher.utter_message(response="utter_system_error")
        return False
    response = "utter_support_added" if created else "utter_support_exists"
    dispatcher.utter_message(response=response, code=code, supporters=view.supporters)
    return True


async def answer_codes(dispatcher: CollectingDispatcher, codes: list[str], lang: str,
                       sender: Sender) -> None:
    """Where each named proposal stands (unknown codes reveal nothing); the description whole only to
    its submitter and supporters, anyone else reads the public view."""
    for code in codes[:3]:
        view = await proposals.get_proposal(database(), code, sender.channel, sender.external_id)
        if view is None:
            dispatcher.utter_message(response="utter_status_not_found", code=code)
        else:
            ActionCheckStatus.detail(dispatcher, view, lang)


async def _nearby(tracker: Tracker) -> list[str]:
    """Right after the offer to file a complaint, or right after a complaint the bot did not take up: the open
    proposal of its desa and sector most alike ("solokan di Kembang pinuh ku leutak" ... "enya dukung")."""
    from actions.draft import offer_pending, told_before

    offered = tracker.get_slot("offered_text") if offer_pending(tracker) else " ".join(told_before(tracker))
    if not offered:
        return []
    from actions.proposal_form import opening_slots  # the form reads places; status must not import it at load
    from core import kamus, sectors
    from storage import duplicates

    found = opening_slots(offered)
    items = kamus.match(found.get("description") or offered, limit=1)
    sector = items[0].sector if items else sectors.suggest(offered)
    if not (found.get("village_code") and sector):
        return []
    try:
        similar = await duplicates.similar_open_proposals(database(), found["village_code"], sector,
                                                          found.get("description") or offered, limit=1, threshold=0.0)
    except Exception:
        logger.exception("looking up open proposals failed")
        return []
    return [p.code for p in similar]


class ActionSupportProposal(Action):
    def name(self) -> str:
        return "action_support_proposal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # Without a code: the similar proposal the form just offered, if any, or the open proposal of the
        # complaint's desa and sector that is most alike ("I'll support the one that already exists").
        codes = codes_in(tracker) or (tracker.get_slot("similar_codes") or [])[:1] or await _nearby(tracker)
        if not codes:
            dispatcher.utter_message(response="utter_ask_support_code")
            return []
        if not await support(dispatcher, tracker, codes[0]):
            return []
        return [SlotSet("tracking_code", None)]
