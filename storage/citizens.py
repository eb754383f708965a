"""Citizens: the person behind a channel id, created on first contact, and their reply language.

Like every storage module, each public function is its own unit of work; `citizen_row` is the
exception that runs inside the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Citizen


async def citizen_row(session: AsyncSession, channel: str, external_id: str, language: str | None = None) -> Citizen:
    """The citizen behind a channel id, created on first contact (inside the caller's transaction)."""
    found = (
        await session.execute(select(Citizen).where(Citizen.channel == channel, Citizen.external_id == external_id))
    ).scalar_one_or_none()
    if found is not None:
        if language and found.language != language:
            found.language = language
        return found
    citizen = Citizen(channel=channel, external_id=external_id, language=language or "id")
    try:
        async with session.begin_nested():
            session.add(citizen)
    except IntegrityError:  # created concurrently by another request of the same sender
        return (
            await session.execute(select(Citizen).where(Citizen.channel == channel, Citizen.external_id == external_id))
        ).scalar_one()
    return citizen


async def remember_language(db: Database, channel: str, external_id: str, language: str) -> None:
    """The conversation's reply language, decided by the Rasa slot, mirrored where the gateway and the
    notifications read it (so no other part re-detects it from text)."""
    async with db.session() as session:
        await citizen_row(session, channel, external_id, language)
        await session.commit()


async def citizen_language(db: Database, channel: str, external_id: str) -> str | None:
    async with db.session() as session:
        return (await session.execute(select(Citizen.language).where(
            Citizen.channel == channel, Citizen.external_id == external_id))).scalar_one_or_none()
