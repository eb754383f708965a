"""`ReplyLanguagePolicy`: keeps the `language` slot in the policy step, without the action server.

The reply language used to be a custom slot mapping (`action_set_language`), so every turn cost Rasa an
HTTP call to the action server, with the whole tracker serialised into it. The decision needs the parse's
`language` (the NLU's LanguageIdentifier) and the conversation so far (short or mixed messages do not flip
it), both of which Rasa has in the policy step. This policy never chooses an action (all its
probabilities are 0); on the first prediction after a user message it adds the slot events that
`actions.language.decide` (the one implementation of the rule) asks for, and Rasa applies them before the
action runs, as it applied the mapping's. When the language changed it also mirrors it to the database
(`actions.language.remember`, in the background: the reply does not wait for it).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)
_mirroring: set[asyncio.Task] = set()  # background writes, referenced until done


def just_heard(tracker: DialogueStateTracker) -> bool:
    """Whether no action ran since the citizen's latest message (the first prediction of the turn)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return True
        if isinstance(event, ActionExecuted):
            return False
    return False


def sdk_tracker(tracker: DialogueStateTracker) -> Any:
    """What `actions.language.decide` reads, as the action server would get it: slots, the latest
    message, and the user and bot events (the only ones it looks at)."""
    from rasa_sdk import Tracker

    state = tracker.current_state()  # no events: cheap
    state["events"] = [event.as_dict() for event in tracker.events if isinstance(event, (UserUttered, BotUttered))]
    return Tracker.from_dict(state)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class ReplyLanguagePolicy(Policy):
    """Sets the reply language slots; never predicts an action (module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Lowest priority: it only abstains, so it never wins a tie either."""
        return {"priority": 0}

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        """Nothing to learn: the rule is code (actions/language.py)."""
        return self._resource

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: dict[str, Any] | None = None,
                                     **kwargs: Any) -> PolicyPrediction:
        """No action; the slot events of the reply language on the turn's first prediction."""
        events: list[SlotSet] = []
        if just_heard(tracker):
            events = self._language_events(tracker)
        return self._prediction(self._default_predictions(domain), events=events)

    @staticmethod
    def _language_events(tracker: DialogueStateTracker) -> list[SlotSet]:
        from actions import language

        try:
            sdk = sdk_tracker(tracker)
            slots = language.decide(sdk)
        except Exception:  # the turn goes on in the language it had
            logger.exception("deciding the reply language failed")
            return []
        if "language" in slots:
            _mirror(language.remember(sdk, str(slots["language"])))
        return [SlotSet(name, value) for name, value in slots.items()]


def _mirror(write: Any) -> None:
    """Runs the database write on Rasa's event loop without waiting for it (outside one: skipped)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        write.close()
        return
    task = loop.create_task(write)
    _mirroring.add(task)
    task.add_done_callback(_mirroring.discard)
