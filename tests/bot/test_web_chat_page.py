"""The web chat page as the gateway serves it: one self-contained file, a CSP that lets only its own
inline script and style run, and nothing sent to the bot on its own (tests/e2e/test_chat_browser.py
drives it in a browser)."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.channels.web import STATIC, page_text
from core import texts
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
    assert body == page_text((STATIC / "chat.html").read_bytes())
    assert b"{{" not in body and html.escape(texts.web_chat("offline", "id")).encode() in body
    [script] = re.findall(rb"<script>(.*?)</script>", body, re.DOTALL)
    [style] = re.findall(rb"<style>(.*?)</style>", body, re.DOTALL)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'" and directives["connect-src"] == "'self'"
    assert directives["script-src"] == sha256(script) and directives["style-src"] == sha256(style)
    assert directives["frame-ancestors"] == "'none'"
    # Nothing from elsewhere, and no message sent by the page itself (the welcome is static text).
    assert not re.search(rb"(src|href)=\"(https?:)?//", body)
    assert b"/greet" not in body and b"<script src" not in body


async def test_the_chat_is_installable_and_keeps_only_its_page_offline(tmp_path, sqlite_db_url) -> None:
    """A manifest (start and scope /chat), an icon, and a service worker that keeps the page and never
    the API; the page's CSP lets exactly these load."""
    app = create_app(Settings(var_dir=tmp_path, database_url=sqlite_db_url, rasa_url="http://127.0.0.1:9"))
    async with TestClient(TestServer(app)) as client:
        page = await (await client.get("/chat")).read()
        policy = (await client.get("/chat")).headers["Content-Security-Policy"]
        manifest_response = await client.get("/chat.webmanifest")
        manifest = json.loads(await manifest_response.read())
        worker = await client.get("/chat-sw.js")
        worker_body = await worker.text()
        icon = await client.get("/chat-icon.svg")
        assert manifest_response.content_type == "application/manifest+json"
        assert worker.status == 200 and worker.content_type == "text/javascript"
        assert icon.status == 200 and icon.content_type == "image/svg+xml"
    assert b'<link rel="manifest" href="/chat.webmanifest">' in page
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/chat", "/chat", "standalone")
    assert manifest["icons"][0]["src"] == "/chat-icon.svg"
    assert b'register("/chat-sw.js", { scope: "/chat" })' in page
    assert 'const SHELL = ["/chat", "/chat.webmanifest", "/chat-icon.svg"];' in worker_body
    assert "SHELL.indexOf(url.pathname) < 0) return;" in worker_body  # anything else (the API) is not touched
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["worker-src"] == "'self'" and directives["manifest-src"] == "'self'"
