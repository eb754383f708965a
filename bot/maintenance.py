"""The gateway's periodic housekeeping of personal data (storage/erasure.py): chat histories of erased
citizens are deleted once their last turn is over, and messages past RETENTION_DAYS are purged."""

from __future__ import annotations

import asyncio
import logging

from core import settings
from storage import erasure, tracker_events
from storage.db import Database

logger = logging.getLogger(__name__)

EVERY_S = 60.0


async def run(db: Database, config: settings.Settings, every_s: float = EVERY_S) -> None:
    """Forever: one maintenance step a minute; a failure is logged and tried again next time."""
    while True:
        try:
            finished, purged = await erasure.maintain(db, tracker_events.TrackerStore.of(config), config.retention_days)
            if finished.citizens or purged.inbound or purged.outbox or purged.events:
                logger.info("personal data: %s erasures finished, purged %s inbound, %s outbox, %s receipts, "
                            "%s Rasa events", finished.citizens, purged.inbound, purged.outbox, purged.receipts,
                            purged.events)
        except Exception:
            logger.exception("personal data maintenance failed")
        await asyncio.sleep(every_s)
