"""The model as an artefact: `./musrenbang train --out FILE` builds it once (from the fingerprint cache when
the data has not changed), services load MUSRENBANG_MODEL and never train at start in production mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import settings
from ops import stack
from ops.stack import ROOT


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setattr(stack, "MODEL_CACHE", cache)
    monkeypatch.delenv("MUSRENBANG_MODE", raising=False)
    return cache


def test_a_given_model_file_is_loaded_as_it_is_never_trained(empty_cache: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    built = tmp_path / "musrenbang-model.tar.gz"
    built.write_bytes(b"built by ./musrenbang train --out")
    monkeypatch.setenv("MUSRENBANG_MODEL", str(built))
    monkeypatch.setenv("MUSRENBANG_MODE", "production")
    assert stack.ensure_model(log=lambda _message: None) == built
    assert list(empty_cache.iterdir()) == []  # nothing trained
    monkeypatch.setenv("MUSRENBANG_MODEL", str(tmp_path / "missing.tar.gz"))
    with pytest.raises(settings.ConfigError, match="no model file at"):
        stack.ensure_model(log=lambda _message: None)


def test_production_without_a_model_file_refuses_to_train(empty_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MUSRENBANG_MODEL", raising=False)
    monkeypatch.setenv("MUSRENBANG_MODE", "production")
    with pytest.raises(settings.ConfigError, match="never train at start"):
        stack.ensure_model(log=lambda _message: None)
    assert list(empty_cache.iterdir()) == []


def test_train_out_writes_the_model_of_the_current_data_once(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    cached = cache / f"{stack.fingerprint()}.tar.gz"  # what an earlier `rasa train` of this data left
    cached.write_bytes(b"the trained model of this data")
    out = tmp_path / "release" / "model.tar.gz"
    env = {**os.environ, "MUSRENBANG_MODEL_CACHE": str(cache)}
    env.pop("MUSRENBANG_MODEL", None)
    result = subprocess.run([sys.executable, "-m", "ops.stack", "train", "--out", str(out)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == cached.read_bytes() and f"MUSRENBANG_MODEL={out}" in result.stdout
