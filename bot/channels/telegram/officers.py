"""The officers' Telegram group (TELEGRAM_OFFICERS_CHAT_ID): escalations out, answers in.

Every new escalation is posted to the group through the outbox, without the citizen's name or phone
number; an officer's reply to such a post is the answer, taken on the console's path
(`workflows.escalations.answer_from_chat`), and confirmed in the group. Nothing from that chat is ever relayed to
Rasa or stored as a citizen's message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from telegram import Update

from bot.channels.telegram.api import CHANNEL
from bot.message import Outgoing
from core import privacy, settings, texts
from storage import escalations, messages, wakeups
from storage.db import Database
from workflows import escalations as escalation_flow

logger = logging.getLogger(__name__)

POST_QUESTION_CHARS = 1000  # so that a post stays one message, the one a reply must point at
POST_EXCERPT_CHARS = 2000
MAX_ANSWER_CHARS = 4000  # as in the console's answer form


class OfficersChat:
    """Posts escalations to the group and takes officers' replies there as answers."""

    def __init__(self, config: settings.Settings, chat_id: str, database: Callable[[], Database],
                 answer_button: Callable[[str], object], wake_dispatcher: Callable[[], None]) -> None:
        self.config = config
        self.chat_id = chat_id
        self.database = database
        self.answer_button = answer_button  # stops a pressed button's spinner
        self.wake_dispatcher = wake_dispatcher

    def owns(self, update: Update) -> bool:
        """Whether the update comes from the officers' group (and so is never a citizen's message)."""
        chat = update.effective_chat
        return chat is not None and str(chat.id) == self.chat_id

    async def run(self, poll_s: float) -> None:
        """Post new escalations as they come: the Rasa action server, another process, creates them;
        its commit wakes this loop (storage.wakeups: NOTIFY on PostgreSQL), and a slow safety poll
        (`poll_s`) finds those written where no notification reaches (another process on SQLite)."""
        wake = self.database().wakeups.event(wakeups.ESCALATIONS)
        while True:
            wake.clear()
            try:
                await self.post_escalations()
            except Exception:
                logger.exception("telegram: posting escalations to the officers' chat failed")
            try:
                await asyncio.wait_for(wake.wait(), poll_s)
            except asyncio.TimeoutError:
                pass

    async def post_escalations(self) -> int:
        """Queue a post for each escalation not posted yet, once (storage's claim of that queue)."""
        def render(post: escalations.EscalationPost) -> dict:
            return {**Outgoing(text=post_text(post)).as_dict(), "escalation_id": post.id}

        posted = await escalations.queue_escalation_posts(self.database(), CHANNEL, self.chat_id, render)
        if posted:
            self.wake_dispatcher()
        return posted

    async def reply(self, update: Update) -> None:
        """A message in the officers' chat: a reply to an escalation's post is its answer; anything
        else there is conversation between officers and is left alone."""
        message = update.message
        if update.callback_query is not None:
            await self.answer_button(update.callback_query.id)
        if message is None or message.reply_to_message is None or message.from_user is None \
                or message.from_user.is_bot:
            return
        db = self.database()
        ticket = await escalations.escalation_for_post(db, self.chat_id, message.reply_to_message.message_id)
        if ticket is None:
            return
        user = message.from_user
        text = (message.text or "").strip()
        if self.config.telegram_officer_ids and user.id not in self.config.telegram_officer_ids:
            notice = texts.telegram_officers("not_officer", ticket=ticket)
        elif not text:
            notice = texts.telegram_officers("text_only", ticket=ticket)
        elif len(text) > MAX_ANSWER_CHARS:
            notice = texts.telegram_officers("too_long", ticket=ticket, limit=MAX_ANSWER_CHARS)
        else:
            notice = await self._answer(ticket, f"telegram:{user.username or user.id}", text)
        # Keyed by the officer's message: a redelivered update confirms nothing twice.
        await messages.queue_outgoing(db, CHANNEL, self.chat_id, Outgoing(text=notice).as_dict(), "notice",
                                      dedupe_key=f"{CHANNEL}:officers:{self.chat_id}:{message.message_id}")
        self.wake_dispatcher()

    async def _answer(self, ticket: int, actor: str, text: str) -> str:
        try:
            result = await escalation_flow.answer_from_chat(self.database(), ticket, actor, text)
        except LookupError:
            return texts.telegram_officers("missing", ticket=ticket)
        who = result.by or texts.telegram_officers("someone")
        if result.outcome == "sent":
            logger.info("escalation %s answered from the officers' Telegram chat by %s", ticket, actor)
            return texts.telegram_officers("sent", ticket=ticket)
        return texts.telegram_officers(result.outcome, ticket=ticket, who=who)


def redact(text: str, private: tuple[str, ...] = ()) -> str:
    """`text` as the officers' chat may read it (`core.privacy.redact`, saying what was blanked): the
    group is a wider audience than the console, and the question needs neither the citizen's name nor
    their number to be answered."""
    return privacy.redact(text, phone_mark=texts.telegram_officers("phone"), private=private,
                          name_mark=texts.telegram_officers("name"))


def _clip(text: str, limit: int, tail: bool = False) -> str:
    """At most `limit` characters; the end of a conversation matters more than its beginning."""
    if len(text) <= limit:
        return text
    return "…" + text[-(limit - 1):] if tail else text[:limit - 1] + "…"


def post_text(post: escalations.EscalationPost) -> str:
    """An escalation as the officers' chat sees it: one message (a reply must point at it)."""
    excerpt = _clip(redact(post.excerpt.strip(), post.private), POST_EXCERPT_CHARS, tail=True)
    return texts.telegram_officers("post", ticket=post.id, channel=post.channel,
                                   question=_clip(redact(post.question.strip(), post.private), POST_QUESTION_CHARS),
                                   excerpt=excerpt or texts.telegram_officers("no_excerpt"))
