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


async def test_the_actions_database_is_closed_when_the_server_stops(monkeypatch, tmp_path) -> None:
    """The actions' pooled SQLite connections (storage/db.py) are closed on shutdown, not left to exit."""
    from sanic import Sanic
    from sqlalchemy import text

    from actions import common

    monkeypatch.setattr(Sanic, "test_mode", True)  # a second app named like the first test's
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'musrenbang.db'}")
    common.database.cache_clear()
    app = create_app("actions")
    database = common.database()
    async with database.session() as session:
        await session.execute(text("SELECT 1"))
    assert database.engine.pool.checkedin() == 1  # kept open for the next action
    stopping = [future.listener for future in app._future_listeners if future.event == "after_server_stop"]
    assert stopping  # Sanic 21.12 keeps an app's listeners here until it starts
    for listener in stopping:
        await listener(app, None)
    assert database.engine.pool.checkedin() == 0
    assert common.database.cache_info().currsize == 0  # a restarted app opens a new one
