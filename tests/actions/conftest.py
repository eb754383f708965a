"""Action tests run the real actions on Tracker fixtures (tests/data/*.json) and a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import common

DATA = Path(__file__).resolve().parent.parent / "data"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text())


@pytest.fixture
def tracker_from():
    def load(name: str, **slots: object) -> Tracker:
        data = json.loads((DATA / f"{name}.json").read_text())
        data["slots"].update(slots)
        return Tracker.from_dict(data)

    return load


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(autouse=True)
def action_database(sqlite_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the action server's settings at a fresh, migrated SQLite database."""
    monkeypatch.setenv("DATABASE_URL", sqlite_db_url)
    monkeypatch.setenv("MUSRENBANG_VAR", str(tmp_path))
    common.database.cache_clear()
    common.config.cache_clear()
    yield common.database()
    common.database.cache_clear()
    common.config.cache_clear()


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("response") for m in dispatcher.messages]
