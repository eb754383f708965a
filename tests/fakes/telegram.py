"""A fake Telegram Bot API on loopback, answering as https://core.telegram.org/bots/api documents.

It runs in the test's event loop: getUpdates long-polls a queue the test fills with real-shaped
updates (the builders below), sendMessage/sendChatAction/answerCallbackQuery calls are recorded (in
`calls`, in the order they came, so a test can tell "typing…" came before the reply), and files
registered with `add_file` are served by getFile and /file/bot<token>/<path>. A gateway in this
process or in another one (the end-to-end stack) talks to it over HTTP.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

TOKEN = "123456789:AAFakeTokenForTests_abcdefghijklmnopq"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "e-Musrenbang", "username": "musrenbang_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
JSON_PARAMS = {"chat_id", "offset", "limit", "timeout", "reply_markup", "allowed_updates", "drop_pending_updates",
               "show_alert", "cache_time", "max_connections"}

CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
                "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None

    def response(self) -> web.Response:
        body: dict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.status)


def _ok(result: object) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeTelegram:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.url = ""
        self.pending: list[dict] = []  # updates not yet confirmed by an offset
        self.calls: list[tuple[str, dict]] = []  # every method call, in order
        self.sent: list[dict] = []  # the Message objects sendMessage/sendPhoto returned
        self.callback_answers: list[dict] = []
        self.chat_actions: list[dict] = []  # accepted sendChatAction calls ("typing…")
        self.webhook: dict | None = None
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, content)
        self.failures: dict[str, list[Failure]] = {}  # method → errors to answer next
        self.delays: dict[str, float] = {}  # method → seconds to take before answering (a slow Bot API)
        self.blocked: set[int] = set()  # chats that blocked the bot: 403
        self.unknown_chats: set[int] = set()  # 400 chat not found
        self.callback_ids: set[str] = set()
        self._update_id = 700_000_000
        self._message_id = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    # --- server ---
    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return Failure(401, "Unauthorized").response()
        name = request.match_info["method"]
        handler = getattr(self, f"_api_{name}", None)
        if handler is None:
            return Failure(404, "Not Found").response()
        params = await _params(request)
        self.calls.append((name, params))
        if self.delays.get(name):
            await asyncio.sleep(self.delays[name])
        queued = self.failures.get(name)
        if queued:
            return queued.pop(0).response()
        return await handler(params)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        for path, content in self.files.values():
            if path == request.match_info["path"]:
                return web.Response(body=content, content_type="application/octet-stream")
        return web.Response(status=404)

    # --- Bot API methods ---
    async def _api_getMe(self, params: dict) -> web.Response:
        return _ok(BOT_USER)

    async def _api_getUpdates(self, params: dict) -> web.Response:
        if self.webhook is not None:
            return Failure(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first").response()
        offset = int(params.get("offset") or 0)
        if offset:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 50.0)
        async with self._changed:
            while not self.pending and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except asyncio.TimeoutError:
                    break
        return _ok(self.pending[:limit])

    async def _api_setWebhook(self, params: dict) -> web.Response:
        if not str(params.get("url") or "").startswith(("https://", "http://")):
            return Failure(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook").response()
        self.webhook = params
        await self._notify()
        return _ok(True)

    async def _api_deleteWebhook(self, params: dict) -> web.Response:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self.pending.clear()
        return _ok(True)

    async def _api_getWebhookInfo(self, params: dict) -> web.Response:
        return _ok({"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": len(self.pending)})

    async def _api_sendMessage(self, params: dict) -> web.Response:
        chat_id = int(params["chat_id"])
        refused = self._refused(chat_id)
        if refused is not None:
            return refused.response()
        text = str(params.get("text") or "")
        if not text.strip():
            return Failure(400, "Bad Request: message text is empty").response()
        if _units(text) > 4096:
            return Failure(400, "Bad Request: message is too long").response()
        markup = params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for key in row:
                if len(str(key.get("callback_data", "")).encode()) > 64 or not key.get("text"):
                    return Failure(400, "Bad Request: BUTTON_DATA_INVALID").response()
        message = self._message(chat_id, BOT_USER, text=text)
        if markup:
            message["reply_markup"] = markup
        self.sent.append(message)
        await self._notify()
        return _ok(message)

    async def _api_sendPhoto(self, params: dict) -> web.Response:
        chat_id = int(params["chat_id"])
        refused = self._refused(chat_id)
        if refused is not None:
            return refused.response()
        message = self._message(chat_id, BOT_USER, photo=[{"file_id": "sent-photo", "file_unique_id": "sent",
                                                          "width": 800, "height": 600}])
        message["photo_url"] = params.get("photo")
        self.sent.append(message)
        await self._notify()
        return _ok(message)

    async def _api_sendChatAction(self, params: dict) -> web.Response:
        chat_id = int(params["chat_id"])
        refused = self._refused(chat_id)
        if refused is not None:
            return refused.response()
        if params.get("action") not in CHAT_ACTIONS:
            return Failure(400, "Bad Request: wrong parameter action in request").response()
        self.chat_actions.append(params)
        await self._notify()
        return _ok(True)

    async def _api_answerCallbackQuery(self, params: dict) -> web.Response:
        if params.get("callback_query_id") not in self.callback_ids:
            return Failure(400, "Bad Request: query is too old and response timeout expired or query ID is "
                                "invalid").response()
        self.callback_answers.append(params)
        await self._notify()
        return _ok(True)

    async def _api_getFile(self, params: dict) -> web.Response:
        stored = self.files.get(str(params.get("file_id")))
        if stored is None:
            return Failure(400, "Bad Request: invalid file_id").response()
        path, content = stored
        return _ok({"file_id": params["file_id"], "file_unique_id": f"u-{params['file_id']}",
                    "file_size": len(content), "file_path": path})

    def _refused(self, chat_id: int) -> Failure | None:
        if chat_id in self.blocked:
            return Failure(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.unknown_chats:
            return Failure(400, "Bad Request: chat not found")
        return None

    # --- what tests use ---
    def fail(self, method: str, status: int, description: str, times: int = 1, retry_after: int | None = None) -> None:
        """Answer the next `times` calls of `method` with this error."""
        self.failures.setdefault(method, []).extend([Failure(status, description, retry_after)] * times)

    async def push(self, *updates: dict) -> None:
        """Queue updates for getUpdates (a repeated update_id is a redelivery)."""
        self.pending.extend(updates)
        await self._notify()

    def add_file(self, file_id: str, content: bytes, path: str | None = None) -> None:
        self.files[file_id] = (path or f"photos/file_{len(self.files)}.jpg", content)

    def sent_to(self, chat_id: int) -> list[dict]:
        return [m for m in self.sent if m["chat"]["id"] == chat_id]

    def calls_of(self, method: str) -> list[dict]:
        return [params for name, params in self.calls if name == method]

    def typing_to(self, chat_id: int) -> list[dict]:
        """The accepted "typing…" actions for `chat_id`."""
        return [a for a in self.chat_actions if int(a["chat_id"]) == chat_id and a["action"] == "typing"]

    def first_call_for(self, chat_id: int, *methods: str) -> int | None:
        """The position in `calls` of the first call of one of `methods` for `chat_id` (None: no such call)."""
        return next((index for index, (name, params) in enumerate(self.calls)
                     if name in methods and str(params.get("chat_id")) == str(chat_id)), None)

    async def wait_for(self, condition: Callable[[], object], timeout: float = 30) -> object:
        """Wait until `condition()` is truthy (checked whenever the fake records something)."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not (result := condition()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the fake Telegram server did not see what was expected")
                try:
                    await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))
                except asyncio.TimeoutError:
                    pass
            return result

    async def replies(self, chat_id: int, after: int, quiet_s: float = 0.8, timeout: float = 45) -> list[dict]:
        """The messages sent to `chat_id` beyond the first `after`, once they stop coming."""
        await self.wait_for(lambda: len(self.sent_to(chat_id)) > after, timeout)
        count = len(self.sent_to(chat_id))
        while True:
            await asyncio.sleep(quiet_s)
            if len(self.sent_to(chat_id)) == count:
                return self.sent_to(chat_id)[after:]
            count = len(self.sent_to(chat_id))

    # --- real-shaped updates ---
    def _next_update_id(self) -> int:
        self._update_id += 1
        return self._update_id

    def _message(self, chat_id: int, sender: dict, **content: object) -> dict:
        self._message_id += 1
        chat = {"id": chat_id, "first_name": "Warga", "type": "private"} if chat_id > 0 else \
            {"id": chat_id, "title": "Grup Warga", "type": "group"}
        return {"message_id": self._message_id, "from": sender, "chat": chat, "date": int(time.time()), **content}

    @staticmethod
    def user(chat_id: int, language_code: str = "id") -> dict:
        return {"id": abs(chat_id), "is_bot": False, "first_name": "Warga", "language_code": language_code}

    def message_update(self, chat_id: int, language_code: str = "id", **content: object) -> dict:
        return {"update_id": self._next_update_id(),
                "message": self._message(chat_id, self.user(chat_id, language_code), **content)}

    def text_update(self, chat_id: int, text: str, language_code: str = "id") -> dict:
        content: dict = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.message_update(chat_id, language_code, **content)

    def location_update(self, chat_id: int, latitude: float, longitude: float) -> dict:
        return self.message_update(chat_id, location={"latitude": latitude, "longitude": longitude})

    def photo_update(self, chat_id: int, content: bytes, caption: str | None = None) -> dict:
        """A photo as Telegram sends it: several sizes, the largest last; only that one is served here."""
        number = len(self.files)
        self.add_file(f"AgACAgQAAxk-thumb-{number}", content[:100])
        self.add_file(f"AgACAgQAAxk-large-{number}", content)
        sizes = [{"file_id": f"AgACAgQAAxk-thumb-{number}", "file_unique_id": f"t{number}", "width": 90,
                  "height": 51, "file_size": min(len(content), 100)},
                 {"file_id": f"AgACAgQAAxk-large-{number}", "file_unique_id": f"l{number}", "width": 1280,
                  "height": 720, "file_size": len(content)}]
        extra = {"caption": caption} if caption else {}
        return self.message_update(chat_id, photo=sizes, **extra)

    def sticker_update(self, chat_id: int) -> dict:
        return self.message_update(chat_id, sticker={
            "file_id": "CAACAgIAAxkBAAEBsticker", "file_unique_id": "AgADsticker", "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"})

    def voice_update(self, chat_id: int) -> dict:
        return self.message_update(chat_id, voice={"file_id": "AwACAgIAAxkBAAEBvoice", "file_unique_id": "AgADvoice",
                                                   "duration": 3, "mime_type": "audio/ogg", "file_size": 6144})

    def edited_update(self, chat_id: int, text: str) -> dict:
        message = self._message(chat_id, self.user(chat_id), text=text, edit_date=int(time.time()))
        return {"update_id": self._next_update_id(), "edited_message": message}

    def callback_update(self, chat_id: int, message: dict, data: str) -> dict:
        """A press on a button of `message` (a message the bot sent); `data` need not be on it (forged)."""
        query_id = f"{abs(chat_id)}{self._next_update_id()}"
        self.callback_ids.add(query_id)
        return {"update_id": self._next_update_id(),
                "callback_query": {"id": query_id, "from": self.user(chat_id), "message": message,
                                   "chat_instance": f"-{abs(chat_id)}77", "data": data}}

    def press(self, chat_id: int, match: Callable[[dict], bool] | str | int = 0) -> dict:
        """The callback update for a button of the last message with a keyboard sent to `chat_id`.

        `match`: the button's index, a part of its title, or a predicate on the button.
        """
        message = next(m for m in reversed(self.sent_to(chat_id)) if m.get("reply_markup"))
        keys = [key for row in message["reply_markup"]["inline_keyboard"] for key in row]
        if isinstance(match, int):
            key = keys[match]
        elif isinstance(match, str):
            key = next(k for k in keys if match.lower() in k["text"].lower())
        else:
            key = next(k for k in keys if match(k))
        return self.callback_update(chat_id, message, key["callback_data"])


async def _params(request: web.Request) -> dict:
    """Parameters from the query string and a JSON, urlencoded or multipart body, as Telegram reads them."""
    params: dict = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in (await request.post()).items():
                params[key] = value if isinstance(value, str) else value.file.read()
    for key in JSON_PARAMS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                pass
    return params
