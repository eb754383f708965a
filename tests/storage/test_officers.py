"""The officers' storage on SQLite and PostgreSQL: accounts, throttling, sessions, audit, the
queue of a scope, role-checked status changes, merging duplicates, and the escalation desk."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from core import calendar, roles
from core.status import TransitionError
from storage import accounts, audit, escalations, faq, login_throttle, messages, proposals, review, status_changes
from storage.db import Database
from storage.models import Citizen, Escalation, FaqEntry, OutboxMessage, Proposal, Support
from workflows import escalations as escalation_flow
from workflows import status as status_flow

VILLAGE = "34.04.07.2001"
NEIGHBOUR = "34.04.07.2002"
OTHER_KECAMATAN = "34.04.08.2003"
HASH = "$argon2id$not-a-real-hash"


def draft(description: str = "Perbaikan jalan rusak di RT 03", sector: str = "jalan",
          village: str = VILLAGE) -> proposals.ProposalDraft:
    return proposals.ProposalDraft(description=description, sector=sector, village_code=village)


async def submit(db: Database, sender: str, key: str, **kwargs: str) -> str:
    view, _ = await proposals.submit_proposal(db, "web", sender, key, draft(**kwargs))
    return view.code


async def officer(db: Database, username: str, role: str, scope: str | None = None,
                  sector: str | None = None) -> accounts.OfficerView:
    return await accounts.create_officer(db, username, HASH, role, scope, sector)


async def outbox_texts(db: Database, recipient: str) -> list[str]:
    async with db.session() as session:
        rows = (await session.execute(select(OutboxMessage.payload).where(OutboxMessage.recipient == recipient)
                                      .order_by(OutboxMessage.id))).scalars().all()
    return [json.loads(r)["text"] for r in rows]


# --- accounts, throttling, sessions, audit ------------------------------------------------------


async def test_officer_accounts(db: Database) -> None:
    created = await accounts.create_officer(db, " Sari ", HASH, "desa", VILLAGE, full_name="Sari Wulandari")
    assert created.username == "sari" and created.scope_code == VILLAGE and created.active
    credentials = await accounts.get_credentials(db, "SARI")
    assert credentials.password_hash == HASH and credentials.officer == created
    assert "not-a-real-hash" not in repr(credentials)
    assert await accounts.get_officer(db, "nobody") is None
    with pytest.raises(accounts.DuplicateUsername):
        await accounts.create_officer(db, "sari", HASH, "desa", VILLAGE)
    with pytest.raises(roles.ScopeError):
        await accounts.create_officer(db, "budi", HASH, "desa", "34.04.07")
    admin = await accounts.create_officer(db, "root", HASH, "admin", "34.04")
    assert admin.scope_code is None
    assert [o.username for o in await accounts.list_officers(db)] == ["root", "sari"]


def lock_after_three(failures: int) -> timedelta | None:
    return timedelta(seconds=30 * failures) if failures >= 3 else None


async def test_failed_logins_lock_the_key_and_are_counted_in_the_database(db: Database) -> None:
    now = datetime.now(timezone.utc)
    window = timedelta(hours=1)
    for expected in (1, 2):
        state = await login_throttle.begin_attempt(db, "user:sari", lock_after_three, window, now)
        assert state == login_throttle.ThrottleState(expected, None)
    assert await login_throttle.locked_until(db, ["user:sari", "ip:1.2.3.4"], now) is None
    state = await login_throttle.begin_attempt(db, "user:sari", lock_after_three, window, now)
    assert state.failures == 3 and state.locked_until == now + timedelta(seconds=90) and state.allowed
    refused = await login_throttle.begin_attempt(db, "user:sari", lock_after_three, window, now)
    assert refused == login_throttle.ThrottleState(3, now + timedelta(seconds=90), allowed=False)  # not counted
    assert await login_throttle.locked_until(db, ["ip:1.2.3.4", "user:sari"], now) == now + timedelta(seconds=90)
    assert await login_throttle.locked_until(db, ["user:sari"], now + timedelta(seconds=91)) is None
    # A second gateway, with its own engine, sees the same lock.
    other = Database(db.url)
    try:
        assert await login_throttle.locked_until(other, ["user:sari"], now) is not None
    finally:
        await other.dispose()
    await login_throttle.clear_failed_logins(db, "user:sari")
    assert await login_throttle.locked_until(db, ["user:sari"], now) is None
    state = await login_throttle.begin_attempt(db, "user:sari", lock_after_three, window, now)
    assert state.failures == 1


async def test_failure_count_restarts_after_a_quiet_window(db: Database) -> None:
    start = datetime.now(timezone.utc)
    window = timedelta(hours=1)
    await login_throttle.begin_attempt(db, "user:budi", lock_after_three, window, start)
    await login_throttle.begin_attempt(db, "user:budi", lock_after_three, window, start)
    later = await login_throttle.begin_attempt(db, "user:budi", lock_after_three, window,
                                                     start + timedelta(hours=2))
    assert later == login_throttle.ThrottleState(1, None)


async def test_concurrent_failures_are_all_counted(db: Database) -> None:
    window = timedelta(hours=1)
    states = await asyncio.gather(*(login_throttle.begin_attempt(db, "ip:10.0.0.9", lambda n: None, window)
                                    for _ in range(6)))
    assert sorted(s.failures for s in states) == [1, 2, 3, 4, 5, 6]


async def test_sessions(db: Database) -> None:
    sari = await officer(db, "sari", "desa", VILLAGE)
    now = datetime.now(timezone.utc)
    await accounts.create_session(db, sari.id, "a" * 64, "csrf-1", now + timedelta(hours=1), "127.0.0.1")
    await accounts.create_session(db, sari.id, "b" * 64, "csrf-2", now - timedelta(seconds=1))
    live = await accounts.get_session(db, "a" * 64)
    assert live.officer.username == "sari" and live.csrf_token == "csrf-1"
    assert await accounts.get_session(db, "b" * 64) is None  # expired
    assert await accounts.get_session(db, "c" * 64) is None
    await accounts.set_active(db, sari.id, False)  # switched off: its sessions end
    assert await accounts.get_session(db, "a" * 64) is None
    await accounts.set_active(db, sari.id, True)
    await accounts.create_session(db, sari.id, "d" * 64, "csrf-3", now + timedelta(hours=1))
    await accounts.delete_session(db, "d" * 64)
    assert await accounts.get_session(db, "d" * 64) is None


async def test_a_new_password_ends_the_other_sessions(db: Database) -> None:
    sari = await officer(db, "sari", "desa", VILLAGE)
    budi = await officer(db, "budi", "desa", VILLAGE)
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    for token, owner in (("a", sari), ("b", sari), ("c", sari), ("d", budi)):
        await accounts.create_session(db, owner.id, token * 64, f"csrf-{token}", later)
    assert await accounts.change_password(db, sari.id, "hash-2", keep_session="a" * 64) == 2
    assert (await accounts.get_credentials(db, "sari")).password_hash == "hash-2"
    assert [await accounts.get_session(db, t * 64) is not None for t in "abcd"] == [True, False, False, True]
    assert await accounts.change_password(db, sari.id, "hash-3") == 1  # no session kept: all end
    assert await accounts.get_session(db, "a" * 64) is None
    assert await accounts.change_password(db, 999_999, "hash-x") is None
    assert (await accounts.get_credentials(db, "budi")).password_hash != "hash-x"


async def test_audit_log_newest_first(db: Database) -> None:
    sari = await officer(db, "sari", "desa", VILLAGE)
    await audit.record(db, "officer:sari", "login", "sari", ip="127.0.0.1", officer_id=sari.id)
    await audit.record(db, "cli:root", "status_change", "USL-0000AA", "diajukan → ditolak")
    entries = await audit.entries(db)
    assert [(e.actor, e.action, e.target) for e in entries] == [("cli:root", "status_change", "USL-0000AA"),
                                                                ("officer:sari", "login", "sari")]
    assert entries[1].ip == "127.0.0.1" and entries[0].created_at.tzinfo is not None
    assert [e.action for e in await audit.entries(db, actor="officer:sari")] == ["login"]


# --- the queue and one proposal -----------------------------------------------------------------


async def test_queue_of_a_scope_with_filters_and_counts(db: Database) -> None:
    mine = await submit(db, "alice", "a1")
    road_neighbour = await submit(db, "bob", "b1", village=NEIGHBOUR)
    water_neighbour = await submit(db, "bob", "b2", village=NEIGHBOUR, sector="air_bersih",
                                   description="Sumur bor")
    far = await submit(db, "carol", "c1", village=OTHER_KECAMATAN)
    await status_changes.change_status(db, road_neighbour, "diverifikasi_desa", "test")
    await proposals.add_support(db, mine, "web", "dave")

    desa = roles.scope_of(await officer(db, "sari", "desa", VILLAGE))
    kecamatan = roles.scope_of(await officer(db, "camat", "kecamatan", "34.04.07"))
    roads = roles.scope_of(await officer(db, "pu", "opd", "34.04", "jalan"))
    admin = roles.scope_of(await officer(db, "root", "admin"))

    queue = await review.proposal_queue(db, desa)
    assert [i.code for i in queue.items] == [mine] and queue.items[0].supporters == 1
    queue = await review.proposal_queue(db, kecamatan)
    assert {i.code for i in queue.items} == {mine, road_neighbour, water_neighbour}
    assert queue.counts == {"diajukan": 2, "diverifikasi_desa": 1} and queue.total == 3
    queue = await review.proposal_queue(db, kecamatan, review.QueueFilter(status="diverifikasi_desa"))
    assert [i.code for i in queue.items] == [road_neighbour] and queue.total == 1
    assert queue.counts == {"diajukan": 2, "diverifikasi_desa": 1}  # the tabs keep their numbers
    queue = await review.proposal_queue(db, kecamatan, review.QueueFilter(sector="air_bersih"))
    assert [i.code for i in queue.items] == [water_neighbour]
    queue = await review.proposal_queue(db, kecamatan, review.QueueFilter(village=NEIGHBOUR))
    assert {i.code for i in queue.items} == {road_neighbour, water_neighbour}
    assert {i.code for i in (await review.proposal_queue(db, roads)).items} == {mine, road_neighbour, far}
    assert (await review.proposal_queue(db, admin)).total == 4
    waiting = review.QueueFilter(waiting_days=3)
    assert (await review.proposal_queue(db, admin, waiting)).total == 0
    later = datetime.now(timezone.utc) + timedelta(days=4)
    assert (await review.proposal_queue(db, admin, waiting, now=later)).total == 4
    assert (await review.proposal_queue(db, admin, limit=2)).total == 4


async def test_detail_has_contact_history_supporters_and_likely_duplicates(db: Database) -> None:
    code = await submit(db, "alice", "a1", description="Perbaikan jalan rusak berlubang di RT 03 RW 05")
    twin = await submit(db, "bob", "b1", description="jalan rusak berlubang RT 03 RW 05 mohon diperbaiki")
    await submit(db, "carol", "c1", description="Perbaikan jalan rusak berlubang di RT 03 RW 05", village=NEIGHBOUR)
    await submit(db, "dave", "d1", description="Perbaikan jalan rusak berlubang di RT 03 RW 05", sector="drainase")
    await submit(db, "erin", "e1", description="Pengadaan tempat sampah")
    closed = await submit(db, "fay", "f1", description="Perbaikan jalan rusak berlubang di RT 03 RW 05")
    await status_changes.change_status(db, closed, "ditolak", "test", reason="dobel")
    async with db.session() as session:
        await session.execute(update(Citizen).where(Citizen.external_id == "alice")
                              .values(name="Alice", phone="+6281234"))
        await session.commit()
    await proposals.add_support(db, code, "web", "gita")
    await status_changes.change_status(db, code, "perlu_perbaikan", "officer:sari", reason="Tambahkan foto",
                                       note="internal")

    detail = await review.proposal_detail(db, code)
    assert (detail.citizen_name, detail.citizen_phone, detail.citizen_channel) == ("Alice", "+6281234", "web")
    assert detail.supporters == 1 and detail.status == "perlu_perbaikan"
    assert [(h.old_status, h.new_status, h.reason, h.note) for h in detail.history] == [
        (None, "diajukan", None, None), ("diajukan", "perlu_perbaikan", "Tambahkan foto", "internal")]
    assert [d.code for d in detail.duplicates] == [twin]  # same village + sector, open, alike
    assert detail.duplicates[0].score >= review.DUPLICATE_SCORE
    assert await review.proposal_detail(db, "USL-000000") is None
    ref = await review.proposal_ref(db, code)
    assert ref == review.ProposalRef(code, "perlu_perbaikan", VILLAGE, "jalan")


# --- status changes with roles ------------------------------------------------------------------


async def test_officer_status_changes_follow_the_role_and_notify(db: Database) -> None:
    code = await submit(db, "alice", "a1")
    sari = await officer(db, "sari", "desa", VILLAGE)
    neighbour = await officer(db, "tono", "desa", NEIGHBOUR)
    camat = await officer(db, "camat", "kecamatan", "34.04.07")

    with pytest.raises(LookupError):  # outside one's scope: as if there were no such proposal
        await status_flow.change_status(db, neighbour, code, "diverifikasi_desa")
    with pytest.raises(PermissionError):
        await status_flow.change_status(db, camat, code, "dibahas_kecamatan")
    with pytest.raises(TransitionError):
        await status_flow.change_status(db, sari, code, "perlu_perbaikan", reason="")
    with pytest.raises(LookupError):
        await status_flow.change_status(db, sari, "USL-000000", "diverifikasi_desa")

    view = await status_flow.change_status(db, sari, code, "perlu_perbaikan", note="Lengkapi RT/RW",
                                           ip="10.1.1.1")
    assert view.status == "perlu_perbaikan" and view.last_reason == "Lengkapi RT/RW"
    await status_flow.change_status(db, sari, code, "diajukan")
    await status_flow.change_status(db, sari, code, "diverifikasi_desa", note="cek lapangan ok")
    await status_flow.change_status(db, camat, code, "dibahas_kecamatan")
    history = await status_changes.history(db, code)
    assert [h.new_status for h in history] == ["diajukan", "perlu_perbaikan", "diajukan", "diverifikasi_desa",
                                               "dibahas_kecamatan"]
    texts = await outbox_texts(db, "alice")
    assert len(texts) == 4 and "Lengkapi RT/RW" in texts[0]
    assert not any("cek lapangan" in t for t in texts)  # internal notes never reach the citizen
    logged = await audit.entries(db, action="status_change")
    assert [a.actor for a in logged] == ["officer:camat", "officer:sari", "officer:sari", "officer:sari"]
    assert logged[-1].ip == "10.1.1.1" and logged[-1].target == code


async def test_server_operator_changes_need_the_same_inputs(db: Database) -> None:
    code = await submit(db, "alice", "a1")
    with pytest.raises(TransitionError):
        await status_flow.change_status(db, None, code, "ditolak", actor="cli:root")
    with pytest.raises(TransitionError):
        await status_flow.change_status(db, None, code, "digabung", reason="x", actor="cli:root")
    view = await status_flow.change_status(db, None, code, "ditolak", reason="Bukan kewenangan daerah",
                                           actor="cli:root")
    assert view.status == "ditolak"
    assert (await status_changes.history(db, code))[-1].reason == "Bukan kewenangan daerah"
    assert (await audit.entries(db))[0].actor == "cli:root"


async def supporters_of(db: Database, code: str) -> set[str]:
    async with db.session() as session:
        rows = await session.execute(
            select(Citizen.external_id).join(Support, Support.citizen_id == Citizen.id)
            .join(Proposal, Proposal.id == Support.proposal_id).where(Proposal.code == code))
        return set(rows.scalars().all())


async def test_merge_moves_people_once_and_marks_the_duplicate(db: Database) -> None:
    target = await submit(db, "alice", "a1")
    duplicate = await submit(db, "bob", "b1", description="Jalan rusak parah di RT 03")
    for person in ("carol", "dave"):
        await proposals.add_support(db, target if person == "carol" else duplicate, "web", person)
    await proposals.add_support(db, duplicate, "web", "carol")  # supports both: must not count twice
    await proposals.add_support(db, duplicate, "web", "alice")  # the target's own submitter
    sari = await officer(db, "sari", "desa", VILLAGE)
    tono = await officer(db, "tono", "desa", NEIGHBOUR)

    with pytest.raises(LookupError):  # outside tono's scope
        await status_flow.merge_proposals(db, tono, duplicate, target)
    with pytest.raises(TransitionError):
        await status_flow.merge_proposals(db, sari, duplicate, duplicate)
    with pytest.raises(LookupError):
        await status_flow.merge_proposals(db, sari, duplicate, "USL-000000")

    result = await status_flow.merge_proposals(db, sari, duplicate, target, note="sama lokasinya")
    assert result == status_flow.MergeResult(duplicate, target, 2, 3)  # bob and dave added
    assert await supporters_of(db, target) == {"carol", "dave", "bob"}
    assert await supporters_of(db, duplicate) == set()
    last = (await status_changes.history(db, duplicate))[-1]
    assert (last.new_status, last.reason) == ("digabung", f"Digabung ke {target}")
    assert any(f"Digabung ke {target}" in t for t in await outbox_texts(db, "bob"))  # the duplicate's people told
    # Run again (e.g. after a crash between the two steps): finishes, changes nothing more.
    again = await status_flow.merge_proposals(db, sari, duplicate, target)
    assert again.supporters_added == 0 and again.target_supporters == 3
    assert len(await status_changes.history(db, duplicate)) == 2
    # Later news about the target reaches the merged-in people.
    await status_flow.change_status(db, sari, target, "diverifikasi_desa")
    assert any("Diverifikasi desa" in t for t in await outbox_texts(db, "bob"))


async def test_merge_into_a_closed_proposal_is_refused(db: Database) -> None:
    target = await submit(db, "alice", "a1")
    duplicate = await submit(db, "bob", "b1")
    await status_changes.change_status(db, target, "ditolak", "test", reason="x")
    with pytest.raises(TransitionError):
        await status_flow.merge_proposals(db, None, duplicate, target, actor="cli:root")
    assert (await proposals.get_proposal(db, duplicate)).status == "diajukan"


# --- the escalation desk ------------------------------------------------------------------------

WIB = calendar.WIB


async def set_created(db: Database, escalation_id: int, moment: datetime) -> None:
    async with db.session() as session:
        await session.execute(update(Escalation).where(Escalation.id == escalation_id)
                              .values(created_at=moment.astimezone(timezone.utc)))  # stored in UTC
        await session.commit()


async def test_escalations_oldest_first_with_overdue_in_working_days(db: Database) -> None:
    newer = await escalations.create_escalation(db, "web", "alice", "Kapan musrenbang kecamatan?", "...")
    older = await escalations.create_escalation(db, "telegram", "42", "Apakah usulan bisa diubah?", "...")
    await set_created(db, older, datetime(2026, 11, 27, 10, 0, tzinfo=WIB))  # Friday
    await set_created(db, newer, datetime(2026, 11, 30, 10, 0, tzinfo=WIB))  # Monday
    tuesday = datetime(2026, 12, 1, 10, 30, tzinfo=WIB)
    admin = await officer(db, "root", "admin")
    desk = await escalations.escalation_queue(db, admin, 2, now=tuesday)
    assert [e.id for e in desk] == [older, newer]
    assert [e.overdue for e in desk] == [True, False]  # Fri + 2 working days = Tue 10:00
    assert desk[0].channel == "telegram" and desk[0].due_at == datetime(2026, 12, 1, 10, 0, tzinfo=WIB)
    assert not (await escalations.escalation_queue(db, admin, 3, now=tuesday))[0].overdue


async def test_a_claim_goes_to_one_officer_only(db: Database) -> None:
    escalation = await escalations.create_escalation(db, "web", "alice", "Bagaimana cara mendukung usulan?", "...")
    team = [await officer(db, f"p{i}", "kecamatan", "34.04.07") for i in range(4)]
    claims = await asyncio.gather(*(escalations.claim_escalation(db, escalation, o) for o in team))
    assert sum(claims) == 1
    winner = team[claims.index(True)]
    assert await escalations.claim_escalation(db, escalation, winner)  # claiming one's own again is fine
    loser = next(o for o in team if o.id != winner.id)
    with pytest.raises(escalations.ClaimError):
        await escalation_flow.answer_escalation(db, escalation, loser, "Jawaban lain")
    assert not await escalations.release_escalation(db, escalation, loser.id)
    view = await escalations.get_escalation(db, escalation, 2)
    assert view.status == "claimed" and view.claimed_by_name == winner.username
    assert await escalations.release_escalation(db, escalation, winner.id)
    assert (await escalations.get_escalation(db, escalation, 2)).status == "open"


async def test_answer_reaches_the_citizen_once_and_can_become_an_faq(db: Database) -> None:
    escalation = await escalations.create_escalation(db, "web", "alice-web-1", "<b>Kapan</b> musrenbang desa?", "...",
                                                     VILLAGE)
    sari = await officer(db, "sari", "desa", VILLAGE)
    with pytest.raises(escalations.ClaimError):
        await faq.save_as_faq(db, escalation, sari)  # not answered yet
    assert await escalations.claim_escalation(db, escalation, sari)
    assert await escalation_flow.answer_escalation(db, escalation, sari, "Bulan Januari di balai desa.")
    assert not await escalation_flow.answer_escalation(db, escalation, sari, "Bulan Januari di balai desa.")
    jobs = await messages.claim_outgoing(db, ("web",), recipient="alice-web-1")
    assert [job.kind for job in jobs] == ["notification", "satisfaction"]  # the answer, then one 1–5 question
    assert "Bulan Januari di balai desa." in jobs[0].payload["text"]
    assert "Kapan" in jobs[0].payload["text"]
    view = await escalations.get_escalation(db, escalation, 2)
    assert view.status == "answered" and view.answer == "Bulan Januari di balai desa." and not view.overdue
    assert await escalations.escalation_queue(db, sari, 2) == []
    assert [e.id for e in await escalations.escalation_queue(db, sari, 2, answered=True)] == [escalation]

    entry = await faq.save_as_faq(db, escalation, sari, question="Kapan musrenbang desa diadakan?")
    assert await faq.save_as_faq(db, escalation, sari) == entry  # once
    async with db.session() as session:
        stored = await session.get(FaqEntry, entry)
        assert (stored.question, stored.answer, stored.active) == ("Kapan musrenbang desa diadakan?",
                                                          "Bulan Januari di balai desa.", True)
        assert (await session.execute(select(func.count(FaqEntry.id)))).scalar_one() == 1
    assert (await escalations.get_escalation(db, escalation, 2)).faq_entry_id == entry


async def test_an_open_escalation_can_be_answered_directly_and_unknown_ones_fail(db: Database) -> None:
    escalation = await escalations.create_escalation(db, "telegram", "777", "Siapa yang memverifikasi?", "...",
                                                     VILLAGE)
    sari = await officer(db, "sari", "desa", VILLAGE)
    with pytest.raises(ValueError):
        await escalation_flow.answer_escalation(db, escalation, sari, "   ")
    with pytest.raises(LookupError):
        await escalation_flow.answer_escalation(db, 999999, sari, "Jawaban")
    assert await escalation_flow.answer_escalation(db, escalation, sari, "Operator desa.")
    assert (await outbox_texts(db, "777"))[0].endswith("Operator desa.")


async def test_escalations_are_scoped_like_proposals_by_the_citizens_desa(db: Database) -> None:
    """A desa operator reads, claims, answers and keeps as FAQ only their own desa's questions; one
    whose desa is unknown goes to kecamatan officers and admins."""
    from_form = await escalations.create_escalation(db, "web", "ani", "Kapan musrenbang desa kami?", "Warga: 0812",
                                                    VILLAGE)  # the desa the citizen answered in the form
    await submit(db, "budi", "b1", village=NEIGHBOUR)
    from_proposal = await escalations.create_escalation(db, "web", "budi", "Kapan usulan saya dibahas?", "...")
    unknown = await escalations.create_escalation(db, "web", "citra", "Apa itu musrenbang sebenarnya?", "...",
                                                  "bukan-kode")
    elsewhere = await escalations.create_escalation(db, "web", "dodi", "Kapan musrenbang kecamatan lain?", "...",
                                                    OTHER_KECAMATAN)
    team = {name: await officer(db, name, role, scope, sector) for name, role, scope, sector in (
        ("desa_a", "desa", VILLAGE, None), ("desa_b", "desa", NEIGHBOUR, None),
        ("camat", "kecamatan", "34.04.07", None), ("camat_lain", "kecamatan", "34.04.08", None),
        ("dinas_pu", "opd", "34.04", "jalan"), ("bappeda", "opd", "34.04", None), ("root", "admin", None, None))}
    seen = {name: {e.id for e in await escalations.escalation_queue(db, who, 2)} for name, who in team.items()}
    assert seen == {
        "desa_a": {from_form}, "desa_b": {from_proposal}, "camat": {from_form, from_proposal, unknown},
        "camat_lain": {elsewhere, unknown}, "dinas_pu": set(), "bappeda": {from_form, from_proposal, elsewhere},
        "root": {from_form, from_proposal, unknown, elsewhere}}

    intruder = team["desa_b"]
    assert await escalations.get_escalation(db, from_form, 2, officer=intruder) is None
    assert not await escalations.claim_escalation(db, from_form, intruder)
    with pytest.raises(LookupError):
        await escalation_flow.answer_escalation(db, from_form, intruder, "Saya jawab saja")
    assert await outbox_texts(db, "ani") == []
    assert await escalation_flow.answer_escalation(db, from_form, team["desa_a"], "Januari di balai desa.")
    with pytest.raises(LookupError):
        await faq.save_as_faq(db, from_form, intruder)
    assert (await escalations.get_escalation(db, from_form, 2, officer=team["camat"])).status == "answered"


async def test_a_saved_faq_answer_is_served_only_after_an_admins_approval(db: Database) -> None:
    sari = await officer(db, "sari", "desa", VILLAGE)
    escalation = await escalations.create_escalation(db, "web", "ani", "Kapan musrenbang desa diadakan?", "...",
                                                     VILLAGE)
    await escalation_flow.answer_escalation(db, escalation, sari, "Bulan Januari di balai desa.")
    with pytest.raises(faq.QuestionTooShort):
        await faq.save_as_faq(db, escalation, sari, question="jalan rusak")  # would match half of everything
    entry = await faq.save_as_faq(db, escalation, sari)
    assert await faq.learned_faqs(db) == []  # waiting for an admin
    [pending] = await faq.faq_entries(db)
    assert (pending.id, pending.state, pending.saved_by) == (entry, "pending", "officer:sari")

    assert await faq.approve_faq(db, entry, "officer:root")
    assert not await faq.approve_faq(db, entry, "officer:root")  # once
    assert [f.answer for f in await faq.learned_faqs(db)] == ["Bulan Januari di balai desa."]
    assert (await faq.faq_entries(db))[0].approved_by == "officer:root"
    assert await faq.set_faq_active(db, entry, False)  # the switch-off
    assert await faq.learned_faqs(db) == []
    assert (await escalations.get_escalation(db, escalation, 2)).faq_state == "off"
    with pytest.raises(LookupError):
        await faq.approve_faq(db, 999999, "officer:root")
