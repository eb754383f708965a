"""The proposal form as real citizens use it: corrections at any question, nudges, "yes, cancel it",
typed choices, places that need a choice, and the duplicate offer that must reach them."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.proposal_form import ActionAskDuplicateChoice, ValidateProposalForm
from storage import proposals


def slots_of(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(dispatcher) -> list[str]:
    return [m.get("response") for m in dispatcher.messages]


def at_question(tracker_from, requested: str, text: str, intent: str = "inform", **slots):
    tracker = tracker_from("optional_photo_question", requested_slot=requested, **slots)
    tracker.latest_message = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text,
                              "language": "jv"}
    tracker.add_slots([SlotSet(requested, text)])  # what the form's from_text mapping extracted
    return tracker


async def test_a_correction_at_another_question_changes_only_what_it_names(tracker_from, dispatcher, domain) -> None:
    events = await ValidateProposalForm().run(dispatcher, at_question(tracker_from, "photo", "eh salah, RT nya 5"),
                                              domain)
    slots = slots_of(events)
    assert slots["rt_rw"] == "RT 05 / RW 05"  # the RW stays
    assert slots["photo"] is None and slots["requested_slot"] == "photo"  # and the photo is asked again
    assert "village_code" not in slots and "description" not in slots
    assert responses(dispatcher) == ["utter_changed"]


async def test_a_place_correction_at_the_summary(tracker_from, dispatcher, domain) -> None:
    tracker = at_question(tracker_from, "confirmed", "dudu Sinduadi ning Sendangadi")
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    assert slots["village_code"] == "34.04.06.2002"  # Sendangadi, Mlati
    assert slots["confirmed"] is None and slots["requested_slot"] == "confirmed"  # the summary again
    assert slots["similar_codes"] is None  # the duplicate check runs again for the new place


async def test_a_nudge_is_answered_and_the_question_asked_again(tracker_from, dispatcher, domain) -> None:
    slots = slots_of(await ValidateProposalForm().run(dispatcher, at_question(tracker_from, "rt_rw", "kok diam?"),
                                                      domain))
    assert responses(dispatcher) == ["utter_still_here"]
    assert slots == {"rt_rw": None, "requested_slot": "rt_rw"}


async def test_yes_to_are_you_sure_cancels_and_no_goes_on(tracker_from, dispatcher, domain) -> None:
    tracker = at_question(tracker_from, "photo", "nggih", intent="affirm", cancel_pending=True)
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    assert responses(dispatcher) == ["utter_proposal_cancelled"]
    assert slots["requested_slot"] is None and slots["description"] is None and slots["draft_id"] is None
    dispatcher.messages.clear()
    tracker = at_question(tracker_from, "photo", "mboten, lajengaken", intent="deny", cancel_pending=True)
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    assert responses(dispatcher) == ["utter_continue_form"]
    assert slots["cancel_pending"] is False and slots["requested_slot"] == "photo"
    assert "description" not in slots


async def test_a_kind_typed_by_its_position_keeps_the_kamus_item(tracker_from, dispatcher, domain) -> None:
    from actions.proposal_form import _shown_items

    tracker = at_question(tracker_from, "sector", "sing kapisan", sector=None)
    shown = _shown_items(tracker)
    result = await ValidateProposalForm().validate_sector("sing kapisan", dispatcher, tracker, domain)
    assert result["sector"] == shown[0].sector and result["kamus_item"] == shown[0].code


async def test_a_typed_other_kind_opens_the_sector_list(tracker_from, dispatcher, domain) -> None:
    tracker = at_question(tracker_from, "sector", "Jenis lain / pilih bidang", sector=None)
    result = await ValidateProposalForm().validate_sector("Jenis lain / pilih bidang", dispatcher, tracker, domain)
    assert result["show_all_sectors"] is True and result["sector"] is None


async def test_places_that_need_a_choice_or_another_office(tracker_from, dispatcher, domain) -> None:
    form = ValidateProposalForm()
    tracker = at_question(tracker_from, "village_code", "sendang", village_code=None)
    result = await form.validate_village_code("sendang", dispatcher, tracker, domain)
    assert result["village_code"] is None and len(result["village_candidates"]) >= 5
    tracker = at_question(tracker_from, "village_code", "sing nomer loro", village_code=None,
                          village_candidates=result["village_candidates"])
    chosen = await form.validate_village_code("sing nomer loro", dispatcher, tracker, domain)
    assert chosen["village_code"] == result["village_candidates"][1]
    tracker = at_question(tracker_from, "village_code", "Panggungharjo", village_code=None)
    outside = await form.validate_village_code("Panggungharjo", dispatcher, tracker, domain)
    assert outside["village_code"] is None
    assert dispatcher.messages[-1]["response"] == "utter_village_outside_region"
    assert dispatcher.messages[-1]["kabupaten"] == "Kabupaten Bantul"


async def test_the_similar_proposal_is_found_kept_and_offered(tracker_from, dispatcher, domain,
                                                              action_database) -> None:
    draft = proposals.ProposalDraft(description="Perbaikan jalan rusak berlubang", sector="jalan",
                                    village_code="34.04.07.2001")
    existing, _ = await proposals.submit_proposal(action_database, "web", "neighbour", "d-similar", draft)
    tracker = at_question(tracker_from, "map_pin", "lewati", map_pin=None)
    events = await ValidateProposalForm().run(dispatcher, tracker, domain)
    slots = slots_of(events)
    assert slots["similar_codes"] == [existing.code]  # rasa_sdk used to drop this slot
    tracker.slots.update(slots)
    await ActionAskDuplicateChoice().run(dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["response"] == "utter_ask_duplicate_choice"
    assert dispatcher.messages[-1]["code"] == existing.code


async def test_the_similar_check_waits_for_the_sector_typed_to_be_read(tracker_from, dispatcher, domain,
                                                                        action_database) -> None:
    """ "Margi / jalan" typed at the sector question is not the sector `jalan` until validated: the check for
    similar proposals must not run with it (it would find nothing and never run again)."""
    draft = proposals.ProposalDraft(description="Jalan menuju kebun salak rusak dan licin saat hujan",
                                    sector="jalan", village_code="34.04.07.2001")
    existing, _ = await proposals.submit_proposal(action_database, "web", "neighbour", "d-similar-3", draft)
    tracker = at_question(tracker_from, "sector", "Margi / jalan", sector="Margi / jalan", similar_codes=None,
                          description="Margi dhateng kebon salak risak lan lunyu sanget menawi jawah")
    assert await ValidateProposalForm().extract_confirmed(dispatcher, tracker, domain) == {}
    tracker.slots["sector"] = "jalan"
    found = await ValidateProposalForm().extract_confirmed(dispatcher, tracker, domain)
    assert found == {"similar_codes": [existing.code]}


async def test_supporting_the_similar_one_by_typing_ends_the_form(tracker_from, dispatcher, domain,
                                                                  action_database) -> None:
    draft = proposals.ProposalDraft(description="Perbaikan jalan rusak", sector="jalan", village_code="34.04.07.2001")
    existing, _ = await proposals.submit_proposal(action_database, "web", "neighbour", "d-similar-2", draft)
    tracker = at_question(tracker_from, "duplicate_choice", "iya sing kuwi", similar_codes=[existing.code])
    result = await ValidateProposalForm().validate_duplicate_choice("iya sing kuwi", dispatcher, tracker, domain)
    assert result["requested_slot"] is None and result["description"] is None
    assert responses(dispatcher) == ["utter_support_added"]
    view = await proposals.get_proposal(action_database, existing.code)
    assert view.supporters == 1


async def test_supporting_in_words_the_nlu_finds_unclear_ends_the_form(tracker_from, dispatcher, domain,
                                                                         action_database) -> None:
    """The whole form run, as Rasa calls it: the last requested_slot is None, so the form ends after the support
    instead of asking "what is needed?" again (rasa_sdk appended the next missing slot after the end)."""
    draft = proposals.ProposalDraft(description="Perbaikan jalan rusak", sector="jalan", village_code="34.04.07.2001")
    existing, _ = await proposals.submit_proposal(action_database, "web", "neighbour", "d-similar-4", draft)
    text = "Mangga, abdi ngadukung usulan nu parantos aya wae"
    tracker = at_question(tracker_from, "duplicate_choice", text, similar_codes=[existing.code])
    tracker.latest_message["intent"] = {"name": "nlu_fallback", "confidence": 0.35}
    events = await ValidateProposalForm().run(dispatcher, tracker, domain)
    asked = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "requested_slot"]
    assert asked[-1] is None, asked
    assert responses(dispatcher) == ["utter_support_added"]
    assert (await proposals.get_proposal(action_database, existing.code)).supporters == 1


async def test_an_empty_similar_list_never_gives_a_silent_turn(tracker_from, dispatcher, domain) -> None:
    tracker = at_question(tracker_from, "duplicate_choice", "", similar_codes=["USL-ZZZZZZ"])
    events = await ActionAskDuplicateChoice().run(dispatcher, tracker, domain)
    assert SlotSet("duplicate_choice", "new") in events
    assert responses(dispatcher) == ["utter_ask_confirmed"]


async def test_a_typed_sector_keeps_the_closest_item_of_that_sector(tracker_from, dispatcher, domain) -> None:
    tracker = at_question(tracker_from, "sector", "jalan", sector=None, show_all_sectors=True)
    result = await ValidateProposalForm().validate_sector("jalan", dispatcher, tracker, domain)
    assert result["sector"] == "jalan" and result["kamus_item"]  # "Perbaikan jalan rusak" → a road item
    from core import kamus
    assert kamus.item(result["kamus_item"]).sector == "jalan"


async def test_a_place_corrected_in_the_same_answer_is_taken_and_the_form_goes_on(tracker_from, dispatcher,
                                                                                    domain) -> None:
    text = "Sinduadi... eh lain, lain Sinduadi tapi Sendangadi, Mlati"
    tracker = at_question(tracker_from, "village_code", text, village_code=None)
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    assert slots["village_code"] == "34.04.06.2002"
    assert "requested_slot" not in slots  # not asked again: the form moves to the next question


async def test_a_place_answer_carrying_its_rt_rw_fills_both(tracker_from, dispatcher, domain) -> None:
    text = "sendangadi mlati rt 4 rw 12"
    tracker = at_question(tracker_from, "village_code", text, village_code=None, rt_rw=None)
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    assert slots["village_code"] == "34.04.06.2002" and slots["rt_rw"] == "RT 04 / RW 12"
    assert "utter_changed" not in responses(dispatcher)


async def test_other_typed_at_the_list_of_sectors_is_the_sector_lainnya(tracker_from, dispatcher, domain) -> None:
    tracker = at_question(tracker_from, "sector", "nu sanesna", sector=None, show_all_sectors=True)
    result = await ValidateProposalForm().validate_sector("nu sanesna", dispatcher, tracker, domain)
    assert result["sector"] == "lainnya"


async def test_a_typed_sector_name_beats_a_word_of_another_sectors_item(tracker_from, dispatcher, domain) -> None:
    tracker = at_question(tracker_from, "sector", "lingkungan", sector=None,
                          description="Rehabilitasi jalan lingkungan dan penanaman pohon peneduh di pinggirnya")
    result = await ValidateProposalForm().validate_sector("lingkungan", dispatcher, tracker, domain)
    assert result["sector"] == "lingkungan_taman"


async def test_not_filing_a_new_one_to_support_the_existing_one_is_not_a_cancel(tracker_from, dispatcher, domain,
                                                                               action_database) -> None:
    """ "ora sida gawe anyar, ndukung sing wis ana wae" at the summary: "ora sida" is not the end of it, the
    citizen supports the similar open proposal and nothing new is filed."""
    draft = proposals.ProposalDraft(description="Perbaikan jalan rusak", sector="jalan", village_code="34.04.07.2001")
    existing, _ = await proposals.submit_proposal(action_database, "web", "neighbour", "d-similar-3", draft)
    text = "ora sida gawe anyar, ndukung sing wis ana wae"
    tracker = at_question(tracker_from, "confirmed", text, similar_codes=[existing.code], language="jv")
    tracker.latest_message = {**tracker.latest_message, "intent": {"name": "cancel", "confidence": 0.9}}
    await ValidateProposalForm().run(dispatcher, tracker, domain)
    assert "utter_confirm_cancel" not in responses(dispatcher)
    assert (await proposals.get_proposal(action_database, existing.code)).supporters == 1


async def test_asking_for_my_proposals_mid_form_lists_them_and_goes_on(tracker_from, dispatcher, domain) -> None:
    tracker = at_question(tracker_from, "photo", "usulan saya yang kemarin gimana ya?", intent="check_status")
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    said = responses(dispatcher)
    assert said[-1] == "utter_back_to_form" and said[0] in ("utter_my_proposals", "utter_no_proposals")
    assert slots["requested_slot"] == "photo" and slots["photo"] is None  # not a "no photo"


async def test_a_language_switch_inside_the_form_is_not_taken_as_the_answer(tracker_from, dispatcher, domain) -> None:
    text = "wis ngene wae, aku nganggo boso Jowo wae yo, luwih penak"
    tracker = at_question(tracker_from, "sector", text, intent="switch_language", sector=None)
    tracker.events.append({"event": "action", "timestamp": 2.0, "name": "utter_language_switched"})
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    assert dispatcher.messages == []  # no "I don't know that kind"
    assert slots == {"sector": None, "requested_slot": "sector"}
