"""A shared map pin inside the proposal form: it names its desa instead of asking, is refused politely outside
the kabupaten (saying where it is), and is asked about when it disagrees with a typed desa.

Kept apart from actions/proposal_form.py, which calls these hooks from `validate_map_pin`,
`validate_village_code` and `ActionAskVillageCode`. No slot of its own: a desa named by the pin is offered as
the one village candidate (`village_candidates == [desa of map_pin]`), answered with affirm/deny.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import config, gazetteer, language, latest_intent, region_name, village_label
from core import answers, areas, choice, texts


def location(pin: tuple[float, float] | None) -> areas.Location | None:
    """Where a pin is in the deployment region's areas (None: no pin, or no areas shipped for the region)."""
    if pin is None:
        return None
    return areas.locate(pin[0], pin[1], config().region_code)


def pin_desa(tracker: Tracker) -> str | None:
    """The desa code of the draft's stored pin, when it is inside the region."""
    where = location(answers.parse_map_pin(tracker.get_slot("map_pin") or ""))
    return where.desa.code if where and where.inside and where.desa else None


def place_label(code: str, lang: str) -> str:
    """ "Desa Wedomartani, Kec. Ngemplak" (a kelurahan is named so)."""
    kind = "kelurahan" if code.rsplit(".", 1)[-1].startswith("1") else "desa"
    return texts.area(kind, lang, name=village_label(code, lang))


def _pin_text(pin: tuple[float, float]) -> str:
    return f"{pin[0]:.6f},{pin[1]:.6f}"


def check_pin(dispatcher: CollectingDispatcher, tracker: Tracker, pin: tuple[float, float]) -> dict[str, Any] | None:
    """Slots for a valid pin in Indonesia, or None to store it as it is (no areas for the region).

    Outside the kabupaten: refused, saying where it is. Inside with no desa yet: the pin's desa is offered
    ("Lokasi Anda di Desa X — benar?"). Inside a desa other than the typed one: both are offered."""
    where = location(pin)
    if where is None:
        return None
    lang = language(tracker)
    if not where.inside:
        if where.kabupaten is not None:
            dispatcher.utter_message(text=texts.area("pin_outside", lang, kabupaten=where.kabupaten.name,
                                                     region=region_name()))
        else:
            dispatcher.utter_message(text=texts.area("pin_outside_unknown", lang, region=region_name()))
        return {"map_pin": None}
    stored = {"map_pin": _pin_text(pin), "invalid_answers": 0}
    if where.desa is None or where.desa.code not in gazetteer().by_code:
        return stored
    typed = tracker.get_slot("village_code")
    if typed not in gazetteer().by_code:  # not a desa yet (or this turn's raw text, not validated yet)
        typed = None
    if not typed:
        return {**stored, "village_candidates": [where.desa.code]}
    if typed != where.desa.code:
        dispatcher.utter_message(text=texts.area("pin_disagrees", lang, pin_place=place_label(where.desa.code, lang),
                                                 typed_place=place_label(typed, lang)))
        return {**stored, "village_code": None, "village_candidates": [where.desa.code, typed], "confirmed": None}
    return stored


def typed_pin(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> dict[str, Any] | None:
    """Coordinates typed (or pasted from a map app) where the desa was asked: read as a shared pin, so its desa
    is offered ("— benar?") or the pin refused; None when the text is not only coordinates."""
    pin = answers.parse_map_pin(text)
    if pin is None or gazetteer().resolve(text, config().region_code) or not answers.in_indonesia(*pin):
        return None
    placed = check_pin(dispatcher, tracker, pin)
    if placed is None:  # no areas for the region: keep the pin, ask the desa again
        return {"map_pin": _pin_text(pin), "village_code": None}
    return {"village_code": None, **placed}


def offered_by_pin(tracker: Tracker) -> str | None:
    """The desa the pin named, while "— benar?" waits for an answer."""
    candidates = tracker.get_slot("village_candidates") or []
    desa = pin_desa(tracker) if len(candidates) == 1 else None
    return desa if desa and candidates == [desa] else None


def ask_pin_place(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Ask "Lokasi Anda di Desa X, Kec. Y — benar?" when the pin named the desa; False to ask as usual."""
    desa = offered_by_pin(tracker)
    if desa is None:
        return False
    lang = language(tracker)
    dispatcher.utter_message(text=texts.area("pin_place", lang, place=place_label(desa, lang)),
                             buttons=[{"title": texts.button("pin_right", lang), "payload": "/affirm"},
                                      {"title": texts.button("pin_wrong", lang), "payload": "/deny"}])
    return True


def answer_pin_place(tracker: Tracker, text: str) -> dict[str, Any] | None:
    """The answer to "— benar?": yes takes the pin's desa; no drops the pin (it marked where the citizen stood,
    not the place: the map question comes again later) and asks the desa. Anything else is read as usual."""
    desa = offered_by_pin(tracker)
    if desa is None:
        return None
    intent = latest_intent(tracker)
    if text == "/affirm" or (not text.startswith("/") and intent == "affirm") or choice.is_affirmation(text):
        return {"village_code": desa, "village_candidates": None, "invalid_answers": 0}
    if text == "/deny" or (not text.startswith("/") and intent == "deny") or answers.declines(text):
        return {"village_code": None, "village_candidates": None, "map_pin": None, "invalid_answers": 0}
    return None


def typed_place(dispatcher: CollectingDispatcher, tracker: Tracker, place: dict[str, Any]) -> dict[str, Any]:
    """A desa typed (or picked) against a pin elsewhere: asked about, once. Picking one of the two offered, or
    typing a desa in answer to "— benar?", settles it (the pin is then dropped: it was not the place)."""
    typed = place.get("village_code")
    desa = pin_desa(tracker)
    if not typed or not desa or typed == desa:
        return place
    offered = tracker.get_slot("village_candidates") or []
    if offered == [desa]:  # "Lokasi Anda di Desa X — benar?" answered with another desa
        return {**place, "map_pin": None}
    if typed in offered and desa in offered:
        return place
    lang = language(tracker)
    dispatcher.utter_message(text=texts.area("pin_disagrees", lang, pin_place=place_label(desa, lang),
                                             typed_place=place_label(typed, lang)))
    return {**place, "village_code": None, "village_candidates": [desa, typed]}
