"""Parses with and without nlu/rasa_runtime.py's changes to Rasa, compared message by message.

Loads a trained model once (Rasa's Agent, in this process) and parses each text twice: with Rasa's own
ResponseSelector and event lookup, then with the serving-time changes (the ResponseSelector only on
messages of its retrieval intent and on questions). Intents, confidences (to 1e-6), rankings, entities and
language must match, and for messages whose intent is the retrieval intent or that ask a question the
selected response too; other messages may only lose their `response_selector` entry, which nothing reads.
Run in the Rasa environment: `.venv/rasa/bin/python -m bench.parse_identity [--model FILE] [--all]`
(default: the held-out sets in tests/nlu; `--all` adds every example of nlu/data). Tested in
tests/pipeline/test_parse_identity.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from core import answers

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml"))
TRAINING = sorted((ROOT / "nlu" / "data" / "nlu").glob("*.yml"))
TOLERANCE = 1e-6


def texts_of(paths: Iterable[Path]) -> list[str]:
    """Every example text of Rasa NLU YAML files, annotations (`[x](entity)`) stripped as Rasa does."""
    from rasa.shared.nlu.training_data.entities_parser import replace_entities

    texts: list[str] = []
    for path in paths:
        for block in yaml.safe_load(path.read_text()).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.append(replace_entities(line[2:].strip()))
    return list(dict.fromkeys(texts))


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, abs_tol=TOLERANCE)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def differences(rasa: dict, ours: dict, retrieval_intent: str = "faq") -> list[str]:
    """What differs between Rasa's parse and ours, beyond what the module docstring allows."""
    found = []
    for key in sorted(set(rasa) | set(ours)):
        if key == "response_selector" and (rasa.get("intent") or {}).get("name") != retrieval_intent \
                and not answers.is_question(rasa.get("text")):
            continue
        if not _close(rasa.get(key), ours.get(key)):
            found.append(key)
    return found


async def _parse_all(agent: Any, texts: list[str]) -> list[dict]:
    return [await agent.parse_message(text) for text in texts]


def _use_selector(agent: Any, process: Any) -> int:
    """Points the loaded graph's ResponseSelector nodes at `process` (a node keeps the class function it
    found when the model was loaded); how many nodes."""
    from rasa.nlu.selectors.response_selector import ResponseSelector

    nodes = [node for node in agent.processor.graph_runner._instantiated_nodes.values()
             if issubclass(node._component_class, ResponseSelector) and node._fn_name == "process"]
    for node in nodes:
        node._fn = process
    return len(nodes)


def compare(model: Path, texts: list[str]) -> dict[str, Any]:
    """Parses `texts` with Rasa's ResponseSelector, then with ours; the differing messages."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    from nlu import rasa_runtime

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))  # imports nlu.components, which installs the changes
    assert _use_selector(agent, rasa_runtime._RASA_SELECTOR_PROCESS) == 1
    before = asyncio.run(_parse_all(agent, texts))
    _use_selector(agent, rasa_runtime._select_responses)
    after = asyncio.run(_parse_all(agent, texts))
    differing = [{"text": text, "keys": keys} for text, rasa, ours in zip(texts, before, after, strict=True)
                 if (keys := differences(rasa, ours))]
    skipped = sum(1 for rasa, ours in zip(before, after, strict=True)
                  if "response_selector" in rasa and "response_selector" not in ours)
    return {"messages": len(texts), "differing": differing, "selector_skipped": skipped,
            "faq_messages": sum(1 for p in before if (p.get("intent") or {}).get("name") == "faq")}


def main() -> None:
    from ops.stack import ensure_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a trained model file (default: MUSRENBANG_MODEL or the current data's)")
    parser.add_argument("--all", action="store_true", help="also every example of nlu/data")
    args = parser.parse_args()
    model = Path(args.model) if args.model else ensure_model(log=lambda _message: None)
    texts = texts_of(HELDOUT + (TRAINING if args.all else []))
    result = compare(model, texts)
    print(json.dumps({**result, "differing": result["differing"][:20]}, indent=1, ensure_ascii=False))
    raise SystemExit(1 if result["differing"] else 0)


if __name__ == "__main__":
    main()
