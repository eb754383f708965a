"""The JSON commands behind `./musrenbang region` and `./musrenbang classify`."""

from __future__ import annotations

import json
import subprocess
import sys


def run(*args: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "ops.cli", *args], capture_output=True, text=True)
    answer = json.loads(result.stdout)
    assert result.returncode == (0 if answer.get("candidates", answer.get("items")) else 1)  # scripts can test it
    return answer


def test_region_command_prints_candidates_as_json() -> None:
    candidates = run("region", "Kel. Condong Catur")["candidates"]
    assert candidates[0] == {"code": "34.04.07.2003", "name": "Condongcatur", "kecamatan": "Depok",
                             "kabupaten": "Kabupaten Sleman", "score": 100.0}


def test_region_command_searches_nationally_on_request() -> None:
    assert run("region", "Gununganyar")["candidates"] == []
    national = run("region", "Gununganyar", "--all")
    assert national["ambiguous"] and len(national["candidates"]) >= 3


def test_classify_command_prints_sector_item_and_score() -> None:
    answer = run("classify", "solokan mampet unggal hujan banjir")
    assert answer["sector"] == "drainase" and answer["item"] and 0 < answer["score"] <= 1
