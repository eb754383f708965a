"""The one internal message type every channel adapter converts to and from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Incoming:
    """A citizen's message, whatever channel it came from.

    `message_id` is the channel's own id (Telegram update id, WhatsApp message id, the web
    client's uuid): a second delivery of the same id is answered, not processed again.
    """

    channel: str
    sender: str
    message_id: str
    text: str
    metadata: dict = field(default_factory=dict)

    @property
    def conversation_id(self) -> str:
        return f"{self.channel}:{self.sender}"


@dataclass(frozen=True)
class Outgoing:
    text: str = ""
    buttons: tuple[Button, ...] = ()
    image: str | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["buttons"] = [asdict(b) for b in self.buttons]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Outgoing:
        buttons = tuple(
            Button(str(b.get("title", "")), str(b.get("payload", ""))) for b in data.get("buttons") or []
        )
        return cls(text=str(data.get("text") or ""), buttons=buttons, image=data.get("image"))
