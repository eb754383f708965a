"""The one way in: every channel hands its messages here as `Incoming`, and nothing else stores them.

For each message, once (`inbound_messages` is unique per channel, sender and message id, so a
platform's redelivery is a no-op):
- over the sender's rate, or carrying a channel's own notice (a sticker, an edit, an expired button),
  empty, or longer than MAX_MESSAGE_CHARS: stored as done with a polite notice as its answer, never
  relayed to Rasa;
- with a photo the platform still holds: held (`processing`) until the file is in the media
  directory, then handed to the worker, or answered with "photo refused / failed";
- otherwise queued for the worker, which relays it to Rasa.
The web chat is answered in the same request (`answer`): its refusals are answered at once and not
stored (nothing is delivered later, so there is nothing to deduplicate), everything else is stored
and relayed by `Relay`.
After storing, the loop with new work (the worker, or the outbox dispatcher) is woken at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
from collections.abc import Callable

from bot import media
from bot.message import Incoming, Outgoing, Photo, notice_language
from bot.relay import Relay
from bot.satisfaction import Satisfaction
from core import kamus, settings, texts
from core.sectors import SECTORS
from storage import citizens, messages, rate_limits
from storage.db import Database

logger = logging.getLogger(__name__)

# A held photo message must be settled well before the queue's claim lease ends, or the worker
# would take it over and relay it without its file.
PHOTO_DEADLINE_S = messages.LEASE.total_seconds() * 0.75
RATE_WINDOW_S = 60
PAYLOAD_RE = re.compile(r"\A/([A-Za-z_]\w*)(\{.*\})?\Z", re.DOTALL)


def _nothing() -> None:
    return None


class Intake:
    """Stores each channel's messages once and decides what happens to them (see the module)."""

    def __init__(self, config: settings.Settings) -> None:
        self.config = config
        self.limits: dict[str, int] = {}  # messages per sender per minute, by channel
        self.db: Database | None = None
        self.relay: Relay | None = None
        self.wake_worker: Callable[[], None] = _nothing
        self.wake_dispatcher: Callable[[], None] = _nothing
        self.tasks: set[asyncio.Task] = set()  # photo downloads after the acknowledgement
        self.satisfaction: Satisfaction | None = None

    def limit(self, channel: str, per_minute: int) -> None:
        """A channel's per-sender rate (its setup calls this); channels without one are not limited."""
        self.limits[channel] = per_minute

    def start(self, db: Database, relay: Relay, wake_worker: Callable[[], None],
              wake_dispatcher: Callable[[], None]) -> None:
        """Connect to the database and the background loops once the gateway has opened them."""
        self.db, self.relay = db, relay
        self.wake_worker, self.wake_dispatcher = wake_worker, wake_dispatcher
        self.satisfaction = Satisfaction(db, relay.rasa if relay is not None else None)

    async def stop(self) -> None:
        """Photo downloads stop with the gateway; each answers its held message with "send the photo
        again" (`_settle_in_background`), so no message stays claimed until the lease runs out."""
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- webhook channels: store, acknowledge, the background loops do the rest ---

    async def accept(self, message: Incoming) -> bool:
        """Store `message` once and start what it asks for; False when it was stored before."""
        over = await self.over_rate(message)
        if over is not None:
            return await self._answer_only(message, over, {**message.metadata, "rate_limited": True})
        notice = message.notice or self._refusal(message)
        if notice is not None:
            return await self._answer_only(message, notice, message.metadata)
        if message.photo is not None:
            await self.satisfaction.lapse(message)  # a photo never answers the question: it closes it
            return await self._hold_for_photo(message, message.photo)
        held = self.satisfaction.is_button(message)
        accepted = await messages.accept_turn(self.db, message.channel, message.sender, message.message_id,
                                              message.text.strip(), message.metadata,
                                              status="processing" if held else "queued", hold_on_question=True)
        if not accepted.is_new:
            return False
        if held or accepted.question is not None:
            # Held (stored first: a redelivered "4" must not become the comment): answered without Rasa
            # when it answers the question, else handed to the worker as usual.
            await self._release_or_answer(accepted.id, await self.satisfaction.reply(message, accepted.question))
        else:
            self.wake_worker()
        return True

    async def over_rate(self, message: Incoming) -> Outgoing | None:
        """None within the sender's rate; over it, the notice, which goes out once per window (an
        empty `Outgoing` after that: the message is still answered by nothing but the notice).

        Counted in the database (storage.rate_limits, the one limiter), so every gateway process
        shares the count; every message counts, those over the rate too."""
        per_minute = self.limits.get(message.channel, 0)
        if per_minute <= 0:
            return None
        state = await rate_limits.hit(self.db, f"{message.channel}:{message.sender}", per_minute, RATE_WINDOW_S)
        if state.allowed:
            return None
        return self._notice(message, "rate_limited") if state.count == per_minute + 1 else Outgoing()

    def _refusal(self, message: Incoming) -> Outgoing | None:
        """The notice for a message Rasa should not see: empty, or longer than MAX_MESSAGE_CHARS."""
        text = message.text.strip()
        if not text and message.photo is None:
            return self._notice(message, "empty")
        if len(text) > self.config.max_message_chars:
            return self._notice(message, "too_long", limit=self.config.max_message_chars)
        if forged_payload(text):
            return self._notice(message, "bad_request")
        return None

    async def _answer_only(self, message: Incoming, notice: Outgoing, meta: dict) -> bool:
        """Stored as processed without Rasa (so a redelivery stays a no-op), the notice as its answer.

        Stored, not dropped: WhatsApp's 24-hour window opens with it, so the notice goes as plain text.
        """
        inbound_id, is_new = await messages.accept_inbound(self.db, message.channel, message.sender,
                                                           message.message_id, message.text, meta,
                                                           status="processing")
        if is_new:
            await messages.complete_inbound(self.db, inbound_id, [notice.as_dict()] if notice.text else [])
            self.wake_dispatcher()
        return is_new

    async def _hold_for_photo(self, message: Incoming, photo: Photo) -> bool:
        """Held (`processing`) until the file is in place, so the worker cannot relay it before; holding
        it also keeps the sender's order: their next message waits behind the photo."""
        inbound_id, is_new = await messages.accept_inbound(self.db, message.channel, message.sender,
                                                           message.message_id, message.text, message.metadata,
                                                           status="processing")
        if not is_new:
            return False
        if photo.background:  # no sender waits for another's photo, nor the platform for the download
            task = asyncio.create_task(self._settle_in_background(inbound_id, message, photo))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        else:
            await self._settle(inbound_id, message, photo)
        return True

    async def _settle_in_background(self, inbound_id: int, message: Incoming, photo: Photo) -> None:
        try:
            await self._settle(inbound_id, message, photo)
        except asyncio.CancelledError:  # the gateway stops: the download cannot be resumed by another
            if (await messages.inbound_state(self.db, inbound_id))[0] == "processing":
                notice = self._notice(message, "photo_failed",
                                      limit_mb=media.megabytes(self.config.max_photo_bytes))
                await messages.complete_inbound(self.db, inbound_id, [notice.as_dict()])
            raise
        except Exception:  # the held message is taken over by the worker after the lease
            logger.exception("%s photo of %s: storing the outcome failed", message.channel, message.message_id)

    async def _settle(self, inbound_id: int, message: Incoming, photo: Photo) -> None:
        """Fetch and store the photo, then free the message for the worker, or answer the problem."""
        await self._release_or_answer(inbound_id, await self._fetch(message, photo))

    async def _release_or_answer(self, inbound_id: int, answer: Outgoing | None) -> None:
        """A held message (`processing`) goes on: to the worker and Rasa when there is no `answer`, else
        it is done, with `answer` queued for the citizen."""
        if answer is None:
            await messages.release_inbound(self.db, inbound_id)
            self.wake_worker()
        else:
            await messages.complete_inbound(self.db, inbound_id, [answer.as_dict()])
            self.wake_dispatcher()

    async def _fetch(self, message: Incoming, photo: Photo) -> Outgoing | None:
        """None once the photo is stored; otherwise the notice for the citizen."""
        limit = self.config.max_photo_bytes
        where = f"{message.channel} photo of {message.message_id}"
        try:
            data = await asyncio.wait_for(photo.fetch(limit), PHOTO_DEADLINE_S)
            _, data = await media.accept_async(data, limit, self.config.max_photo_pixels, photo.extension)
            await media.store_async(self.config, photo.name, data)
            return None
        except media.Refused as error:
            logger.info("%s refused (%s)", where, error)
            key = "bad_photo"
        except asyncio.TimeoutError:
            logger.warning("%s: no download within %.0f s", where, PHOTO_DEADLINE_S)
            key = "photo_failed"
        except media.Unavailable as error:
            logger.warning("%s: download failed (%s)", where, error)
            key = "photo_failed"
        except Exception:  # e.g. a full disk: answer, rather than leave the message half-done
            logger.exception("%s not stored", where)
            key = "photo_failed"
        return self._notice(message, key, limit_mb=media.megabytes(limit))

    # --- the web chat: answered in the same request ---

    async def answer(self, message: Incoming, counted: bool = False) -> list[Outgoing]:
        """Store once and relay now; a redelivery gets the first answer. Raises RasaUnavailable
        when Rasa does not answer (the message is saved and answered through /api/updates).
        `counted`: the caller checked `over_rate` already (a photo upload, before storing the file)."""
        over = None if counted else await self.over_rate(message)
        notice = over or message.notice or self._refusal(message)
        if notice is not None:
            return [notice] if notice.text else []
        message = dataclasses.replace(message, text=message.text.strip())
        accepted = await messages.accept_turn(self.db, message.channel, message.sender, message.message_id,
                                              message.text, message.metadata, status="processing")
        if not accepted.is_new:
            return await self.relay.replies_of(accepted.id)
        if accepted.question is not None or self.satisfaction.is_button(message):
            rating = await self.satisfaction.reply(message, accepted.question)
            if rating is not None:  # the answer to the satisfaction question: Rasa never sees it
                await messages.mark_inbound_done(self.db, accepted.id, [rating.as_dict()])
                return [rating]
        return await self.relay.answer(accepted.id, message)

    async def photo_expected(self, message: Incoming) -> bool:
        """Whether the sender's form is on its photo question: only then is a photo taken at all (a
        photo at any other time would be a file no proposal refers to). RasaUnavailable when Rasa
        cannot say."""
        return await self.relay.rasa.requested_slot(message.conversation_id) == "photo"

    async def citizen_language(self, message: Incoming) -> str | None:
        """The reply language the conversation settled on (mirrored by the action server), for notices
        answered without Rasa to a message without words (a photo upload)."""
        return message.language or await citizens.citizen_language(self.db, message.channel, message.sender)

    # --- notices ---

    def _notice(self, message: Incoming, key: str, **values: object) -> Outgoing:
        return Outgoing(text=texts.gateway(key, notice_language(message), **values))


def forged_payload(text: str) -> bool:
    """A Rasa payload ("/inform{...}", as the web chat's buttons send them) whose entities no button of
    ours can carry: not a JSON object, an unknown sector or kamus usulan item, or an item of another
    sector. Refused before Rasa sees it; the form re-checks every slot at submission as well."""
    found = PAYLOAD_RE.match(text)
    if found is None or not found.group(2):
        return False
    try:
        entities = json.loads(found.group(2))
    except (ValueError, RecursionError):
        return True
    if not isinstance(entities, dict):
        return True
    sector, item_code = entities.get("sector"), entities.get("kamus_item")
    if sector is not None and sector not in SECTORS:
        return True
    if item_code is not None:
        item = kamus.item(item_code) if isinstance(item_code, str) else None
        if item is None or (sector is not None and item.sector != sector):
            return True
    return False


