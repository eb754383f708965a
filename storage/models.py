"""Tables. Timestamps are stored in UTC; codes and statuses follow DESIGN.md."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite hands back naive ones; all are stored in UTC)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


class Citizen(Base):
    """Someone who chats with the bot, identified per channel (web, telegram, whatsapp)."""

    __tablename__ = "citizens"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_citizen_channel_external"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    external_id = Column(String(128), nullable=False)
    name = Column(String(120))
    phone = Column(String(32))
    language = Column(String(8), nullable=False, default="id")
    last_inbound_at = Column(DateTime(timezone=True))  # WhatsApp's 24-hour window; to the minute (messages.py)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Proposal(Base):
    __tablename__ = "proposals"
    # The duplicate check reads the open proposals of one village and sector (storage/duplicates.py).
    __table_args__ = (Index("ix_proposals_village_sector_status", "village_code", "sector", "status"),)

    id = Column(Integer, primary_key=True)
    code = Column(String(10), nullable=False, unique=True)
    # The form's draft id: confirming the same draft twice must not store two proposals.
    draft_key = Column(String(64), nullable=False, unique=True)
    citizen_id = Column(Integer, ForeignKey("citizens.id"), nullable=False, index=True)
    description = Column(Text, nullable=False)
    # What the citizen wrote, greetings and all: the description above is cleaned for the record.
    original_text = Column(Text)
    sector = Column(String(32), nullable=False, index=True)
    item_code = Column(String(64))  # the kamus usulan item (core/kamus.py), when the citizen chose one
    village_code = Column(String(13), nullable=False, index=True)
    rt = Column(String(3))
    rw = Column(String(3))
    latitude = Column(Float)
    longitude = Column(Float)
    photo_ref = Column(String(200))
    status = Column(String(32), nullable=False, index=True)
    language = Column(String(8), nullable=False, default="id")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    citizen = relationship("Citizen")
    history = relationship("StatusChange", order_by="StatusChange.id", back_populates="proposal")


class StatusChange(Base):
    """One row per status change. `note` is internal; `reason` is shown to the citizen."""

    __tablename__ = "proposal_status_history"

    id = Column(Integer, primary_key=True)
    proposal_id = Column(Integer, ForeignKey("proposals.id"), nullable=False, index=True)
    old_status = Column(String(32))
    new_status = Column(String(32), nullable=False)
    actor = Column(String(120), nullable=False)
    reason = Column(Text)
    note = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    proposal = relationship("Proposal", back_populates="history")


class Support(Base):
    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("proposal_id", "citizen_id", name="uq_support_once"),)

    id = Column(Integer, primary_key=True)
    proposal_id = Column(Integer, ForeignKey("proposals.id"), nullable=False, index=True)
    citizen_id = Column(Integer, ForeignKey("citizens.id"), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class FaqEntry(Base):
    """FAQ answers added at run time (e.g. from an officer's answer), besides the trained ones.

    Served to citizens only while `active` and once an admin approved it (`approved_at`).
    """

    __tablename__ = "faq_entries"

    id = Column(Integer, primary_key=True)
    topic = Column(String(64), nullable=False)
    language = Column(String(8), nullable=False, default="id")
    question = Column(Text, nullable=False)
    answer = Column(Text, nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    saved_by = Column(String(120))  # "officer:<username>" who proposed it
    approved_by = Column(String(120))  # "officer:<admin>"
    approved_at = Column(DateTime(timezone=True))


class Escalation(Base):
    """A question the bot could not answer, waiting for an officer."""

    __tablename__ = "escalations"
    # A reply in the officers' Telegram chat is matched to its escalation by the post's message.
    __table_args__ = (Index("ix_escalations_post", "post_chat_id", "post_message_id"),)

    id = Column(Integer, primary_key=True)
    citizen_id = Column(Integer, ForeignKey("citizens.id"), nullable=False, index=True)
    question = Column(Text, nullable=False)
    excerpt = Column(Text, nullable=False, default="")
    status = Column(String(16), nullable=False, default="open", index=True)
    # The citizen's desa when known (the form's answer, else their latest proposal): the desk's scope.
    village_code = Column(String(13), index=True)
    claimed_by = Column(Integer, ForeignKey("officers.id"))
    claimed_at = Column(DateTime(timezone=True))
    answer = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    answered_at = Column(DateTime(timezone=True))
    faq_entry_id = Column(Integer, ForeignKey("faq_entries.id", name="fk_escalations_faq_entry"))
    # Answered outside the console (the officers' Telegram chat): "telegram:<user>", no officer row.
    answered_by = Column(String(120))
    posted_at = Column(DateTime(timezone=True))  # queued for the officers' Telegram chat
    post_chat_id = Column(String(64))
    post_message_id = Column(BigInteger)  # Telegram's id of that post, once it is delivered

    citizen = relationship("Citizen")


class Officer(Base):
    __tablename__ = "officers"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    full_name = Column(String(120), nullable=False, default="")
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)
    scope_code = Column(String(13))
    sector = Column(String(32))
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class InboundMessage(Base):
    """Every accepted message, stored before it is acknowledged and processed exactly once.

    Status: `queued` (waiting, maybe for a retry at `next_attempt_at`) → `processing` (claimed by
    a worker at `claimed_at`; a stale claim is taken over after a restart) → `done`.
    A redelivery (same channel, sender and message id) finds this row and changes nothing.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "sender", "message_id", name="uq_inbound_once"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    sender = Column(String(128), nullable=False)
    message_id = Column(String(128), nullable=False)
    text = Column(Text, nullable=False, default="")
    meta = Column(Text)  # JSON: what the channel adds (photo file, location, reply context)
    status = Column(String(16), nullable=False, default="processing", index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True))
    claimed_at = Column(DateTime(timezone=True))
    busy_notice_sent = Column(Boolean, nullable=False, default=False)
    replies = Column(Text)  # JSON list of outgoing messages once processed
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    processed_at = Column(DateTime(timezone=True))


class OutboxMessage(Base):
    """A message to deliver on a channel (a reply, a notification, a notice), sent with retries.

    `dedupe_key` keeps one row per logical message (e.g. one notification per status change and
    recipient), so a retried writer cannot queue it twice.
    """

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    recipient = Column(String(128), nullable=False)
    payload = Column(Text, nullable=False)  # JSON of bot.message.Outgoing
    kind = Column(String(16), nullable=False, default="reply")
    dedupe_key = Column(String(160), unique=True)
    status = Column(String(16), nullable=False, default="pending", index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True))
    claimed_at = Column(DateTime(timezone=True))
    # Set right before the platform call, cleared when its outcome is recorded: a claim found stale while it is
    # set belongs to a sender that died mid-delivery (the platform may have the message; `interrupted` counts it).
    send_started_at = Column(DateTime(timezone=True))
    parts_sent = Column(Integer, nullable=False, default=0, server_default="0")  # of a message sent in parts
    interrupted = Column(Integer, nullable=False, default=0, server_default="0")
    last_error = Column(Text)
    provider_id = Column(String(128))  # the channel's id of the sent message
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = Column(DateTime(timezone=True))


class DeliveryReceipt(Base):
    """Channel receipts (WhatsApp sent/delivered/read/failed), recorded, never relayed to Rasa."""

    __tablename__ = "delivery_receipts"
    __table_args__ = (UniqueConstraint("channel", "provider_id", "status", name="uq_receipt_once"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    provider_id = Column(String(160), nullable=False)
    recipient = Column(String(128))
    status = Column(String(16), nullable=False)
    detail = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class OfficerSession(Base):
    """A logged-in officer. Only the token's hash is stored, so a database leak logs no one in."""

    __tablename__ = "officer_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    officer_id = Column(Integer, ForeignKey("officers.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    ip = Column(String(64))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False, index=True)


class LoginThrottle(Base):
    """Failed logins per key ("user:NAME", "ip:ADDR"), in the database so every gateway sees them."""

    __tablename__ = "login_throttle"

    id = Column(Integer, primary_key=True)
    key = Column(String(160), nullable=False, unique=True)
    failures = Column(Integer, nullable=False, default=0)
    last_failure_at = Column(DateTime(timezone=True))
    locked_until = Column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who did what to which record, when and from where (officers' console and CLI)."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    officer_id = Column(Integer, ForeignKey("officers.id"), index=True)
    actor = Column(String(120), nullable=False)
    action = Column(String(40), nullable=False)
    target = Column(String(160))
    detail = Column(Text)
    ip = Column(String(64))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class ApiKey(Base):
    """A partner's key for the Open311 API. Only its SHA-256 is stored, so the key is shown once."""

    __tablename__ = "api_keys"

    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False, unique=True)
    key_hash = Column(String(64), nullable=False, unique=True)
    key_prefix = Column(String(16), nullable=False)  # the first characters, to recognise a key in a list
    request_count = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_used_at = Column(DateTime(timezone=True))
    revoked_at = Column(DateTime(timezone=True))


class ApiRateCounter(Base):
    """Requests of one bucket ("key:ID", "ip:ADDR") in one fixed window, in the database so that
    every gateway counts against the same limit. `window_start` is in epoch seconds."""

    __tablename__ = "api_rate_counters"
    __table_args__ = (UniqueConstraint("bucket", "window_start", name="uq_api_rate_window"),)

    id = Column(Integer, primary_key=True)
    bucket = Column(String(160), nullable=False)
    window_start = Column(BigInteger, nullable=False, index=True)
    count = Column(Integer, nullable=False, default=0)


class SatisfactionRating(Base):
    """One satisfaction question per citizen and event (a proposal stored, its final status, an
    officer's answer), and the citizen's 1–5 answer and optional comment once given.

    `event_key` is unique: an event is asked about once, however often its writer runs again.
    """

    __tablename__ = "satisfaction_ratings"
    __table_args__ = (UniqueConstraint("event_key", name="uq_satisfaction_ratings_event_key"),)

    id = Column(Integer, primary_key=True)
    event_key = Column(String(80), nullable=False)  # "submitted:USL-AB12CD", "answer:7", ...
    event = Column(String(16), nullable=False)  # submitted | final | answer
    citizen_id = Column(Integer, ForeignKey("citizens.id"), nullable=False, index=True)
    channel = Column(String(20), nullable=False)  # the channel the question goes to (satisfaction by channel)
    kecamatan_code = Column(String(8), index=True)  # the proposal's kecamatan, when the event has one
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    asked_at = Column(DateTime(timezone=True))  # None until the question is queued (after the turn)
    closed_at = Column(DateTime(timezone=True))  # the citizen moved on: the question (or comment offer) lapsed
    rating = Column(Integer)
    rated_at = Column(DateTime(timezone=True))
    comment = Column(Text)
