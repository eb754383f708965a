"""Personal data through the real stack (Rasa's model, the action server, the gateway): a stranger asking
"status USL-..." reads the public view; "hapus data saya" asks once, then erases, and a minute later
Rasa's record of the conversation is gone too."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from core import settings
from storage import erasure, proposals, tracker_events
from storage.db import Database
from storage.models import utcnow

PHONE_TEXT = "Jalan berlubang di depan SD, kabari saya di 0812-3456-7890"


def database(stack) -> Database:
    return Database(f"sqlite+aiosqlite:///{stack.var_dir / 'musrenbang.db'}")


def rasa_events(stack, sender: str) -> int:
    connection = sqlite3.connect(stack.var_dir / "tracker.db")
    try:
        return connection.execute("SELECT count(*) FROM events WHERE sender_id = ?", (f"web:{sender}",)).fetchone()[0]
    finally:
        connection.close()


async def test_status_for_strangers_and_erasure_on_request(stack, new_citizen) -> None:
    owner, stranger = new_citizen(), new_citizen()
    assert await owner.say("halo")  # the owner's conversation exists in Rasa
    db = database(stack)
    try:
        view, _ = await proposals.submit_proposal(db, "web", owner.sender, "e2e-privacy", proposals.ProposalDraft(
            description=PHONE_TEXT, sector="jalan", village_code="34.04.07.2001"))
        seen_by_stranger = await stranger.text_of(f"status {view.code}")
        assert view.code in seen_by_stranger and "3456-7890" not in seen_by_stranger
        assert "[disembunyikan]" in seen_by_stranger
        assert "0812-3456-7890" in await owner.text_of(f"status {view.code}")

        question = await owner.say("tolong hapus data pribadi saya")
        assert "27/2022" in question[-1]["text"], question
        assert [b["payload"] for b in question[-1]["buttons"]] == ["/affirm", "/deny"]
        assert await proposals.count_citizen_proposals(db, "web", owner.sender) == 1  # nothing erased yet
        done = await owner.text_of("ya")
        assert "sudah dihapus" in done and "1 usulan" in done, done
        assert await proposals.count_citizen_proposals(db, "web", owner.sender) == 0
        kept = await proposals.get_proposal(db, view.code)
        assert kept is not None and kept.description == "Jalan berlubang di depan SD, kabari saya di [disembunyikan]"

        assert rasa_events(stack, owner.sender) > 0  # the turn that asked was saved when it ended
        tracker = tracker_events.TrackerStore.of(settings.load(stack.env()))  # where the stack's Rasa keeps them
        finished = await erasure.finish_erasures(db, tracker, now=utcnow() + erasure.GRACE + timedelta(seconds=1))
        assert finished.citizens == 1 and finished.events > 0
        assert rasa_events(stack, owner.sender) == 0
        assert rasa_events(stack, stranger.sender) > 0
    finally:
        await db.dispose()


async def test_no_stays_no_in_javanese(stack, new_citizen) -> None:
    citizen = new_citizen()
    question = await citizen.say("kula nyuwun data pribadi kula dipunbusak")
    assert "27/2022" in question[-1]["text"], question
    kept = await citizen.text_of("mboten")
    assert "boten dipunbusak" in kept, kept
