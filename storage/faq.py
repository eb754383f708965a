"""FAQ entries learned at run time: an officer's good answer kept as an entry, answered by the bot
before any retraining (the trained FAQ topics live in the NLU data)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from storage.db import Database
from storage.escalations import ClaimError
from storage.models import Citizen, Escalation, FaqEntry, utcnow


@dataclass(frozen=True)
class LearnedFaq:
    question: str
    answer: str
    language: str


async def learned_faqs(db: Database) -> list[LearnedFaq]:
    """FAQ entries added at run time (officers' "save as FAQ"), answered before any retraining."""
    async with db.session() as session:
        rows = (await session.execute(select(FaqEntry).where(FaqEntry.active.is_(True)))).scalars().all()
        return [LearnedFaq(r.question, r.answer, r.language) for r in rows]


async def add_faq(db: Database, topic: str, question: str, answer: str, language: str = "id") -> int:
    async with db.session() as session:
        entry = FaqEntry(topic=topic, question=question, answer=answer, language=language, active=True)
        session.add(entry)
        await session.commit()
        return entry.id


async def save_as_faq(db: Database, escalation_id: int, question: str | None = None, answer: str | None = None,
                      topic: str = "petugas", language: str | None = None) -> int:
    """Keep an answered escalation as an FAQ entry (once); returns the entry's id.

    The officer may tidy the question and answer into a general form first.
    """
    async with db.session() as session:
        found = (await session.execute(
            select(Escalation, Citizen).join(Citizen, Citizen.id == Escalation.citizen_id)
            .where(Escalation.id == escalation_id).with_for_update(of=Escalation)
        )).one_or_none()
        if found is None:
            raise LookupError(escalation_id)
        row, citizen = found
        if row.status != "answered" or not row.answer:
            raise ClaimError("only an answered escalation can become an FAQ entry")
        if row.faq_entry_id is not None:
            return row.faq_entry_id
        entry = FaqEntry(topic=topic.strip()[:64] or "petugas", language=language or citizen.language or "id",
                         question=(question or "").strip() or row.question, answer=(answer or "").strip() or row.answer,
                         active=True, created_at=utcnow())
        session.add(entry)
        await session.flush()
        row.faq_entry_id = entry.id
        await session.commit()
        return entry.id
