"""A stand-in for Rasa's REST channel on loopback, for gateway tests that are about the channels.

Conversations are not the point there (tests/e2e runs the real Rasa): this records what the
gateway relays and answers with `reply(text)`: one fixed line that repeats nothing the user
wrote (so a test can tell where a user's words went), unless a subclass says otherwise.
"""

from __future__ import annotations

from aiohttp import web


class FakeRasa:
    """POST /webhooks/rest/webhook: remembers each body, answers with `reply(message)`."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.url = ""
        self.runner: web.AppRunner | None = None

    def reply(self, text: str) -> list[dict]:
        return [{"text": "(jawaban Rasa)"}]

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        return web.json_response(self.reply(body["message"]))

    def texts_from(self, sender: str) -> list[str]:
        return [b["message"] for b in self.received if b["sender"] == sender]

    async def start(self) -> FakeRasa:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
