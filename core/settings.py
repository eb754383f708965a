"""All configuration, read from environment variables in this one place.

Every value has a default that works for a local run on one machine (SQLite, localhost ports),
so `./musrenbang run` needs no configuration at all. A value that is set but cannot be used (a port that
is not a number, an unknown mode, a URL without scheme or host) raises ConfigError naming the setting:
the process stops at start instead of running on a default nobody chose. `check_startup` adds what every
service checks before serving (secrets outside the local default, the model in production, warnings).
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from core.graph_versions import DEFAULT_VERSION as DEFAULT_GRAPH_VERSION

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """A configuration value that cannot be used: the process stops at start with this message
    instead of silently running on a default the operator did not choose."""


# Where settings are read from: the process environment, or the one `load(environ)` is given (ops/stack.py
# builds the settings its child processes will see, to write their Rasa endpoints file).
_SOURCE: ContextVar[Mapping[str, str] | None] = ContextVar("settings_source", default=None)


def _env(name: str, default: str) -> str:
    source = _SOURCE.get()
    value = (os.environ if source is None else source).get(name, "").strip()
    return value or default


def _env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = _env(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def _env_port(name: str, default: int) -> int:
    value = _env_int(name, default)
    if not 1 <= value <= 65535:
        raise ConfigError(f"{name} must be a TCP port (1-65535), not {value}")
    return value


TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name, "1" if default else "0").lower()
    if raw not in TRUE + FALSE:
        raise ConfigError(f"{name} must be 1 or 0 (true/false, yes/no), not {raw!r}")
    return raw in TRUE


def _env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _env(name, default).lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _env_float(name: str, default: float, minimum: float = 0.0) -> float:
    raw = _env(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if not value >= minimum:  # also refuses nan
        raise ConfigError(f"{name} must be at least {minimum:g}, not {raw}")
    return value


def _env_ids(name: str) -> tuple[int, ...]:
    """Comma-separated numeric ids (Telegram user ids)."""
    parts = [part.strip() for part in _env(name, "").split(",") if part.strip()]
    bad = [part for part in parts if not part.lstrip("-").isdigit()]
    if bad:
        raise ConfigError(f"{name} must be comma-separated numeric ids; not numeric: {', '.join(bad)}")
    return tuple(int(part) for part in parts)


def check_url(name: str, value: str, schemes: tuple[str, ...], host: bool = True) -> str:
    """`value` unchanged if it is a URL of one of `schemes` (with a host and, if given, a numeric port)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as error:
        raise ConfigError(f"{name} is not a valid URL ({error}): {_hide_password(value)!r}") from None
    scheme = parts.scheme.lower()
    if not any(scheme == s or scheme.startswith(s + "+") for s in schemes):
        raise ConfigError(f"{name} must start with {' or '.join(s + '://' for s in schemes)}: "
                          f"{_hide_password(value)!r}")
    if host and not parts.hostname:
        raise ConfigError(f"{name} has no host name: {_hide_password(value)!r}")
    return value


def _hide_password(url: str) -> str:
    """A URL fit for an error message or a log: the password replaced by ***."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url


def _env_url(name: str, default: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
    value = _env(name, default)
    return check_url(name, value, schemes) if value else value


def configured_region() -> str:
    """MUSRENBANG_REGION alone: the calendar reads it for every date it writes, a whole Settings is slower."""
    return _env("MUSRENBANG_REGION", "34.04")


@dataclass(frozen=True)
class Settings:
    """A snapshot of the environment; build a new one (`load()`) to see changes."""

    var_dir: Path = field(default_factory=lambda: Path(_env("MUSRENBANG_VAR", str(PROJECT_ROOT / "var"))))
    database_url: str = ""
    region_code: str = field(default_factory=configured_region)
    rasa_url: str = field(default_factory=lambda: _env_url("RASA_URL", "http://127.0.0.1:5005"))
    # Where Rasa and the action server listen. Both are internal: loopback unless a multi-host
    # deployment names a private-network address. Rasa then still asks for RASA_TOKEN; the action
    # server (rasa_sdk 3.6) cannot check a token, so it must only ever be on a private network.
    rasa_host: str = field(default_factory=lambda: _env("RASA_HOST", "127.0.0.1"))
    actions_host: str = field(default_factory=lambda: _env("ACTIONS_HOST", "127.0.0.1"))
    gateway_host: str = field(default_factory=lambda: _env("GATEWAY_HOST", "127.0.0.1"))
    gateway_port: int = field(default_factory=lambda: _env_port("GATEWAY_PORT", 8080))
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
    # Turns one gateway has in Rasa at once, all channels together; more wait in the gateway, first come
    # first served (bot/relay.RasaClient says why). Unset: follows the deployment (`rasa_concurrency_for`).
    # Gateways x this should not exceed nginx's keepalive to Rasa.
    rasa_concurrency: int = field(default_factory=lambda: _env_int("RASA_CONCURRENCY", 0, minimum=1)
                                  if _env("RASA_CONCURRENCY", "") else 0)
    # How many Rasa processes stand behind RASA_URL and how many gateways share them (the deployment's shape,
    # as the systemd units, the compose replicas or `./musrenbang cluster` start it): RASA_CONCURRENCY's default.
    rasa_processes: int = field(default_factory=lambda: _env_int("RASA_PROCESSES", 1, minimum=1))
    gateway_processes: int = field(default_factory=lambda: _env_int("GATEWAY_PROCESSES", 1, minimum=1))
    # Parallel relays to Rasa for different senders (one sender's messages stay in order).
    worker_concurrency: int = field(default_factory=lambda: _env_int("WORKER_CONCURRENCY", 8))
    # The queue loops sleep until a write wakes them (storage/wakeups.py); this slow safety poll (seconds)
    # finds what no wake-up reached: another process's write on SQLite, a claim whose lease ran out.
    queue_poll_s: int = field(default_factory=lambda: _env_int("QUEUE_POLL_S", 5, minimum=1))
    # Citizens' photos (bot/media.py): a directory every process shares (a shared volume when the
    # gateways, action servers and console run on several machines). Unset: var/media.
    media_dir: Path = field(default_factory=lambda: Path(_env("MEDIA_DIR", ".")))
    # Or an S3-compatible store (MinIO, Ceph, a cloud provider's object storage): s3://bucket/prefix, at
    # S3_ENDPOINT_URL (unset: AWS), with these keys (unset: boto3's own lookup, e.g. an instance role).
    media_url: str = field(default_factory=lambda: _env("MEDIA_URL", ""))
    s3_endpoint_url: str = field(default_factory=lambda: _env_url("S3_ENDPOINT_URL", ""))
    s3_region: str = field(default_factory=lambda: _env("S3_REGION", "us-east-1"))
    s3_access_key_id: str = field(default_factory=lambda: _env("S3_ACCESS_KEY_ID", ""), repr=False)
    s3_secret_access_key: str = field(default_factory=lambda: _env("S3_SECRET_ACCESS_KEY", ""), repr=False)
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
    learned_faq: bool = field(default_factory=lambda: _env_bool("LEARNED_FAQ", True))
    officer_session_hours: int = field(default_factory=lambda: _env_int("OFFICER_SESSION_HOURS", 12))
    # The console's cookies are Secure (never sent in clear text) when PUBLIC_URL is https; COOKIE_SECURE=1/0
    # says so explicitly (e.g. behind a TLS proxy without PUBLIC_URL).
    cookie_secure: bool = field(default_factory=lambda: _env_bool(
        "COOKIE_SECURE", _env("PUBLIC_URL", "").lower().startswith("https://")))
    # WhatsApp Cloud API (bot/channels/whatsapp/); the channel is off while the token is unset.
    whatsapp_token: str = field(default_factory=lambda: _env("WHATSAPP_TOKEN", ""), repr=False)
    whatsapp_phone_number_id: str = field(default_factory=lambda: _env("WHATSAPP_PHONE_NUMBER_ID", ""))
    whatsapp_app_secret: str = field(default_factory=lambda: _env("WHATSAPP_APP_SECRET", ""), repr=False)
    whatsapp_verify_token: str = field(default_factory=lambda: _env("WHATSAPP_VERIFY_TOKEN", ""), repr=False)
    # The Graph API version is one setting (core/graph_versions.py knows when each one ends: a warning at
    # start 90 days before); WHATSAPP_GRAPH_URL is the API's address without it (tests point it at a fake).
    whatsapp_graph_version: str = field(default_factory=lambda: _env("WHATSAPP_GRAPH_VERSION", DEFAULT_GRAPH_VERSION))
    whatsapp_graph_url: str = ""
    whatsapp_template: str = field(default_factory=lambda: _env("WHATSAPP_TEMPLATE", "musrenbang_update"))
    whatsapp_template_language: str = field(default_factory=lambda: _env("WHATSAPP_TEMPLATE_LANGUAGE", "id"))
    whatsapp_rate_per_minute: int = field(default_factory=lambda: _env_int("WHATSAPP_RATE_PER_MINUTE", 20))
    # Telegram (bot/channels/telegram/); the channel is off while the token is unset.
    telegram_bot_token: str = field(default_factory=lambda: _env("TELEGRAM_BOT_TOKEN", ""), repr=False)
    telegram_mode: str = field(default_factory=lambda: _env_choice("TELEGRAM_MODE", "polling", ("polling", "webhook")))
    # Checked on every webhook call; derived from the token when unset.
    telegram_webhook_secret: str = field(default_factory=lambda: _env("TELEGRAM_WEBHOOK_SECRET", ""), repr=False)
    telegram_api_url: str = field(default_factory=lambda: _env_url("TELEGRAM_API_URL", "https://api.telegram.org"))
    telegram_rate_per_minute: int = field(default_factory=lambda: _env_int("TELEGRAM_RATE_PER_MINUTE", 20))
    telegram_poll_timeout_s: int = field(default_factory=lambda: _env_int("TELEGRAM_POLL_TIMEOUT", 25))
    # The officers' chat (a group's numeric id, e.g. -1001234567890): new escalations are posted there
    # and a reply to such a post is the answer. Unset: officers answer in the console only.
    telegram_officers_chat_id: str = field(default_factory=lambda: _env("TELEGRAM_OFFICERS_CHAT_ID", ""))
    # If set, only these Telegram user ids may answer from that chat (any member may otherwise).
    telegram_officer_ids: tuple[int, ...] = field(default_factory=lambda: _env_ids("TELEGRAM_OFFICER_IDS"))
    # The gateway's address as the internet sees it (https://...), for webhook registration.
    public_url: str = field(default_factory=lambda: _env_url("PUBLIC_URL", "").rstrip("/"))
    # The public dashboard's map: a tile URL template ("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    # and the attribution its provider requires. Unset: offline, the pins stand on a blank background.
    public_map_tile_url: str = field(default_factory=lambda: _env_url("PUBLIC_MAP_TILE_URL", ""))
    public_map_attribution: str = field(default_factory=lambda: _env("PUBLIC_MAP_ATTRIBUTION", ""))
    # Rasa's tracker store as an SQLAlchemy URL (ops/endpoints.py writes it into Rasa's endpoints; erasure
    # and retention delete from it). Unset: the SQLite file RASA_TRACKER_DB (var/tracker.db) when the
    # database is SQLite, the project's own PostgreSQL database when DATABASE_URL is PostgreSQL; there Rasa's
    # `events` table lives in its own schema (TRACKER_STORE_SCHEMA, created by `./musrenbang migrate`).
    rasa_tracker_db: Path = field(default_factory=lambda: Path(_env("RASA_TRACKER_DB", ".")))
    tracker_store_url: str = field(default_factory=lambda: _env("TRACKER_STORE_URL", ""), repr=False)
    tracker_store_schema: str = field(default_factory=lambda: _env("TRACKER_STORE_SCHEMA", "rasa"))
    # Rasa's lock store: unset, Rasa's in-memory lock store (one Sanic worker, one Rasa process); a Redis URL
    # (redis://host:6379/1) gives RedisLockStore, which several workers and Rasa processes share.
    redis_url: str = field(default_factory=lambda: _env_url("REDIS_URL", "", ("redis", "rediss")), repr=False)
    # Sanic workers per Rasa process (each loads the model: ~1 GB); more than one needs REDIS_URL.
    rasa_workers: int = field(default_factory=lambda: _env_int("RASA_WORKERS", 1, minimum=1))
    # Processed chat messages (inbound, outbox, receipts) and Rasa's events are deleted after this many
    # days (UU 27/2022: kept no longer than needed); 0 keeps them. Proposals are kept: they are public record.
    retention_days: int = field(default_factory=lambda: _env_int("RETENTION_DAYS", 90))
    # The manual (paper) process's mean days from submission to verification, measured by Bappeda
    # before the chat: the dashboard and the yearly report set the chat's figure against it. 0: not measured.
    verification_baseline_days: float = field(default_factory=lambda: _env_float("VERIFICATION_BASELINE_DAYS", 0.0))
    # Where /data's open-data files are written (regenerated daily, or by `./musrenbang opendata`).
    open_data_dir: Path = field(default_factory=lambda: Path(_env("OPEN_DATA_DIR", ".")))
    # The action server's webhook (endpoints.yml reads the same variable); /readyz asks its /health.
    action_server_url: str = field(
        default_factory=lambda: _env_url("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook"))
    # /metrics of the gateway and the action server: with this bearer token from anywhere, without it only
    # from loopback and never through the reverse proxy.
    metrics_token: str = field(default_factory=lambda: _env("METRICS_TOKEN", ""), repr=False)
    # /readyz answers 503 when a due message waited longer than this without a worker taking it.
    ready_max_overdue_s: int = field(default_factory=lambda: _env_int("READY_MAX_OVERDUE", 120))
    # Log format of the gateway and the action server: json (one object per line on stdout) or text.
    log_format: str = field(default_factory=lambda: _env_choice("LOG_FORMAT", "json", ("json", "text")))
    # local: migrate and train at start as needed (a laptop). production: services never migrate (that is
    # `./musrenbang migrate`, one step before them) nor train (MUSRENBANG_MODEL or MODEL_URL is required), and every
    # secret must be given.
    mode: str = field(default_factory=lambda: _env_choice("MUSRENBANG_MODE", "local", MODES))
    # A trained model file (`./musrenbang train --out FILE`) that Rasa loads instead of the local cache.
    model_file: Path | None = field(default_factory=lambda: Path(_env("MUSRENBANG_MODEL", "")) if _env(
        "MUSRENBANG_MODEL", "") else None)
    # Or a model server (Rasa's own `models:` endpoint): Rasa pulls the model from this URL at start and every
    # MODEL_PULL_INTERVAL seconds (0: only at start), asking with the ETag it has (If-None-Match), so publishing
    # a new file there updates every Rasa process without a restart. Nothing local, nothing trained.
    model_url: str = field(default_factory=lambda: _env_url("MODEL_URL", ""))
    model_pull_interval_s: int = field(default_factory=lambda: _env_int("MODEL_PULL_INTERVAL", 60))

    def __post_init__(self) -> None:
        if not self.database_url:
            default = f"sqlite+aiosqlite:///{self.var_dir / 'musrenbang.db'}"
            object.__setattr__(self, "database_url", _env("DATABASE_URL", default))
        check_url("DATABASE_URL", self.database_url, ("sqlite", "postgresql"), host=False)
        if self.open_data_dir == Path("."):
            object.__setattr__(self, "open_data_dir", self.var_dir / "opendata")
        if self.rasa_tracker_db == Path("."):
            object.__setattr__(self, "rasa_tracker_db", self.var_dir / "tracker.db")
        if self.media_dir == Path("."):
            object.__setattr__(self, "media_dir", self.var_dir / "media")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ConfigError(f"TRUSTED_PROXIES must list IP addresses or networks (CIDR), not {proxy!r}") from None
        if not self.tracker_store_url:
            object.__setattr__(self, "tracker_store_url", _default_tracker_store(self))
        check_url("TRACKER_STORE_URL", self.tracker_store_url, ("sqlite", "postgresql"), host=False)
        if not self.tracker_store_schema.isidentifier():
            raise ConfigError(f"TRACKER_STORE_SCHEMA must be a plain name (letters, digits, _), "
                              f"not {self.tracker_store_schema!r}")
        if not self.rasa_concurrency:
            object.__setattr__(self, "rasa_concurrency", rasa_concurrency_for(
                self.rasa_processes, self.rasa_workers, self.gateway_processes))
        if self.rasa_workers > 1 and not self.redis_url:
            raise ConfigError(f"RASA_WORKERS={self.rasa_workers} needs REDIS_URL: Rasa runs more than one worker "
                              "only with a shared lock store (RedisLockStore)")
        if not self.whatsapp_graph_url:
            base = check_url("WHATSAPP_GRAPH_URL", _env("WHATSAPP_GRAPH_URL", "https://graph.facebook.com"),
                             ("http", "https")).rstrip("/")
            if _GRAPH_VERSION.search(urlsplit(base).path):
                raise ConfigError("WHATSAPP_GRAPH_URL is the Graph API's address without a version "
                                  f"({base!r}); the version is WHATSAPP_GRAPH_VERSION")
            if not _GRAPH_VERSION.fullmatch("/" + self.whatsapp_graph_version):
                raise ConfigError(f"WHATSAPP_GRAPH_VERSION must look like v25.0, not {self.whatsapp_graph_version!r}")
            object.__setattr__(self, "whatsapp_graph_url", f"{base}/{self.whatsapp_graph_version}")
        if self.media_dir == Path("."):
            object.__setattr__(self, "media_dir", self.var_dir / "media")
        if self.media_url:
            s3_location(self.media_url)
            if _env("MEDIA_DIR", ""):
                raise ConfigError("MEDIA_DIR and MEDIA_URL are both set: photos live in one place (a directory, or "
                                  "the S3 store); leave the other empty")
            if bool(self.s3_access_key_id) != bool(self.s3_secret_access_key):
                raise ConfigError("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither "
                                  "(then the S3 client's own lookup, e.g. an instance role)")
        if self.model_url and self.model_file is not None:
            raise ConfigError("MUSRENBANG_MODEL and MODEL_URL are both set: Rasa loads the model from one place "
                              "(a file, or the model server); leave the other empty")

    @property
    def is_local_default(self) -> bool:
        """The laptop setup: local mode on SQLite, where generated secrets in var/ are good enough."""
        return self.mode == "local" and self.database_url.startswith("sqlite")

    @property
    def tracker_store_is_postgres(self) -> bool:
        return self.tracker_store_url.startswith("postgresql")

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


MODES = ("local", "production")
_GRAPH_VERSION = re.compile(r"/v\d+\.\d+(/|$)")
# Secrets that must be given (not generated per machine) outside the local default: every gateway, Rasa
# process and tool of one installation has to agree on them.
REQUIRED_SECRETS = ("SESSION_SECRET", "RASA_TOKEN")


# RASA_CONCURRENCY's default: the measured good value for up to 2 gateways on 2 Rasa processes x 2 workers
# (bench/scale.py; fewer in flight gave no better p95), and 4 turns in flight per Rasa worker, shared among the
# gateways, beyond that (each worker's event loop keeps a few turns busy while others wait on the tracker store,
# Redis and the action server).
RASA_CONCURRENCY_FLOOR = 8
TURNS_PER_RASA_WORKER = 4


def rasa_concurrency_for(rasa_processes: int, rasa_workers: int, gateways: int) -> int:
    """Turns one gateway keeps in Rasa when RASA_CONCURRENCY is unset: the Rasa workers' share of this gateway
    (4 each, rounded up), at least 8."""
    share = -(-TURNS_PER_RASA_WORKER * rasa_processes * rasa_workers // max(gateways, 1))
    return max(RASA_CONCURRENCY_FLOOR, share)


def s3_location(url: str) -> tuple[str, str]:
    """The bucket and the key prefix ("" or ending in /) of MEDIA_URL=s3://bucket/prefix."""
    parts = urlsplit(url)
    bucket = parts.netloc
    if parts.scheme != "s3" or not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket) or parts.query:
        raise ConfigError(f"MEDIA_URL must be s3://bucket/prefix (a bucket name of lower-case letters, digits, "
                          f"dots and hyphens; the keys go in S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY), not "
                          f"{_hide_password(url)!r}")
    prefix = parts.path.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


def _default_tracker_store(config: Settings) -> str:
    """The project's own PostgreSQL database (a synchronous driver: Rasa's SQLAlchemy engine), or the
    SQLite file next to the database."""
    if config.database_url.startswith("postgresql"):
        return "postgresql://" + config.database_url.split("://", 1)[1]
    return f"sqlite:///{quote(str(config.rasa_tracker_db))}"


def check_startup(config: Settings) -> list[str]:
    """What every service checks before it starts: raises ConfigError for what would make it run wrongly
    (a secret missing outside the local default), returns warnings to log (a Graph version near its end)."""
    from datetime import date

    from core.graph_versions import end_of_life_warning

    if not config.is_local_default:
        missing = [name for name in REQUIRED_SECRETS if not _env(name, "")]
        if config.whatsapp_token and not config.whatsapp_app_secret:
            missing.append("WHATSAPP_APP_SECRET")
        if missing:
            why = "in production mode" if config.mode == "production" else "with a database other than local SQLite"
            raise ConfigError(f"{', '.join(missing)} must be set {why}: every process of the installation has to "
                              "share them (make one: python3 -c 'import secrets; print(secrets.token_hex(32))')")
    if config.mode == "production" and config.model_file is None and not config.model_url:
        raise ConfigError("MUSRENBANG_MODEL must name a trained model file (or MODEL_URL a model server) in "
                          "production mode (build it once with ./musrenbang train --out FILE)")
    if config.model_file is not None and not config.model_file.is_file():
        raise ConfigError(f"MUSRENBANG_MODEL: no model file at {config.model_file}")
    warnings = []
    if config.whatsapp_token:
        warning = end_of_life_warning(config.whatsapp_graph_version, date.today())
        if warning:
            warnings.append(warning)
    return warnings


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


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of this process, or of a process that would run with `environ`."""
    token = _SOURCE.set(environ)
    try:
        return Settings()
    finally:
        _SOURCE.reset(token)
