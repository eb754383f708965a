"""The proposal form and submission, as the action server runs them."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.proposal_form import (
    ActionAskConfirmed,
    ActionAskDescription,
    ActionAskSector,
    ActionAskVillageCode,
    ValidateProposalForm,
)
from actions.submission import (
    ActionRepeatSubmission,
    ActionResetProposal,
    ActionSubmitProposal,
)
from storage import proposals, status_changes
from tests.actions.conftest import responses


def slots_of(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_opening_message_keeps_description_place_and_rt_rw(tracker_from, dispatcher, domain) -> None:
    events = await ValidateProposalForm().run(dispatcher, tracker_from("opening_message"), domain)
    slots = slots_of(events)
    assert slots["description"] == "Perbaikan jalan rusak"
    assert slots["village_code"] == "34.04.07.2001"
    assert slots["rt_rw"] == "RT 03 / RW 05"
    assert slots["draft_id"] and len(slots["draft_id"]) == 32
    assert "sector" not in slots  # suggested later, but always confirmed by the citizen
    assert dispatcher.messages == []


async def test_opening_without_details_asks_from_the_start(tracker_from, dispatcher, domain) -> None:
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker_from("opening_without_details"), domain))
    assert "description" not in slots and "village_code" not in slots and slots["draft_id"]


async def test_sector_question_offers_the_closest_kamus_items(tracker_from, dispatcher, domain) -> None:
    tracker = tracker_from("opening_message", description="Selokan mampet, tiap hujan banjir")
    await ActionAskSector().run(dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_ask_kamus_item"
    first = message["buttons"][0]["payload"]
    assert first.startswith('/inform{"sector":"drainase","kamus_item":')
    assert message["buttons"][-1] == {"title": "Jenis lain / pilih bidang", "payload": '/inform{"sector":"menu"}'}
    assert len(message["buttons"]) <= 4


async def test_all_sectors_when_no_kamus_item_fits(tracker_from, dispatcher, domain) -> None:
    tracker = tracker_from("opening_message", description="Selokan mampet, tiap hujan banjir", show_all_sectors=True)
    await ActionAskSector().run(dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_ask_sector_suggested"
    assert message["buttons"][0]["payload"] == '/inform{"sector":"drainase"}'
    assert len(message["buttons"]) == 12


async def test_the_other_kind_button_opens_the_sector_list(tracker_from, dispatcher, domain) -> None:
    result = await ValidateProposalForm().validate_sector("menu", dispatcher, tracker_from("opening_message"), domain)
    assert result == {"sector": None, "kamus_item": None, "show_all_sectors": True, "invalid_answers": 0}


async def test_invalid_answers_get_a_hint_then_a_way_out(tracker_from, dispatcher, domain) -> None:
    form = ValidateProposalForm()
    tracker = tracker_from("opening_message", requested_slot="rt_rw")
    first = await form.validate_rt_rw("di depan masjid", dispatcher, tracker, domain)
    assert first == {"rt_rw": None, "invalid_answers": 1}
    assert responses(dispatcher) == ["utter_rt_rw_invalid"]
    tracker = tracker_from("opening_message", requested_slot="rt_rw", invalid_answers=1)
    skipped = await form.validate_rt_rw("pokoknya dekat sawah", dispatcher, tracker, domain)
    # an optional question is not asked a third time: it is left for the officer
    assert skipped == {"rt_rw": "skip", "invalid_answers": 0}
    assert responses(dispatcher) == ["utter_rt_rw_invalid", "utter_skipped_for_now"]
    tracker = tracker_from("opening_message", requested_slot="village_code", invalid_answers=1)
    await form.validate_village_code("pokoknya dekat sawah", dispatcher, tracker, domain)
    assert responses(dispatcher)[-2:] == ["utter_village_not_found", "utter_still_there"]
    tracker = tracker_from("opening_message", requested_slot="sector", invalid_answers=1,
                           description="perbaikan jalan rusak berlubang")
    taken = await form.validate_sector("zzz qqq", dispatcher, tracker, domain)
    assert taken["sector"] == "jalan" and responses(dispatcher)[-1] == "utter_sector_for_now"
    ok = await form.validate_rt_rw("rt3/rw2", dispatcher, tracker, domain)
    assert ok == {"rt_rw": "RT 03 / RW 02", "invalid_answers": 0}


async def test_place_answers_resolve_or_explain(tracker_from, dispatcher, domain) -> None:
    form = ValidateProposalForm()
    tracker = tracker_from("opening_without_details", requested_slot="village_code")
    resolved = await form.validate_village_code("ds condong catur", dispatcher, tracker, domain)
    assert resolved["village_code"] == "34.04.07.2003"
    missing = await form.validate_village_code("Kebayoran Baru", dispatcher, tracker, domain)
    assert missing["village_code"] is None
    assert dispatcher.messages[-1]["response"] == "utter_village_not_found"
    assert "Sleman" in dispatcher.messages[-1]["region_name"]


async def test_village_choice_is_offered_as_buttons(tracker_from, dispatcher, domain) -> None:
    tracker = tracker_from("opening_without_details", village_candidates=["34.04.07.2001", "34.04.07.2003"])
    await ActionAskVillageCode().run(dispatcher, tracker, domain)
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["payload"] for b in buttons] == ['/inform{"village_code":"34.04.07.2001"}',
                                               '/inform{"village_code":"34.04.07.2003"}']
    assert buttons[0]["title"] == "Caturtunggal, Kec. Depok"


async def test_editing_from_the_summary_clears_only_that_answer(tracker_from, dispatcher, domain) -> None:
    tracker = tracker_from("confirmed_proposal")
    tracker.latest_message = {"intent": {"name": "edit_proposal"}, "text": "ubah bidang",
                              "entities": [{"entity": "edit_field", "value": "sector"}]}
    result = await ValidateProposalForm().validate_confirmed(False, dispatcher, tracker, domain)
    assert result == {"sector": None, "confirmed": None, "kamus_item": None, "show_all_sectors": False,
                      "similar_codes": None, "duplicate_choice": None}


async def test_summary_shows_every_answer(tracker_from, dispatcher, domain) -> None:
    await ActionAskConfirmed().run(dispatcher, tracker_from("confirmed_proposal"), domain)
    summary = dispatcher.messages[0]
    assert summary["response"] == "utter_ask_confirmed"
    assert summary["village_label"] == "Caturtunggal, Kec. Depok"
    assert summary["sector_label"] == "Jalan" and summary["photo_label"] == "-"


async def test_confirmation_stores_once_and_answers_with_the_code(tracker_from, dispatcher, domain,
                                                                  action_database) -> None:
    tracker = tracker_from("confirmed_proposal")
    events = await ActionSubmitProposal().run(dispatcher, tracker, domain)
    code = slots_of(events)["last_code"]
    assert dispatcher.messages[0]["response"] == "utter_proposal_submitted"
    assert dispatcher.messages[0]["code"] == code
    assert slots_of(events)["description"] is None  # the form is left clean
    stored = await proposals.get_proposal(action_database, code)
    assert stored.village_code == "34.04.07.2001" and stored.rt == "03" and stored.rw == "05"
    # The same confirmation delivered again (same draft) does not create a second proposal.
    again = CollectingDispatcher()
    await ActionSubmitProposal().run(again, tracker_from("confirmed_proposal"), domain)
    assert again.messages[0]["response"] == "utter_proposal_already_submitted"
    assert again.messages[0]["code"] == code
    assert await proposals.count_citizen_proposals(action_database, "web", "citizen0002") == 1


async def test_repeated_yes_after_submission_stores_nothing(tracker_from, dispatcher, domain) -> None:
    await ActionRepeatSubmission().run(dispatcher, tracker_from("confirmed_proposal", last_code="USL-7K3Q9D"), domain)
    assert dispatcher.messages[0] == {**dispatcher.messages[0], "response": "utter_proposal_already_submitted",
                                      "code": "USL-7K3Q9D"}


async def test_cancel_resets_every_form_slot(tracker_from, dispatcher, domain) -> None:
    tracker = tracker_from("confirmed_proposal")
    tracker.latest_message = {"intent": {"name": "cancel"}, "text": "batal", "entities": []}
    events = await ActionResetProposal().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_proposal_cancelled"]
    assert SlotSet("description", None) in events and SlotSet("draft_id", None) in events



async def test_no_need_to_an_optional_question_skips_it_and_keeps_the_proposal(tracker_from, dispatcher,
                                                                               domain) -> None:
    for text in ("ora usah", "gak usah", "teu kedah", "mboten usah.", "nggak usah deh", "kagak usah"):
        tracker = tracker_from("optional_photo_question")
        tracker.latest_message = {**tracker.latest_message, "text": text}  # the NLU read it as `cancel`
        tracker.add_slots([SlotSet("photo", text)])  # what the form's from_text mapping extracted
        slots = {e["name"]: e["value"] for e in await ValidateProposalForm().run(dispatcher, tracker, domain)
                 if e.get("event") == "slot"}
        assert slots["photo"] == "skip" and slots["requested_slot"] == "map_pin", text
        assert "description" not in slots and not slots.get("cancel_pending")
    assert dispatcher.messages == []


async def test_no_photo_read_as_a_question_about_photos_still_skips(tracker_from, dispatcher, domain) -> None:
    tracker = tracker_from("optional_photo_question")
    tracker.latest_message = {"intent": {"name": "faq"}, "text": "euweuh potona", "entities": [],
                              "response_selector": {}}
    tracker.add_slots([SlotSet("photo", "euweuh potona")])  # what the form's from_text mapping extracted
    events = await ValidateProposalForm().run(dispatcher, tracker, domain)
    assert SlotSet("photo", "skip") in events and SlotSet("invalid_answers", 0) in events
    assert dispatcher.messages == []  # no FAQ answer about photos; the form asks for the pin next


async def test_a_real_cancel_inside_the_form_asks_once_then_discards_the_draft(tracker_from, dispatcher,
                                                                              domain) -> None:
    for text in ("batal saja, tidak jadi usul", "wis ora sida", "teu jadi"):
        tracker = tracker_from("optional_photo_question")
        tracker.latest_message = {**tracker.latest_message, "text": text}
        tracker.add_slots([SlotSet("photo", text)])
        slots = {e["name"]: e["value"] for e in await ValidateProposalForm().run(dispatcher, tracker, domain)
                 if e.get("event") == "slot"}
        # The draft holds answers: the first "batal" asks, and the form waits with everything kept.
        assert slots == {"photo": None, "requested_slot": "photo", "cancel_pending": True}, text
        tracker = tracker_from("optional_photo_question", cancel_pending=True)
        tracker.latest_message = {**tracker.latest_message, "text": "iya batal"}
        tracker.add_slots([SlotSet("photo", "iya batal")])
        slots = {e["name"]: e["value"] for e in await ValidateProposalForm().run(dispatcher, tracker, domain)
                 if e.get("event") == "slot"}
        assert slots["requested_slot"] is None and slots["description"] is None and slots["draft_id"] is None
    assert responses(dispatcher) == ["utter_confirm_cancel", "utter_proposal_cancelled"] * 3


async def test_a_desa_name_the_nlu_reads_as_cancel_is_the_place_answer(tracker_from, dispatcher, domain) -> None:
    """ "Sidomulyo", "Sidoarum": "sido" is Javanese for "going ahead", so the NLU may say `cancel`; at the place
    question (and at "really cancel?") the desa's name is the answer, and nothing is thrown away."""
    for pending in (False, True):
        tracker = tracker_from("optional_photo_question", requested_slot="village_code", village_code=None,
                               cancel_pending=pending)
        tracker.latest_message = {"intent": {"name": "cancel", "confidence": 0.8}, "text": "Sidoarum", "entities": []}
        tracker.add_slots([SlotSet("village_code", "Sidoarum")])
        events = await ValidateProposalForm().run(dispatcher, tracker, domain)
        slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        assert slots.get("village_code", "").startswith("34.04."), (pending, slots)
        assert slots.get("description", "kept") is not None and not slots.get("cancel_pending")
    assert "utter_confirm_cancel" not in responses(dispatcher)
    assert "utter_proposal_cancelled" not in responses(dispatcher)


async def test_a_proposal_sent_back_is_fixed_in_the_chat(tracker_from, dispatcher, domain, action_database) -> None:
    from actions.submission import ActionStartFix

    draft = proposals.ProposalDraft(description="Jalan rusak", sector="jalan", village_code="34.04.07.2001", rt="03",
                                    rw="05")
    view, _ = await proposals.submit_proposal(action_database, "web", "citizen0002", "d-fix", draft)
    await status_changes.change_status(action_database, view.code, "perlu_perbaikan", "desa:1",
                                       reason="Sebutkan panjangnya")
    tracker = tracker_from("status_own")
    tracker.latest_message = {"intent": {"name": "fix_proposal"}, "text": f"perbaiki {view.code}", "entities": []}
    events = await ActionStartFix().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_fix_intro"
    assert dispatcher.messages[0]["note"] == "Sebutkan panjangnya"
    slots = slots_of(events)
    assert slots["fixing_code"] == view.code and slots["rt_rw"] == "RT 03 / RW 05"
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "proposal_form"

    fixed = tracker_from("confirmed_proposal", fixing_code=view.code, description="Jalan rusak sepanjang 300 meter")
    fixed.sender_id = "web:citizen0002"
    submitted = CollectingDispatcher()
    await ActionSubmitProposal().run(submitted, fixed, domain)
    assert submitted.messages[0]["response"] == "utter_proposal_resubmitted"
    stored = await proposals.get_proposal(action_database, view.code)
    assert stored.status == "diajukan" and stored.description == "Jalan rusak sepanjang 300 meter"
    again = CollectingDispatcher()
    await ActionSubmitProposal().run(again, fixed, domain)
    assert again.messages[0]["response"] == "utter_proposal_already_submitted"
    assert [h.new_status for h in await status_changes.history(action_database, view.code)] == [
        "diajukan", "perlu_perbaikan", "diajukan"]


async def test_only_the_owner_can_fix(tracker_from, dispatcher, domain, action_database) -> None:
    from actions.submission import ActionStartFix

    draft = proposals.ProposalDraft(description="Jalan rusak", sector="jalan", village_code="34.04.07.2001")
    view, _ = await proposals.submit_proposal(action_database, "web", "someone-else", "d-x", draft)
    await status_changes.change_status(action_database, view.code, "perlu_perbaikan", "desa:1", reason="Lengkapi")
    tracker = tracker_from("status_own")
    tracker.latest_message = {"intent": {"name": "fix_proposal"}, "text": f"perbaiki {view.code}", "entities": []}
    await ActionStartFix().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_fix_not_allowed"


async def test_a_similar_open_proposal_is_offered_before_the_summary(tracker_from, dispatcher, domain,
                                                                      action_database) -> None:
    from actions.proposal_form import ActionAskDuplicateChoice

    existing, _ = await proposals.submit_proposal(action_database, "web", "neighbour", "n-1", proposals.ProposalDraft(
        description="Perbaikan jalan rusak berlubang", sector="jalan", village_code="34.04.07.2001"))
    form = ValidateProposalForm()
    tracker = tracker_from("confirmed_proposal", confirmed=None, requested_slot="map_pin")
    found = await form.extract_confirmed(dispatcher, tracker, domain)
    assert found == {"similar_codes": [existing.code]}
    tracker = tracker_from("confirmed_proposal", confirmed=None, similar_codes=[existing.code])
    required = await form.required_slots(["map_pin", "duplicate_choice", "confirmed"], dispatcher, tracker, domain)
    assert required == ["map_pin", "duplicate_choice", "confirmed"]
    await ActionAskDuplicateChoice().run(dispatcher, tracker, domain)
    offer = dispatcher.messages[0]
    assert offer["response"] == "utter_ask_duplicate_choice" and offer["code"] == existing.code
    assert offer["buttons"][0]["payload"] == f'/support_proposal{{"tracking_code":"{existing.code}"}}'


async def test_nothing_similar_means_no_extra_question(tracker_from, dispatcher, domain) -> None:
    form = ValidateProposalForm()
    tracker = tracker_from("confirmed_proposal", confirmed=None)
    assert await form.extract_confirmed(dispatcher, tracker, domain) == {"similar_codes": []}
    tracker = tracker_from("confirmed_proposal", confirmed=None, similar_codes=[])
    required = await form.required_slots(["map_pin", "duplicate_choice", "confirmed"], dispatcher, tracker, domain)
    assert required == ["map_pin", "confirmed"]


async def test_detail_told_at_another_question_joins_the_description(tracker_from, dispatcher, domain) -> None:
    """ "bnyk yg nganggur ..., pengen ada pelatihan sablon" typed at the question of the kind is what the
    proposal is about: it is added to the description (said so), and the kind is asked again from it."""
    tracker = tracker_from("optional_photo_question", language="id", description="Buat anak2 muda di kampung aku",
                           sector=None, requested_slot="sector")
    text = "bnyk yg nganggur abis lulus sma, pengen ada pelatihan sablon sama modal usaha kecil2an gitu"
    tracker.latest_message = {"intent": {"name": "inform"}, "text": text, "entities": []}
    tracker.add_slots([SlotSet("sector", text)])
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    assert "pelatihan sablon" in slots["description"] and slots["description"].startswith("Buat anak2 muda")
    assert "pengen" not in slots["description"]
    assert text in slots["original_text"]
    assert responses(dispatcher) == ["utter_detail_added"] and slots["requested_slot"] == "sector"
    # said once more, it is not added twice: it is read as the answer
    again = tracker_from("optional_photo_question", language="id", description=slots["description"], sector=None,
                         requested_slot="sector")
    again.latest_message = {"intent": {"name": "inform"}, "text": text, "entities": []}
    assert ValidateProposalForm._added_detail(again, "sector", text) is None


async def test_a_topic_alone_is_asked_about_and_leads_the_answer(tracker_from, dispatcher, domain) -> None:
    """ "usul air bersih" names a topic, not a need: the bot asks what is wrong, naming the topic, and the
    stored description is the topic with the answer."""
    tracker = tracker_from("optional_photo_question", language="id", original_text="usul air bersih",
                           description=None, sector=None, requested_slot="description")
    await ActionAskDescription().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_ask_description_topic"
    assert dispatcher.messages[0]["topic"] == "air bersih"
    result = await ValidateProposalForm().validate_description(
        "sumur kering tiap kemarau. butuh tandon air", CollectingDispatcher(), tracker, domain)
    assert result["description"] == "Air bersih: sumur kering tiap kemarau. Butuh tandon air"
    assert "usul air bersih" in result["original_text"]
    # a full opening is a description: no topic, the plain question
    full = tracker_from("optional_photo_question", original_text="usul perbaikan jalan rusak di dusun",
                        description=None)
    plain = CollectingDispatcher()
    await ActionAskDescription().run(plain, full, domain)
    assert plain.messages[0]["response"] == "utter_ask_description"


async def test_a_proposal_opened_for_another_kabupaten_says_where_it_is_at_once(tracker_from, domain) -> None:
    """Named with its kecamatan and kabupaten, Sendangsari of Kulon Progo is not Sleman's Sendangsari: the bot
    says so at the first message and asks for a place here, keeping what was said."""
    for text, place, kabupaten in [
        ("Kula badhe ngusulaken ndandosi margi ing Kalurahan Sendangsari, Kapanewon Pengasih, Kabupaten Kulon Progo.",
         "Sendangsari", "Kabupaten Kulon Progo"),
        ("mas, aku arep usul dalan rusak neng Panggungharjo, Sewon", "Panggungharjo", "Kabupaten Bantul"),
        ("Mas, mau usul jalan rusak di Desa Tlogo, Kecamatan Prambanan", "Tlogo", "Kabupaten Klaten"),
    ]:
        tracker = tracker_from("opening_message")
        tracker.latest_message = {**tracker.latest_message, "text": text}
        tracker.events[-1] = {**tracker.events[-1], "text": text}
        said = CollectingDispatcher()
        slots = slots_of(await ValidateProposalForm().run(said, tracker, domain))
        assert said.messages[0]["response"] == "utter_village_outside_region", text
        assert (said.messages[0]["place"], said.messages[0]["kabupaten"]) == (place, kabupaten)
        assert slots["requested_slot"] == "village_code" and not slots.get("village_code")
        assert "rusak" in slots["description"] or "margi" in slots["description"]
    # a desa of Sleman with its kapanewon stays here
    here = tracker_from("opening_message")
    said = CollectingDispatcher()
    slots = slots_of(await ValidateProposalForm().run(said, here, domain))
    assert slots["village_code"] == "34.04.07.2001" and said.messages == []


async def test_a_request_that_points_back_takes_the_story_told_before_it(tracker_from, domain) -> None:
    """Two messages the bot did not take up told the story; "aku arep usul kreteg kuwi" opens the form with it:
    the description keeps what is wrong and the place said before is taken."""
    tracker = tracker_from("opening_message")
    story = ["piye carane usul? kreteg cilik neng dusunku wis keropos",
             "kuwi neng Sendangagung, Minggir. kretege nyabrang kalen, nek diliwati motor goyang-goyang"]
    users = [{"event": "user", "timestamp": 1.0, "text": text,
              "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.3}, "entities": [], "text": text}}
             for text in story]
    request = "aku arep usul kreteg kuwi"
    tracker.events[-1:-1] = [item for user in users for item in (user, {"event": "bot", "text": "..."})]
    tracker.events[-1] = {**tracker.events[-1], "text": request}
    tracker.latest_message = {**tracker.latest_message, "text": request}
    slots = slots_of(await ValidateProposalForm().run(CollectingDispatcher(), tracker, domain))
    assert "keropos" in slots["description"] and "goyang" in slots["description"]
    assert "piye carane" not in slots["description"]
    assert slots["village_code"].startswith("34.04.") and "Sendangagung" in slots["original_text"]


async def test_yes_after_may_i_propose_x_takes_x_as_the_description(tracker_from, domain) -> None:
    """ "bisa gak sih ngusulin perpus ...?" was answered from the FAQ (anyone may); "iya mau ngusulin" then opens the
    form with the perpus, not with an empty description."""
    tracker = tracker_from("opening_message")
    asked = "bisa gak sih ngusulin perpus buat anak2 di kampung? di sini blm ada taman baca sama sekali"
    user = {"event": "user", "timestamp": 1.0, "text": asked,
            "parse_data": {"intent": {"name": "submit_proposal", "confidence": 0.8}, "entities": [], "text": asked}}
    request = "iya mau ngusulin"
    tracker.events[-1:-1] = [user, {"event": "bot", "text": "Setiap warga boleh menyampaikan usulan ..."}]
    tracker.events[-1] = {**tracker.events[-1], "text": request}
    tracker.latest_message = {**tracker.latest_message, "text": request}
    slots = slots_of(await ValidateProposalForm().run(CollectingDispatcher(), tracker, domain))
    assert "perpus" in slots["description"].lower() and "taman baca" in slots["description"]
    assert "bisa gak" not in slots["description"] and "iya mau" not in slots["description"].lower()


async def test_a_question_at_the_rt_question_does_not_skip_it(tracker_from, dispatcher, domain) -> None:
    tracker = tracker_from("optional_photo_question", language="su", rt_rw=None, requested_slot="rt_rw")
    asked = await ValidateProposalForm().validate_rt_rw("eh ari ieu teh engke urang dibere nyaho lamun geus diproses?",
                                                        dispatcher, tracker, domain)
    assert asked["rt_rw"] is None and responses(dispatcher) == ["utter_rt_rw_invalid"]
    skipped = await ValidateProposalForm().validate_rt_rw("engke we", CollectingDispatcher(), tracker, domain)
    assert skipped["rt_rw"] == "skip"


@pytest.mark.parametrize("text", ["keur sadesa, lain RT hiji", "untuk satu dusun, bukan satu RT",
                                  "kagem sak padukuhan, dudu RT siji"])
async def test_a_proposal_for_the_whole_village_has_no_rt_whatever_number_word_it_names(
        text, tracker_from, dispatcher, domain) -> None:
    tracker = tracker_from("optional_photo_question", language="su", rt_rw=None, requested_slot="rt_rw")
    answered = await ValidateProposalForm().validate_rt_rw(text, dispatcher, tracker, domain)
    assert answered["rt_rw"] == "skip"


@pytest.mark.parametrize(("text", "sent"), [("wis", True), ("udah bener kok", True), ("Sampun leres", True),
                                            ("geus", True), ("udah, batal aja", False), ("wis, ganti RT ne", False)])
async def test_the_summary_s_own_word_back_is_a_yes(text, sent, tracker_from, dispatcher, domain) -> None:
    """ "Sudah benar?" answered "wis" (the NLU may read it as anything): sent, not asked again and again."""
    tracker = tracker_from("confirmed_proposal")
    tracker.latest_message = {"intent": {"name": "deny"}, "text": text, "entities": []}
    result = await ValidateProposalForm().validate_confirmed(None, dispatcher, tracker, domain)
    assert (result.get("confirmed") is True) == sent


def test_a_possessive_between_rt_or_rw_and_its_number() -> None:
    from core import answers

    assert answers.parse_rt_rw("rt 4, rw nya 12") == ("04", "12")
    assert answers.parse_rt_rw("RT-ne 3 RW-ne 7") == ("03", "07")


@pytest.mark.parametrize("text", ["sampun leres, mbah ngendika matur nuwun", "leres, saur Ema hatur nuhun pisan",
                                  "bisa dirobah teu engkena? heug, bener", "benar, terima kasih"])
def test_a_yes_among_thanks_reported_speech_or_a_passing_question_confirms(text: str) -> None:
    """Grandchildren typing for a grandparent ("mbah ngendika matur nuwun") were asked "which part to change?" five
    times over and nothing was stored."""
    from actions.proposal_form import _confirms

    assert _confirms(text)


@pytest.mark.parametrize("text", ["ya, tapi RT nya salah", "iya, tapi ganti fotonya", "nggih, mboten usah foto"])
def test_a_yes_with_a_change_does_not_confirm(text: str) -> None:
    from actions.proposal_form import _confirms

    assert not _confirms(text)


@pytest.mark.parametrize(("text", "skips"), [
    ("Saya kurang paham cara membagikan lokasi di telepon genggam, mohon dilewati saja.", True),
    ("Apakah titik lokasi itu wajib? Saya lewati saja.", True),
    ("engke urang dibere nyaho?", False), ("foto wajib ga?", False)])
def test_a_no_to_an_optional_question_after_a_question_on_the_way_skips_it(text: str, skips: bool) -> None:
    """A retired teacher's "mohon dilewati saja" and "Saya lewati saja" after asking were asked again five times."""
    from actions.proposal_form import _declines_besides_asking

    assert _declines_besides_asking(text) is skips


@pytest.mark.parametrize(("text", "cleared"), [
    ("Nyuwun pirsa rumiyin, menawi usulan sampun dipun tampi, salajengipun kados pundi?", None),
    ("ubah usulan", "description"), ("saya mau ganti isi usulan", "description"), ("lokasi", "village_code")])
async def test_a_question_at_the_summary_that_names_the_proposal_keeps_the_draft(text, cleared, tracker_from,
                                                                                  dispatcher, domain) -> None:
    """A question asked at the summary ("what happens once the proposal is accepted?") threw the description
    away and started over at "what is needed?"."""
    tracker = tracker_from("confirmed_proposal")
    tracker.latest_message = {"intent": {"name": "nlu_fallback"}, "text": text, "entities": []}
    result = await ValidateProposalForm().validate_confirmed(None, dispatcher, tracker, domain)
    assert [name for name in ("description", "village_code") if name in result and result[name] is None] == \
        ([cleared] if cleared else [])


@pytest.mark.parametrize("text", ["Apakah nanti masih bisa diubah? Baiklah, data tersebut sudah benar.",
                                  "Punapa taksih saged dipunowahi? Inggih, sampun leres."])
async def test_a_question_and_a_yes_at_the_summary_are_answered_and_sent(text, tracker_from, dispatcher,
                                                                         domain) -> None:
    """The question was answered and the summary shown again, five times: the yes after it was never heard."""
    tracker = tracker_from("confirmed_proposal", confirmed=None, requested_slot="confirmed")
    tracker.latest_message = {"intent": {"name": "faq", "confidence": 0.9}, "text": text, "entities": [],
                              "response_selector": {"faq": {
                                  "response": {"intent_response_key": "faq/ubah_batal", "confidence": 0.9},
                                  "ranking": [{"intent_response_key": "faq/ubah_batal", "confidence": 0.9}]}}}
    events = await ValidateProposalForm().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_faq/ubah_batal"
    assert {"event": "slot", "name": "confirmed", "value": True} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]


@pytest.mark.parametrize("text", [
    "eh kagak jadi dah taman. yang lebih penting tuh bak sampah ama gerobak sampah, soalnye warga pade buang sampah "
    "ke kali, bau banget",
    "Mohon maaf, saya ralat. Setelah saya pikirkan, yang lebih mendesak adalah pengadaan bak sampah dan gerobak "
    "sampah karena sampah dibuang ke kali. Usulan taman tidak jadi."])
async def test_a_need_named_in_place_of_the_first_replaces_it_and_keeps_the_draft(text, tracker_from, dispatcher,
                                                                                   domain) -> None:
    """Three citizens changed their mind mid-form ("kagak jadi taman, yang lebih penting bak sampah"): asked "are you
    sure you want to cancel?", then filed as the first need."""
    tracker = tracker_from("optional_photo_question", requested_slot="photo")
    tracker.latest_message = {"intent": {"name": "inform"}, "text": text, "entities": []}
    events = await ValidateProposalForm().run(dispatcher, tracker, domain)
    slots = slots_of(events)
    assert "sampah" in slots["description"].lower() and "taman" not in slots["description"].lower()
    assert slots["sector"] is None and slots.get("village_code", "kept") is not None  # the kind is asked again
    assert all(m.get("response") != "utter_confirm_cancel" for m in dispatcher.messages)


async def test_a_need_replaced_at_the_summary_asks_its_kind_before_the_summary_again(tracker_from, dispatcher,
                                                                                      domain) -> None:
    tracker = tracker_from("confirmed_proposal", confirmed=None, requested_slot="confirmed")
    tracker.latest_message = {"intent": {"name": "inform"}, "entities": [],
                              "text": "eh kagak jadi dah. yang lebih penting tuh bak sampah ama gerobak sampah"}
    slots = slots_of(await ValidateProposalForm().run(dispatcher, tracker, domain))
    assert slots["requested_slot"] == "sector" and slots["sector"] is None and "sampah" in slots["description"]
