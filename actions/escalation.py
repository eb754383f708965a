"""Messages the bot does not understand: ask to rephrase, then offer an officer."""

from __future__ import annotations

import re
import time

from rapidfuzz import fuzz, process
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Sender, config, database, latest_intent, logger
from actions.conversation import is_english
from actions.draft import elaborates_offer, names_only_a_place, offer_pending
from actions.status import ActionCheckStatus
from core import answers, description, kamus, sectors, tracking
from storage import escalations, faq

UNCLEAR_INTENTS = {"nlu_fallback", "out_of_scope"}
# A question-like message is classified as `faq` readily; only a confident topic match is an
# answer. Below this, the citizen's question goes the unclear way (rephrase, then an officer).
FAQ_MIN_CONFIDENCE = 0.6
CLEAR_WINNER_SHARE = 0.75  # a topic this close to the cut, ...
CLEAR_WINNER_LEAD = 4.0  # ... and this many times as likely as the next one, is answered
# A question the intent classifier was unsure of (FAQ and request about equal) whose FAQ topic is this sure:
# "Tiasa kitu ngusulkeun kanggo desa nu sanes?" after a story is answered, not offered as a proposal.
UNSURE_QUESTION_FAQ_CONFIDENCE = 0.9
EXCERPT_MESSAGES = 6
LONG_PROBLEM_WORDS = 12  # an unclear message this long that names a local problem is offered as a proposal
SHORT_PROBLEM_WORDS = 4  # ... and one this long, when the NLU gave a complaint or a proposal this much weight:
PROBLEM_LIKE = 0.3
QUESTION_MIN_CHARS = 5
ENGLISH_PROBLEM_WORDS = 8  # an English message this long that names a need is offered as a proposal


# Questions whether one may propose: answered from the FAQ, and the form goes on when a need was named too.
ELIGIBILITY_TOPICS = {"faq/usul_desa_lain", "faq/siapa_boleh_usul", "faq/batas_usulan", "faq/biaya"}


def faq_answer(parse_data: dict) -> str | None:
    """The retrieval response key ("faq/jadwal") when the FAQ match is confident, else None."""
    if ((parse_data.get("intent") or {}).get("name")) != "faq":
        return None
    return faq_topic(parse_data, FAQ_MIN_CONFIDENCE)


def faq_topic(parse_data: dict, min_confidence: float) -> str | None:
    """The FAQ topic the response selector ranks first, whatever the intent, when confident enough."""
    selector = (parse_data.get("response_selector") or {}).get("faq") or {}
    response = selector.get("response") or {}
    confidence = response.get("confidence") or 0.0
    ranking = selector.get("ranking") or []
    runner_up = (ranking[1].get("confidence") or 0.0) if len(ranking) > 1 else 0.0
    # A long question spreads the selector's confidence: 0.54 with the next topic at 0.08 is still a clear answer.
    clear_winner = confidence >= CLEAR_WINNER_SHARE * min_confidence and confidence >= CLEAR_WINNER_LEAD * runner_up
    if confidence < min_confidence and not clear_winner:
        return None
    return response.get("intent_response_key")


HELP_RUNNER_UP = 0.2  # a question with no clear FAQ topic and "help" this likely asks how the service works


def _help_is_close(parse_data: dict) -> bool:
    """ "bagaimana cara mengusulkan?", "kumaha carana ngusulkeun?": the classifier splits it between a FAQ
    question and a request for help; with no FAQ topic it asks how to use the service."""
    ranking = parse_data.get("intent_ranking") or []
    return any(r.get("name") == "help" and (r.get("confidence") or 0.0) >= HELP_RUNNER_UP for r in ranking[:3])


def is_unclear(parse_data: dict) -> bool:
    intent = (parse_data.get("intent") or {}).get("name")
    return intent in UNCLEAR_INTENTS or (intent == "faq" and faq_answer(parse_data) is None)


def unclear_streak(tracker: Tracker) -> list[str]:
    """The texts of the latest user messages the bot did not understand, oldest first."""
    streak: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if answers.is_noise(event.get("text")):
            continue  # emoji and keyboard mash never count towards the offer of an officer
        if not is_unclear(event.get("parse_data") or {}):
            break
        streak.insert(0, event.get("text") or "")
    return streak


def excerpt(tracker: Tracker) -> str:
    """The last few turns, so the officer sees the question in its context."""
    lines = []
    for event in tracker.events:
        if event.get("event") == "user" and event.get("text"):
            lines.append(f"Warga: {event['text']}")
        elif event.get("event") == "bot" and event.get("text"):
            lines.append(f"Bot: {event['text']}")
    return "\n".join(lines[-EXCERPT_MESSAGES * 2 :])


LEARNED_MIN_SCORE = 85
LEARNED_CACHE_S = 30.0
_learned: tuple[float, list[faq.LearnedFaq]] = (0.0, [])


async def learned_answer(text: str) -> str | None:
    """An officer's saved answer to (nearly) this question, once an admin approved it
    (`storage.faq`); never while `LEARNED_FAQ=0`.

    The list is re-read every few seconds, so an approval (or a switch-off) works at once,
    without retraining.
    """
    global _learned
    if not config().learned_faq:
        return None
    now = time.monotonic()
    if now - _learned[0] > LEARNED_CACHE_S:
        _learned = (now, await faq.learned_faqs(database()))
    entries = _learned[1]
    if not entries or not text.strip():
        return None
    best = process.extractOne(normalise(text), [normalise(e.question) for e in entries], scorer=fuzz.token_set_ratio,
                              score_cutoff=LEARNED_MIN_SCORE)
    return entries[best[2]].answer if best else None


def normalise(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


async def redirect(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType] | None:
    """What the citizen's own words ask for, whatever intent the NLU gave them: a "yes" or more detail
    while the offer to file a complaint stands, a tracking code ("Nu leres USL-BASSTF"), "usulan saya".
    One place for every action that handles a message outside the forms (unclear, a stray yes, FAQ, help).
    A status question is answered here and now: as a follow-up action no rule would know what comes after
    it, and the policy's fallback would add a "not understood" to the answer."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return None
    pending = offer_pending(tracker)
    if pending and answers.accepts(text):
        return [FollowupAction("proposal_form")]  # "iya itu usulan sy", "iyo piye carane, tulung didandani"
    if (tracking.find_all(text) and latest_intent(tracker) != "support_proposal") or (
            answers.asks_own_proposals(text) and not _how_to_question(tracker.latest_message)):
        return await ActionCheckStatus().run(dispatcher, tracker, domain)  # "Nu leres USL-BASSTF", "usulan sy apa aja"
    if pending and elaborates_offer(text):
        return [FollowupAction("proposal_form")]  # more about the complaint: take it as a yes, add it to it
    return None


SURE_FAQ_CONFIDENCE = 0.95
# Topics that answer "show me my proposals" themselves (how to follow one, a lost code).
_ABOUT_LISTING = {"faq/cara_pantau", "faq/kode_hilang"}


def _how_to_question(parse_data: dict) -> bool:
    """ "usulanku wis tak kirim tapi ana sing salah. Iso diganti opo dibatalke ra?": about the citizen's own
    proposal, but asking how something is done, which the FAQ answers surely (listing would not)."""
    topic = faq_answer(parse_data) and faq_topic(parse_data, SURE_FAQ_CONFIDENCE)
    return bool(topic) and topic not in _ABOUT_LISTING and answers.asks_to_change(parse_data.get("text"))


def _tells_a_problem(parse_data: dict, text: str) -> bool:
    """A long story, or a shorter one the NLU half took for a complaint ("jalan deket stadion bolong-bolong noh,
    bahaya banget buat motor": report_problem second, under the fallback's cut)."""
    words = len(text.split())
    ranking = {i.get("name"): i.get("confidence") or 0.0 for i in parse_data.get("intent_ranking") or []}
    # outside a form, "inform" is someone telling what is wrong: there is no question it could answer
    problem = sum(ranking.get(name, 0.0) for name in ("report_problem", "submit_proposal", "inform"))
    return words >= LONG_PROBLEM_WORDS or (words >= SHORT_PROBLEM_WORDS and problem >= PROBLEM_LIKE)


class ActionHandleUnclear(Action):
    def name(self) -> str:
        return "action_handle_unclear"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            answer = await learned_answer(tracker.latest_message.get("text") or "")
        except Exception:  # the learned FAQ is a bonus; without the database the bot still answers
            logger.exception("learned FAQ lookup failed")
            answer = None
        if answer:
            dispatcher.utter_message(text=answer)
            return []
        text = tracker.latest_message.get("text") or ""
        redirected = await redirect(dispatcher, tracker, domain)
        if redirected:
            return redirected
        if answers.is_noise(text):
            dispatcher.utter_message(response="utter_rephrase")
            return []
        # a question anywhere in the message ("sabaraha lila nepi ka diverifikasi? urang geus nunggu saminggu"),
        # or a planning term asked to be explained after a long preamble ("... apa yang dimaksud dengan RKPD?")
        topic = (faq_topic(tracker.latest_message, UNSURE_QUESTION_FAQ_CONFIDENCE)
                 if answers.QUESTION.search(text) or "?" in text else None) or answers.term_asked(text) \
            if not tracker.active_loop_name else None
        if topic:
            dispatcher.utter_message(response=f"utter_{topic}")
            return []
        if not tracker.active_loop_name and (description.wants_to_propose(text) or names_only_a_place(text)):
            # "rek ngusulkeun gapura padukuhan": the NLU missed a request; "Donoharjo, Ngaglik. RT 5 RW 14": where first
            return [FollowupAction("proposal_form")]
        if not tracker.active_loop_name and _tells_a_problem(tracker.latest_message, text) and (
                kamus.match(text, limit=1) or sectors.suggest(text)):
            return [FollowupAction("action_offer_proposal")]  # a story about a local problem
        if tracker.latest_message.get("language") == "other" and is_english(text):
            if not tracker.active_loop_name and len(text.split()) >= ENGLISH_PROBLEM_WORDS and sectors.suggest(text):
                return [FollowupAction("action_offer_proposal")]  # a visitor describing a local need in English
            dispatcher.utter_message(response="utter_english_note")
            return []
        streak = unclear_streak(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if len(streak) < 2:
            dispatcher.utter_message(response="utter_out_of_scope" if intent == "out_of_scope" else "utter_rephrase")
            return [SlotSet("question", None)]  # no offer stands: a "ya" now is not a "yes, an officer"
        dispatcher.utter_message(response="utter_offer_human")
        return [SlotSet("question", "\n".join(t for t in streak if t)[:2000])]


class ActionDefaultFallback(ActionHandleUnclear):
    """Rasa's own fallback (no rule fits the turn) answers like any unclear message outside the forms, instead
    of "not understood" with the citizen's message reverted (which also undid its reply language). Inside a
    form it keeps Rasa's behaviour: the form asks its question again."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.active_loop_name:
            dispatcher.utter_message(response="utter_default")
            return [UserUtteranceReverted()]
        return await super().run(dispatcher, tracker, domain)


OFFER_VALID_S = 15 * 60  # a "ya" to "pass it to an officer?" later than this is not an answer to it


class ActionAcceptOfficerOffer(Action):
    """ "Ya" right after the bot's unclear-message reply: an officer only when one was offered, recently."""

    def name(self) -> str:
        return "action_accept_officer_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        redirected = await redirect(dispatcher, tracker, domain)  # a late "iya" to the offer, a code
        if redirected:
            return redirected
        offered_at = next((e.get("timestamp") for e in reversed(tracker.events) if e.get("event") == "bot"), None)
        answered_at = next((e.get("timestamp") for e in reversed(tracker.events) if e.get("event") == "user"), None)
        fresh = offered_at is not None and answered_at is not None and answered_at - offered_at <= OFFER_VALID_S
        if tracker.get_slot("question") and fresh:
            return [FollowupAction("escalation_form")]
        dispatcher.utter_message(response="utter_no_problem")
        return [SlotSet("question", None)]


class ActionAnswerFaq(Action):
    """Answer from the FAQ when the topic is clear; otherwise treat the question as unclear."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # Outside the forms only: inside the proposal form ValidateProposalForm reads questions itself.
        redirected = await redirect(dispatcher, tracker, domain)
        if redirected:
            return redirected
        key = faq_answer(tracker.latest_message)
        text = tracker.latest_message.get("text") or ""
        if key in answers.GLOSSARY_TOPICS:  # "this e-Musrenbang thing tuh apa?": the term named, not its cousin
            key = answers.term_asked(text) or key
        if key:
            dispatcher.utter_message(response=f"utter_{key}")
            if key in ELIGIBILITY_TOPICS and description.wants_to_propose(text) \
                    and sectors.suggest(description.substance(text)):
                return [FollowupAction("proposal_form")]  # "mau ngusulin soal sampah bisa?": yes, and here goes
            return []
        if _help_is_close(tracker.latest_message):
            dispatcher.utter_message(response="utter_help")  # "kumaha carana ngusulkeun?": how, not a topic
            return []
        return [FollowupAction("action_handle_unclear")]


class ValidateEscalationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_escalation_form"

    async def validate_question(self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict:
        text = (value or "").strip()
        if len(text) < QUESTION_MIN_CHARS or text.startswith("/"):
            dispatcher.utter_message(response="utter_question_too_short")
            return {"question": None}
        return {"question": text[:2000]}


class ActionEscalate(Action):
    def name(self) -> str:
        return "action_escalate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question = tracker.get_slot("question")
        if not question:
            return []
        sender = Sender.of(tracker)
        try:
            ticket = await escalations.create_escalation(database(), sender.channel, sender.external_id, question,
                                                         excerpt(tracker), tracker.get_slot("village_code"))
        except Exception:
            logger.exception("escalation failed")
            dispatcher.utter_message(response="utter_escalation_failed")
            return [SlotSet("question", None)]
        dispatcher.utter_message(response="utter_escalated", ticket=ticket)
        return [SlotSet("question", None)]


class ActionHelp(Action):
    """ "help", unless the words say more: "iyo piye carane" to the offer to file a complaint is a yes."""

    def name(self) -> str:
        return "action_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        redirected = await redirect(dispatcher, tracker, domain)
        if redirected:
            return redirected
        dispatcher.utter_message(response="utter_help")
        return []
