"""`rasa test` on whole conversations in Javanese and Sundanese (tests/conversations/test_stories_*.yml).

Rasa replays each test story against the trained model: every user message is parsed by the NLU
(`--e2e`), so its intent must come out as written, and every bot action must be the one the rules and
the form predict. The replies' wording is checked through the gateway in tests/e2e/test_languages.py.
Runs in the Rasa environment.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from ops.stack import RASA_BIN, ROOT, rasa_env
from tests.conftest import trained_model

HERE = Path(__file__).resolve().parent
STORY_FILES = sorted(HERE.glob("test_stories_*.yml"))  # `rasa test` reads only test_* files


def test_there_are_stories_in_each_regional_language() -> None:
    names = {path.stem for path in STORY_FILES}
    assert {"test_stories_jv", "test_stories_su"} <= names
    for path in STORY_FILES:
        stories = yaml.safe_load(path.read_text())["stories"]
        assert len(stories) >= 3, path.name


def test_rasa_test_passes_every_story(tmp_path: Path) -> None:
    total = sum(len(yaml.safe_load(path.read_text())["stories"]) for path in STORY_FILES)
    result = subprocess.run(
        [str(RASA_BIN / "rasa"), "test", "core", "--model", str(trained_model()), "--stories", str(HERE),
         "--e2e", "--out", str(tmp_path), "--no-plot"],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-4000:]
    failed = (tmp_path / "failed_test_stories.yml").read_text()
    assert "None of the test stories failed" in failed, failed
    report = json.loads((tmp_path / "story_report.json").read_text())["conversation_accuracy"]
    assert report["correct"] == report["total"] == total, report  # every story was read and passed
