"""A real Rasa, started by the project's own start code (ops/stack.py) with MODEL_URL and no model file,
pulls the trained model from the nginx site's model server, answers a citizen, and keeps pulling with the
model's ETag (304: nothing downloaded again). One Rasa start (~1 min, ~1 GB)."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
from pathlib import Path

import aiohttp

from ops.stack import Stack
from tests.conftest import free_port, trained_model
from tests.e2e.conftest import Citizen
from tests.model_server import MODEL_NAME, model_server


async def test_rasa_pulls_its_model_from_the_model_server_and_answers(tmp_path: Path) -> None:
    with model_server(tmp_path) as server:
        # The cached model, published as an operator would (a link here: models are never copied or deleted).
        (server.models / MODEL_NAME).symlink_to(trained_model())
        stack = Stack(var_dir=tmp_path / "var", model=None, rasa_port=free_port(), actions_port=free_port(),
                      gateway_port=free_port(), database_url=f"sqlite+aiosqlite:///{tmp_path / 'var' / 'm.db'}",
                      extra_env={"MODEL_URL": server.url(), "MODEL_PULL_INTERVAL": "2", "MUSRENBANG_MODEL": ""})
        try:
            stack.start(log=lambda _message: None)
            assert "--model" not in stack.command("rasa")
            query = urllib.parse.urlencode({"token": stack.rasa_token})
            with urllib.request.urlopen(f"{stack.rasa_url}/status?{query}", timeout=10) as response:
                assert json.load(response)["model_file"]
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
                greeting = await Citizen(session, stack.gateway_url).text_of("halo")
            assert "e-Musrenbang" in greeting  # the model answers a citizen's turn
            # Rasa's puller asks again with the ETag it got: 304 until a new model is published.
            deadline = time.monotonic() + 30
            while not re.search(rf'"GET /models/{MODEL_NAME} HTTP/1.1" 304 ', server.log.read_text()):
                assert time.monotonic() < deadline, server.log.read_text()
                time.sleep(1)
            assert re.search(rf'"GET /models/{MODEL_NAME} HTTP/1.1" 200 ', server.log.read_text())  # one download
        finally:
            stack.stop()
