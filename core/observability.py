"""What every process reports about itself: one JSON log format and the Prometheus metrics.

Shared by the gateway (bot/) and the action server (ops/action_server.py), so an operator reads one
log format and one set of metric names. Logs carry ids (inbound message, outbox message, channel
message id), never a citizen's phone number, name or message text: log calls pass ids only, and the
formatter still masks any phone number, NIK or e-mail address that slips into a message or an error
(core/privacy.redact, the one redaction).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import sys
import time
from datetime import datetime, timezone

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from core.privacy import redact

# Extra fields a log call may attach (`logger.info(..., extra={"outbox_id": 3})`); nothing else is copied,
# so a stray `extra` cannot put a citizen's text into the log.
LOG_FIELDS = ("inbound_id", "outbox_id", "message_id", "channel", "seconds", "queued_s", "replies", "outcome", "action")

# --- metrics (one registry per process: Prometheus scrapes every process) ---------------------------------
TURN_SECONDS = Histogram(
    "musrenbang_turn_seconds", "Time from relaying a message to Rasa until its replies came back",
    ["channel", "outcome"], buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30))
NLU_MESSAGES = Counter(
    "musrenbang_nlu_messages_total",
    "Citizens' messages seen by the action server, by whether the NLU fell back (low confidence)",
    ["fallback"])
ACTION_SECONDS = Histogram(
    "musrenbang_action_seconds", "Custom action run time", ["action", "outcome"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
QUEUE_DEPTH = Gauge("musrenbang_queue_depth", "Messages waiting, by queue and status", ["queue", "status"])
QUEUE_AGE = Gauge("musrenbang_queue_overdue_seconds",
                  "How long the most overdue message of a queue has been due and not taken", ["queue"])
DELIVERIES_FAILED = Counter("musrenbang_deliveries_failed_total",
                            "Outbox deliveries that failed, by channel and whether the message was given up",
                            ["channel", "final"])
DELIVERIES_SENT = Counter("musrenbang_deliveries_sent_total", "Outbox messages delivered", ["channel"])
LOGINS_REFUSED = Counter("musrenbang_logins_refused_total", "Officers' console logins refused, by reason",
                         ["reason"])


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST


def may_scrape(remote: str | None, forwarded: bool, authorization: str, token: str) -> bool:
    """Whether a request may read /metrics: with the METRICS_TOKEN as a bearer token, or, without a token
    configured, only from loopback and not through the reverse proxy (which adds X-Forwarded-For)."""
    if token:
        return authorization == f"Bearer {token}"
    if forwarded or not remote:
        return False
    try:
        return ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


# --- logs ----------------------------------------------------------------------------------------------
class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the allowed ids, the exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name in LOG_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value if isinstance(value, int | float) else redact(str(value))
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: int = logging.INFO, stream=None) -> logging.Handler:  # noqa: ANN001 - a text stream
    """Every log record of this process as JSON lines on stdout (systemd's journal or docker collects them);
    replaces the handlers set before (Rasa's, basicConfig's)."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


class Timer:
    """Seconds since it was made (monotonic)."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started
