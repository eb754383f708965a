"""An officer at work in a real browser (headless Chromium) against a real gateway process.

Only the gateway runs (Rasa is not needed on the officers' side). A web-chat citizen's two
proposals and one question are stored through the storage functions, as the actions would;
the officer logs in, verifies one proposal, sends the other back with a note, answers the
question; then the citizen's web chat picks up the news and the answer from /api/updates.
"""

from __future__ import annotations

import asyncio
import struct
import subprocess
import sys
import uuid
import zlib
from pathlib import Path

import aiohttp

from storage import escalations, proposals
from storage.db import Database
from tests.e2e.conftest import ARTIFACTS, needs_chromium

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Desa-Caturtunggal-1"
VILLAGE = "34.04.07.2001"
FIX_NOTE = "Mohon lampirkan foto lokasi dan sebutkan RT/RW."
ANSWER = "Musrenbang desa diadakan bulan Januari di balai desa; undangan lewat RT."

pytestmark = needs_chromium



def png(width: int = 320, height: int = 180) -> bytes:
    """A small striped PNG, so the photo is visible in the screenshot."""
    rows = b"".join(b"\x00" + b"".join(bytes((40 + x % 64 * 2, 120, 200 - y)) for x in range(width))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")



async def seed(env: dict[str, str], sender: str) -> tuple[str, str, int]:
    """What a web-chat citizen leaves behind: two proposals (one with a photo and pin) and a question."""
    media = Path(env["MUSRENBANG_VAR"]) / "media"
    media.mkdir(parents=True, exist_ok=True)
    (media / "jalan-berlubang.png").write_bytes(png())
    db = Database(env["DATABASE_URL"])
    try:
        first, _ = await proposals.submit_proposal(db, "web", sender, "draft-1", proposals.ProposalDraft(
            description="Perbaikan jalan berlubang di depan SD Caturtunggal 3 <b>segera</b>", sector="jalan",
            village_code=VILLAGE, rt="03", rw="05", latitude=-7.7713, longitude=110.3776,
            photo_ref="jalan-berlubang.png"))
        second, _ = await proposals.submit_proposal(db, "web", sender, "draft-2", proposals.ProposalDraft(
            description="Lampu penerangan jalan di gang mati", sector="penerangan_jalan", village_code=VILLAGE))
        question = await escalations.create_escalation(db, "web", sender, "Kapan musrenbang desa diadakan?",
                                                       "warga: kapan musrenbang desa?\nbot: Maaf, saya belum paham.")
        return first.code, second.code, question
    finally:
        await db.dispose()


def create_officer(env: dict[str, str]) -> None:
    """Through the CLI, as the README tells an admin to do."""
    done = subprocess.run([sys.executable, "-m", "ops.cli", "officer", "create", "--username", "sari",
                           "--role", "desa", "--scope", VILLAGE, "--full-name", "Sari Wulandari",
                           "--password", PASSWORD], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert '"role": "desa"' in done.stdout and PASSWORD not in done.stdout


async def test_officer_verifies_sends_back_and_answers_and_the_citizen_hears(gateway: str,
                                                                             gateway_env: dict[str, str],
                                                                             browser) -> None:
    sender = uuid.uuid4().hex
    first, second, question = await seed(gateway_env, sender)
    create_officer(gateway_env)
    page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="id-ID")
    await page.goto(f"{gateway}/officer/usulan")
    assert "/officer/login" in page.url
    await page.fill("input[name=username]", "sari")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button:has-text('Masuk')")
    await page.wait_for_url("**/officer/usulan")
    assert await page.locator(f"a[href='/officer/usulan/{first}']").count() == 1
    assert await page.locator(f"a[href='/officer/usulan/{second}']").count() == 1

    await page.click(f"a[href='/officer/usulan/{first}']")
    await page.wait_for_url(f"**/officer/usulan/{first}")
    assert "<b>segera</b>" in await page.locator("p.desc").inner_text()  # shown as text
    assert await page.locator("img.photo").evaluate("img => img.complete && img.naturalWidth") == 320
    await page.click("form.move-diverifikasi_desa button")
    await page.wait_for_url("**?ok=status")
    assert "Diverifikasi desa/kelurahan" in await page.locator("h1 .status").inner_text()

    await page.goto(f"{gateway}/officer/usulan/{second}")
    await page.fill("form.move-perlu_perbaikan textarea[name=note]", FIX_NOTE)
    await page.click("form.move-perlu_perbaikan button")
    await page.wait_for_url("**?ok=status")
    assert FIX_NOTE in await page.locator("table.history").inner_text()

    await page.click("nav >> text=Meja eskalasi")
    await page.wait_for_url("**/officer/eskalasi")
    await page.click(f"#e{question} form.claim button")
    await page.wait_for_url("**ok=ambil*")
    await page.fill(f"#e{question} form.answer textarea", ANSWER)
    await page.click(f"#e{question} form.answer button")
    await page.wait_for_url("**ok=jawab")
    assert ANSWER in await page.locator(f"#a{question}").inner_text()
    await page.screenshot(path=str(ARTIFACTS / "officer-escalations.png"), full_page=True)
    await page.goto(f"{gateway}/officer/usulan")
    await page.screenshot(path=str(ARTIFACTS / "officer-queue.png"), full_page=True)

    await page.goto(f"{gateway}/officer/usulan/{first}")
    await page.screenshot(path=str(ARTIFACTS / "officer.png"), full_page=True)

    async with aiohttp.ClientSession() as http:
        texts: list[str] = []
        after = 0
        for _ in range(20):  # everything was queued before the redirects; poll as the chat page does
            async with http.get(f"{gateway}/api/updates", params={"sender": sender, "after": after}) as response:
                assert response.status == 200
                answer = await response.json()
                texts += [m["text"] for m in answer["messages"]]
                after = answer["last"]
            if len(texts) >= 4:
                break
            await asyncio.sleep(0.2)
        async with http.get(f"{gateway}/api/updates", params={"sender": sender, "after": after}) as response:
            assert (await response.json())["messages"] == []  # each message is delivered once
    # two status news, the officer's answer, then one question on how helpful the answer was (issue 17)
    assert len(texts) == 4, texts
    answered = next(i for i, t in enumerate(texts) if ANSWER in t)
    assert any(i > answered and "seberapa membantu" in t for i, t in enumerate(texts)), texts
    verified = next(t for t in texts if first in t)
    sent_back = next(t for t in texts if second in t)
    assert "Diverifikasi desa/kelurahan" in verified
    assert "Perlu perbaikan" in sent_back and FIX_NOTE in sent_back
    assert any(ANSWER in t and "Kapan musrenbang desa" in t for t in texts)
    assert (ARTIFACTS / "officer.png").stat().st_size > 10_000

    # Sari was given her first password by someone else: she sets her own, and only it opens the console.
    new_password = "Sari-Punya-Sendiri-7"
    await page.click("nav >> text=Kata sandi")
    await page.wait_for_url("**/officer/akun/sandi")
    await page.fill("input[name=current_password]", PASSWORD)
    await page.fill("input[name=new_password]", new_password)
    await page.fill("input[name=new_password_again]", new_password)
    await page.click("button:has-text('Ganti kata sandi')")
    await page.wait_for_url("**?ok=sandi")
    assert "Kata sandi sudah diganti" in await page.locator("p.notice").inner_text()
    await page.screenshot(path=str(ARTIFACTS / "officer-password.png"), full_page=True)
    await page.click("button:has-text('Keluar')")
    await page.wait_for_url("**/officer/login")
    for password, lands_on in ((PASSWORD, "/officer/login"), (new_password, "/officer/usulan")):
        await page.goto(f"{gateway}/officer/login?next=/officer/usulan")
        await page.fill("input[name=username]", "sari")
        await page.fill("input[name=password]", password)
        await page.click("button:has-text('Masuk')")
        await page.wait_for_load_state()
        assert page.url.split("?")[0].endswith(lands_on), (password == PASSWORD, page.url)
