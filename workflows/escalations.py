"""Answering an escalated question: store it once (`storage.escalations`), send it to the citizen on
the channel that asked, and, from the officers' Telegram chat, audit who answered."""

from __future__ import annotations

from dataclasses import dataclass

from core import texts
from storage import audit, escalations, messages, satisfaction
from storage.accounts import OfficerView
from storage.db import Database


async def answer_escalation(db: Database, escalation_id: int, officer: OfficerView | None, answer: str,
                            actor: str | None = None) -> bool:
    """Store the answer and queue it to the citizen's channel; an open one is claimed on the way.

    The outbox dedupe key makes the answer go out once even if this runs again (e.g. after a crash
    between the two steps, the same officer submits again). Raises LookupError (also for another
    scope's escalation: `roles.escalation_scope`) or ClaimError. `officer=None` with an `actor` is
    an answer from outside the console (the officers' Telegram chat), where there is no officer
    account to name.
    """
    stored = await escalations.store_answer(db, escalation_id, officer, answer, actor)
    payload = {"text": texts.officer_answer(stored.question, stored.answer, stored.language), "buttons": [],
               "image": None}
    await messages.queue_outgoing(db, stored.channel, stored.external_id, payload, "notification",
                                  dedupe_key=f"escalation-answer:{escalation_id}")
    await satisfaction.ask_after_answer(db, escalation_id)  # queued after the answer, once per escalation
    return stored.fresh


@dataclass(frozen=True)
class ChatAnswer:
    outcome: str  # "sent" (the citizen gets it), "answered" (already, by `by`), "claimed" (`by` holds it)
    by: str | None


async def answer_from_chat(db: Database, escalation_id: int, actor: str, answer: str) -> ChatAnswer:
    """An answer from the officers' Telegram chat, on the console's path (`answer_escalation`
    claims, stores and queues it to the citizen once), audited under `actor`.

    Running it again for the same message (a redelivered update) reports "sent" again and sends
    nothing new. Raises LookupError for an unknown escalation, ValueError for an empty answer.
    """
    answer = answer.strip()
    try:
        fresh = await answer_escalation(db, escalation_id, None, answer, actor=actor)
    except escalations.ClaimError:
        fresh = False
    state = await escalations.answer_state(db, escalation_id)
    if not fresh and not (state.status == "answered" and state.answered_by == actor and state.answer == answer):
        return ChatAnswer("answered" if state.status == "answered" else "claimed", state.by)
    target = f"eskalasi:{escalation_id}"
    if not await audit.entries(db, limit=1, actor=actor, action="escalation_answer", target=target):
        await audit.record(db, actor, "escalation_answer", target, "dijawab lewat Telegram")
    return ChatAnswer("sent", actor)
