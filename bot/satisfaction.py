"""The gateway's side of the satisfaction question (storage/satisfaction.py asks it): no Rasa involved.

While a citizen's question is open, a bare "1".."5", a row of stars, a keycap digit or the question's
button is the rating: stored once, answered with thanks and an offer to comment. The next message
within a few minutes is the comment, unless it is something else (a command, a tracking code, or
what the NLU reads as a request: a new proposal, a status question, ...). Anything else goes to Rasa
as usual and the question lapses, so ignoring it costs nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re

import aiohttp

from bot.message import Incoming, Outgoing
from bot.relay import RasaClient, RasaUnavailable
from core import texts, tracking
from storage import satisfaction
from storage.db import Database

logger = logging.getLogger(__name__)

PAYLOAD_RE = re.compile(r"\A/" + satisfaction.PAYLOAD_INTENT + r"(\{.*\})\Z", re.DOTALL)
DIGIT_RE = re.compile(r"\A\s*([1-5])\s*(?:/\s*5|dari\s*5|saking\s*5|ti\s*5)?\s*[.!]?\s*\Z", re.IGNORECASE)
KEYCAPS = {f"{n}\ufe0f\u20e3": n for n in range(1, 6)} | {f"{n}\u20e3": n for n in range(1, 6)}
STARS = set("★⭐✩☆*")
# What the NLU reads as a request rather than a comment (DESIGN.md's intents), when it is this sure.
REQUEST_INTENTS = frozenset({"submit_proposal", "report_problem", "check_status", "support_proposal", "faq",
                             "request_human", "greet", "help", "cancel", "edit_proposal", "fix_proposal",
                             "erase_my_data", "switch_language", "share_photo", "share_location"})
REQUEST_CONFIDENCE = 0.6
PARSE_TIMEOUT_S = 5.0


def rating_of(text: str) -> int | None:
    """1–5 from a bare digit ("4", "4/5"), a keycap emoji or a row of stars; None for anything else."""
    text = text.strip()
    found = DIGIT_RE.match(text)
    if found:
        return int(found.group(1))
    if text in KEYCAPS:
        return KEYCAPS[text]
    stripped = text.replace("\ufe0f", "").replace(" ", "")
    if stripped and len(stripped) <= 5 and set(stripped) <= STARS:
        return len(stripped)
    return None


def button_of(text: str) -> tuple[int, int] | None:
    """(question id, rating) from the question's own button payload; None for any other text."""
    found = PAYLOAD_RE.match(text.strip())
    if found is None:
        return None
    try:
        data = json.loads(found.group(1))
        return int(data["id"]), int(data["rating"])
    except (ValueError, KeyError, TypeError, RecursionError):
        return -1, -1  # ours, but forged or broken: answered as a closed question, never sent to Rasa


class Satisfaction:
    """Answers the messages that answer the question; everything else is left to the usual path."""

    def __init__(self, db: Database, rasa: RasaClient | None) -> None:
        self.db = db
        self.rasa = rasa

    @staticmethod
    def is_button(message: Incoming) -> bool:
        """Whether `message` is the question's own button (answered whether or not the question is open)."""
        return button_of(message.text) is not None

    async def lapse(self, message: Incoming) -> None:
        """A message that cannot answer the question (a photo) closes the citizen's open one."""
        question = await satisfaction.open_question(self.db, message.channel, message.sender)
        if question is not None:
            await satisfaction.close(self.db, question.id)

    async def reply(self, message: Incoming, question: satisfaction.OpenQuestion | None) -> Outgoing | None:
        """The answer when `message` answers the citizen's open `question` (read when the message was
        stored) or is its button, stored once; None otherwise (the open question lapses and the message
        goes to Rasa)."""
        text = message.text.strip()
        button = button_of(text)
        if button is not None:
            return await self._button(message, question, *button)
        if question is None or message.photo is not None:
            if question is not None:
                await satisfaction.close(self.db, question.id)
            return None
        language = question.language
        if question.waiting == "rating":
            rating = rating_of(text)
            if rating is not None and not await self._in_form(message) and await satisfaction.rate(
                    self.db, question.id, rating, message.channel, message.sender):
                return Outgoing(text=texts.satisfaction("thanks", language, rating=rating))
        elif text and not text.startswith("/") and not tracking.find_all(text) \
                and not await self._is_request(text):
            if await satisfaction.add_comment(self.db, question.id, text):
                return Outgoing(text=texts.satisfaction("comment_thanks", language))
        await satisfaction.close(self.db, question.id)
        return None

    async def _button(self, message: Incoming, question: satisfaction.OpenQuestion | None, row_id: int,
                      rating: int) -> Outgoing:
        language = question.language if question is not None else message.language
        if 0 <= rating <= 5 and await satisfaction.rate(self.db, row_id, rating, message.channel, message.sender):
            return Outgoing(text=texts.satisfaction("thanks" if rating else "skipped", language, rating=rating))
        return Outgoing(text=texts.satisfaction("closed", language))

    async def _in_form(self, message: Incoming) -> bool:
        """Whether the citizen's form is waiting on an answer (a "3" is then their RT, not a rating: a
        status question can arrive in the middle of a new proposal). Unknown (Rasa down): not."""
        if self.rasa is None:
            return False
        try:
            return await self.rasa.requested_slot(message.conversation_id) is not None
        except RasaUnavailable:
            return False

    async def _is_request(self, text: str) -> bool:
        """Whether the NLU reads `text` as one of the bot's tasks (then it is not a comment). Rasa's
        parse endpoint leaves the conversation untouched; when it cannot answer, the text is a comment."""
        if self.rasa is None:
            return False
        try:
            async with self.rasa.session.post(self.rasa.base_url + "/model/parse", json={"text": text},
                                              params=self.rasa.params,
                                              timeout=aiohttp.ClientTimeout(total=PARSE_TIMEOUT_S)) as response:
                if response.status != 200:
                    return False
                parsed = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.info("satisfaction comment: NLU parse unavailable (%s)", str(error) or type(error).__name__)
            return False
        intent = parsed.get("intent") if isinstance(parsed, dict) else None
        if not isinstance(intent, dict):
            return False
        name = str(intent.get("name") or "").split("/")[0]
        return name in REQUEST_INTENTS and float(intent.get("confidence") or 0) >= REQUEST_CONFIDENCE
