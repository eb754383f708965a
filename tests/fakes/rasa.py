"""A stand-in for Rasa's REST channel on loopback, for gateway tests that are about the channels.

Conversations are not the point there (tests/e2e runs the real Rasa): this records what the
gateway relays and answers with `reply(text)`: one fixed line that repeats nothing the user
wrote (so a test can tell where a user's words went), unless a subclass says otherwise.
"""

from __future__ import annotations

from aiohttp import web


class FakeRasa:
    """POST /webhooks/rest/webhook: remembers each body, answers with `reply(message)`."""

    def __init__(self, token: str = "") -> None:
        self.received: list[dict] = []
        self.events: dict[str, list[dict]] = {}  # sender → tracker events, as Rasa's HTTP API shows them
        self.url = ""
        self.runner: web.AppRunner | None = None
        self.token = token  # when set, every call must carry it (`?token=`), as the real one asks
        self.requested_slots: dict[str, str] = {}  # conversation id → the question its form is on
        self.calls: list[str] = []  # every request's path, in order (what a turn costs in HTTP calls)

    def reply(self, text: str) -> list[dict]:
        return [{"text": "(jawaban Rasa)"}]

    def _refused(self, request: web.Request) -> web.Response | None:
        self.calls.append(request.path)  # every handler asks this first
        if self.token and request.query.get("token") != self.token:
            return web.json_response({"message": "a valid token is required"}, status=401)
        return None

    async def tracker(self, request: web.Request) -> web.Response:
        """GET /conversations/<id>/tracker: only what the gateway reads (the form and its question, and
        the events, where a turn's key and replies are)."""
        refused = self._refused(request)
        if refused is not None:
            return refused
        conversation = request.match_info["conversation"]
        slot = self.requested_slots.get(conversation)
        return web.json_response({"active_loop": {"name": "proposal_form"} if slot else {},
                                  "slots": {"requested_slot": slot}, "events": self.events.get(conversation, [])})

    async def status(self, request: web.Request) -> web.Response:
        """GET /status: Rasa's answer once a model is loaded (the gateway's /readyz asks it)."""
        refused = self._refused(request)
        return refused or web.json_response({"model_file": "fake-model.tar.gz", "num_active_training_jobs": 0})

    async def handle(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        body = await request.json()
        self.received.append(body)
        events = self.events.setdefault(body["sender"], [])
        events.append({"event": "user", "text": body["message"], "metadata": body.get("metadata") or {}})
        replies = self.reply(body["message"])
        events += [{"event": "bot", "text": r.get("text"), "data": {"buttons": r.get("buttons")}} for r in replies]
        events.append({"event": "action", "name": "action_listen"})
        return web.json_response(replies)

    def texts_from(self, sender: str) -> list[str]:
        return [b["message"] for b in self.received if b["sender"] == sender]

    async def start(self) -> FakeRasa:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self.handle)
        app.router.add_get("/conversations/{conversation}/tracker", self.tracker)
        app.router.add_get("/status", self.status)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
