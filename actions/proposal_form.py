"""The proposal form: what each answer must look like, and how the bot asks for it.

The first message often says much already ("... jalan rusak di RT 03 RW 05 Desa
Caturtunggal"); the extract methods keep it so the citizen is asked only for what is missing.
Repeated invalid answers get a gentler hint instead of the same question over and over.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import config, database, gazetteer, language, latest_intent, logger, region_name, village_label
from core import answers, kamus, regions, sectors, texts
from storage import duplicates, repo

PATIENCE = 2  # invalid answers in a row before the bot offers a way out


def skip_answer(tracker: Tracker) -> list[EventType] | None:
    """Slot events that skip the optional question being asked, when the message says "none" / "no need".

    The NLU cannot see which question was asked: "gak usah" may come out as `cancel`, "euweuh potona"
    ("no photo") as a question about photos. Actions that handle those intents inside the form ask this first.
    """
    requested = tracker.get_slot("requested_slot")
    if tracker.active_loop_name != "proposal_form" or requested not in answers.SKIPPABLE:
        return None
    if not answers.is_skip(tracker.latest_message.get("text")):
        return None
    return [SlotSet(requested, answers.SKIP), SlotSet("invalid_answers", 0)]


EDITABLE = ("description", "sector", "village_code", "rt_rw")
_EDIT_WORDS = {
    "sector": ("bidang", "sektor"),
    "village_code": ("lokasi", "desa", "kelurahan", "tempat", "alamat"),
    "rt_rw": ("rt", "rw"),
    "description": ("deskripsi", "usulan", "isi", "uraian", "keterangan"),
}
MENU = "menu"  # the sector value of the "another kind" button
_PHOTO_REF = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png|webp)$")


def _is_opening(tracker: Tracker) -> bool:
    """True on the message that opened the form, the only one we mine for extra details."""
    return latest_intent(tracker) == "submit_proposal" and tracker.get_slot("requested_slot") is None


class ValidateProposalForm(FormValidationAction):
    def name(self) -> str:
        return "validate_proposal_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        if not tracker.get_slot("draft_id"):
            # One draft id per form: confirming the same draft twice stores one proposal.
            events.append(SlotSet("draft_id", uuid.uuid4().hex))
        return events

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        """Ask whether to support a similar open proposal, only when there is one."""
        if tracker.slots.get("similar_codes"):
            return list(domain_slots)
        return [slot for slot in domain_slots if slot != "duplicate_choice"]

    async def extract_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict[str, Any]:
        """Look for similar open proposals once what, which sector and where are known.

        Runs on every form turn (an extract hook of an always-required slot) but queries only
        until the answer is stored in `similar_codes` ([] = checked, nothing similar).
        """
        if tracker.slots.get("similar_codes") is not None:
            return {}
        description, sector, village = (tracker.slots.get(s) for s in ("description", "sector", "village_code"))
        if not (description and sector and village):
            return {}
        pin = answers.parse_map_pin(tracker.slots.get("map_pin") or "")
        try:
            similar = await duplicates.similar_open_proposals(
                database(), village, sector, description, item_code=tracker.slots.get("kamus_item"),
                lat=pin[0] if pin else None, lon=pin[1] if pin else None, limit=3,
                exclude_code=tracker.slots.get("fixing_code"))
        except Exception:  # the check helps; it must never block a submission
            logger.exception("similarity check failed")
            return {"similar_codes": []}
        return {"similar_codes": [p.code for p in similar]}

    # --- extraction from the opening message ---
    async def extract_description(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        if not _is_opening(tracker) or tracker.get_slot("description"):
            return {}
        described = answers.description_from_request(tracker.latest_message.get("text") or "")
        return {"description": described} if described else {}

    async def extract_village_code(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        if not _is_opening(tracker) or tracker.get_slot("village_code"):
            return {}
        found = gazetteer().find_in_message(tracker.latest_message.get("text") or "", config().region_code)
        if not found:
            return {}
        if regions.is_ambiguous(found):
            return {"village_candidates": [c.code for c in found[:5]]}
        return {"village_code": found[0].code}

    async def extract_rt_rw(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        if not _is_opening(tracker) or tracker.get_slot("rt_rw"):
            return {}
        parsed = answers.parse_rt_rw(tracker.latest_message.get("text") or "")
        return {"rt_rw": answers.format_rt_rw(*parsed)} if parsed and any(parsed) else {}

    # --- validation ---
    def _invalid(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str,
                 response: str, **values: Any) -> dict[str, Any]:
        dispatcher.utter_message(response=response, **values)
        count = int(tracker.get_slot("invalid_answers") or 0) + 1
        if count >= PATIENCE:
            dispatcher.utter_message(response="utter_still_there")
            count = 0
        return {slot: None, "invalid_answers": count}

    async def validate_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        text = answers.clean_description(str(value or ""))
        if len(text) > answers.DESCRIPTION_MAX_CHARS:
            return self._invalid(dispatcher, tracker, "description", "utter_description_too_long")
        if len(re.findall(r"\w{2,}", text)) < 3 and not sectors.suggest(text):
            return self._invalid(dispatcher, tracker, "description", "utter_description_too_short")
        return {"description": text, "invalid_answers": 0}

    async def validate_sector(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        if value == MENU:  # "another kind": show every sector instead of the kamus items
            return {"sector": None, "kamus_item": None, "show_all_sectors": True}
        code = sectors.parse_choice(str(value or ""))
        if code is None:
            return self._invalid(dispatcher, tracker, "sector", "utter_sector_unknown")
        item = kamus.item(tracker.get_slot("kamus_item") or "")
        # A typed or re-chosen sector drops an item of another sector.
        return {"sector": code, "kamus_item": item.code if item and item.sector == code else None,
                "invalid_answers": 0}

    async def validate_village_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        scope = config().region_code
        g = gazetteer()
        if text in g.by_code and text.startswith(scope + ".") and g.by_code[text].level == 4:
            return {"village_code": text, "village_candidates": None, "invalid_answers": 0}
        found = g.resolve(text, scope)
        if not found:
            result = self._invalid(dispatcher, tracker, "village_code", "utter_village_not_found",
                                   place=text[:60], region_name=region_name())
            return {**result, "village_candidates": None}
        if regions.is_ambiguous(found):
            return {"village_code": None, "village_candidates": [c.code for c in found[:5]]}
        return {"village_code": found[0].code, "village_candidates": None, "invalid_answers": 0}

    async def validate_rt_rw(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        if answers.is_skip(str(value)):
            return {"rt_rw": answers.SKIP, "invalid_answers": 0}
        parsed = answers.parse_rt_rw(str(value or ""))
        if not parsed or not any(parsed):
            return self._invalid(dispatcher, tracker, "rt_rw", "utter_rt_rw_invalid")
        return {"rt_rw": answers.format_rt_rw(*parsed), "invalid_answers": 0}

    async def validate_photo(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        if answers.is_skip(text):
            return {"photo": answers.SKIP, "invalid_answers": 0}
        if _PHOTO_REF.match(text) and (config().media_dir / text).is_file():
            return {"photo": text, "invalid_answers": 0}
        return self._invalid(dispatcher, tracker, "photo", "utter_photo_invalid")

    async def validate_map_pin(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        if answers.is_skip(text):
            return {"map_pin": answers.SKIP, "invalid_answers": 0}
        pin = answers.parse_map_pin(text)
        if pin is None:
            return self._invalid(dispatcher, tracker, "map_pin", "utter_map_pin_invalid")
        if not answers.in_indonesia(*pin):
            return self._invalid(dispatcher, tracker, "map_pin", "utter_map_pin_outside")
        return {"map_pin": f"{pin[0]:.6f},{pin[1]:.6f}", "invalid_answers": 0}

    async def validate_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        if value is True:
            return {"confirmed": True}
        field = self._field_to_edit(tracker)
        if field is None:
            dispatcher.utter_message(response="utter_choose_edit")
            return {"confirmed": None}
        cleared: dict[str, Any] = {field: None, "confirmed": None, "similar_codes": None, "duplicate_choice": None}
        if field == "village_code":
            cleared["village_candidates"] = None
        if field in ("sector", "description"):
            cleared.update({"sector": None, "kamus_item": None, "show_all_sectors": False})
        return cleared

    @staticmethod
    def _field_to_edit(tracker: Tracker) -> str | None:
        for entity in tracker.latest_message.get("entities") or []:
            if entity.get("entity") == "edit_field" and entity.get("value") in EDITABLE:
                return entity["value"]
        words = set(re.findall(r"\w+", (tracker.latest_message.get("text") or "").lower()))
        for field, keys in _EDIT_WORDS.items():
            if words & set(keys):
                return field
        return None


class ActionAskDuplicateChoice(Action):
    """Offer to support the most similar open proposal instead of filing a copy."""

    def name(self) -> str:
        return "action_ask_duplicate_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = language(tracker)
        codes = tracker.get_slot("similar_codes") or []
        best = await repo.get_proposal(database(), codes[0]) if codes else None
        if best is None:
            return [SlotSet("duplicate_choice", "new")]
        dispatcher.utter_message(
            response="utter_ask_duplicate_choice", code=best.code, description=best.description,
            supporters=best.supporters,
            buttons=[{"title": texts.button("support_it", lang, code=best.code),
                      "payload": f'/support_proposal{{"tracking_code":"{best.code}"}}'},
                     {"title": texts.button("new_anyway", lang), "payload": '/inform{"duplicate_choice":"new"}'}])
        return []


class ActionAskSector(Action):
    """The kamus usulan items closest to the description (one tap sets item and sector), else
    the sector buttons with the suggested sector first."""

    def name(self) -> str:
        return "action_ask_sector"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = language(tracker)
        description = tracker.get_slot("description") or ""
        items = [] if tracker.get_slot("show_all_sectors") else kamus.match(description, limit=3)
        if items:
            buttons = [{"title": m.name, "payload": f'/inform{{"sector":"{m.sector}","kamus_item":"{m.code}"}}'}
                       for m in items]
            buttons.append({"title": texts.button("other_sector", lang), "payload": f'/inform{{"sector":"{MENU}"}}'})
            dispatcher.utter_message(response="utter_ask_kamus_item", buttons=buttons)
            return []
        suggested = sectors.suggest(description)
        order = ([suggested] if suggested else []) + [s for s in sectors.SECTORS if s != suggested]
        buttons = [
            {"title": texts.sector_label(code, lang), "payload": f'/inform{{"sector":"{code}"}}'} for code in order
        ]
        if suggested:
            dispatcher.utter_message(response="utter_ask_sector_suggested", buttons=buttons,
                                     sector_label=texts.sector_label(suggested, lang))
        else:
            dispatcher.utter_message(response="utter_ask_sector", buttons=buttons)
        return []


class ActionAskVillageCode(Action):
    """Ask for the place, or offer the candidates when a name matched several villages."""

    def name(self) -> str:
        return "action_ask_village_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        candidates = [c for c in tracker.get_slot("village_candidates") or [] if c in gazetteer().by_code]
        if not candidates:
            dispatcher.utter_message(response="utter_ask_village_code")
            return []
        buttons = [{"title": village_label(code), "payload": f'/inform{{"village_code":"{code}"}}'}
                   for code in candidates]
        dispatcher.utter_message(response="utter_ask_village_choice", buttons=buttons)
        return []


class ActionAskConfirmed(Action):
    """The summary the citizen confirms before anything is stored."""

    def name(self) -> str:
        return "action_ask_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = language(tracker)
        photo = tracker.get_slot("photo")
        pin = tracker.get_slot("map_pin")
        rt_rw = tracker.get_slot("rt_rw")
        sector_label = texts.sector_label(tracker.get_slot("sector") or "lainnya", lang)
        item = kamus.item(tracker.get_slot("kamus_item") or "")
        dispatcher.utter_message(
            response="utter_ask_confirmed",
            description=tracker.get_slot("description") or "-",
            sector_label=f"{sector_label} — {item.name}" if item else sector_label,
            village_label=village_label(tracker.get_slot("village_code")),
            rt_rw_label=rt_rw if rt_rw and rt_rw != answers.SKIP else "-",
            photo_label="✓" if photo and photo != answers.SKIP else "-",
            map_pin_label=pin if pin and pin != answers.SKIP else "-",
        )
        return []
