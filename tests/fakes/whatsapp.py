"""A fake WhatsApp Graph API on loopback: records every sent message and serves media downloads.

Marking a message read (with or without a typing indicator) goes to the same endpoint as sending;
the fake keeps those apart (`reads`), numbering both in one sequence so a test can tell which came first.

It runs its own event loop in a thread, so a gateway in this process (unit tests) or in another
process (the end-to-end stack) can call it while the test waits, sync or async.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from dataclasses import dataclass, field

from aiohttp import web

VERSION = "v25.0"  # core/graph_versions.DEFAULT_VERSION


@dataclass
class Sent:
    """One POST /{phone_number_id}/messages the fake accepted."""

    id: str
    body: dict
    headers: dict = field(default_factory=dict)
    seq: int = 0  # order among everything the fake accepted (sends and reads)

    @property
    def recipient(self) -> str:
        return str(self.body.get("to") or self.body.get("recipient") or "")

    @property
    def type(self) -> str:
        return str(self.body.get("type") or "")

    @property
    def text(self) -> str:
        """The readable text of any kind of message (text, interactive body, template parameters)."""
        if self.type == "text":
            return self.body["text"]["body"]
        if self.type == "interactive":
            return self.body["interactive"]["body"]["text"]
        if self.type == "template":
            return " ".join(p.get("text", "") for c in self.body["template"].get("components", [])
                            for p in c.get("parameters", []))
        return ""

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(id, title) of reply buttons or list rows."""
        if self.type != "interactive":
            return []
        action = self.body["interactive"]["action"]
        if self.body["interactive"]["type"] == "button":
            return [(b["reply"]["id"], b["reply"]["title"]) for b in action["buttons"]]
        return [(r["id"], r["title"]) for s in action["sections"] for r in s["rows"]]


@dataclass
class Read:
    """One accepted "mark as read" of a citizen's message, with the typing indicator when asked for."""

    message_id: str
    body: dict
    seq: int = 0

    @property
    def typing(self) -> str | None:
        return (self.body.get("typing_indicator") or {}).get("type")


class FakeGraph:
    def __init__(self, token: str = "test-token", phone_number_id: str = "1122334455667") -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.sent: list[Sent] = []
        self.reads: list[Read] = []
        self.read_errors = 0  # how many read / typing calls still answer 500
        self.media: dict[str, tuple[bytes, str]] = {}
        self.media_requests: list[str] = []
        self.media_errors = 0  # how many media look-ups still answer 500
        self.failures: list[tuple[int, dict]] = []  # answers for the next sends, in order
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._counter = 0
        self._seq = 0

    @property
    def url(self) -> str:
        """The versioned base the sender calls (Settings.whatsapp_graph_url)."""
        return f"http://127.0.0.1:{self.port}/{VERSION}"

    @property
    def env(self) -> dict[str, str]:
        """What a process's WHATSAPP_GRAPH_URL (the address) and WHATSAPP_GRAPH_VERSION are set to."""
        return {"WHATSAPP_GRAPH_URL": f"http://127.0.0.1:{self.port}", "WHATSAPP_GRAPH_VERSION": VERSION}

    # Setup -----------------------------------------------------------------------------------

    def start(self) -> FakeGraph:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="fake-graph", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Graph API did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        future.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = None

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        app = web.Application()
        app.router.add_post(f"/{VERSION}/{{phone_id}}/messages", self._messages)
        app.router.add_get(f"/{VERSION}/{{media_id}}", self._media_info)
        app.router.add_get("/media/{media_id}", self._media_download)
        self._runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        self.port = self._runner.addresses[0][1]
        self._loop = loop
        ready.set()
        loop.run_forever()
        loop.close()

    # What tests arrange and read -------------------------------------------------------------

    def add_media(self, media_id: str, data: bytes, mime_type: str = "image/jpeg") -> None:
        self.media[media_id] = (data, mime_type)

    def fail_next(self, status: int, code: int | None = None, message: str = "fake failure") -> None:
        body = {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "fake"}}
        with self._lock:
            self.failures.append((status, body))

    def to(self, recipient: str) -> list[Sent]:
        return [s for s in list(self.sent) if s.recipient == recipient]

    async def wait_for(self, recipient: str, count: int, timeout: float = 20.0) -> list[Sent]:
        """The messages to `recipient` once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(recipient)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"{recipient} got {len(self.to(recipient))} messages, expected {count}")

    # Handlers --------------------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        return web.json_response({"error": {"message": message, "type": "OAuthException", "code": code}},
                                 status=status)

    async def _messages(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, 190, "Invalid OAuth access token")
        if request.match_info["phone_id"] != self.phone_number_id:
            return self._error(400, 100, "Unsupported post request")
        body = await request.json()
        if body.get("messaging_product") == "whatsapp" and "status" in body:
            return self._read(body)
        if body.get("messaging_product") != "whatsapp" or not (body.get("to") or body.get("recipient")):
            return self._error(400, 100, "Invalid parameter")
        with self._lock:
            if self.failures:
                status, error = self.failures.pop(0)
                return web.json_response(error, status=status)
            self._counter += 1
            message_id = f"wamid.FAKE{self._counter:06d}"
            self._seq += 1
            self.sent.append(Sent(message_id, body, dict(request.headers), self._seq))
        recipient = body.get("to") or body.get("recipient")
        return web.json_response({"messaging_product": "whatsapp",
                                  "contacts": [{"input": recipient, "wa_id": body.get("to") or ""}],
                                  "messages": [{"id": message_id}]})

    def _read(self, body: dict) -> web.Response:
        """POST {"status": "read", "message_id": <wamid>[, "typing_indicator": {"type": "text"}]}."""
        typing = body.get("typing_indicator")
        if (body.get("status") != "read" or not str(body.get("message_id") or "").startswith("wamid.")
                or (typing is not None and typing != {"type": "text"})):
            return self._error(400, 100, "Invalid parameter")
        with self._lock:
            if self.read_errors > 0:
                self.read_errors -= 1
                return self._error(500, 131000, "Something went wrong")
            self._seq += 1
            self.reads.append(Read(str(body["message_id"]), body, self._seq))
        return web.json_response({"success": True})

    def typing_for(self, message_id: str) -> list[Read]:
        """The typing indicators shown for one of the citizen's messages."""
        return [r for r in list(self.reads) if r.message_id == message_id and r.typing == "text"]

    async def _media_info(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        self.media_requests.append(media_id)
        if not self._authorised(request):
            return self._error(401, 190, "Invalid OAuth access token")
        if self.media_errors > 0:
            self.media_errors -= 1
            return self._error(500, 131016, "Service unavailable")
        if media_id not in self.media:
            return self._error(404, 100, "Unsupported get request")
        data, mime_type = self.media[media_id]
        return web.json_response({"messaging_product": "whatsapp", "id": media_id, "mime_type": mime_type,
                                  "sha256": hashlib.sha256(data).hexdigest(), "file_size": len(data),
                                  "url": f"http://127.0.0.1:{self.port}/media/{media_id}"})

    async def _media_download(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if not self._authorised(request):
            return web.Response(status=401)
        if media_id not in self.media:
            return web.Response(status=404)
        data, mime_type = self.media[media_id]
        return web.Response(body=data, content_type=mime_type)
