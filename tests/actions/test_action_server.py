"""The action server (ops/action_server.py): rasa_sdk's app with /metrics, and the NLU fallback rate
counted once per citizen's message however many actions its turn runs."""

from __future__ import annotations

from core import observability
from ops.action_server import MessageCounter, create_app


def _call(sender: str, message_id: str, intent: str, action: str = "action_handle_unclear") -> dict:
    return {"next_action": action, "sender_id": sender,
            "tracker": {"latest_message": {"message_id": message_id, "intent": {"name": intent}}}}


def _count(fallback: str) -> float:
    return observability.NLU_MESSAGES.labels(fallback)._value.get()


def test_each_message_counts_once_by_whether_the_nlu_fell_back() -> None:
    counter = MessageCounter()
    before = _count("yes"), _count("no")
    counter.observe(_call("web:a", "m1", "nlu_fallback"))
    counter.observe(_call("web:a", "m1", "nlu_fallback", action="action_escalate"))  # same turn, second action
    counter.observe(_call("web:a", "m2", "propose"))
    counter.observe(_call("web:b", "m1", "greet"))  # another sender's message with the same id
    counter.observe({"next_action": "action_greet"})  # no tracker: not a message
    assert (_count("yes") - before[0], _count("no") - before[1]) == (1, 2)


def test_the_app_serves_metrics_beside_rasa_sdks_routes() -> None:
    app = create_app("actions")
    paths = {route.path.strip("/") for route in app.router.routes}
    assert {"health", "webhook", "actions", "metrics"} <= paths
