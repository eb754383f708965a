"""The offer to turn a complaint into a proposal, as citizens answer it: not only with the button, but with
more detail, with a "yes" after a misunderstanding, or with "yes, how?" (issue: real citizens reach their goal)."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.escalation import ActionAcceptOfficerOffer, ActionHandleUnclear, ActionHelp
from actions.proposal_form import ValidateProposalForm

COMPLAINT = "selokan dekat rumah mampet tiap hujan banjir"


def user(text: str, intent: str) -> dict:
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text, "language": "id"}
    return {"event": "user", "timestamp": 1.0, "text": text, "parse_data": parse}


def conversation(*turns: dict, offered: str | None = COMPLAINT) -> Tracker:
    """A tracker: the complaint, the bot's offer, then the citizen's messages given (each a user event)."""
    events = [{"event": "action", "name": "action_listen"}, user(COMPLAINT, "report_problem"),
              {"event": "action", "name": "action_offer_proposal"}, {"event": "bot", "text": "Mau diajukan?"},
              {"event": "action", "name": "action_listen"}]
    for turn in turns:
        events += [turn, {"event": "action", "name": "action_handle_unclear"}, {"event": "bot", "text": "?"},
                   {"event": "action", "name": "action_listen"}]
    events = events[:-3]  # the latest message is being handled now
    return Tracker("web:t", {"offered_text": offered, "language": "id"}, turns[-1]["parse_data"], events, False,
                   None, None, "action_listen")


def followups(events: list) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "followup"]


async def test_more_detail_after_the_offer_is_a_yes_and_joins_the_complaint(dispatcher, domain) -> None:
    tracker = conversation(user("pengen dibikinin saluran yg lebih gede", "nlu_fallback"))
    events = await ActionHandleUnclear().run(dispatcher, tracker, domain)
    assert followups(events) == ["proposal_form"]
    opened = await ValidateProposalForm().extract_description(dispatcher, tracker, domain)
    assert "mampet" in opened["description"] and "saluran yg lebih gede" in opened["description"]


async def test_a_yes_after_a_misunderstanding_still_takes_the_offer(dispatcher, domain) -> None:
    tracker = conversation(user("hmm gimana ya", "nlu_fallback"), user("iya", "affirm"))
    events = await ActionAcceptOfficerOffer().run(dispatcher, tracker, domain)
    assert followups(events) == ["proposal_form"]
    opened = await ValidateProposalForm().extract_description(dispatcher, tracker, domain)
    assert "mampet" in opened["description"]


async def test_yes_how_is_a_yes_and_plain_help_is_help(dispatcher, domain) -> None:
    events = await ActionHelp().run(dispatcher, conversation(user("iyo piye carane, tulung didandani", "help")),
                                    domain)
    assert followups(events) == ["proposal_form"]
    events = await ActionHelp().run(dispatcher, conversation(user("bisa bantu apa aja", "help"), offered=None),
                                    domain)
    assert not followups(events) and dispatcher.messages[-1]["response"] == "utter_help"


async def test_a_code_in_any_words_is_a_status_question(dispatcher, domain) -> None:
    """Answered in the same turn: as a follow-up action the policy's fallback added "not understood" to it."""
    tracker = conversation(user("Hapunten, lepat. Nu leres USL-7K3Q9D", "affirm"), offered=None)
    events = await ActionAcceptOfficerOffer().run(dispatcher, tracker, domain)
    assert not followups(events)
    assert [m.get("code") for m in dispatcher.messages] == ["USL-7K3Q9D"]


async def test_an_offer_older_than_a_few_messages_no_longer_stands(dispatcher, domain) -> None:
    tracker = conversation(user("a", "nlu_fallback"), user("b", "nlu_fallback"), user("c", "nlu_fallback"),
                           user("iya", "affirm"))
    events = await ActionAcceptOfficerOffer().run(dispatcher, tracker, domain)
    assert "proposal_form" not in followups(events)


async def test_a_worded_yes_takes_the_complaint_as_it_was(dispatcher, domain) -> None:
    """A long "yes" is not part of the complaint: the stored description must not begin with "Ya, saya ingin..."."""
    tracker = conversation(user("Ya, saya ingin mengajukan usulan perbaikan saluran itu", "affirm"))
    events = await ActionAcceptOfficerOffer().run(dispatcher, tracker, domain)
    assert followups(events) == ["proposal_form"]
    opened = await ValidateProposalForm().extract_description(dispatcher, tracker, domain)
    assert "mampet" in opened["description"] and "ingin" not in opened["description"].lower()


async def test_the_offer_still_stands_while_the_form_it_opens_is_activated(dispatcher, domain) -> None:
    """Rasa adds the form's activation to the tracker before the form reads the opening message."""
    tracker = conversation(user("Ya, saya ingin hal ini diusulkan untuk diperbaiki.", "affirm"))
    tracker.events += [{"event": "action", "name": "proposal_form"},
                       {"event": "active_loop", "name": "proposal_form"}]
    opened = await ValidateProposalForm().extract_description(dispatcher, tracker, domain)
    assert "mampet" in opened["description"] and "ingin" not in opened["description"].lower()


async def test_yes_that_is_my_proposal_is_a_yes_to_the_offer(dispatcher, domain) -> None:
    """The NLU reads "iya itu usulan sy" as a status question; while the offer stands it is a yes."""
    from actions.status import ActionCheckStatus

    tracker = conversation(user("iya itu usulan sy", "check_status"))
    assert followups(await ActionCheckStatus().run(dispatcher, tracker, domain)) == ["proposal_form"]


async def test_my_proposals_read_as_a_request_to_propose_lists_them(dispatcher, domain) -> None:
    """The form opened on "usulan kula ... menapa kemawon?" answers with the citizen's list and closes."""
    tracker = conversation(user("usulan kula ingkang sampun kula kirim menapa kemawon?", "submit_proposal"),
                           offered=None)
    events = await ValidateProposalForm().run(dispatcher, tracker, domain)
    assert {"event": "slot", "name": "requested_slot", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]
    assert dispatcher.messages and all(m.get("response") != "utter_ask_sector" for m in dispatcher.messages)


async def test_a_second_complaint_while_the_offer_stands_joins_the_first(dispatcher, domain) -> None:
    """ "taman di dusun Sambisari", offer, "kumuh pisan, pinuh ku jukut, bangkuna ruksak", offer again: the park
    is still what the citizen talks about, and the kept story (the form's opening) names it."""
    from actions.proposal_form import ActionOfferProposal

    first = "taman di dusun Sambisari"
    tracker = conversation(user("kumuh pisan, pinuh ku jukut, bangkuna ruksak", "report_problem"), offered=first)
    tracker.slots["language"] = "su"
    events = await ActionOfferProposal().run(dispatcher, tracker, domain)
    kept = next(e["value"] for e in events if e.get("name") == "offered_text")
    assert "taman" in kept and "jukut" in kept


async def test_an_unsure_question_with_a_sure_faq_topic_is_answered_not_offered(dispatcher, domain) -> None:
    """The intent classifier hesitates between a question and a request (a story comes first); the FAQ
    selector is sure of the topic: the question is answered."""
    text = ("Abdi calik di Sariharjo, nanging hoyong ngusulkeun kanggo lembur sepuh abdi di Sidoagung. Tiasa kitu "
            "ngusulkeun kanggo desa nu sanes?")
    said = user(text, "nlu_fallback")
    said["parse_data"]["response_selector"] = {"faq": {
        "response": {"intent_response_key": "faq/usul_desa_lain", "confidence": 0.99},
        "ranking": [{"intent_response_key": "faq/usul_desa_lain", "confidence": 0.99}]}}
    tracker = conversation(said, offered=None)
    events = await ActionHandleUnclear().run(dispatcher, tracker, domain)
    assert not followups(events)
    assert dispatcher.messages[-1]["response"] == "utter_faq/usul_desa_lain"


async def test_leres_that_is_my_proposal_is_a_yes_to_the_offer_in_sundanese(dispatcher, domain) -> None:
    """ "Leres, eta usulan abdi" after the offer was read as "list my proposals" five times over: the citizen
    never got the form."""
    from actions.status import ActionCheckStatus

    tracker = conversation(user("Leres, eta usulan abdi", "my_proposals"))
    tracker.slots["language"] = "su"
    assert followups(await ActionCheckStatus().run(dispatcher, tracker, domain)) == ["proposal_form"]


async def test_a_request_to_propose_the_nlu_missed_opens_the_form_with_its_words(dispatcher, domain) -> None:
    """ "rek ngusulkeun gapura padukuhan, nu ayeuna geus rek rubuh" got "not understood", twice: a citizen who
    says they want to propose gets the form, and the form takes the gate as the description."""
    text = "rek ngusulkeun gapura padukuhan, nu ayeuna geus rek rubuh"
    tracker = conversation(user(text, "nlu_fallback"), offered=None)
    tracker.slots["language"] = "su"
    assert followups(await ActionHandleUnclear().run(dispatcher, tracker, domain)) == ["proposal_form"]
    events = await ValidateProposalForm().run(dispatcher, tracker, domain)
    stored = next(e["value"] for e in events if e.get("name") == "description")
    assert "gapura" in stored.lower() and "rubuh" in stored.lower() and "ngusulkeun" not in stored.lower()


async def test_may_i_propose_about_a_named_need_is_answered_and_the_form_goes_on(dispatcher, domain) -> None:
    """ "mau ngusulin soal sampah bisa?" was answered "everyone may propose" and left there; "iya bisa" then
    got "no problem". The answer comes, and the form starts on the topic."""
    from actions.escalation import ActionAnswerFaq

    said = user("mau ngusulin soal sampah bisa?", "faq")
    said["parse_data"]["response_selector"] = {"faq": {
        "response": {"intent_response_key": "faq/siapa_boleh_usul", "confidence": 0.95},
        "ranking": [{"intent_response_key": "faq/siapa_boleh_usul", "confidence": 0.95}]}}
    tracker = conversation(said, offered=None)
    events = await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["response"] == "utter_faq/siapa_boleh_usul"
    assert followups(events) == ["proposal_form"]


async def test_may_i_propose_for_my_in_laws_village_is_only_answered(dispatcher, domain) -> None:
    from actions.escalation import ActionAnswerFaq

    said = user("Boleh usul untuk desa mertua, bisa gak?", "faq")
    said["parse_data"]["response_selector"] = {"faq": {
        "response": {"intent_response_key": "faq/usul_desa_lain", "confidence": 0.95},
        "ranking": [{"intent_response_key": "faq/usul_desa_lain", "confidence": 0.95}]}}
    tracker = conversation(said, offered=None)
    assert not followups(await ActionAnswerFaq().run(dispatcher, tracker, domain))


def _selected(said: dict, key: str, confidence: float) -> dict:
    said["parse_data"]["response_selector"] = {"faq": {
        "response": {"intent_response_key": key, "confidence": confidence},
        "ranking": [{"intent_response_key": key, "confidence": confidence}]}}
    return said


async def test_may_i_propose_about_a_named_need_read_as_a_request_opens_the_form(dispatcher, domain) -> None:
    """The same question the NLU took for a request: the form starts, with no FAQ lecture first."""
    said = _selected(user("mau ngusulin soal sampah bisa?", "submit_proposal"), "faq/siapa_boleh_usul", 0.69)
    tracker = conversation(said, offered=None)
    await ValidateProposalForm().run(dispatcher, tracker, domain)
    assert all(m.get("response") != "utter_faq/siapa_boleh_usul" for m in dispatcher.messages)


async def test_a_planning_term_asked_after_a_long_preamble_is_explained(dispatcher, domain) -> None:
    """A teacher's three sentences about herself spread the FAQ selector thin (RKPD at 0.17): she was offered
    to file a proposal about education instead of being told what the RKPD is."""
    text = ("Selamat malam. Saya seorang guru SMP dan minggu depan akan menjelaskan kepada murid-murid tentang "
            "perencanaan pembangunan daerah. Dalam beberapa dokumen pemerintah saya sering menemukan istilah RKPD, "
            "tetapi saya belum memahaminya dengan baik. Mohon penjelasan, apa yang dimaksud dengan RKPD dan apa "
            "kaitannya dengan usulan masyarakat?")
    tracker = conversation(_selected(user(text, "faq"), "faq/apa_rkpd", 0.17), offered=None)
    events = await ActionHandleUnclear().run(dispatcher, tracker, domain)
    assert not followups(events) and dispatcher.messages[-1]["response"] == "utter_faq/apa_rkpd"


async def test_a_question_in_the_middle_of_the_message_is_still_a_question(dispatcher, domain) -> None:
    text = "bro, mun geus ngusulkeun, sabaraha lila nepi ka diverifikasi? urang geus nunggu saminggu can aya beja"
    tracker = conversation(_selected(user(text, "nlu_fallback"), "faq/lama_verifikasi", 0.99), offered=None)
    tracker.slots["language"] = "su"
    await ActionHandleUnclear().run(dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["response"] == "utter_faq/lama_verifikasi"


async def test_how_to_change_my_proposal_is_answered_not_listed(dispatcher, domain) -> None:
    """ "usulanku ... Iso diganti opo dibatalke ra?" names the citizen's proposal but asks how to change it."""
    from actions.escalation import ActionAnswerFaq

    text = "Min, usulanku wis tak kirim tapi ana sing salah. Iso diganti opo dibatalke ra?"
    tracker = conversation(_selected(user(text, "faq"), "faq/ubah_batal", 0.99), offered=None)
    tracker.slots["language"] = "jv"
    await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["response"] == "utter_faq/ubah_batal"


async def test_show_my_proposals_is_listed_even_when_the_faq_is_sure_of_a_topic(dispatcher, domain) -> None:
    from actions.escalation import ActionAnswerFaq

    text = "Can you show my proposals? eh maksudnya, usulan saya apa aja ya?"
    tracker = conversation(_selected(user(text, "faq"), "faq/syarat_usulan", 0.97), offered=None)
    await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert all(m.get("response") != "utter_faq/syarat_usulan" for m in dispatcher.messages)


async def test_a_first_message_giving_only_the_place_starts_the_proposal_there(dispatcher, domain) -> None:
    """ "Donoharjo, Ngaglik. RT 5 RW 14" first, the problem next: "not understood" (in Indonesian, to a Javanese
    citizen); an officer would note the place and ask what is needed there."""
    tracker = conversation(user("Donoharjo, Ngaglik. RT 5 RW 14", "nlu_fallback"), offered=None)
    tracker.slots["language"] = "jv"
    assert followups(await ActionHandleUnclear().run(dispatcher, tracker, domain)) == ["proposal_form"]
    slots = {e["name"]: e["value"] for e in await ValidateProposalForm().run(dispatcher, tracker, domain)
             if e.get("event") == "slot"}
    assert slots.get("village_code", "").startswith("34.04.") and slots.get("rt_rw") == "RT 05 / RW 14"


async def test_an_introduction_is_welcomed_and_the_story_after_it_is_kept(dispatcher, domain) -> None:
    """ "Saya dari komite sekolah SD Negeri Jetis Seyegan." was offered as an education complaint; the long story
    that followed ("Pagar ... roboh ... Kami mengusulkan ...") was then dropped for a "what is needed?"."""
    from actions.draft import elaborates_offer
    from actions.proposal_form import ActionOfferProposal

    intro = user("Selamat pagi. Saya dari komite sekolah SD Negeri Jetis Seyegan.", "report_problem")
    tracker = conversation(intro, offered=None)
    events = await ActionOfferProposal().run(dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["response"] == "utter_greet" and not events
    assert elaborates_offer("Pagar sisi timur sekolah roboh sepanjang 25 meter akibat angin kencang bulan lalu. Kami "
                            "mengusulkan pembangunan kembali pagar tembok.")
