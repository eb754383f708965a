"""The one internal message type every channel adapter converts to and from.

A channel parses what its platform sends into `Incoming` and hands it to the intake (bot/intake.py);
the outbox hands its sender (bot/sender.py) an `Outgoing`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from core.language.words import has_word

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls but tab and line breaks
TYPED_PAYLOAD_RE = re.compile(r"\A\s*/+")


def clean_text(text: str) -> str:
    """Text as every store can hold it: no NUL (PostgreSQL refuses it) nor other control characters."""
    return CONTROL_RE.sub("", text)


def typed_text(text: str) -> str:
    """What a person typed, never read by Rasa as a payload: "/inform{...}" would set any slot, so the
    leading slashes go (payloads come from buttons only, looked up by the channel)."""
    return TYPED_PAYLOAD_RE.sub("", text)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Photo:
    """A photo the platform still holds, to be fetched before the message is relayed.

    `fetch(limit)` returns its bytes; it raises `media.Refused` for a photo that is not taken (too
    large, gone) and `media.Unavailable` when the platform cannot hand it over now.
    """

    name: str  # the file name in the media directory, chosen before the download: the text carries it
    fetch: Callable[[int], Awaitable[bytes]]
    extension: str | None = None  # the type the platform announced, which the bytes must be; None: any image
    background: bool = False  # acknowledge first and fetch in a task of its own (slow, retried downloads)


@dataclass(frozen=True)
class Incoming:
    """A citizen's message, whatever channel it came from.

    `message_id` is the channel's own id (Telegram update id, WhatsApp message id, the web
    client's uuid): a second delivery of the same id is answered, not processed again.
    `notice`: the channel's own answer for what Rasa cannot use (a sticker, an edit, an expired
    button); such a message is stored and answered, never relayed. `language`: what the channel
    knows of the citizen's language (e.g. the Telegram app's), for notices when the text tells none.
    `photo`: the photo to fetch first; `text` then carries its `media.share_text`.
    """

    channel: str
    sender: str
    message_id: str
    text: str
    metadata: dict = field(default_factory=dict)
    notice: Outgoing | None = None
    language: str | None = None
    photo: Photo | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # The one place every channel's text, sender and id pass: cleaned before anything stores them.
        for name in ("sender", "message_id", "text"):
            value = getattr(self, name)
            if CONTROL_RE.search(value):
                object.__setattr__(self, name, clean_text(value))

    @property
    def conversation_id(self) -> str:
        return f"{self.channel}:{self.sender}"


@dataclass(frozen=True)
class Outgoing:
    text: str = ""
    buttons: tuple[Button, ...] = ()
    image: str | None = None

    def as_dict(self) -> dict:
        """The stored and sent form (written out: `dataclasses.asdict` deep-copies, twice a reply a turn)."""
        return {"text": self.text, "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
                "image": self.image}

    @classmethod
    def from_dict(cls, data: dict) -> Outgoing:
        buttons = tuple(
            Button(str(b.get("title", "")), str(b.get("payload", ""))) for b in data.get("buttons") or []
        )
        return cls(text=str(data.get("text") or ""), buttons=buttons, image=data.get("image"))


def notice_language(message: Incoming) -> str | None:
    """Notices follow the language of the citizen's own words, else what the channel knows (the
    app's language on Telegram), else the default. Payloads and commands ("/…") say nothing."""
    text = message.text.strip()
    if has_word(text) and not text.startswith("/"):
        from core.language.identify import detect

        return detect(text)
    return message.language
