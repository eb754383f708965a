"""An admin erases a citizen's data from the console (a request made by letter or at the desk): the same
storage.erasure as the chat's "hapus data saya"; desa officers cannot; the audit says who did it."""

from __future__ import annotations

from storage import audit, messages, proposals
from tests.bot.sites import make_officer

PHONE = "6281234567890"
DRAFT = proposals.ProposalDraft(description="Lampu mati, hub 081234567890", sector="penerangan_jalan",
                                village_code="34.04.07.2001")


async def test_an_admin_erases_a_citizen_and_the_history_goes_at_once(console) -> None:
    view, _ = await proposals.submit_proposal(console.db, "whatsapp", PHONE, "d1", DRAFT)
    inbound, _ = await messages.accept_inbound(console.db, "whatsapp", PHONE, "m1", "halo")
    await messages.claim_inbound(console.db)
    await messages.complete_inbound(console.db, inbound, [], deliver=False)
    await make_officer(console.db, "root", "admin")
    await make_officer(console.db, "desa1", "desa", "34.04.07.2001")

    desa = console.browser()
    assert await desa.login("desa1") == 302
    status, _, _ = await desa.post("/officer/admin/hapus-data", {"channel": "whatsapp", "external_id": PHONE,
                                                                "confirm": "1"})
    assert status == 403

    admin = console.browser()
    assert await admin.login("root") == 302
    status, page, _ = await admin.get("/officer/admin/hapus-data")
    assert status == 200 and "hapus data saya" in page
    status, page, _ = await admin.post("/officer/admin/hapus-data", {"channel": "whatsapp", "external_id": PHONE})
    assert status == 400 and "konfirmasi" in page.lower()
    assert len(await proposals.citizen_proposals(console.db, "whatsapp", PHONE)) == 1
    status, page, _ = await admin.post("/officer/admin/hapus-data", {"channel": "whatsapp", "external_id": PHONE,
                                                                    "confirm": "1"})
    assert status == 200 and "1 usulan tetap tercatat" in page
    assert await proposals.citizen_proposals(console.db, "whatsapp", PHONE) == []
    assert (await proposals.get_proposal(console.db, view.code)).description == "Lampu mati, hub [disembunyikan]"
    assert await messages.inbound_state(console.db, inbound) == ("missing", None)
    entries = await audit.entries(console.db, action="citizen_erase")
    assert [(e.actor, PHONE in (e.target or "") + (e.detail or "")) for e in entries] == [("officer:root", False)]
    status, page, _ = await admin.post("/officer/admin/hapus-data", {"channel": "whatsapp", "external_id": PHONE,
                                                                    "confirm": "1"})
    assert status == 404
