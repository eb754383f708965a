"""The web chat page as the gateway serves it: one self-contained file, a CSP that lets only its own
inline script and style run, and nothing sent to the bot on its own (tests/e2e/test_chat_browser.py
drives it in a browser)."""

from __future__ import annotations

import base64
import hashlib
import re

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.channels.web import STATIC
from core.settings import Settings


def sha256(content: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(content).digest()).decode() + "'"


async def test_chat_page_is_self_contained_with_a_strict_csp(tmp_path, sqlite_db_url) -> None:
    app = create_app(Settings(var_dir=tmp_path, database_url=sqlite_db_url, rasa_url="http://127.0.0.1:9"))
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/chat")
        assert response.status == 200 and response.content_type == "text/html"
        body = await response.read()
        policy = response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert body == (STATIC / "chat.html").read_bytes()
    [script] = re.findall(rb"<script>(.*?)</script>", body, re.DOTALL)
    [style] = re.findall(rb"<style>(.*?)</style>", body, re.DOTALL)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'" and directives["connect-src"] == "'self'"
    assert directives["script-src"] == sha256(script) and directives["style-src"] == sha256(style)
    assert directives["frame-ancestors"] == "'none'"
    # Nothing from elsewhere, and no message sent by the page itself (the welcome is static text).
    assert not re.search(rb"(src|href)=\"(https?:)?//", body)
    assert b"/greet" not in body and b"<script src" not in body
