"""One public view of a proposal, on SQLite and PostgreSQL: the dashboard's list, its search and map, one
proposal's page, Open311, the SIPD export and a status reply to a stranger all show the same masked text
and the same rounded pin; the submitter and supporters read their own proposal whole."""

from __future__ import annotations

from core import calendar
from storage import open311, proposals, public, sipd, status_changes
from storage.db import Database

REGION = "34.04"
VILLAGE = "34.04.07.2001"
TEXT = "Saluran mampet depan rumah Bu Sri, hubungi 0812 3456 7890 / NIK 3404.0112.3456.0003 / sri@contoh.id"
SHOWN = "Saluran mampet depan rumah Bu Sri, hubungi [disembunyikan] / NIK [disembunyikan] / [disembunyikan]"
REASON = "Sudah kami hubungi di 081234567890; saluran milik provinsi"
REASON_SHOWN = "Sudah kami hubungi di [disembunyikan]; saluran milik provinsi"
SECRETS = ("3456 7890", "0112", "sri@contoh.id", "081234567890", "7712345", "3776543")


async def _proposal(db: Database) -> str:
    view, _ = await proposals.submit_proposal(db, "whatsapp", "6281299990000", "k1", proposals.ProposalDraft(
        description=TEXT, sector="drainase", village_code=VILLAGE, latitude=-7.7712345, longitude=110.3776543))
    await status_changes.change_status(db, view.code, "ditolak", "officer:sari", reason=REASON)
    return view.code


async def test_every_public_reader_sees_the_same_masked_proposal(db: Database) -> None:
    code = await _proposal(db)
    year = calendar.planning_year()
    listed = (await public.search(db, REGION, public.PublicFilter(year))).items[0]
    pinned = (await public.map_points(db, REGION, public.PublicFilter(year)))[0]
    page = await public.public_proposal(db, code, REGION)
    requests = (await open311.find_requests(db, codes=[code]))[0]
    request = await open311.get_request(db, code)
    exported = (await sipd.export_rows(db, year))[0]
    stranger = await proposals.get_proposal(db, code, "telegram", "12345")
    anonymous = await proposals.get_proposal(db, code)
    for seen in (listed, pinned, page, requests, request, exported, stranger, anonymous):
        assert seen.description == SHOWN
        assert all(secret not in repr(seen) for secret in SECRETS), seen
    for seen in (listed, pinned, page, requests, request):
        assert (seen.latitude, seen.longitude) == (-7.771, 110.378)
    assert page.history[-1].reason == request.history[-1].reason == REASON_SHOWN
    assert list(request.history) == page.history and page.history[-1].by == "petugas"  # one public history
    assert requests.public_reason == exported.last_reason == stranger.last_reason == REASON_SHOWN
    assert exported.stage_reasons == {"kelurahan": REASON_SHOWN}


async def test_submitter_and_supporters_read_their_proposal_whole(db: Database) -> None:
    code = await _proposal(db)
    await proposals.add_support(db, code, "web", "tetangga")
    for channel, sender in (("whatsapp", "6281299990000"), ("web", "tetangga")):
        own = await proposals.get_proposal(db, code, channel, sender)
        assert (own.description, own.last_reason) == (TEXT, REASON)


async def test_search_reads_the_masked_text_only(db: Database) -> None:
    """A masked number could be read back a digit at a time: "…3456 7" matched, "…3456 1" did not."""
    code = await _proposal(db)
    year = calendar.planning_year()

    async def found(query: str) -> list[str]:
        page = await public.search(db, REGION, public.PublicFilter(year, query))
        points = await public.map_points(db, REGION, public.PublicFilter(year, query))
        assert [p.code for p in points] == [i.code for i in page.items]
        return [item.code for item in page.items]

    for probe in ("0812", "081234", "3404", "sri@contoh", "contoh.id", "7890"):
        assert await found(f"saluran {probe}") == [], probe
    assert await found("saluran mampet") == [code]
    assert await found("rumah bu sri") == [code]
    assert await found("caturtunggal saluran") == [code]  # a desa's name still finds its proposals
