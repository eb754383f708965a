"""The proposal form: what each answer must look like, and how the bot asks for it.

Every message the citizen sends while the form is open reaches `ValidateProposalForm.run`, which
decides in one place what the message is before it is taken as an answer: a "yes" to "cancel this
draft?", a nudge ("kok diam?"), a status question with a code, a correction of an earlier answer
("eh salah, RT nya 5"), a question about Musrenbang, or "I don't know". Only then is it validated as
the answer to the question asked. The first message often says much already ("... jalan rusak di
RT 03 RW 05 Desa Caturtunggal"); the extract methods keep it so the citizen is asked only for what is
missing. Repeated invalid answers get a gentler hint instead of the same question over and over.
"""

from __future__ import annotations

import functools
import re
import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import pin as pins
from actions import status as status_actions
from actions.common import (
    Sender,
    config,
    database,
    gazetteer,
    language,
    latest_intent,
    logger,
    region_name,
    village_label,
)
from actions.conversation import is_english
from actions.draft import elaborates_offer, has_answers, names_only_a_place, offer_pending, reset_form, told_before
from actions.escalation import ELIGIBILITY_TOPICS, faq_topic
from core import answers, choice, corrections, description, kamus, proposal_rules, regions, sectors, texts
from storage import duplicates, photos, proposals

PATIENCE = 2  # invalid answers in a row before the bot offers a way out
EDIT_NAME_MAX_WORDS = 4  # "ubah lokasi", "RT nya": a part named alone; longer, it must say "change"
CANCEL_MAX_WORDS = 8  # a longer message that corrects something is a correction, whatever it calls off
# Actions that may run between the citizen's message and this validation on the same turn.
_SAME_TURN = {"proposal_form", "action_extract_slots", "validate_proposal_form", "action_listen"}
REQUIRED_HELP = {"description": "utter_help_description", "village_code": "utter_help_village",
                 "sector": "utter_help_sector"}
FAQ_IN_FORM_CONFIDENCE = 0.45
# Questions about who may propose what, which open like a proposal ("bisa usul buat desa lain gak?").
ELIGIBILITY_CONFIDENCE = 0.6  # a question typed where an answer was expected, answered from the FAQ


DETAIL_AT = ("sector", "village_code", "rt_rw", "photo", "map_pin")  # questions where detail may come instead
EDITABLE = ("description", "sector", "village_code", "rt_rw", "photo", "map_pin")
_EDIT_WORDS = {
    "sector": ("bidang", "sektor", "widang", "jenis", "jinis"),
    "village_code": ("lokasi", "desa", "kelurahan", "tempat", "alamat", "panggonan"),
    "rt_rw": ("rt", "rw"),
    "photo": ("foto", "poto", "gambar"),
    "map_pin": ("peta", "titik", "map", "koordinat"),
    "description": ("deskripsi", "usulan", "isi", "uraian", "keterangan"),
}
MENU = sectors.MENU  # the sector value of the "another kind" button
_SUPPORT_WORDS = re.compile(r"\b(?:dukung|mendukung|ndukung|nyengkuyung|sengkuyung|ngadukung|support|gabung|"
                            r"ikut|melu|ngiring|ngiringan|ikutan|itu\s+saja|itu\s+aja|kuwi\s+wae|eta\s+we)\b",
                            re.IGNORECASE)
_NEW_WORDS = re.compile(r"\b(?:baru|anyar|enggal|énggal|tetap|tetep|kirim|kintun|beda|béda|benten|sendiri|"
                        r"dhewe|nyalira|piyambak|new|lain|sanes|séjén)\b", re.IGNORECASE)
# "kirim aja", "simpen wae", "kintunaken", "kirimkeun": at the summary, "send it" is a yes
_SEND = re.compile(r"^\s*(?:(?:ya|iya|oke|ok|nggih|enya|yo)[\s,]+)?(?:kirim\w*|simpan|simpen|kintun\w*|submit|send|"
                   r"ajukan|ajuin|ajokaken|ajukeun)(?:\s+(?:aja|saja|wae|mawon|we|bae|sekarang|dong|min|kak|pak|bu|"
                   r"mas|mbak|ya|nggih|nya))*\s*[.!]*\s*$", re.IGNORECASE)
# The summary asks "Sudah benar?" / "Sampun leres?": its own word back is a yes ("wis", "udah bener")
_DONE = re.compile(r"^\s*(?:sudah|sdh|udah|udh|dah|wis|wes|uwis|uwes|sampun|geus|atos|tos|parantos)"
                   r"(?:\s+(?:benar|bener|betul|leres|cocok|pas|oke|ok|sip|kabeh|semua|sedaya|sadayana|kok|lah|deh|"
                   r"ya|yo|nggih|muhun|enya|min|pak|bu|mas|mbak|kang|teh|dikirim|kirim|kintun))*\s*[.!]*\s*$",
                   re.IGNORECASE)
_QUESTION = answers.QUESTION
_CLAUSE_END = re.compile(r"(?<=[,.!?;])\s*")
_THANKS = re.compile(r"\b(?:terima\s*kasih|makasih|matur\s+(?:nuwun|suwun)|suwun|hatur\s+nuhun|nuhun|thanks?)\b",
                     re.IGNORECASE)


def _declines_besides_asking(text: str) -> bool:
    """A no to an optional question, perhaps after a question on the way ("Apakah titik lokasi itu wajib? Saya
    lewati saja."); a question alone ("engke urang dibere nyaho?") is no "no"."""
    if not _QUESTION.search(text):
        return answers.declines(text)
    statements = [part for part in re.split(r"(?<=[.!?])\s+", text) if part.strip() and not part.rstrip().endswith("?")]
    return any(answers.declines(part) and not _QUESTION.search(part) for part in statements)


_SUBJECT_OF_YES = re.compile(r"^\s*(?:data\w*|isi\w*|semua\w*|kabeh|sedaya|sadayana|usulan\w*)"
                             r"(?:\s+(?:tersebut|itu|ini|kuwi|punika|menika|eta|éta))?\s+", re.IGNORECASE)


def _is_yes(clause: str) -> bool:
    clause = _SUBJECT_OF_YES.sub("", _THANKS.sub("", clause)).strip(" ,.!")  # "data tersebut sudah benar"
    return bool(clause) and bool(choice.is_affirmation(clause) or _SEND.match(clause) or _DONE.match(clause))


def _confirms(text: str, current: str = "") -> bool:
    """A yes at the summary, alone or among words that change nothing: "sampun leres, mbah ngendika matur nuwun",
    "leres, saur Ema hatur nuhun pisan", "bisa dirobah teu engkena? heug, bener" (a question asked on the way),
    "Ya, sudah benar. Usulannya posyandu, bukan perpustakaan." (what the draft, `current`, already says)."""
    text = " ".join(part for part in re.split(r"(?<=[.!?])\s+", text)
                    if not (current and corrections.MARKER.search(part) and corrections.already_says(part, current)))
    if _is_yes(text):
        return True
    clauses = [c for c in _CLAUSE_END.split(text) if c.strip()]
    statements = [c for c in clauses if not c.rstrip().endswith("?")]
    return any(_is_yes(c) for c in statements) and not any(
        corrections.MARKER.search(c) or answers.declines(c) or answers.is_cancel(c, long_ok=True)
        for c in statements if not _is_yes(c))


def _opening_text(tracker: Tracker) -> str | None:
    """The message that opened the form, the only one mined for extra details: the request itself, or
    the complaint the bot offered to turn into a proposal ("jalan depan rumah rusak" → "ya, ajukan")."""
    if tracker.get_slot("requested_slot") is not None:
        return None
    offered = tracker.get_slot("offered_text")
    current = tracker.latest_message.get("text") or ""
    if offered and offer_pending(tracker):
        # "ya" takes the complaint as it was; more detail after the offer ("pengen dibikinin saluran yg lebih
        # gede") is added to it.
        if elaborates_offer(current):
            return f"{offered.rstrip(' .')}. {current}"
        return offered
    if latest_intent(tracker) == "submit_proposal" or description.wants_to_propose(current) \
            or names_only_a_place(current):
        return _with_what_was_told(tracker, current)
    return None


# "aku arep usul kreteg kuwi": a request that points back at what the citizen said just before
_REFERS_BACK = re.compile(r"\b(?:itu|tadi|td|tersebut|kuwi|iku|kae|niku|menika|punika|kasebut|wau|eta|éta|"
                          r"nu\s+tadi|ingkang\s+wau)\b", re.IGNORECASE)


def _with_what_was_told(tracker: Tracker, request: str) -> str:
    """The request, after the story told in the one or two messages before it that the bot did not take up
    ("kreteg cilik neng dusunku wis keropos" ... "aku arep usul kreteg kuwi"), when it is short or points back."""
    described = description.from_opening(request, is_place)
    if described and len(described.split()) >= description.DETAIL_WORDS and not _REFERS_BACK.search(request):
        return request
    told = told_before(tracker)
    if not told:
        return request
    return " ".join(t if t[-1] in ".!?" else f"{t}." for t in [*told, request])


def _actions_this_turn(tracker: Tracker) -> list[str]:
    """The actions that ran since the citizen's latest message, latest first."""
    names: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "action":
            names.append(event.get("name"))
    return names


def _fresh_user_turn(tracker: Tracker) -> bool:
    """True when the latest user message has not been handled by another action yet (an FAQ answer,
    "help"...): the form then resumes and must not read that message a second time."""
    if not any(event.get("event") == "user" for event in tracker.events):
        return False
    return all(name in _SAME_TURN for name in _actions_this_turn(tracker))


def _ran_this_turn(tracker: Tracker, action: str) -> bool:
    return action in _actions_this_turn(tracker)


def is_place(name: str) -> bool:
    """Whether a name after "desa"/"kec." in a description is a place the gazetteer knows."""
    return bool(gazetteer().resolve(name, config().region_code[:2]))


def opening_slots(text: str) -> dict[str, Any]:
    """What a message that opens a proposal already says: what, where, which RT/RW."""
    return dict(_opening_slots(text, config().region_code))


@functools.lru_cache(maxsize=256)
def _opening_slots(text: str, region: str) -> dict[str, Any]:
    """Read once per message: the form's extract hooks and checks all ask on the same turn."""
    found: dict[str, Any] = {"original_text": text[: description.MAX_CHARS]}
    described = description.from_opening(text, is_place)
    if described:
        found["description"] = described
    places = gazetteer().find_in_message(text, region)
    elsewhere = regions.elsewhere_in_message(gazetteer(), text, region, places)
    if elsewhere is not None:
        found["elsewhere"] = elsewhere  # not a slot: the form says where it is and asks for a place here
    elif places:
        if regions.is_ambiguous(places):
            found["village_candidates"] = [c.code for c in places[:5]]
        else:
            found["village_code"] = places[0].code
    parsed = answers.parse_rt_rw(text)
    if parsed and any(parsed):
        found["rt_rw"] = answers.format_rt_rw(*parsed)
    return found


def _without_rt_rw(text: str, tracker: Tracker) -> tuple[str, dict[str, Any]]:
    """The answer without an RT/RW given along with it, and that RT/RW as a slot when none is set yet."""
    parsed = answers.parse_rt_rw(text)
    if not parsed or not any(parsed):
        return text, {}
    rest = description.strip_rt_rw(text)
    return rest or text, ({} if tracker.get_slot("rt_rw") else {"rt_rw": answers.format_rt_rw(*parsed)})


def _shown_items(tracker: Tracker) -> list[kamus.Match]:
    """The kamus items the sector question offers (the same call as ActionAskSector makes)."""
    if tracker.get_slot("show_all_sectors"):
        return []
    return kamus.match(tracker.get_slot("description") or "", limit=3)


def _shown_sectors(tracker: Tracker) -> list[str]:
    suggested = sectors.suggest(tracker.get_slot("description") or "")
    return ([suggested] if suggested else []) + [s for s in sectors.SECTORS if s != suggested]


def _keep_the_end(events: list[EventType]) -> list[EventType]:
    """A validation that ends the form (requested_slot None: "support the existing one" at the duplicate question or
    the summary) stays ended: rasa_sdk appends the next missing slot after it when required_slots is overridden,
    and the form would start again at "what is needed?" with the draft just cleared."""
    end = next((i for i, e in enumerate(events)
                if e.get("event") == "slot" and e.get("name") == "requested_slot" and e.get("value") is None), None)
    if end is None:
        return events
    return [e for i, e in enumerate(events) if i <= end or e.get("name") != "requested_slot"]


class ValidateProposalForm(FormValidationAction):
    def name(self) -> str:
        return "validate_proposal_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        before: list[EventType] = []
        if requested is None and _fresh_user_turn(tracker) and self._asks_may_i(dispatcher, tracker):
            return self._end()
        if requested is None and _fresh_user_turn(tracker) and not offer_pending(tracker) \
                and answers.asks_own_proposals(tracker.latest_message.get("text") or ""):
            # "usulan kula ingkang sampun kula kirim menapa kemawon?" reads like a request to propose
            return [*await status_actions.ActionCheckStatus().run(dispatcher, tracker, domain), *self._end()]
        if requested and _ran_this_turn(tracker, "utter_language_switched"):
            return self._reask(requested)  # "aku nganggo boso Jowo wae yo" asked for a language, not an answer
        if requested and _fresh_user_turn(tracker):
            handled, before = await self._interpret(dispatcher, tracker, requested)
            if handled is not None:
                return [*before, *handled]
        extraction = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extraction)
        events = _keep_the_end(await self._extract_validation_events(dispatcher, tracker, domain))
        elsewhere = self._opens_elsewhere(dispatcher, tracker)
        if elsewhere:
            events = [e for e in events if e.get("name") != "requested_slot"] + elsewhere
        # rasa_sdk keeps only required slots; the extract hooks also find candidates and similar proposals.
        validated = {e.get("name") for e in events if e.get("event") == "slot"}
        extras = [e for e in extraction if e.get("name") not in validated]
        events = [*before, *extras, *events]
        if not tracker.get_slot("draft_id"):
            # One draft id per form: confirming the same draft twice stores one proposal.
            events.append(SlotSet("draft_id", uuid.uuid4().hex))
        return events

    @staticmethod
    def _opens_elsewhere(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """A proposal opened for a place in another kabupaten: say where it is and whom to ask, at once, and ask
        for a place here (the rest of what was said is kept, should the citizen have one)."""
        opening = _opening_text(tracker)
        place = opening_slots(opening).get("elsewhere") if opening and not tracker.get_slot("village_code") else None
        if place is None:
            return []
        dispatcher.utter_message(response="utter_village_outside_region", place=place.name,
                                 kabupaten=place.kabupaten.title(), region_name=region_name())
        return [SlotSet("requested_slot", "village_code")]

    # --- what a message inside the form is, before it is an answer ---
    async def _interpret(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                         requested: str) -> tuple[list[EventType] | None, list[EventType]]:
        """(events that end this turn, or None to validate the message as an answer; events to keep)."""
        text = (tracker.latest_message.get("text") or "").strip()
        intent = latest_intent(tracker)
        keep: list[EventType] = []
        # "Sidomulyo" reads to the NLU like "sido" (going ahead / calling off): a message that answers the
        # question asked is an answer, whatever intent it got.
        answers_it = not text.startswith("/") and self._answers_question(tracker, requested, text)
        if tracker.get_slot("cancel_pending"):
            if (intent in ("affirm", "cancel") and not answers_it) or choice.is_affirmation(text) \
                    or answers.is_cancel(text, long_ok=True):
                dispatcher.utter_message(response="utter_proposal_cancelled")  # "yes", or the cancel said again
                return self._end(), keep
            keep.append(SlotSet("cancel_pending", False))
            if intent == "deny" or answers.is_skip(text):
                dispatcher.utter_message(response="utter_continue_form")
                return self._reask(requested), keep
        instead = description.replaced_need(text, is_place) if requested != "description" else None
        if instead:  # "eh kagak jadi dah taman. yang lebih penting tuh bak sampah ...": the new need, the rest kept
            return self._replace_need(dispatcher, tracker, requested, instead, text), keep
        # "ora sida gawe anyar, ndukung sing wis ana wae": not filing a new one, to support the existing one
        supports = requested in ("confirmed", "duplicate_choice") and bool(_SUPPORT_WORDS.search(text))
        # "Mohon maaf, saya ralat ... yang lebih mendesak adalah X. Usulan perpustakaan tidak jadi.": one part is
        # called off and another put in its place: a correction, not the end of the proposal
        replaces = len(text.split()) > CANCEL_MAX_WORDS and corrections.find(text, requested) is not None
        cancels = answers.is_cancel(text, long_ok=requested != "description") and not supports and not replaces
        if requested in answers.SKIPPABLE and not cancels and (answers.is_skip(text) or (
                _declines_besides_asking(text) and corrections.find(text, requested) is None)):
            # "gak usah" to an optional question skips it, whatever the NLU made of it: set here too, as the slot's
            # text mapping ignores some intents ("gk usah, nanti petugas kesana aja" reads as request_human).
            keep += [SlotSet(requested, answers.SKIP), SlotSet("invalid_answers", 0)]
            return None, keep
        if (intent == "cancel" and not supports and not answers_it) or cancels or answers.is_just_asking(text):
            return self._cancel(dispatcher, tracker, requested), keep
        if text.startswith("/"):
            return None, keep  # a button: its payload is the answer
        if answers.is_nudge(text):
            dispatcher.utter_message(response="utter_still_here")
            return self._reask(requested), keep
        codes = status_actions.codes_in(tracker)
        if codes and intent in ("check_status", "nlu_fallback", "out_of_scope", "faq") and requested != "description":
            await status_actions.answer_codes(dispatcher, codes, language(tracker), Sender.of(tracker))
            dispatcher.utter_message(response="utter_back_to_form")
            return self._reask(requested), keep
        if requested not in ("description", "confirmed") and intent in ("check_status", "nlu_fallback", "faq") \
                and answers.asks_own_proposals(text):
            # "usulan saya yang kemarin gimana?" in the middle of a new one: list them, then go on here
            await status_actions.ActionCheckStatus().run(dispatcher, tracker, {})
            dispatcher.utter_message(response="utter_back_to_form")
            return self._reask(requested), keep
        fix = corrections.find(text, requested, lambda t: gazetteer().resolve(t, config().region_code))
        if fix is not None and fix.field == "description" \
                and corrections.already_says(text, tracker.get_slot("description") or ""):
            fix = None  # "Ya, sudah benar. Usulannya posyandu, bukan perpustakaan." after it was changed to that
        if fix is not None:
            return self._apply(dispatcher, tracker, requested, fix), keep
        if requested in REQUIRED_HELP and answers.is_dont_know(text):
            dispatcher.utter_message(response=REQUIRED_HELP[requested])
            return self._reask(requested), keep
        merged = self._added_detail(tracker, requested, text)
        if merged is not None:
            original = tracker.get_slot("original_text") or ""
            keep += [SlotSet("description", merged),
                     SlotSet("original_text", f"{original}\n{text}"[-description.MAX_CHARS:].strip())]
            # A sector named by the story is guessed again from the fuller description, with its kamus items.
            answered = self._answers_question(tracker, requested, text) if requested != "sector" else \
                choice.pick(text, [m.title(language(tracker)) for m in _shown_items(tracker)]) is not None
            if not answered and not (requested == "village_code"
                                     and gazetteer().find_in_message(text, config().region_code)):
                dispatcher.utter_message(response="utter_detail_added")
                return self._reask(requested), keep
            return None, keep
        if self._answers_question(tracker, requested, text):
            return None, keep
        if intent == "faq" or (requested != "description" and _QUESTION.search(text)):
            topic = faq_topic(tracker.latest_message, FAQ_IN_FORM_CONFIDENCE)
            if topic and requested == "confirmed" and _confirms(text, tracker.get_slot("description") or ""):
                # "Apakah nanti masih bisa diubah? Baiklah, data tersebut sudah benar.": answered, and sent
                dispatcher.utter_message(response=f"utter_{topic}")
                return [SlotSet("confirmed", True)], keep
            if topic:
                dispatcher.utter_message(response=f"utter_{topic}")
                dispatcher.utter_message(response="utter_back_to_form")
                return self._reask(requested), keep
        if intent == "help":
            dispatcher.utter_message(response="utter_help_in_form")
            return self._reask(requested), keep
        return None, keep

    @staticmethod
    def _asks_may_i(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        """ "Boleh usul untuk desa mertua, bisa gak?" reads like a request to propose but asks whether one
        may: answer it from the FAQ instead of opening the form."""
        text = tracker.latest_message.get("text") or ""
        if latest_intent(tracker) != "submit_proposal" or not _QUESTION.search(text) \
                or tracker.get_slot("offered_text"):
            return False
        topic = faq_topic(tracker.latest_message, ELIGIBILITY_CONFIDENCE)
        if topic not in ELIGIBILITY_TOPICS:
            return False
        if description.wants_to_propose(text) and sectors.suggest(description.substance(text)):
            return False  # "mau ngusulin soal sampah bisa?": the need is named, the form is the yes
        dispatcher.utter_message(response=f"utter_{topic}")
        return True

    def _cancel(self, dispatcher: CollectingDispatcher, tracker: Tracker, requested: str) -> list[EventType]:
        """ "batal": a draft that holds answers is thrown away only after one "are you sure?"."""
        if has_answers(tracker):
            dispatcher.utter_message(response="utter_confirm_cancel")
            return [*self._reask(requested), SlotSet("cancel_pending", True)]
        dispatcher.utter_message(response="utter_proposal_cancelled")
        return self._end()

    @staticmethod
    def _answers_question(tracker: Tracker, requested: str, text: str) -> bool:
        """A question mark can end a real answer ("RT 3 RW 5?", "yang pertama?")."""
        if requested == "rt_rw":
            parsed = answers.parse_rt_rw(text)
            return bool(parsed and any(parsed))
        if requested == "village_code":
            candidates = tracker.get_slot("village_candidates") or []
            return bool(gazetteer().resolve(text, config().region_code)) or choice.pick(
                text, [gazetteer().name_of(c) for c in candidates]) is not None
        if requested == "map_pin":
            return answers.parse_map_pin(text) is not None
        if requested == "sector":
            titles = [m.title(language(tracker)) for m in _shown_items(tracker)]
            return choice.pick(text, titles) is not None or sectors.parse_choice(text) is not None \
                or sectors.wants_menu(text)
        if requested == "confirmed":
            return choice.is_affirmation(text)
        if requested == "duplicate_choice":
            return choice.is_affirmation(text) or bool(_SUPPORT_WORDS.search(text) or _NEW_WORDS.search(text))
        return False

    @staticmethod
    def _added_detail(tracker: Tracker, requested: str, text: str) -> str | None:
        """What the citizen tells about the need at another question is part of the proposal, not lost."""
        if requested not in DETAIL_AT or text.startswith("/") or _QUESTION.search(text) or "?" in text:
            return None  # "aya pilihan drainase? nya eta drainase" asks and answers; it tells nothing new
        return description.added_detail(tracker.get_slot("description") or "", text, is_place)

    @staticmethod
    def _reask(requested: str) -> list[EventType]:
        """Leave the question unanswered, so the form asks it again."""
        return [SlotSet(requested, None), SlotSet("requested_slot", requested)]

    @staticmethod
    def _end() -> list[EventType]:
        """Close the form with nothing stored (the submit rule finds no confirmation and only clears)."""
        return [*reset_form(), SlotSet("requested_slot", None)]

    def _apply(self, dispatcher: CollectingDispatcher, tracker: Tracker, requested: str,
               fix: corrections.Correction) -> list[EventType]:
        """Change only the field the correction names, say what changed, and go on where we were."""
        lang = language(tracker)
        changed: dict[str, Any] = {"similar_codes": None, "duplicate_choice": None, "invalid_answers": 0}
        label = texts.field_label(fix.field, lang)
        if fix.field == "rt_rw" and fix.value:
            rt, rw = fix.value
            old = answers.parse_rt_rw(tracker.get_slot("rt_rw") or "") or (None, None)
            new_rt_rw = answers.format_rt_rw(rt or old[0], rw or old[1])
            changed["rt_rw"] = new_rt_rw
            dispatcher.utter_message(response="utter_changed", field_label=label, value=new_rt_rw)
        elif fix.field == "village_code" and fix.value:
            found: list[regions.Candidate] = fix.value
            if regions.is_ambiguous(found) or found[0].score < regions.WEAK_SCORE:
                changed.update({"village_code": None, "village_candidates": [c.code for c in found[:5]]})
                return self._continue(requested, changed, "village_code")
            changed.update({"village_code": found[0].code, "village_candidates": None})
            dispatcher.utter_message(response="utter_changed", field_label=label,
                                     value=village_label(found[0].code, lang))
        else:  # the field is named without its new value: ask it again
            changed[fix.field] = None
            if fix.field == "village_code":
                changed["village_candidates"] = None
            if fix.field in ("sector", "description"):
                changed.update({"sector": None, "kamus_item": None, "show_all_sectors": False})
            dispatcher.utter_message(response="utter_change_field", field_label=label)
            return self._continue(requested, changed, fix.field)
        return self._continue(requested, changed, requested)

    def _replace_need(self, dispatcher: CollectingDispatcher, tracker: Tracker, requested: str, need: str,
                      text: str) -> list[EventType]:
        """The need named in place of the first: a new description, its kind asked again, every other answer kept."""
        original = f"{tracker.get_slot('original_text') or ''}\n{text}"[-description.MAX_CHARS:].strip()
        changed: dict[str, Any] = {"description": need, "original_text": original, "sector": None, "kamus_item": None,
                                   "show_all_sectors": False, "similar_codes": None, "duplicate_choice": None,
                                   "invalid_answers": 0}
        label = texts.field_label("description", language(tracker))
        dispatcher.utter_message(response="utter_changed", field_label=label, value=need)
        # at the summary the kind is asked first; elsewhere the question goes on, and the form asks the kind after it
        return self._continue(requested, changed, "sector" if requested == "confirmed" else requested)

    @staticmethod
    def _continue(requested: str, changed: dict[str, Any], ask: str) -> list[EventType]:
        events = [SlotSet(slot, value) for slot, value in changed.items()]
        if requested not in changed:
            events.append(SlotSet(requested, None))
        if requested == "confirmed" or ask != requested:
            events.append(SlotSet("confirmed", None))
        if ask == requested and changed.get(requested) is not None:
            return events  # the correction answered the question asked ("X... eh lain, Y"): go on to the next
        return [*events, SlotSet("requested_slot", ask)]

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
        description_, sector, village = (tracker.slots.get(s) for s in ("description", "sector", "village_code"))
        # Extract hooks run before validation: "Margi / jalan" typed at the sector question is not yet `jalan`,
        # and a check with it would find nothing and never run again.
        if not (description_ and sector in sectors.SECTORS and village in gazetteer().by_code):
            return {}
        pin = answers.parse_map_pin(tracker.slots.get("map_pin") or "")
        try:
            similar = await duplicates.similar_open_proposals(
                database(), village, sector, description_, item_code=tracker.slots.get("kamus_item"),
                lat=pin[0] if pin else None, lon=pin[1] if pin else None, limit=3,
                exclude_code=tracker.slots.get("fixing_code"))
        except Exception:  # the check helps; it must never block a submission
            logger.exception("similarity check failed")
            return {"similar_codes": []}
        return {"similar_codes": [p.code for p in similar]}

    # --- extraction from the opening message ---
    async def extract_description(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        opening = _opening_text(tracker)
        if not opening or tracker.get_slot("description"):
            return {}
        found = opening_slots(opening)
        return {k: v for k, v in found.items() if k in ("description", "original_text")}

    async def extract_village_code(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        opening = _opening_text(tracker)
        if not opening or tracker.get_slot("village_code"):
            return {}
        found = opening_slots(opening)
        return {k: v for k, v in found.items() if k in ("village_code", "village_candidates")}

    async def extract_rt_rw(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        opening = _opening_text(tracker)
        if not opening or tracker.get_slot("rt_rw"):
            return {}
        parsed = answers.parse_rt_rw(opening)  # "Saya Ketua RT 05 ...": an RT alone leaves the question asked
        return {"rt_rw": answers.format_rt_rw(*parsed)} if parsed and all(parsed) else {}

    # --- validation ---
    def _invalid(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str,
                 response: str, **values: Any) -> dict[str, Any]:
        """A hint; after repeated misses the way on: an optional question is left for the officer, the sector is
        taken as suggested (the summary still lets the citizen change it), else the ways out are named."""
        count = int(tracker.get_slot("invalid_answers") or 0) + 1
        if count >= PATIENCE and slot in answers.SKIPPABLE:
            dispatcher.utter_message(response="utter_skipped_for_now")
            return {slot: answers.SKIP, "invalid_answers": 0}
        if count >= PATIENCE and slot == "sector":
            told = tracker.get_slot("description") or ""
            items = kamus.match(told, limit=1)  # as the offer guessed it: the kamus first, then the keywords
            code = items[0].sector if items else sectors.suggest(told) or "lainnya"
            dispatcher.utter_message(response="utter_sector_for_now",
                                     sector_label=texts.sector_label(code, language(tracker)))
            return self._sector(tracker, code, None)
        dispatcher.utter_message(response=response, **values)
        if count >= PATIENCE:
            dispatcher.utter_message(response="utter_still_there")
            count = 0
        return {slot: None, "invalid_answers": count}

    async def validate_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        raw = str(value or "")
        if tracker.get_slot("requested_slot") != "description":  # prefilled (opening, fix): already clean
            text = answers.clean_description(raw)
            original = tracker.get_slot("original_text")
        else:
            text = description.substance(raw, is_place) or answers.clean_description(raw)
            topic = description.topic(tracker.get_slot("original_text") or "", is_place)
            text = description.with_topic(topic, text)  # "usul air bersih" + "sumur kering tiap kemarau"
            original = (f"{tracker.get_slot('original_text')}\n{raw}" if topic else raw)[: description.MAX_CHARS]
        if len(text) > description.MAX_CHARS:
            return self._invalid(dispatcher, tracker, "description", "utter_description_too_long")
        _, rt_rw = _without_rt_rw(raw, tracker)
        if len(re.findall(r"\w{2,}", text)) < 3 and not sectors.suggest(text) and not kamus.match(text, limit=1):
            return self._invalid(dispatcher, tracker, "description", "utter_description_too_short")
        return {**rt_rw, "description": text, "original_text": original, "invalid_answers": 0}

    async def validate_sector(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        typed = str(value or "")
        shown = _shown_items(tracker)
        if value == MENU or sectors.wants_menu(typed):
            if not shown and tracker.get_slot("requested_slot") == "sector" and value != MENU:
                return self._sector(tracker, "lainnya", None)  # "yang lain" at the list of sectors: "Lainnya"
            return {"sector": None, "kamus_item": None, "show_all_sectors": True, "invalid_answers": 0}
        item = kamus.item(tracker.get_slot("kamus_item") or "")
        if typed in sectors.SECTORS:  # a button (with its item) or a prefilled answer
            return self._sector(tracker, typed, item)
        lang = language(tracker)
        chosen = choice.pick(typed, [m.title(lang) for m in shown]) if shown else None
        if chosen is None and shown and lang != "id":  # the Indonesian title, copied from a form or a poster
            chosen = choice.pick(typed, [m.name for m in shown])
        named = sectors.parse_choice(typed) if len(re.findall(r"\w+", typed)) == 1 else None
        if chosen is not None and named and named != shown[chosen].sector:
            return self._sector(tracker, named, None)  # "lingkungan" names a sector, not "jalan lingkungan"
        if chosen is not None:
            return {"sector": shown[chosen].sector, "kamus_item": shown[chosen].code, "invalid_answers": 0}
        if not shown:
            order = _shown_sectors(tracker)
            chosen = choice.pick(typed, [texts.sector_label(code, lang) for code in order])
            if chosen is not None:
                return self._sector(tracker, order[chosen], None)
        code = sectors.parse_choice(typed)
        if code is None:
            return self._invalid(dispatcher, tracker, "sector", "utter_sector_unknown")
        return self._sector(tracker, code, item)

    @staticmethod
    def _sector(tracker: Tracker, code: str, item: kamus.Match | None) -> dict[str, Any]:
        """The sector, with the kamus item kept when it belongs to it, else the description's closest item
        of that sector (SIPD files every proposal under an item; the officer can still change it)."""
        if not (item and item.sector == code):
            item = next((m for m in kamus.match(tracker.get_slot("description") or "", limit=10)
                         if m.sector == code), None)
        return {"sector": code, "kamus_item": item.code if item else None, "invalid_answers": 0}

    async def validate_village_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        text, rt_rw = _without_rt_rw(str(value or "").strip(), tracker)
        answered = pins.answer_pin_place(tracker, text)  # "Lokasi Anda di Desa X — benar?"
        if answered is None:
            answered = pins.typed_pin(dispatcher, tracker, text)  # "-7.7366, 110.4353" for the desa
        if answered is not None:
            return answered
        place = pins.typed_place(dispatcher, tracker, await self._village(text, dispatcher, tracker))
        return {**rt_rw, **place} if place.get("village_code") or place.get("village_candidates") else place

    async def _village(self, text: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        scope = config().region_code
        g = gazetteer()
        if text in g.by_code and text.startswith(scope + ".") and g.by_code[text].level == 4:
            return {"village_code": text, "village_candidates": None, "invalid_answers": 0}
        offered = [c for c in tracker.get_slot("village_candidates") or [] if c in g.by_code]
        if offered:
            chosen = choice.pick(text, [village_label(c, language(tracker)) for c in offered])
            if chosen is None:
                chosen = choice.pick(text, [g.name_of(c) for c in offered])
            if chosen is not None:
                return {"village_code": offered[chosen], "village_candidates": None, "invalid_answers": 0}
        found = regions.place_answer(g, text, scope)
        if found.villages and not found.confirm and not regions.is_ambiguous(found.villages):
            return {"village_code": found.villages[0].code, "village_candidates": None, "invalid_answers": 0}
        if found.villages:  # several, a weak match, a kecamatan or a short name: let the citizen pick
            return {"village_code": None, "village_candidates": [c.code for c in found.villages[:12]],
                    "invalid_answers": 0}
        if found.elsewhere:
            place = found.elsewhere
            dispatcher.utter_message(response="utter_village_outside_region", place=place.name,
                                     kabupaten=place.kabupaten.title(), region_name=region_name())
            return {"village_code": None, "village_candidates": None}
        result = self._invalid(dispatcher, tracker, "village_code", "utter_village_not_found",
                               place=text[:60], region_name=region_name())
        return {**result, "village_candidates": None}

    async def validate_rt_rw(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        text = str(value or "")
        if answers.for_the_whole_area(text):
            return {"rt_rw": answers.SKIP, "invalid_answers": 0}
        parsed = answers.parse_rt_rw(text)
        # "engke urang dibere nyaho?" asks something ("engke" = later): a question is not a "no"
        if (not parsed or not any(parsed)) and ((answers.declines(text) and not _QUESTION.search(text))
                                                or answers.is_dont_know(text)):
            return {"rt_rw": answers.SKIP, "invalid_answers": 0}
        if not parsed or not any(parsed):
            return self._invalid(dispatcher, tracker, "rt_rw", "utter_rt_rw_invalid")
        return {"rt_rw": answers.format_rt_rw(*parsed), "invalid_answers": 0}

    async def validate_photo(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        if answers.declines(text):
            return {"photo": answers.SKIP, "invalid_answers": 0}
        if proposal_rules.photo_ref_ok(text, photos.store_of(config())):
            if tracker.get_slot("requested_slot") == "photo":
                dispatcher.utter_message(response="utter_photo_received")
            return {"photo": text, "invalid_answers": 0}
        return self._invalid(dispatcher, tracker, "photo", "utter_photo_invalid")

    async def validate_map_pin(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        pin = answers.parse_map_pin(text)
        if pin is None and answers.declines(text):
            return {"map_pin": answers.SKIP, "invalid_answers": 0}
        if pin is None:
            return self._invalid(dispatcher, tracker, "map_pin", "utter_map_pin_invalid")
        if not answers.in_indonesia(*pin):
            return self._invalid(dispatcher, tracker, "map_pin", "utter_map_pin_outside")
        placed = pins.check_pin(dispatcher, tracker, pin)  # its desa, or where it is outside the kabupaten
        if placed is not None:
            return placed
        return {"map_pin": f"{pin[0]:.6f},{pin[1]:.6f}", "invalid_answers": 0}

    async def validate_duplicate_choice(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> dict[str, Any]:
        """Support the similar proposal ("dukung", "iya yg itu", "1") or file this one anyway ("baru", "2")."""
        text = str(value or "").strip()
        if value == "new":
            return {"duplicate_choice": "new", "invalid_answers": 0}
        codes = tracker.get_slot("similar_codes") or []
        lang = language(tracker)
        titles = [texts.button("support_it", lang, code=codes[0] if codes else ""), texts.button("new_anyway", lang)]
        chosen = choice.pick(text, titles)
        if chosen is None and _NEW_WORDS.search(text) and not _SUPPORT_WORDS.search(text):
            chosen = 1
        elif chosen is None and (_SUPPORT_WORDS.search(text) or choice.is_affirmation(text)
                                 or latest_intent(tracker) in ("affirm", "support_proposal")):
            chosen = 0
        elif chosen is None and (latest_intent(tracker) == "deny" or answers.is_skip(text)):
            chosen = 1
        if chosen == 1:
            return {"duplicate_choice": "new", "invalid_answers": 0}
        if chosen == 0 and codes:
            if await status_actions.support(dispatcher, tracker, codes[0]):
                return {**{e["name"]: e["value"] for e in reset_form()}, "requested_slot": None}
            return {"duplicate_choice": "new", "invalid_answers": 0}
        return self._invalid(dispatcher, tracker, "duplicate_choice", "utter_duplicate_choice_unclear")

    async def validate_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        intent = latest_intent(tracker)
        text = tracker.latest_message.get("text") or ""
        codes = tracker.get_slot("similar_codes") or []
        if _SUPPORT_WORDS.search(text) and not text.startswith("/"):
            # "saya dukung yang sudah ada saja" at the summary: support the similar one, file nothing.
            if codes and await status_actions.support(dispatcher, tracker, codes[0]):
                return {**{e["name"]: e["value"] for e in reset_form()}, "requested_slot": None}
            nearby = await self._open_nearby(tracker)
            if nearby:  # none looked alike enough to offer unasked; now that the citizen asks, offer the closest
                return {"similar_codes": nearby, "duplicate_choice": None, "confirmed": None,
                        "requested_slot": "duplicate_choice"}
        if value is True or (intent == "affirm" and not self._field_to_edit(tracker)) \
                or (not text.startswith("/") and _confirms(text, tracker.get_slot("description") or "")):
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
    async def _open_nearby(tracker: Tracker) -> list[str]:
        """Open proposals of the draft's desa and sector, most alike first, however little alike."""
        village, sector = tracker.get_slot("village_code"), tracker.get_slot("sector")
        if not (village and sector):
            return []
        try:
            found = await duplicates.similar_open_proposals(
                database(), village, sector, tracker.get_slot("description") or sector,
                item_code=tracker.get_slot("kamus_item"), limit=3, threshold=0.0,
                exclude_code=tracker.get_slot("fixing_code"))
        except Exception:
            logger.exception("looking up open proposals failed")
            return []
        return [p.code for p in found]

    @staticmethod
    def _field_to_edit(tracker: Tracker) -> str | None:
        for entity in tracker.latest_message.get("entities") or []:
            if entity.get("entity") == "edit_field" and entity.get("value") in EDITABLE:
                return entity["value"]
        text = tracker.latest_message.get("text") or ""
        words = set(re.findall(r"\w+", text.lower()))
        if len(words) > EDIT_NAME_MAX_WORDS and not answers.asks_to_change(text):
            return None  # "menawi usulan sampun dipun tampi, salajengipun kados pundi?" names no part to change
        for field, keys in _EDIT_WORDS.items():
            if words & set(keys):
                return field
        return None


class ActionOfferProposal(Action):
    """A plain statement of a local problem ("jalan depan rumah rusak"): offer to make it a proposal,
    with the sector already guessed. The complaint is kept to open the form with."""

    def name(self) -> str:
        return "action_offer_proposal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        if tracker.latest_message.get("language") == "other" and is_english(text):
            dispatcher.utter_message(response="utter_english_offer")
            return [SlotSet("offered_text", text[: description.MAX_CHARS])]
        # A second complaint while the first offer stands ("taman di dusun Sambisari", then "kumuh pisan, pinuh
        # ku jukut"): the citizen is still telling the same story, and both parts are kept.
        earlier = tracker.get_slot("offered_text") if offer_pending(tracker) else None
        if not earlier and description.is_about_the_writer(description.substance(text, is_place) or text):
            # "Selamat pagi. Saya dari komite sekolah SD Negeri Jetis.": who writes, no problem yet: welcome them
            dispatcher.utter_message(response="utter_greet")
            return []
        told = f"{earlier.rstrip(' .')}. {text}" if earlier and text not in earlier else text
        found = opening_slots(told)
        items = kamus.match(found.get("description") or told, limit=1)
        sector = items[0].sector if items else sectors.suggest(told) or "lainnya"
        dispatcher.utter_message(response="utter_offer_proposal",
                                 sector_label=texts.sector_label(sector, language(tracker)).lower())
        return [SlotSet("offered_text", told[: description.MAX_CHARS])]


class ActionAskDuplicateChoice(Action):
    """Offer to support the most similar open proposal instead of filing a copy."""

    def name(self) -> str:
        return "action_ask_duplicate_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = language(tracker)
        codes = tracker.get_slot("similar_codes") or []
        best = None
        try:
            best = await proposals.get_proposal(database(), codes[0]) if codes else None
        except Exception:
            logger.exception("loading the similar proposal failed")
        if best is None:  # never a silent turn: go straight on to the summary
            return [SlotSet("duplicate_choice", "new"), SlotSet("requested_slot", "confirmed"),
                    *await ActionAskConfirmed().run(dispatcher, tracker, domain)]
        dispatcher.utter_message(
            response="utter_ask_duplicate_choice", code=best.code, description=best.description,
            supporters=best.supporters,
            buttons=[{"title": texts.button("support_it", lang, code=best.code),
                      "payload": f'/support_proposal{{"tracking_code":"{best.code}"}}'},
                     {"title": texts.button("new_anyway", lang), "payload": '/inform{"duplicate_choice":"new"}'}])
        return []


class ActionAskDescription(Action):
    """What is needed; when the opening named only a topic ("usul air bersih"), the question names it too."""

    def name(self) -> str:
        return "action_ask_description"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        topic = description.topic(tracker.get_slot("original_text") or "", is_place)
        if topic:
            dispatcher.utter_message(response="utter_ask_description_topic", topic=topic.lower())
        else:
            dispatcher.utter_message(response="utter_ask_description")
        return []


class ActionAskSector(Action):
    """The kamus usulan items closest to the description (one tap sets item and sector), else
    the sector buttons with the suggested sector first."""

    def name(self) -> str:
        return "action_ask_sector"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = language(tracker)
        description_ = tracker.get_slot("description") or ""
        items = _shown_items(tracker)
        if items:
            buttons = [{"title": m.title(lang), "payload": f'/inform{{"sector":"{m.sector}","kamus_item":"{m.code}"}}'}
                       for m in items]
            buttons.append({"title": texts.button("other_sector", lang), "payload": f'/inform{{"sector":"{MENU}"}}'})
            dispatcher.utter_message(response="utter_ask_kamus_item", buttons=buttons)
            return []
        order = _shown_sectors(tracker)
        suggested = sectors.suggest(description_)
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
        if pins.ask_pin_place(dispatcher, tracker):
            return []
        candidates = [c for c in tracker.get_slot("village_candidates") or [] if c in gazetteer().by_code]
        if not candidates:
            dispatcher.utter_message(response="utter_ask_village_code")
            return []
        lang = language(tracker)
        buttons = [{"title": village_label(code, lang), "payload": f'/inform{{"village_code":"{code}"}}'}
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
            sector_label=f"{sector_label} — {item.title(lang)}" if item else sector_label,
            village_label=village_label(tracker.get_slot("village_code"), lang),
            rt_rw_label=rt_rw if rt_rw and rt_rw != answers.SKIP else "-",
            photo_label="✓" if photo and photo != answers.SKIP else "-",
            map_pin_label=pin if pin and pin != answers.SKIP else "-",
        )
        return []
