"""The web chat on a cheap phone (360 × 640) in headless Chromium, against the real stack.

What a citizen sees: the title and the input row on screen from the start (also with the keyboard
open), a static welcome and nothing sent on its own, "…" while the bot thinks, the earlier choices
switched off once answered, the conversation still there after a reload, late news from /api/updates,
a photo upload. The flow is asserted, not the wording: the model's data may change.
"""

from __future__ import annotations

import asyncio
import json
import time

from sqlalchemy import func, select

from storage import messages
from storage.db import Database
from storage.models import InboundMessage
from tests.e2e.conftest import ARTIFACTS, needs_chromium
from tests.e2e.test_dashboard_browser import CONTRAST_JS

pytestmark = needs_chromium

PHONE = {"width": 360, "height": 640}
KEYBOARD_OPEN = {"width": 360, "height": 330}  # what is left above a typical on-screen keyboard
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cfc0f01f0005000"
    "1ff89993d1d0000000049454e44ae426082"
)

# Where the header, the input row and every visible button are, and whether the page itself scrolls.
LAYOUT_JS = """
() => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, height: r.height};
  };
  const small = [...document.querySelectorAll("button")].filter((b) => b.getClientRects().length)
    .map((b) => b.getBoundingClientRect()).filter((r) => r.height < 44 || r.width < 44)
    .map((r) => `${r.width.toFixed(0)}x${r.height.toFixed(0)}`);
  const root = document.documentElement;
  return {header: box(document.querySelector("header")), form: box(document.querySelector("form")),
          input: box(document.querySelector("#text")), viewport: window.innerHeight,
          pageScrolls: root.scrollHeight > window.innerHeight + 1 || root.scrollWidth > window.innerWidth + 1,
          smallButtons: small};
}
"""


async def check_layout(page, height: int) -> None:
    layout = await page.evaluate(LAYOUT_JS)
    assert layout["viewport"] == height
    assert layout["header"]["top"] >= 0 and layout["header"]["bottom"] <= height, layout
    assert 0 <= layout["form"]["top"] and layout["form"]["bottom"] <= height, layout
    assert layout["input"]["height"] >= 44, layout
    assert not layout["pageScrolls"], layout  # only the conversation scrolls
    assert layout["smallButtons"] == [], layout  # every button a thumb can hit (44 px)


async def bubbles(page) -> list[dict]:
    return await page.evaluate("""() => [...document.querySelectorAll('#log .msg:not(.typing)')].map((m) => ({
        who: m.classList.contains('me') ? 'me' : 'bot',
        text: (() => { const c = m.cloneNode(true); c.querySelectorAll('.choices').forEach((x) => x.remove());
                       return c.textContent.trim(); })(),
        buttons: [...m.querySelectorAll('.choices button')].map((b) => ({
            title: b.textContent, disabled: b.disabled, pressed: b.getAttribute('aria-pressed') === 'true'}))}))""")


async def inbound_count(db: Database, sender: str) -> int:
    async with db.session() as session:
        return (await session.execute(select(func.count(InboundMessage.id)).where(
            InboundMessage.channel == "web", InboundMessage.sender == sender))).scalar_one()


async def until(condition, timeout: float = 30.0, step: float = 0.1) -> object:
    deadline = time.monotonic() + timeout
    while not (result := await condition()):
        assert time.monotonic() < deadline, "the chat page did not get there in time"
        await asyncio.sleep(step)
    return result


async def test_web_chat_on_a_360px_phone(stack, browser) -> None:
    db = Database(f"sqlite+aiosqlite:///{stack.var_dir / 'musrenbang.db'}")
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                        locale="id-ID")
    page = await context.new_page()
    sent: list[dict] = []  # what the page posted to /api/chat
    elsewhere: list[str] = []
    errors: list[str] = []
    gateway = stack.gateway_url

    def on_request(request) -> None:
        if not request.url.startswith((gateway, "data:")):
            elsewhere.append(request.url)
        if request.method == "POST" and request.url.endswith("/api/chat"):
            sent.append(json.loads(request.post_data))

    page.on("request", on_request)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # CSP refusals too
    try:
        # Opened: the welcome is the page's own, nothing goes to the bot on its own.
        await page.goto(f"{gateway}/chat")
        await page.wait_for_timeout(1500)
        assert sent == []
        sender = await page.evaluate("localStorage.getItem('musrenbang-sender')")
        assert sender and await inbound_count(db, sender) == 0
        [welcome] = await bubbles(page)
        assert welcome["who"] == "bot" and "e-Musrenbang" in welcome["text"]
        assert [b["disabled"] for b in welcome["buttons"]] == [False] * len(welcome["buttons"]) != []
        await check_layout(page, PHONE["height"])
        assert await page.evaluate(CONTRAST_JS) == []
        await page.screenshot(path=str(ARTIFACTS / "chat-360-welcome.png"))

        # A typed message: "…" while the bot thinks (the request is held back a moment to see it), then the reply.
        async def held_back(route) -> None:
            await asyncio.sleep(1.0)
            await route.continue_()

        await page.route("**/api/chat", held_back)
        await page.fill("#text", "halo")
        await page.press("#text", "Enter")
        typing = page.locator("#log .msg.typing[role=status]")
        await typing.wait_for(state="visible", timeout=5000)
        assert "sedang menulis" in await typing.inner_text()
        await page.screenshot(path=str(ARTIFACTS / "chat-360-busy.png"))
        shown = await bubbles(page)
        assert shown[-1] == {"who": "me", "text": "halo", "buttons": []}
        assert all(b["disabled"] for b in shown[0]["buttons"])  # the welcome's choices are over
        await typing.wait_for(state="detached", timeout=30000)
        assert [m["message"] for m in sent] == ["halo"]
        after_hello = await bubbles(page)
        assert len(after_hello) >= 3 and after_hello[2]["who"] == "bot", after_hello
        await check_layout(page, PHONE["height"])

        # A choice button: it sends its payload, and every earlier choice is switched off.
        choices = page.locator("#log .msg.bot .choices button:not([disabled])")
        assert await choices.count() > 0, "the greeting offers no buttons"
        title = await choices.last.inner_text()
        transcript = json.loads(await page.evaluate("localStorage.getItem('musrenbang-transcript')"))
        payload = next(b["payload"] for m in transcript for b in m.get("buttons", []) if b["title"] == title)
        await choices.last.tap()
        await typing.wait_for(state="visible", timeout=5000)
        tapped = await bubbles(page)
        assert tapped[-1] == {"who": "me", "text": title, "buttons": []}
        assert all(b["disabled"] for m in tapped for b in m["buttons"])
        assert [b["pressed"] for m in tapped for b in m["buttons"] if b["title"] == title][-1]
        await typing.wait_for(state="detached", timeout=30000)
        assert [m["message"] for m in sent] == ["halo", payload]
        assert len({m["message_id"] for m in sent}) == 2
        await page.unroute("**/api/chat")
        conversation = await bubbles(page)
        assert conversation[-1]["who"] == "bot" and len(conversation) > len(tapped)
        await page.screenshot(path=str(ARTIFACTS / "chat-360.png"))
        assert await page.evaluate(CONTRAST_JS) == []

        # The on-screen keyboard leaves ~330 px: the title and the input row are still there.
        await page.focus("#text")
        await page.set_viewport_size(KEYBOARD_OPEN)
        await page.wait_for_timeout(400)
        await check_layout(page, KEYBOARD_OPEN["height"])
        assert await page.evaluate("(() => { const l = document.getElementById('log');"
                                   " return l.scrollHeight - l.scrollTop - l.clientHeight < 2; })()")
        await page.screenshot(path=str(ARTIFACTS / "chat-360-keyboard.png"))
        await page.set_viewport_size(PHONE)

        # A reload keeps the conversation (and which choices are over), and sends nothing.
        await page.reload()
        await page.wait_for_timeout(1500)
        assert await bubbles(page) == conversation
        assert len(sent) == 2 and await inbound_count(db, sender) == 2

        # News that arrives outside a request (an officer's answer, a status change) shows up and is kept.
        news = "Kabar usulan: status berubah menjadi Diverifikasi desa."
        await messages.queue_outgoing(db, "web", sender, {"text": news, "buttons": []}, "notification",
                                      dedupe_key=f"test-chat-browser:{sender}")
        await until(lambda: page.locator("#log .msg.bot", has_text=news).count(), timeout=15)
        await page.reload()
        await page.locator("#log .msg.bot", has_text=news).wait_for(timeout=5000)

        # A photo goes up as before.
        async with page.expect_response("**/api/photo?sender=*") as uploaded:
            await page.set_input_files("#photo", files=[{"name": "jalan.png", "mimeType": "image/png",
                                                          "buffer": PNG}])
        assert (await uploaded.value).status == 200
        await page.locator("#log .msg.me", has_text="Foto: jalan.png").wait_for(timeout=5000)
        await typing.wait_for(state="detached", timeout=30000)

        assert elsewhere == []  # one self-contained page: nothing from a CDN
        assert errors == []
    finally:
        await context.close()
        await db.dispose()
