"""Proposals to test with, stored through storage/ as the product stores them: `propose` (a web citizen's),
`submit` (any channel's draft), `backdate` (a proposal and its history moved in time) and `seed` (the SIPD
tests' year, also the yearly report's). Shared by tests/storage, tests/ops and tests/bot; Python 3.10 too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, update

from core import kamus
from storage import messages, proposals, status_changes
from storage.db import Database
from storage.models import Citizen, Proposal, StatusChange

UTC = timezone.utc
CATURTUNGGAL = "34.04.07.2001"  # Kec. Depok


async def submit(db: Database, channel: str, sender: str, key: str, draft: proposals.ProposalDraft) -> str:
    """The draft stored as the form stores it (`key`: the draft's id); its tracking code."""
    view, _ = await proposals.submit_proposal(db, channel, sender, key, draft)
    return view.code


async def propose(db: Database, sender: str, key: str, description: str = "Jalan rusak", sector: str = "jalan",
                  village: str = CATURTUNGGAL, **extra: object) -> str:
    """A web citizen's proposal; its tracking code."""
    return await submit(db, "web", sender, key, proposals.ProposalDraft(
        description=description, sector=sector, village_code=village, **extra))


async def backdate(db: Database, code: str, created: datetime, moves: dict[str, datetime] | None = None,
                   later: datetime | None = None) -> None:
    """Put a proposal's submission at `created`, the changes to the statuses in `moves` at their moments, and
    (`later`) every other change after the submission at one moment, as if they happened then."""
    async with db.session() as session:
        proposal_id = (await session.execute(select(Proposal.id).where(Proposal.code == code))).scalar_one()
        await session.execute(update(Proposal).where(Proposal.id == proposal_id).values(created_at=created))
        changes = update(StatusChange).where(StatusChange.proposal_id == proposal_id)
        await session.execute(changes.where(StatusChange.new_status == "diajukan").values(created_at=created))
        if later is not None:
            await session.execute(changes.where(StatusChange.new_status != "diajukan").values(created_at=later))
        for status, moment in (moves or {}).items():
            await session.execute(changes.where(StatusChange.new_status == status).values(created_at=moment))
        await session.commit()


# --- the SIPD tests' year --------------------------------------------------------------------------

ROAD_ITEM = kamus.match("jalan berlubang rusak")[0]
CHANNELS = ("web", "telegram", "whatsapp")

# Personal data seeded on the citizens: none of it may leave in an export.
PERSONAL = ("Budi Santoso", "+6281234567890", "6281234567890", "tg-77", "web-sari", "Sari Wulandari")


@dataclass(frozen=True)
class Seeded:
    a: str  # Depok, jalan (kamus item), realised; verified 3.5 days after submission
    b: str  # Depok, drainase, same citizen as A; verified after 1.5 days, then rejected by the kecamatan
    c: str  # Gamping, lampu jalan; 1 January 2026 00:30 WIB (still 2025 in UTC), waiting
    d: str  # Gamping, jalan; rejected by the desa
    e: str  # Depok, jalan, submitted in 2025


async def seed(db: Database) -> Seeded:
    """The SIPD tests' year (tests/ops/test_sipd.py, tests/bot/test_report.py): four proposals in 2026, one in
    2025, with personal data on the citizens that no export may carry."""
    a = await submit(db, "whatsapp", "6281234567890", "a", proposals.ProposalDraft(
        "Jalan berlubang di depan masjid", "jalan", "34.04.07.2003", item_code=ROAD_ITEM.code, rt="03", rw="05"))
    b = await submit(db, "whatsapp", "6281234567890", "b", proposals.ProposalDraft(
        "=1+1 selokan mampet tiap hujan", "drainase", "34.04.07.2003", rt="01"))
    c = await submit(db, "telegram", "tg-77", "c", proposals.ProposalDraft(
        "Lampu jalan mati di perempatan", "penerangan_jalan", "34.04.01.2001"))
    d = await submit(db, "web", "web-sari", "d", proposals.ProposalDraft(
        "Pengaspalan jalan dusun", "jalan", "34.04.01.2001"))
    e = await submit(db, "telegram", "tg-77", "e", proposals.ProposalDraft(
        "Jalan rusak dekat pasar", "jalan", "34.04.07.2003"))
    async with db.session() as session:
        await session.execute(update(Citizen).where(Citizen.external_id == "6281234567890")
                              .values(name="Budi Santoso", phone="+6281234567890"))
        await session.execute(update(Citizen).where(Citizen.external_id == "web-sari").values(name="Sari Wulandari"))
        await session.commit()
    for status, reason in (("diverifikasi_desa", "Lokasi sudah dicek"), ("dibahas_kecamatan", "Disepakati forum"),
                           ("diverifikasi_opd", "Sesuai renja DPUPKP"), ("masuk_rkpd", "Masuk RKPD 2027"),
                           ("direalisasikan", None)):
        await status_changes.change_status(db, a, status, "test", reason=reason)
    await status_changes.change_status(db, b, "diverifikasi_desa", "test")
    await status_changes.change_status(db, b, "ditolak", "test", reason="Sudah ada program normalisasi")
    await status_changes.change_status(db, d, "ditolak", "test", reason="Jalan kabupaten, bukan usulan desa")
    await status_changes.change_status(db, e, "diverifikasi_desa", "test")
    verified = "diverifikasi_desa"
    await backdate(db, a, datetime(2026, 3, 1, tzinfo=UTC), {verified: datetime(2026, 3, 4, 12, tzinfo=UTC)})
    await backdate(db, b, datetime(2026, 4, 1, tzinfo=UTC), {verified: datetime(2026, 4, 2, 12, tzinfo=UTC)})
    await backdate(db, c, datetime(2025, 12, 31, 17, 30, tzinfo=UTC), {})
    await backdate(db, d, datetime(2026, 5, 1, tzinfo=UTC), {})
    await backdate(db, e, datetime(2025, 6, 1, tzinfo=UTC), {verified: datetime(2025, 6, 3, tzinfo=UTC)})
    for job in await messages.claim_outgoing(db, CHANNELS, limit=100):  # the seeding's own news is sent already
        await messages.outgoing_sent(db, job.id)
    return Seeded(a, b, c, d, e)
