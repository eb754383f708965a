"""The reply language is kept in Rasa's policy step (nlu/components/language_policy.py), not by a call
to the action server on every turn; the rule itself is actions/language.py's (test_language_action.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions import common
from nlu.components import language_policy
from nlu.components.language_policy import ReplyLanguagePolicy
from storage import citizens

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture
def policy(tmp_path: Path) -> ReplyLanguagePolicy:
    return ReplyLanguagePolicy.create(ReplyLanguagePolicy.get_default_config(), LocalModelStorage(tmp_path),
                                      Resource("reply_language"), ExecutionContext(GraphSchema({}), "test"))


def heard(domain: Domain, text: str, language: str, confidence: float, intent: str = "submit_proposal",
          entities: list | None = None, sender: str = "web:citizen1") -> DialogueStateTracker:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or [],
             "language": language, "language_confidence": confidence}
    return DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"), UserUttered(text, parse["intent"],
                                                     parse["entities"], parse)], domain.slots)


def test_no_turn_calls_the_action_server_for_the_language(domain: Domain) -> None:
    """A custom slot mapping with an action is an HTTP call to the action server on every user message."""
    mappings = [m for slot in domain.slots if slot.name in ("language", "language_chosen") for m in slot.mappings]
    assert mappings and not any(m.get("action") for m in mappings)
    config = yaml.safe_load((ROOT / "nlu" / "config.yml").read_text())
    assert "nlu.components.language_policy.ReplyLanguagePolicy" in [p["name"] for p in config["policies"]]


def test_a_real_sentence_sets_the_language_before_the_turns_first_action(policy, domain: Domain) -> None:
    tracker = heard(domain, "kula badhe ngusulaken dalan rusak wonten desa", "jv", 0.95)
    prediction = policy.predict_action_probabilities(tracker, domain)
    assert prediction.events == [SlotSet("language", "jv")]
    assert max(prediction.probabilities) == 0.0  # it never chooses the action
    tracker.update_with_events(prediction.events, domain)
    tracker.update(ActionExecuted("action_greet"))
    assert policy.predict_action_probabilities(tracker, domain).events == []  # once per message


def test_a_short_message_keeps_the_language(policy, domain: Domain) -> None:
    assert policy.predict_action_probabilities(heard(domain, "iya", "su", 0.99, "affirm"), domain).events == []


def test_an_explicit_request_sticks(policy, domain: Domain) -> None:
    tracker = heard(domain, "nganggo basa Sunda", "id", 0.5, "switch_language",
                    [{"entity": "language", "value": "su", "start": 12, "end": 17}])
    events = policy.predict_action_probabilities(tracker, domain).events
    assert events == [SlotSet("language", "su"), SlotSet("language_chosen", True)]


def test_a_change_is_mirrored_for_the_gateway_and_the_news(policy, domain: Domain) -> None:
    """Status news and the gateway's notices read the language from the citizens table."""
    async def turn() -> str | None:
        tracker = heard(domain, "kula badhe ngusulaken dalan rusak wonten desa", "jv", 0.95, sender="web:citizen2")
        policy.predict_action_probabilities(tracker, domain)
        await asyncio.gather(*language_policy._mirroring)
        return await citizens.citizen_language(common.database(), "web", "citizen2")

    assert asyncio.run(turn()) == "jv"
