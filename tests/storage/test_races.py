"""Races on the officers' writes, on SQLite and PostgreSQL, with the requests really at the same
moment (asyncio.gather, one connection each): two officers changing one proposal, a double click,
two opposite merges, and a burst of wrong passwords."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import timedelta

from sqlalchemy import func, select

from core.status import TransitionError
from storage import accounts, login_throttle, proposals, status_changes
from storage.db import Database
from storage.models import OutboxMessage, Proposal, StatusChange
from workflows import status as status_flow

VILLAGE = "34.04.07.2001"
TRIALS = 6


async def submit(db: Database, sender: str, key: str) -> str:
    draft = proposals.ProposalDraft(description=f"Jalan rusak di dusun {key}", sector="jalan", village_code=VILLAGE)
    view, _ = await proposals.submit_proposal(db, "web", sender, key, draft)
    return view.code


async def changes_and_news(db: Database, code: str) -> tuple[int, int]:
    """Status changes after the submission, and status news queued for the submitter."""
    async with db.session() as session:
        changes = (await session.execute(
            select(func.count(StatusChange.id)).where(StatusChange.old_status.is_not(None),
                                                      StatusChange.proposal_id.in_(
                                                          select(Proposal.id)
                                                          .where(Proposal.code == code)))
        )).scalar_one()
        news = (await session.execute(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "notification",
                                                       OutboxMessage.payload.contains(code))
        )).scalar_one()
    return changes, news


async def outcome(call: Awaitable[object]) -> str:
    """Refused either by the write (someone moved it first) or by the role check that read it after."""
    try:
        await call
    except (TransitionError, PermissionError):
        return "refused"
    return "applied"


async def test_two_officers_changing_one_proposal_at_once_one_wins(db: Database) -> None:
    sari = await accounts.create_officer(db, "sari", "$argon2id$x", "desa", VILLAGE)
    rina = await accounts.create_officer(db, "rina", "$argon2id$x", "desa", VILLAGE)
    for trial in range(TRIALS):
        code = await submit(db, f"warga-{trial}", f"k{trial}")
        results = await asyncio.gather(
            outcome(status_flow.change_status(db, sari, code, "diverifikasi_desa")),
            outcome(status_flow.change_status(db, rina, code, "ditolak", reason="Bukan wewenang desa")),
        )
        assert sorted(results) == ["applied", "refused"], (trial, results)
        final = (await proposals.get_proposal(db, code)).status
        assert final == ("diverifikasi_desa" if results[0] == "applied" else "ditolak")
        assert await changes_and_news(db, code) == (1, 1), trial


async def test_a_double_click_changes_once(db: Database) -> None:
    sari = await accounts.create_officer(db, "sari", "$argon2id$x", "desa", VILLAGE)
    for trial in range(TRIALS):
        code = await submit(db, f"warga-{trial}", f"k{trial}")
        results = await asyncio.gather(*(outcome(status_flow.change_status(db, sari, code, "diverifikasi_desa"))
                                         for _ in range(2)))
        assert sorted(results) == ["applied", "refused"], (trial, results)
        assert await changes_and_news(db, code) == (1, 1), trial


async def test_the_server_operator_and_an_import_race_the_same_way(db: Database) -> None:
    """The CLI and the SIPD import take the same path: one of two simultaneous changes applies."""
    for trial in range(TRIALS):
        code = await submit(db, f"warga-{trial}", f"k{trial}")
        results = await asyncio.gather(
            outcome(status_flow.change_status(db, None, code, "diverifikasi_desa", actor="cli:root")),
            outcome(status_flow.change_status(db, None, code, "ditolak", "Dari SIPD", actor="sipd:import",
                                              expected_status="diajukan", imported=True)),
        )
        assert sorted(results) == ["applied", "refused"], (trial, results)
        assert await changes_and_news(db, code) == (1, 1), trial


async def test_two_opposite_merges_at_once_close_only_one(db: Database) -> None:
    sari = await accounts.create_officer(db, "sari", "$argon2id$x", "desa", VILLAGE)
    rina = await accounts.create_officer(db, "rina", "$argon2id$x", "desa", VILLAGE)
    for trial in range(TRIALS):
        first = await submit(db, f"a-{trial}", f"a{trial}")
        second = await submit(db, f"b-{trial}", f"b{trial}")
        results = await asyncio.wait_for(asyncio.gather(
            outcome(status_flow.merge_proposals(db, sari, first, second)),
            outcome(status_flow.merge_proposals(db, rina, second, first)),
        ), timeout=60)
        assert sorted(results) == ["applied", "refused"], (trial, results)
        statuses = {(await proposals.get_proposal(db, c)).status for c in (first, second)}
        assert statuses == {"digabung", "diajukan"}, trial
        kept = first if results[1] == "applied" else second
        assert (await proposals.get_proposal(db, kept)).supporters == 1  # the merged one's submitter
        assert [c.new_status for c in await status_changes.history(db, kept)] == ["diajukan"]


def lock_after_three(failures: int) -> timedelta | None:
    return timedelta(seconds=60) if failures >= 3 else None


async def test_simultaneous_attempts_are_counted_before_any_is_checked(db: Database) -> None:
    window = timedelta(hours=1)
    states = await asyncio.gather(*(login_throttle.begin_attempt(db, "user:sari", lock_after_three, window)
                                    for _ in range(10)))
    assert sum(state.allowed for state in states) == 3
    assert sorted(state.failures for state in states if state.allowed) == [1, 2, 3]
    assert await login_throttle.locked_until(db, ["user:sari"]) is not None
    # A success hands its attempt back: an office's address is not locked by its own good logins.
    for _ in range(5):
        state = await login_throttle.begin_attempt(db, "ip:10.0.0.1", lock_after_three, window)
        assert state.allowed
        await login_throttle.attempt_succeeded(db, "ip:10.0.0.1", lock_after_three)
    assert await login_throttle.locked_until(db, ["ip:10.0.0.1"]) is None


async def test_a_fix_confirmed_twice_at_once_is_resubmitted_once(db: Database) -> None:
    sari = await accounts.create_officer(db, "sari", "$argon2id$x", "desa", VILLAGE)
    for trial in range(TRIALS):
        code = await submit(db, f"warga-{trial}", f"k{trial}")
        await status_flow.change_status(db, sari, code, "perlu_perbaikan", note="Tambahkan RT")
        fixed = proposals.ProposalDraft(description=f"Jalan rusak di dusun {trial}, RT 03", sector="jalan",
                                        village_code=VILLAGE, rt="03")
        results = await asyncio.gather(*(status_changes.resubmit_proposal(db, code, "web", f"warga-{trial}", fixed)
                                         for _ in range(2)))
        assert sorted(done for _, done in results) == [False, True], trial
        assert all(view.status == "diajukan" for view, _ in results)
        assert [c.new_status for c in await status_changes.history(db, code)] == [
            "diajukan", "perlu_perbaikan", "diajukan"], trial
