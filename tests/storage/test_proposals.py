"""Repository behaviour on SQLite and PostgreSQL: what citizens rely on never being lost or mixed up."""

from __future__ import annotations

import asyncio
import re

import pytest

from core.status import TransitionError
from storage import escalations, proposals, status_changes
from storage.db import Database

DRAFT = proposals.ProposalDraft(description="Perbaikan jalan rusak", sector="jalan", village_code="34.04.07.2001",
                                rt="03", rw="05")


async def test_submission_gets_a_tracking_code_and_first_history_row(db: Database) -> None:
    view, created = await proposals.submit_proposal(db, "web", "alice", "draft-1", DRAFT)
    assert created
    assert re.fullmatch(r"USL-[0-9A-HJKMNP-TV-Z]{6}", view.code)
    assert view.status == "diajukan"
    stored = await proposals.get_proposal(db, view.code)
    assert stored is not None and stored.description == "Perbaikan jalan rusak" and stored.rt == "03"
    history = await status_changes.history(db, view.code)
    assert [(h.old_status, h.new_status) for h in history] == [(None, "diajukan")]


async def test_the_same_draft_confirmed_twice_stores_one_proposal(db: Database) -> None:
    first, created_first = await proposals.submit_proposal(db, "web", "alice", "draft-1", DRAFT)
    again, created_again = await proposals.submit_proposal(db, "web", "alice", "draft-1", DRAFT)
    assert created_first and not created_again
    assert again.code == first.code
    assert await proposals.count_citizen_proposals(db, "web", "alice") == 1


async def test_concurrent_double_confirmation_stores_one_proposal(db: Database) -> None:
    results = await asyncio.gather(*(proposals.submit_proposal(db, "web", "bob", "draft-x", DRAFT) for _ in range(4)))
    assert len({view.code for view, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert await proposals.count_citizen_proposals(db, "web", "bob") == 1


async def test_own_proposals_are_the_latest_five_of_that_sender_only(db: Database) -> None:
    codes = []
    for i in range(7):
        view, _ = await proposals.submit_proposal(db, "web", "carol", f"c-{i}", DRAFT)
        codes.append(view.code)
    await proposals.submit_proposal(db, "web", "dave", "d-1", DRAFT)
    await proposals.submit_proposal(db, "telegram", "carol", "t-1", DRAFT)  # same id, other channel: someone else
    own = await proposals.citizen_proposals(db, "web", "carol", limit=5)
    assert [v.code for v in own] == list(reversed(codes))[:5]
    assert await proposals.count_citizen_proposals(db, "web", "carol") == 7
    assert await proposals.citizen_proposals(db, "web", "nobody") == []


async def test_unknown_code_is_none(db: Database) -> None:
    assert await proposals.get_proposal(db, "USL-000000") is None


async def test_status_change_writes_history_and_keeps_note_internal(db: Database) -> None:
    view, _ = await proposals.submit_proposal(db, "web", "erin", "e-1", DRAFT)
    await status_changes.change_status(db, view.code, "diverifikasi_desa", actor="operator:1", note="cek lapangan ok")
    rejected = await status_changes.change_status(db, view.code, "ditolak", actor="kecamatan:2",
                                                  reason="Sudah dianggarkan APBDes", note="internal: duplikat program")
    assert rejected.status == "ditolak"
    assert rejected.last_reason == "Sudah dianggarkan APBDes"
    history = await status_changes.history(db, view.code)
    assert [h.new_status for h in history] == ["diajukan", "diverifikasi_desa", "ditolak"]
    assert all("internal" not in (h.reason or "") for h in history)


async def test_forbidden_transitions_change_nothing(db: Database) -> None:
    view, _ = await proposals.submit_proposal(db, "web", "fay", "f-1", DRAFT)
    with pytest.raises(TransitionError):
        await status_changes.change_status(db, view.code, "masuk_rkpd", actor="x")  # skipping stages
    with pytest.raises(TransitionError):
        await status_changes.change_status(db, view.code, "ditolak", actor="x")  # no reason
    with pytest.raises(LookupError):
        await status_changes.change_status(db, "USL-000000", "ditolak", actor="x", reason="r")
    assert (await proposals.get_proposal(db, view.code)).status == "diajukan"
    assert len(await status_changes.history(db, view.code)) == 1


async def test_support_counts_once_per_citizen_and_not_for_the_owner(db: Database) -> None:
    view, _ = await proposals.submit_proposal(db, "web", "gail", "g-1", DRAFT)
    own = await proposals.add_support(db, view.code, "web", "gail")
    first = await proposals.add_support(db, view.code, "web", "hank")
    second = await proposals.add_support(db, view.code, "web", "hank")
    other = await proposals.add_support(db, view.code, "telegram", "ivy")
    assert own[1] is False and first[1] is True and second[1] is False and other[1] is True
    assert (await proposals.get_proposal(db, view.code)).supporters == 2
    assert await proposals.add_support(db, "USL-000000", "web", "hank") is None


async def test_escalation_is_stored_with_question_and_excerpt(db: Database) -> None:
    ticket = await escalations.create_escalation(db, "web", "jack", "Kapan dana desa cair?", "Warga: ...")
    assert [(t, q) for t, q, _ in await escalations.open_escalations(db)] == [(ticket, "Kapan dana desa cair?")]



async def test_a_change_checked_against_a_stale_status_is_refused(db: Database) -> None:
    view, _ = await proposals.submit_proposal(db, "web", "gus", "g-9", DRAFT)
    await status_changes.change_status(db, view.code, "diverifikasi_desa", actor="desa:1", expected_status="diajukan")
    with pytest.raises(TransitionError):
        await status_changes.change_status(db, view.code, "ditolak", actor="desa:2", reason="x",
                                           expected_status="diajukan")
    assert (await proposals.get_proposal(db, view.code)).status == "diverifikasi_desa"
