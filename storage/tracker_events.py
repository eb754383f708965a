"""Rasa's tracker store (table `events`, endpoints.yml: an SQLite file, RASA_TRACKER_DB): the one place
that deletes conversations from it, for a citizen's erasure and for the retention period.

Rasa writes this file; we only delete from it. Plain sqlite3 (Rasa's own file, not the product
database), with a busy timeout so a turn Rasa is saving at that moment only delays the delete.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

BUSY_TIMEOUT_S = 30.0


def _delete(path: Path, where: str, params: tuple) -> int:
    if not path.is_file():
        return 0
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    try:
        exists = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").fetchone()
        if not exists:
            return 0
        with connection:
            return connection.execute(f"DELETE FROM events WHERE {where}", params).rowcount
    finally:
        connection.close()


async def forget_conversation(path: Path, sender_id: str, until: float | None = None) -> int:
    """Delete Rasa's events of one conversation (`<channel>:<external id>`), those up to the epoch
    second `until` when given; the number of events deleted."""
    if until is None:
        return await asyncio.to_thread(_delete, path, "sender_id = ?", (sender_id,))
    return await asyncio.to_thread(_delete, path, "sender_id = ? AND timestamp <= ?", (sender_id, until))


async def purge_before(path: Path, epoch_s: float) -> int:
    """Delete every event older than the epoch second `epoch_s` (the retention period)."""
    return await asyncio.to_thread(_delete, path, "timestamp < ?", (epoch_s,))
