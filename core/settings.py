"""All configuration, read from environment variables in this one place.

Every value has a default that works for a local run on one machine (SQLite, localhost ports),
so `./musrenbang run` needs no configuration at all.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name: str, default: int) -> int:
    try:
        return int(_env(name, str(default)))
    except ValueError:
        return default


def _env_ids(name: str) -> tuple[int, ...]:
    """Comma-separated numeric ids (Telegram user ids); anything else in the list is skipped."""
    parts = (part.strip() for part in _env(name, "").split(","))
    return tuple(int(part) for part in parts if part.lstrip("-").isdigit())


def configured_region() -> str:
    """MUSRENBANG_REGION alone: the calendar reads it for every date it writes, a whole Settings is slower."""
    return _env("MUSRENBANG_REGION", "34.04")


@dataclass(frozen=True)
class Settings:
    """A snapshot of the environment; build a new one (`load()`) to see changes."""

    var_dir: Path = field(default_factory=lambda: Path(_env("MUSRENBANG_VAR", str(PROJECT_ROOT / "var"))))
    database_url: str = ""
    region_code: str = field(default_factory=configured_region)
    rasa_url: str = field(default_factory=lambda: _env("RASA_URL", "http://127.0.0.1:5005"))
    # Where Rasa and the action server listen. Both are internal: loopback unless a multi-host
    # deployment names a private-network address. Rasa then still asks for RASA_TOKEN; the action
    # server (rasa_sdk 3.6) cannot check a token, so it must only ever be on a private network.
    rasa_host: str = field(default_factory=lambda: _env("RASA_HOST", "127.0.0.1"))
    actions_host: str = field(default_factory=lambda: _env("ACTIONS_HOST", "127.0.0.1"))
    gateway_host: str = field(default_factory=lambda: _env("GATEWAY_HOST", "127.0.0.1"))
    gateway_port: int = field(default_factory=lambda: _env_int("GATEWAY_PORT", 8080))
    rasa_timeout_s: int = field(default_factory=lambda: _env_int("RASA_TIMEOUT", 30))
    max_message_chars: int = field(default_factory=lambda: _env_int("MAX_MESSAGE_CHARS", 1000))
    max_photo_bytes: int = field(default_factory=lambda: _env_int("MAX_PHOTO_BYTES", 5 * 1024 * 1024))
    # A photo with more pixels is refused before it is unpacked (40 MP: any phone camera, no bombs).
    # Photos no proposal refers to are removed once older than this (bot/media.sweep).
    media_keep_hours: int = field(default_factory=lambda: _env_int("MEDIA_KEEP_HOURS", 24))
    max_photo_pixels: int = field(default_factory=lambda: _env_int("MAX_PHOTO_PIXELS", 40_000_000))
    # The one rate limiter (storage/rate_limits.py): web chat messages (and photos) per sender per
    # minute, and its polling for late replies (the page polls every 5 s).
    web_rate_per_minute: int = field(default_factory=lambda: _env_int("WEB_RATE_PER_MINUTE", 20))
    web_poll_per_minute: int = field(default_factory=lambda: _env_int("WEB_POLL_PER_MINUTE", 30))
    # Parallel relays to Rasa for different senders (one sender's messages stay in order).
    worker_concurrency: int = field(default_factory=lambda: _env_int("WORKER_CONCURRENCY", 8))
    # The queue loops sleep until a write wakes them (storage/wakeups.py); this slow safety poll (seconds)
    # finds what no wake-up reached: another process's write on SQLite, a claim whose lease ran out.
    queue_poll_s: int = field(default_factory=lambda: _env_int("QUEUE_POLL_S", 5))
    # Citizens' photos (bot/media.py): a directory every process shares (a shared volume when the
    # gateways, action servers and console run on several machines). Unset: var/media.
    media_dir: Path = field(default_factory=lambda: Path(_env("MEDIA_DIR", ".")))
    # Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated), so rate
    # limits, login lockouts and the audit log see the citizen's or officer's address, not the proxy's.
    # Unset: none, and the header is ignored (a client could forge it).
    trusted_proxies: tuple[str, ...] = field(default_factory=lambda: tuple(
        part.strip() for part in _env("TRUSTED_PROXIES", "").split(",") if part.strip()))
    # Open311 API rate limits: requests per client IP per minute, POSTs per API key per hour.
    open311_per_ip_minute: int = field(default_factory=lambda: _env_int("OPEN311_RATE_PER_MINUTE", 120))
    open311_posts_per_key_hour: int = field(default_factory=lambda: _env_int("OPEN311_POSTS_PER_HOUR", 60))
    # How long an undelivered reply or notification is retried (a channel outage) before it is marked
    # failed for an admin to re-send.
    outbox_retry_hours: int = field(default_factory=lambda: _env_int("OUTBOX_RETRY_HOURS", 48))
    # Officers' console: escalations are due within this many working days (Mon–Fri).
    escalation_sla_days: int = field(default_factory=lambda: _env_int("ESCALATION_SLA_DAYS", 2))
    # 0 switches off the bot's use of officers' saved answers (each also needs an admin's approval).
    learned_faq: bool = field(default_factory=lambda: _env("LEARNED_FAQ", "1") in ("1", "true", "yes"))
    officer_session_hours: int = field(default_factory=lambda: _env_int("OFFICER_SESSION_HOURS", 12))
    # The console's cookies are Secure (never sent in clear text) when PUBLIC_URL is https; COOKIE_SECURE=1/0
    # says so explicitly (e.g. behind a TLS proxy without PUBLIC_URL).
    cookie_secure: bool = field(default_factory=lambda: _env(
        "COOKIE_SECURE", "1" if _env("PUBLIC_URL", "").lower().startswith("https://") else "0") in ("1", "true", "yes"))
    # WhatsApp Cloud API (bot/channels/whatsapp/); the channel is off while the token is unset.
    whatsapp_token: str = field(default_factory=lambda: _env("WHATSAPP_TOKEN", ""), repr=False)
    whatsapp_phone_number_id: str = field(default_factory=lambda: _env("WHATSAPP_PHONE_NUMBER_ID", ""))
    whatsapp_app_secret: str = field(default_factory=lambda: _env("WHATSAPP_APP_SECRET", ""), repr=False)
    whatsapp_verify_token: str = field(default_factory=lambda: _env("WHATSAPP_VERIFY_TOKEN", ""), repr=False)
    whatsapp_graph_url: str = field(
        default_factory=lambda: _env("WHATSAPP_GRAPH_URL", "https://graph.facebook.com/v21.0"))
    whatsapp_template: str = field(default_factory=lambda: _env("WHATSAPP_TEMPLATE", "musrenbang_update"))
    whatsapp_template_language: str = field(default_factory=lambda: _env("WHATSAPP_TEMPLATE_LANGUAGE", "id"))
    whatsapp_rate_per_minute: int = field(default_factory=lambda: _env_int("WHATSAPP_RATE_PER_MINUTE", 20))
    # Telegram (bot/channels/telegram/); the channel is off while the token is unset.
    telegram_bot_token: str = field(default_factory=lambda: _env("TELEGRAM_BOT_TOKEN", ""), repr=False)
    telegram_mode: str = field(default_factory=lambda: _env("TELEGRAM_MODE", "polling").lower())  # or webhook
    # Checked on every webhook call; derived from the token when unset.
    telegram_webhook_secret: str = field(default_factory=lambda: _env("TELEGRAM_WEBHOOK_SECRET", ""), repr=False)
    telegram_api_url: str = field(default_factory=lambda: _env("TELEGRAM_API_URL", "https://api.telegram.org"))
    telegram_rate_per_minute: int = field(default_factory=lambda: _env_int("TELEGRAM_RATE_PER_MINUTE", 20))
    telegram_poll_timeout_s: int = field(default_factory=lambda: _env_int("TELEGRAM_POLL_TIMEOUT", 25))
    # The officers' chat (a group's numeric id, e.g. -1001234567890): new escalations are posted there
    # and a reply to such a post is the answer. Unset: officers answer in the console only.
    telegram_officers_chat_id: str = field(default_factory=lambda: _env("TELEGRAM_OFFICERS_CHAT_ID", ""))
    # If set, only these Telegram user ids may answer from that chat (any member may otherwise).
    telegram_officer_ids: tuple[int, ...] = field(default_factory=lambda: _env_ids("TELEGRAM_OFFICER_IDS"))
    # The gateway's address as the internet sees it (https://...), for webhook registration.
    public_url: str = field(default_factory=lambda: _env("PUBLIC_URL", "").rstrip("/"))
    # The public dashboard's map: a tile URL template ("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    # and the attribution its provider requires. Unset: offline, the pins stand on a blank background.
    public_map_tile_url: str = field(default_factory=lambda: _env("PUBLIC_MAP_TILE_URL", ""))
    public_map_attribution: str = field(default_factory=lambda: _env("PUBLIC_MAP_ATTRIBUTION", ""))
    # Rasa's tracker store (endpoints.yml), where personal data is erased and old conversations purged.
    # Unset: var/tracker.db, as ops/stack.py gives it to Rasa.
    rasa_tracker_db: Path = field(default_factory=lambda: Path(_env("RASA_TRACKER_DB", ".")))
    # Processed chat messages (inbound, outbox, receipts) and Rasa's events are deleted after this many
    # days (UU 27/2022: kept no longer than needed); 0 keeps them. Proposals are kept: they are public record.
    retention_days: int = field(default_factory=lambda: _env_int("RETENTION_DAYS", 90))

    def __post_init__(self) -> None:
        if not self.database_url:
            default = f"sqlite+aiosqlite:///{self.var_dir / 'musrenbang.db'}"
            object.__setattr__(self, "database_url", _env("DATABASE_URL", default))
        if self.rasa_tracker_db == Path("."):
            object.__setattr__(self, "rasa_tracker_db", self.var_dir / "tracker.db")
        if self.media_dir == Path("."):
            object.__setattr__(self, "media_dir", self.var_dir / "media")

    @property
    def session_secret(self) -> str:
        """SESSION_SECRET, or one generated once per var dir, so restarts keep officers logged in."""
        configured = os.environ.get("SESSION_SECRET", "").strip()
        return configured or _generated_secret(self.var_dir / "session_secret")

    @property
    def rasa_token(self) -> str:
        """RASA_TOKEN, or one generated once per var dir: Rasa's HTTP API and its REST channel answer
        only requests that carry it (`?token=`), so reaching the port is not enough to drive a
        conversation or rewrite a tracker."""
        configured = os.environ.get("RASA_TOKEN", "").strip()
        return configured or _generated_secret(self.var_dir / "rasa_token")


def _generated_secret(path: Path) -> str:
    """Read the secret file, creating it first (owner-only, exclusive) when it is missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
    for _ in range(50):  # the creator may still be writing
        value = path.read_text().strip()
        if value:
            return value
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty; delete it or set SESSION_SECRET")


def load() -> Settings:
    return Settings()
