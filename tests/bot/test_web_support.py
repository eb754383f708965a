"""Support from the web chat needs no proof of a person (anyone can make up a sender id), so the public
count says how much came from verified channels (Telegram, WhatsApp), and officers see the split too."""

from __future__ import annotations

from storage import proposals, review
from storage.db import Database
from tests.bot.sites import propose


async def supported(db: Database) -> str:
    code = await propose(db, "owner-0001", "k-support", "Lampu jalan mati di gang mawar", sector="penerangan_jalan")
    for channel, sender in (("web", "madeup00001"), ("web", "madeup00002"), ("web", "madeup00003"),
                            ("telegram", "5550001"), ("whatsapp", "6281200000001")):
        assert (await proposals.add_support(db, code, channel, sender))[1]
    return code


async def test_verified_supporters_are_counted_apart(db) -> None:
    code = await supported(db)
    assert (await proposals.get_proposal(db, code)).supporters == 5
    async with db.session() as session:
        row_id = (await session.execute(proposals.select(proposals.Proposal.id)
                                        .where(proposals.Proposal.code == code))).scalar_one()
        assert await proposals.verified_supporter_count(session, row_id) == 2
    detail = await review.proposal_detail(db, code)
    assert detail.supporters == 5 and detail.verified_supporters == 2


async def test_the_public_page_says_how_many_supporters_are_verified(site) -> None:
    code = await supported(site.db)
    status, page, _ = await site.get(f"/usulan/{code}")
    assert status == 200
    assert "5 dukungan, 2 dari warga terverifikasi (Telegram/WhatsApp)" in page
