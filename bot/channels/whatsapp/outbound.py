"""WhatsApp out: the outbox's sender (Graph API) and the typing indicator.

`WhatsAppSender.send` posts text, reply buttons (≤ 3) or a list (≤ 10). Outside WhatsApp's 24-hour
customer-service window only an approved template may be sent. While the worker waits for Rasa, the
citizen's message is marked read with a typing indicator (shown until the reply, at most 25 s), in
a task of its own that never holds up or fails the turn.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta, timezone
from functools import partial

import aiohttp

from bot.channels.whatsapp.graph import CHANNEL, Graph
from bot.message import Button, Incoming, Outgoing
from bot.relay import TypingIndicator
from bot.sender import Sender, SendError, split_text
from core import settings, texts
from storage import messages

WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window after the citizen's last message

# Graph API limits for the messages we build.
TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
MAX_BUTTONS = 3
MAX_ROWS = 10
TEMPLATE_PARAMETER_LIMIT = 1000

# Error codes that say "later", not "never": rate limits, service trouble, an expired token an
# operator can renew. Any other 4xx (invalid recipient, bad parameter, unknown template) is permanent.
TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 190, 613, 80007, 130429, 131000, 131016, 131048, 131056, 133004})
REENGAGEMENT_CODE = 131047  # more than 24 hours since the citizen wrote: only a template may go

SEND_TIMEOUT = aiohttp.ClientTimeout(total=15)  # the dispatcher sends one message at a time
TYPING_TIMEOUT = aiohttp.ClientTimeout(total=5)  # "typing…" that late is pointless; the turn never waits
PHONE_RE = re.compile(r"^\+?[0-9]{5,20}\Z")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class GraphError(SendError):
    def __init__(self, message: str, code: object, permanent: bool) -> None:
        super().__init__(message, permanent=permanent)
        self.code = code


def _language(text: str) -> str:
    from core.language.identify import detect

    return detect(text)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _titles(buttons: tuple[Button, ...], limit: int) -> list[str]:
    """Shortened titles, kept distinct (WhatsApp rejects two reply buttons with the same title)."""
    titles: list[str] = []
    for button in buttons:
        title = _shorten(button.title, limit) or "-"
        number = 2
        while title in titles:
            suffix = f" ({number})"
            title = _shorten(button.title, limit - len(suffix)) + suffix
            number += 1
        titles.append(title)
    return titles


def build_messages(outbox_id: int, message: Outgoing, language: str | None = None) -> list[dict]:
    """The Graph API message objects (without the recipient) for one outbox message, in order.

    Buttons become reply buttons (1–3) or a list (4–10; beyond that the first 9 plus a typed hint),
    with ids `"outboxid:index"` that `messages.button_payload` turns back into Rasa payloads.
    """
    parts: list[dict] = []
    if message.image and message.image.startswith(("https://", "http://")):
        parts.append({"type": "image", "image": {"link": message.image}})
    buttons = message.buttons
    if not buttons:
        parts.extend({"type": "text", "text": {"body": piece}} for piece in split_text(message.text, TEXT_LIMIT))
        return parts
    body = message.text.strip()
    if len(buttons) > MAX_ROWS:
        hint = texts.whatsapp("more_choices", language, choices=", ".join(b.title for b in buttons[MAX_ROWS - 1:]))
        body = f"{body}\n\n{hint}" if body else hint
        buttons = buttons[: MAX_ROWS - 1]
    *before, body = split_text(body, INTERACTIVE_BODY_LIMIT) or [texts.whatsapp("choose", language)]
    parts.extend({"type": "text", "text": {"body": piece}} for piece in before)
    ids = [f"{outbox_id}:{index}" for index in range(len(buttons))]
    if len(buttons) <= MAX_BUTTONS:
        replies = [{"type": "reply", "reply": {"id": i, "title": t}}
                   for i, t in zip(ids, _titles(buttons, BUTTON_TITLE_LIMIT), strict=True)]
        action: dict = {"buttons": replies}
        kind = "button"
    else:
        rows = []
        for i, title, button in zip(ids, _titles(buttons, ROW_TITLE_LIMIT), buttons, strict=True):
            row = {"id": i, "title": title}
            if len(button.title) > ROW_TITLE_LIMIT:  # the whole title stays readable under the row
                row["description"] = _shorten(button.title, ROW_DESCRIPTION_LIMIT)
            rows.append(row)
        action = {"button": _shorten(texts.whatsapp("list_button", language), BUTTON_TITLE_LIMIT),
                  "sections": [{"title": _shorten(texts.whatsapp("list_section", language), ROW_TITLE_LIMIT),
                                "rows": rows}]}
        kind = "list"
    parts.append({"type": "interactive", "interactive": {"type": kind, "body": {"text": body}, "action": action}})
    return parts


def template_message(config: settings.Settings, message: Outgoing) -> dict | None:
    """The approved template carrying the text as its one body parameter (one line, as Meta requires)."""
    text = _shorten(message.text, TEMPLATE_PARAMETER_LIMIT)
    if not text:
        return None
    return {"type": "template", "template": {
        "name": config.whatsapp_template,
        "language": {"code": config.whatsapp_template_language},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": text}]}],
    }}


def _address(recipient: str) -> dict[str, str]:
    """A phone number goes in `to`; a business-scoped user id (e.g. "US.1349...") in `recipient`."""
    return {"to": recipient.lstrip("+")} if PHONE_RE.match(recipient) else {"recipient": recipient}


class WhatsAppSender(Sender):
    """The outbox's sender for WhatsApp."""

    channel = CHANNEL

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def send(self, job: messages.OutboxJob, message: Outgoing) -> str | None:
        last = await messages.last_inbound_at(self.graph.db, CHANNEL, job.recipient)
        if last is None or _now() - last > WINDOW:
            return await self._send_template(job, message)
        language = _language(message.text) if message.buttons and message.text.strip() else None
        out = 0  # parts this attempt sent

        async def post(part: dict) -> str:
            nonlocal out
            provider_id = await self._post(job.recipient, part)
            out += 1
            return provider_id

        try:
            return await self.in_parts(job, [partial(post, part) for part in build_messages(job.id, message, language)])
        except GraphError as error:
            if error.code == REENGAGEMENT_CODE and out == 0 and job.parts_sent == 0:  # the window closed after all
                return await self._send_template(job, message)
            raise

    async def _send_template(self, job: messages.OutboxJob, message: Outgoing) -> str | None:
        template = template_message(self.graph.config, message)
        return await self._post(job.recipient, template) if template else None

    async def _post(self, recipient: str, part: dict) -> str:
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **_address(recipient), **part}
        try:
            async with self.graph.client.post(self.graph.messages_url, json=body, headers=self.graph.auth,
                                              timeout=SEND_TIMEOUT) as response:
                status = response.status
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    data = None
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise SendError(f"whatsapp unreachable: {error!r}") from error
        data = data if isinstance(data, dict) else {}
        if status == 200:
            sent = data.get("messages")
            if isinstance(sent, list) and sent and isinstance(sent[0], dict) and sent[0].get("id"):
                return str(sent[0]["id"])
            raise SendError("whatsapp answered 200 without a message id")
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        code = error.get("code")
        permanent = 400 <= status < 500 and status != 429 and code not in TRANSIENT_CODES
        raise GraphError(f"whatsapp {status} (code {code}): {error.get('message') or 'no details'}", code, permanent)


def typing_indicator(graph: Graph) -> TypingIndicator:
    """The worker's "typing…" for WhatsApp (registered at startup)."""

    async def typing(message: Incoming) -> None:
        """Mark the citizen's message read and show the typing indicator until the reply (its id is
        the WhatsApp message id, wamid)."""
        body = {"messaging_product": "whatsapp", "status": "read", "message_id": message.message_id,
                "typing_indicator": {"type": "text"}}
        async with graph.client.post(graph.messages_url, json=body, headers=graph.auth,
                                     timeout=TYPING_TIMEOUT) as response:
            if response.status != 200:
                raise RuntimeError(f"graph answered {response.status}")  # the worker logs it

    return TypingIndicator(typing, timeout_s=TYPING_TIMEOUT.total + 1)
