"""What every action needs: who is talking, in which language, and the database."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from rasa_sdk import Tracker

from core import regions, settings, texts
from storage.db import Database

logger = logging.getLogger(__name__)

UNKNOWN_CHANNEL = "rest"


@dataclass(frozen=True)
class Sender:
    """The gateway names conversations `<channel>:<external id>` (e.g. `web:3f2a...`)."""

    channel: str
    external_id: str

    @classmethod
    def of(cls, tracker: Tracker) -> Sender:
        sender_id = tracker.sender_id or ""
        channel, sep, external = sender_id.partition(":")
        if not sep or not channel or not external:
            return cls(UNKNOWN_CHANNEL, sender_id or "anonymous")
        return cls(channel[:20], external[:128])


@lru_cache(maxsize=1)
def database() -> Database:
    return Database(settings.load().database_url)


@lru_cache(maxsize=1)
def config() -> settings.Settings:
    return settings.load()


def language(tracker: Tracker) -> str:
    """The conversation's reply language (kept by actions/language.py)."""
    lang = tracker.get_slot("language")
    return lang if lang in texts.LANGUAGES else texts.DEFAULT_LANGUAGE


def gazetteer() -> regions.Gazetteer:
    return regions.gazetteer()


def region_name() -> str:
    return gazetteer().name_of(config().region_code)


def village_label(code: str | None, lang: str = texts.DEFAULT_LANGUAGE) -> str:
    """ "Sendangadi, Kec. Mlati"; in Javanese in DIY, where a kecamatan is a kapanéwon, "Kapanéwon Mlati"."""
    if not code:
        return "-"
    g = gazetteer()
    kec = g.kecamatan_of(code)
    if not kec:
        return g.name_of(code)
    word = "Kapanéwon" if lang == "jv" and code.startswith("34.") else "Kec."
    return f"{g.name_of(code)}, {word} {kec.name}"


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")
