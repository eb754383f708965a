"""A shared map pin in the proposal form: it names its desa ("Lokasi Anda di Desa Wedomartani, Kec. Ngemplak —
benar?") instead of asking, a pin outside the kabupaten is refused saying where it is, and a typed desa that
disagrees with the pin is asked about. Real actions, Tracker fixtures, the shipped Sleman boundaries."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.proposal_form import ActionAskVillageCode, ValidateProposalForm

WEDOMARTANI = "34.04.11.2004"
CATURTUNGGAL = "34.04.07.2001"
PIN_WEDOMARTANI = "-7.736600,110.435300"
PIN_MALIOBORO = "-7.792600,110.365800"  # Kota Yogyakarta
PIN_JAKARTA = "-6.200000,106.800000"


def slots_of(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def turn(tracker_from, requested: str, text: str, intent: str = "inform", slot: str | None = None,
         value: object = None, language: str = "id", **slots):
    """The tracker as the form sees it: the citizen's message, and what Rasa's mappings extracted from it."""
    tracker = tracker_from("optional_photo_question", requested_slot=requested, language=language, **slots)
    entities = [{"entity": "map_pin", "value": value}] if slot == "map_pin" else []
    tracker.latest_message = {"intent": {"name": intent, "confidence": 0.95}, "entities": entities, "text": text,
                              "language": language}
    tracker.add_slots([SlotSet(slot or requested, value if slot else text)])
    return tracker


def share(tracker_from, requested: str, pin: str, **slots):
    return turn(tracker_from, requested, f'/share_location{{"map_pin":"{pin}"}}', "share_location",
                slot="map_pin", value=pin, **slots)


async def test_a_pin_shared_instead_of_the_desa_names_it_and_asks_only_to_confirm(tracker_from, dispatcher,
                                                                                    domain) -> None:
    tracker = share(tracker_from, "village_code", PIN_WEDOMARTANI, village_code=None)
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    assert slots["map_pin"] == PIN_WEDOMARTANI and slots["village_candidates"] == [WEDOMARTANI]
    assert not dispatcher.messages  # nothing refused, nothing asked twice
    tracker.slots.update(slots)
    tracker.slots["village_code"] = None
    await ActionAskVillageCode().run(dispatcher, tracker, domain)
    question = dispatcher.messages[-1]
    assert question["text"] == "Lokasi Anda di Desa Wedomartani, Kec. Ngemplak — benar?"
    assert [b["payload"] for b in question["buttons"]] == ["/affirm", "/deny"]

    for answer, intent in (("/affirm", "affirm"), ("iya benar", "affirm"), ("nggih", "affirm")):
        yes = turn(tracker_from, "village_code", answer, intent, village_code=None, map_pin=PIN_WEDOMARTANI,
                   village_candidates=[WEDOMARTANI])
        slots = slots_of(await ValidateProposalForm().run(dispatcher, yes, domain))
        assert slots["village_code"] == WEDOMARTANI, answer


async def test_no_to_the_pins_desa_asks_the_desa_and_drops_the_pin(tracker_from, dispatcher, domain) -> None:
    for answer, intent in (("/deny", "deny"), ("bukan", "deny")):
        no = turn(tracker_from, "village_code", answer, intent, village_code=None, map_pin=PIN_WEDOMARTANI,
                  village_candidates=[WEDOMARTANI])
        slots = slots_of(await ValidateProposalForm().run(dispatcher, no, domain))
        assert slots["village_code"] is None and slots["village_candidates"] is None and slots["map_pin"] is None


async def test_another_desa_typed_at_the_pins_question_is_taken(tracker_from, dispatcher, domain) -> None:
    typed = turn(tracker_from, "village_code", "Caturtunggal", village_code=None, map_pin=PIN_WEDOMARTANI,
                 village_candidates=[WEDOMARTANI])
    slots = slots_of(await ValidateProposalForm().run(dispatcher, typed, domain))
    assert slots["village_code"] == CATURTUNGGAL and slots["map_pin"] is None


async def test_a_pin_outside_the_kabupaten_is_refused_saying_where_it_is(tracker_from, dispatcher, domain) -> None:
    tracker = share(tracker_from, "map_pin", PIN_MALIOBORO, photo="skip")
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    assert slots["map_pin"] is None and "village_code" not in slots
    said = dispatcher.messages[-1]["text"]
    assert "Kota Yogyakarta" in said and "di luar Kabupaten Sleman" in said and "lewati" in said

    javanese = share(tracker_from, "map_pin", PIN_JAKARTA, photo="skip", language="jv")
    slots = slots_of(await ValidateProposalForm().run(dispatcher, javanese, domain))
    assert slots["map_pin"] is None
    assert dispatcher.messages[-1]["text"].startswith("Titik lokasi menika wonten ing njawi Kabupaten Sleman")


async def test_a_pin_that_disagrees_with_the_typed_desa_is_asked_about(tracker_from, dispatcher, domain) -> None:
    tracker = share(tracker_from, "map_pin", PIN_WEDOMARTANI, photo="skip")  # Caturtunggal was typed
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    assert slots["map_pin"] == PIN_WEDOMARTANI and slots["village_code"] is None
    assert slots["village_candidates"] == [WEDOMARTANI, CATURTUNGGAL]
    assert dispatcher.messages[-1]["text"] == ("Titik peta Anda ada di Desa Wedomartani, Kec. Ngemplak, sedangkan "
                                               "lokasi yang Anda tulis Desa Caturtunggal, Kec. Depok. "
                                               "Yang benar yang mana?")
    # the citizen picks one of the two: settled, not asked again
    picked = turn(tracker_from, "village_code", f'/inform{{"village_code":"{CATURTUNGGAL}"}}', slot="village_code",
                  value=CATURTUNGGAL, village_code=None, map_pin=PIN_WEDOMARTANI,
                  village_candidates=[WEDOMARTANI, CATURTUNGGAL])
    before = len(dispatcher.messages)
    slots = slots_of(await ValidateProposalForm().run(dispatcher, picked, domain))
    assert slots["village_code"] == CATURTUNGGAL and len(dispatcher.messages) == before


async def test_a_desa_typed_after_a_pin_elsewhere_is_asked_about(tracker_from, dispatcher, domain) -> None:
    typed = turn(tracker_from, "village_code", "Caturtunggal", village_code=None, map_pin=PIN_WEDOMARTANI)
    slots = slots_of(await ValidateProposalForm().run(dispatcher, typed, domain))
    assert slots["village_code"] is None and slots["village_candidates"] == [WEDOMARTANI, CATURTUNGGAL]
    assert "Desa Wedomartani" in dispatcher.messages[-1]["text"]


async def test_a_pin_in_the_typed_desa_is_simply_kept(tracker_from, dispatcher, domain) -> None:
    tracker = share(tracker_from, "map_pin", PIN_WEDOMARTANI, photo="skip", village_code=WEDOMARTANI)
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    assert slots["map_pin"] == PIN_WEDOMARTANI and "village_candidates" not in slots
    assert slots.get("village_code", WEDOMARTANI) == WEDOMARTANI and not dispatcher.messages


async def test_coordinates_typed_for_the_desa_are_read_as_a_pin(tracker_from, dispatcher, domain) -> None:
    typed = turn(tracker_from, "village_code", "-7.7366, 110.4353", village_code=None)
    slots = slots_of(await ValidateProposalForm().run(dispatcher, typed, domain))
    assert slots["village_code"] is None and slots["village_candidates"] == [WEDOMARTANI]
    assert slots["map_pin"] == PIN_WEDOMARTANI and not dispatcher.messages  # next: "— benar?"
    outside = turn(tracker_from, "village_code", "-7.7926,110.3658", village_code=None)
    slots = slots_of(await ValidateProposalForm().run(dispatcher, outside, domain))
    assert slots["village_code"] is None and slots["map_pin"] is None
    assert "Kota Yogyakarta" in dispatcher.messages[-1]["text"]
