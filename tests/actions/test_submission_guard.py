"""A forged `action_submit_proposal` (slots the form never checked) stores nothing and says why."""

from __future__ import annotations

import pytest

from actions.submission import ActionSubmitProposal
from storage import proposals


def slots_of(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


FORGED = {
    "village in Aceh": {"village_code": "11.01.01.2001"},
    "a kecamatan, not a desa": {"village_code": "34.04.07"},
    "no such region code": {"village_code": "34.04.99.9999"},
    "unknown sector": {"sector": "senjata"},
    "kamus item of another sector": {"sector": "jalan", "kamus_item": "pembangunan_jembatan"},
    "unknown kamus item": {"kamus_item": "tidak_ada"},
    "photo outside the media folder": {"photo": "../../etc/passwd"},
    "photo the gateway never stored": {"photo": "0123456789abcdef0123456789abcdef.jpg"},
    "empty description": {"description": "   "},
    "description of the wrong type": {"description": {"x": 1}},
}


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
async def test_a_forged_submission_stores_nothing(tracker_from, dispatcher, domain, action_database, forged) -> None:
    events = await ActionSubmitProposal().run(dispatcher, tracker_from("confirmed_proposal", **forged), domain)
    assert await proposals.count_citizen_proposals(action_database, "web", "citizen0002") == 0
    assert "last_code" not in slots_of(events)
    assert slots_of(events)["draft_id"] is None  # the forged draft is cleared
    [message] = dispatcher.messages
    assert "tidak dapat disimpan" in message["text"] and "mau usul" in message["text"]


@pytest.mark.parametrize(("language", "words"), [("jv", "boten saged dipunsimpen"), ("su", "teu tiasa disimpen")])
async def test_the_refusal_is_in_the_citizens_language(tracker_from, dispatcher, domain, language, words) -> None:
    tracker = tracker_from("confirmed_proposal", language=language, village_code="11.01.01.2001")
    await ActionSubmitProposal().run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert words in message["text"] and "Lokasi" in message["text"]


async def test_a_photo_the_gateway_stored_and_an_item_of_the_sector_are_kept(tracker_from, dispatcher, domain,
                                                                          action_database, tmp_path) -> None:
    name = "0123456789abcdef0123456789abcdef.jpg"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / name).write_bytes(b"\xff\xd8\xff photo")
    tracker = tracker_from("confirmed_proposal", photo=name, kamus_item="rehabilitasi_jalan_lingkungan")
    events = await ActionSubmitProposal().run(dispatcher, tracker, domain)
    stored = await proposals.get_proposal(action_database, slots_of(events)["last_code"])
    assert stored.has_photo and stored.item_code == "rehabilitasi_jalan_lingkungan"
