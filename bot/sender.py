"""The outgoing contract: what a channel implements so the outbox can deliver to it.

A channel's sender turns one `Outgoing` (text, buttons, an image link) into the platform's calls and
says how a failure should be treated: `SendError(permanent=True)` for what retrying cannot fix
(blocked bot, unknown recipient), `SendError(retry_after=s)` when the platform names its own wait
(Telegram's flood control), any other exception for "later". The outbox dispatcher (bot/outbox.py)
owns retries, backoff, the time budget and the order of one recipient's messages.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

from bot.message import Outgoing
from storage import messages


class SendError(Exception):
    """A failed send; `permanent` ones (unknown chat, blocked bot) are not retried, and `retry_after`
    (seconds) is the platform's own "not before" for the next try."""

    def __init__(self, message: str, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


PartCall = Callable[[], Awaitable[str | None]]  # one platform call of a message; the channel's message id


class Sender(ABC):
    """One channel's way out, registered in `app[keys.SENDERS][channel]` by the channel's setup.

    A message the platform takes in several calls (long text, a photo, text before buttons) goes through
    `in_parts`, so each call is recorded as soon as the platform answers it (`part_sent`, set by the outbox
    dispatcher) and a later attempt never repeats a part that is out.
    """

    channel: str
    part_sent: Callable[[messages.OutboxJob, int, str | None], Awaitable[None]] | None = None

    @abstractmethod
    async def send(self, job: messages.OutboxJob, message: Outgoing) -> str | None:
        """Deliver one outbox message to `job.recipient`; returns the channel's message id.

        Buttons may carry `f"{job.id}:{index}"` as their short id (Telegram allows 64 bytes of
        callback data); `messages.button_payload` turns it back into the Rasa payload.
        """

    async def after_sent(self, job: messages.OutboxJob, provider_id: str | None) -> None:
        """Once the outbox recorded the message as sent (never between the platform's answer and that
        record, which is the window a dying sender could repeat the message in): e.g. note where a post
        landed. Must not raise."""
        return None

    async def in_parts(self, job: messages.OutboxJob, calls: list[PartCall]) -> str | None:
        """One message's platform calls in order, skipping those an earlier attempt made (`job.parts_sent`);
        each but the last recorded at once (the outbox records the last as the message's "sent")."""
        provider_id = None
        for index in range(job.parts_sent, len(calls)):
            provider_id = await calls[index]()
            if index + 1 < len(calls) and self.part_sent is not None:
                await self.part_sent(job, index + 1, provider_id)
        return provider_id


def one_unit(_char: str) -> int:
    return 1


def utf16_units(char: str) -> int:
    """How Telegram counts: a character outside the BMP (most emoji) is two UTF-16 code units."""
    return 2 if ord(char) > 0xFFFF else 1


def split_text(text: str, limit: int, units: Callable[[str], int] = one_unit) -> list[str]:
    """Pieces of at most `limit` units, cut at a line break, else at a space, else where the limit falls.

    A break is used only in the second half of a piece, so no piece is left needlessly short.
    """
    pieces = []
    rest = text.strip()
    while (end := _fitting(rest, limit, units)) < len(rest):
        end = max(1, end)
        cut = rest.rfind("\n", 0, end + 1)
        if cut < end // 2:
            cut = rest.rfind(" ", 0, end + 1)
        if cut < end // 2 or cut <= 0:
            cut = end
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return [piece for piece in pieces if piece]


def _fitting(text: str, limit: int, units: Callable[[str], int]) -> int:
    """The number of leading characters of `text` that fit in `limit` units."""
    if units is one_unit:
        return min(len(text), limit)
    used = 0
    for index, char in enumerate(text):
        used += units(char)
        if used > limit:
            return index
    return len(text)
