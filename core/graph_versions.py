"""Meta Graph API versions (the WhatsApp Cloud API) and the last day Meta serves each one.

From Meta's version table (developers.facebook.com/docs/graph-api/changelog/versions, as of
December 2026). A version past its date stops answering, so every WhatsApp reply would fail: the
gateway warns at start when the configured version (WHATSAPP_GRAPH_VERSION) ends within
WARN_DAYS. Add a row when Meta announces a new version's end.
"""

from __future__ import annotations

from datetime import date, timedelta

DEFAULT_VERSION = "v25.0"
WARN_DAYS = 90

# version -> last day it is available (None: Meta has not announced it yet)
AVAILABLE_UNTIL: dict[str, date | None] = {
    "v26.0": None,
    "v25.0": date(2028, 7, 29),
    "v24.0": date(2028, 2, 18),
    "v23.0": date(2027, 10, 8),
    "v22.0": date(2027, 5, 20),
    "v21.0": date(2027, 1, 21),
    "v20.0": date(2026, 9, 24),
    "v19.0": date(2026, 5, 21),
    "v18.0": date(2026, 1, 26),
    "v17.0": date(2025, 9, 12),
    "v16.0": date(2025, 5, 14),
}


def end_of_life_warning(version: str, today: date, warn_days: int = WARN_DAYS) -> str | None:
    """A sentence for the operator when `version` has ended or ends within `warn_days`; None otherwise
    (also for a version this table does not know: newer than it, most likely)."""
    until = AVAILABLE_UNTIL.get(version)
    if until is None:
        return None
    if until < today:
        return (f"WHATSAPP_GRAPH_VERSION {version} ended on {until.isoformat()}: Meta no longer serves it and "
                f"WhatsApp messages fail. Set WHATSAPP_GRAPH_VERSION={DEFAULT_VERSION} (or newer).")
    if until - today <= timedelta(days=warn_days):
        return (f"WHATSAPP_GRAPH_VERSION {version} ends on {until.isoformat()} ({(until - today).days} days): "
                f"move to {DEFAULT_VERSION} (or newer) before then.")
    return None
