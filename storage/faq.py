"""FAQ entries learned at run time: an officer's good answer kept as an entry, answered by the bot
before any retraining (the trained FAQ topics live in the NLU data).

An entry an officer saves is only a proposal: citizens get it once an admin approved it, an admin
can switch any entry off again, and a question too short to match on is refused (the bot matches
a citizen's message against the saved question by word overlap, and two words would match half
of everything). `LEARNED_FAQ=0` (core/settings.py) switches the whole feature off in the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from storage.accounts import OfficerView
from storage.db import Database
from storage.escalations import ClaimError, visible_to
from storage.models import Citizen, Escalation, FaqEntry, as_utc, utcnow

MIN_QUESTION_CHARS = 15
MIN_QUESTION_WORDS = 3


class QuestionTooShort(ValueError):
    """The question would match too many unrelated messages."""


def long_enough(question: str) -> bool:
    text = question.strip()
    return len(text) >= MIN_QUESTION_CHARS and len(text.split()) >= MIN_QUESTION_WORDS


@dataclass(frozen=True)
class LearnedFaq:
    question: str
    answer: str
    language: str


async def learned_faqs(db: Database) -> list[LearnedFaq]:
    """The entries citizens may be answered with: approved by an admin, switched on, long enough."""
    async with db.session() as session:
        rows = (await session.execute(
            select(FaqEntry).where(FaqEntry.active.is_(True), FaqEntry.approved_at.is_not(None))
        )).scalars().all()
        return [LearnedFaq(r.question, r.answer, r.language) for r in rows if long_enough(r.question)]


async def add_faq(db: Database, topic: str, question: str, answer: str, approved_by: str,
                  language: str = "id") -> int:
    """An entry written by an admin (`approved_by`) themselves: in force at once."""
    if not long_enough(question):
        raise QuestionTooShort(question)
    async with db.session() as session:
        now = utcnow()
        entry = FaqEntry(topic=topic, question=question, answer=answer, language=language, active=True,
                         created_at=now, saved_by=approved_by, approved_by=approved_by, approved_at=now)
        session.add(entry)
        await session.commit()
        return entry.id


async def save_as_faq(db: Database, escalation_id: int, officer: OfficerView, question: str | None = None,
                      answer: str | None = None, topic: str = "petugas", language: str | None = None) -> int:
    """Propose an answered escalation of the officer's scope as an FAQ entry (once); returns the
    entry's id. It waits for an admin's approval before any citizen gets it.

    The officer may tidy the question and answer into a general form first. Raises LookupError
    (unknown, or another scope's), ClaimError (not answered yet) or QuestionTooShort.
    """
    async with db.session() as session:
        found = (await session.execute(
            select(Escalation, Citizen).join(Citizen, Citizen.id == Escalation.citizen_id)
            .where(Escalation.id == escalation_id, visible_to(officer)).with_for_update(of=Escalation)
        )).one_or_none()
        if found is None:
            raise LookupError(escalation_id)
        row, citizen = found
        if row.status != "answered" or not row.answer:
            raise ClaimError("only an answered escalation can become an FAQ entry")
        if row.faq_entry_id is not None:
            return row.faq_entry_id
        question = (question or "").strip() or row.question
        if not long_enough(question):
            raise QuestionTooShort(question)
        entry = FaqEntry(topic=topic.strip()[:64] or "petugas", language=language or citizen.language or "id",
                         question=question, answer=(answer or "").strip() or row.answer,
                         active=True, created_at=utcnow(), saved_by=f"officer:{officer.username}")
        session.add(entry)
        await session.flush()
        row.faq_entry_id = entry.id
        await session.commit()
        return entry.id


@dataclass(frozen=True)
class FaqEntryView:
    id: int
    topic: str
    language: str
    question: str
    answer: str
    active: bool
    saved_by: str | None
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None

    @property
    def state(self) -> str:
        """"pending" (waiting for an admin), "approved" (served) or "off" (switched off)."""
        if not self.active:
            return "off"
        return "approved" if self.approved_at is not None else "pending"


async def faq_entries(db: Database, limit: int = 300) -> list[FaqEntryView]:
    """Every learned entry for the admins' page: waiting ones first, then the newest."""
    async with db.session() as session:
        rows = (await session.execute(
            select(FaqEntry).order_by(FaqEntry.approved_at.is_not(None), FaqEntry.id.desc()).limit(limit)
        )).scalars().all()
    return [FaqEntryView(r.id, r.topic, r.language, r.question, r.answer, r.active, r.saved_by,
                         as_utc(r.created_at), r.approved_by, as_utc(r.approved_at)) for r in rows]


async def approve_faq(db: Database, entry_id: int, admin: str) -> bool:
    """An admin's approval: from now on citizens get this answer. False when it was approved
    already; raises LookupError or QuestionTooShort (an entry from before the minimum)."""
    async with db.session() as session:
        entry = await session.get(FaqEntry, entry_id)
        if entry is None:
            raise LookupError(entry_id)
        if not long_enough(entry.question):
            raise QuestionTooShort(entry.question)
        done = await session.execute(
            update(FaqEntry).where(FaqEntry.id == entry_id, FaqEntry.approved_at.is_(None))
            .values(approved_at=utcnow(), approved_by=admin, active=True)
            .execution_options(synchronize_session=False))
        await session.commit()
        return done.rowcount == 1


async def set_faq_active(db: Database, entry_id: int, active: bool) -> bool:
    """Switch an entry off (citizens stop getting it at the bot's next refresh) or on again.
    False when it was so already; raises LookupError."""
    async with db.session() as session:
        if await session.get(FaqEntry, entry_id) is None:
            raise LookupError(entry_id)
        done = await session.execute(
            update(FaqEntry).where(FaqEntry.id == entry_id, FaqEntry.active.is_(not active))
            .values(active=active).execution_options(synchronize_session=False))
        await session.commit()
        return done.rowcount == 1
