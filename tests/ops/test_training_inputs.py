"""The model fingerprint (ops/stack.py TRAINING_INPUTS) covers every project file the NLU pipeline runs.

A module the pipeline's components import but the fingerprint leaves out would let a changed normaliser or
language identifier run against a model trained with the old one, without a retrain.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ops.stack import ROOT, SERVING_ONLY, TRAINING_INPUTS

_PROJECT_PACKAGES = ("core", "nlu")


def _module_file(dotted: str) -> Path | None:
    base = ROOT.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_files(path: Path) -> set[Path]:
    """The project files `path` imports: each module and the __init__ of every package on its way."""
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            if name.split(".")[0] not in _PROJECT_PACKAGES:
                continue
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                file = _module_file(".".join(parts[:end]))
                if file is not None:
                    found.add(file)
    return found


def _pipeline_files() -> set[Path]:
    todo = sorted((ROOT / "nlu" / "components").glob("*.py"))
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo.extend(_imported_files(path) - seen)
    return seen


def _covered(path: Path) -> bool:
    if any(path == ROOT / name for name in SERVING_ONLY):
        return True
    return any(path == ROOT / name or (ROOT / name) in path.parents for name in TRAINING_INPUTS)


def test_every_module_the_pipeline_imports_is_a_training_input() -> None:
    files = _pipeline_files()
    assert ROOT / "core" / "language" / "normalise.py" in files
    assert ROOT / "core" / "language" / "identify.py" in files
    missing = sorted(str(path.relative_to(ROOT)) for path in files if not _covered(path))
    assert not missing, f"add to ops/stack.py TRAINING_INPUTS: {missing}"


def test_every_training_input_exists() -> None:
    assert [name for name in TRAINING_INPUTS if not (ROOT / name).exists()] == []


def test_the_shipped_resources_are_inputs() -> None:
    """The normaliser's and the language identifier's word lists are read at load, not imported."""
    assert _covered(ROOT / "core" / "language" / "resources" / "langid_seed.tsv")


def test_a_serving_only_package_does_not_retrain_but_a_version_does(tmp_path, monkeypatch) -> None:
    from ops import stack

    lock = tmp_path / "requirements" / "rasa.lock"
    lock.parent.mkdir()
    lock.write_text("rasa==3.6.21\nnumpy==1.24.3\n")
    monkeypatch.setattr(stack, "ROOT", tmp_path)
    before = stack.fingerprint(("requirements/rasa.lock",))
    lock.write_text("rasa==3.6.21\nnumpy==1.24.3\nprometheus-client==0.26.0  # serving-only: /metrics\n")
    assert stack.fingerprint(("requirements/rasa.lock",)) == before
    lock.write_text("rasa==3.6.21\nnumpy==1.24.4\n")
    assert stack.fingerprint(("requirements/rasa.lock",)) != before
