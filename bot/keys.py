"""The gateway application's shared objects (aiohttp app keys), in one module every part imports.

Kept apart from bot.app so channel adapters can import them at the top without a cycle.
"""

from __future__ import annotations

import aiohttp
from aiohttp import web

from bot.intake import Intake
from bot.outbox import OutboxDispatcher
from bot.relay import Relay, Worker
from core.settings import Settings
from storage.db import Database

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
CLIENT = web.AppKey("client", aiohttp.ClientSession)
RELAY = web.AppKey("relay", Relay)
INTAKE = web.AppKey("intake", Intake)
WORKER = web.AppKey("worker", Worker)
DISPATCHER = web.AppKey("dispatcher", OutboxDispatcher)
SENDERS = web.AppKey("senders", dict)  # channel name → the Sender (bot/sender.py) of each configured channel
