"""'Hapus data saya' (UU 27/2022) on a Tracker fixture and a real database: erased only right after the
one confirmation question; the proposals stay, anonymised; the reply is in the citizen's language."""

from __future__ import annotations

from rasa_sdk.events import AllSlotsReset, SlotSet
from sqlalchemy import select

from actions.privacy import ActionEraseData
from storage import proposals
from storage.models import Citizen
from tests.actions.conftest import responses

PHONE = "6281234567890"
DRAFT = proposals.ProposalDraft(description="Saluran mampet, hub 0812-3456-7890", sector="drainase",
                                village_code="34.04.07.2001", original_text="Pak, saya Sri. Saluran mampet")


async def test_yes_after_the_question_erases_and_keeps_the_proposal(tracker_from, dispatcher, domain,
                                                                     action_database) -> None:
    view, _ = await proposals.submit_proposal(action_database, "whatsapp", PHONE, "d1", DRAFT)
    events = await ActionEraseData().run(dispatcher, tracker_from("erase_confirmed"), domain)
    assert responses(dispatcher) == ["utter_data_erased"] and dispatcher.messages[0]["proposals"] == 1
    assert events == [AllSlotsReset(), SlotSet("language", "id")]
    assert await proposals.citizen_proposals(action_database, "whatsapp", PHONE) == []
    kept = await proposals.get_proposal(action_database, view.code)
    assert kept is not None and kept.description == "Saluran mampet, hub [disembunyikan]"
    async with action_database.session() as session:
        names = (await session.execute(select(Citizen.name, Citizen.phone, Citizen.external_id))).all()
    assert [(n, p) for n, p, _ in names] == [(None, None)] and names[0][2].startswith("erasing:")


async def test_the_reply_is_in_the_citizens_language(tracker_from, dispatcher, domain) -> None:
    tracker = tracker_from("erase_confirmed", language="su")
    events = await ActionEraseData().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_data_erased"] and SlotSet("language", "su") in events
    reply = next(v for v in domain["responses"]["utter_data_erased"]
                 if (v.get("condition") or [{}])[0].get("value") == "su")
    assert "dipupus" in reply["text"] and "{proposals}" in reply["text"]


async def test_a_yes_that_answers_something_else_erases_nothing(tracker_from, dispatcher, domain,
                                                                action_database) -> None:
    await proposals.submit_proposal(action_database, "whatsapp", PHONE, "d1", DRAFT)
    tracker = tracker_from("erase_confirmed")
    # Another question came between the confirmation question and this "ya".
    tracker.events[-3:-3] = [{"event": "user", "timestamp": 5.0, "text": "status usulan saya",
                              "parse_data": {"intent": {"name": "check_status"}}},
                             {"event": "action", "timestamp": 5.1, "name": "action_check_status"},
                             {"event": "action", "timestamp": 5.2, "name": "action_listen"}]
    assert await ActionEraseData().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_erase_kept"]
    assert len(await proposals.citizen_proposals(action_database, "whatsapp", PHONE)) == 1


def test_the_question_asks_once_in_three_languages_with_yes_and_no(domain) -> None:
    variants = domain["responses"]["utter_ask_erase_data"]
    assert len(variants) == 3
    for variant in variants:
        assert [b["payload"] for b in variant["buttons"]] == ["/affirm", "/deny"]
        assert "27/2022" in variant["text"]
    assert "erase_my_data" in domain["intents"] and "action_erase_data" in domain["actions"]
