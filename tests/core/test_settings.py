"""core/settings.py, the one place configuration is read: a bad value stops the start with a message that
names the setting (never a silent default), secrets are required outside the local SQLite default, and the
WhatsApp Graph API version is one setting with a warning before Meta stops serving it."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from core import graph_versions, settings
from ops.stack import ROOT

BASE = {"MUSRENBANG_VAR": "/tmp/musrenbang-settings-test"}


def load(**env: str) -> settings.Settings:
    return settings.load({**BASE, **env})


@pytest.mark.parametrize(("env", "named"), [
    ({"GATEWAY_PORT": "80a"}, "GATEWAY_PORT must be a whole number"),
    ({"GATEWAY_PORT": "70000"}, "GATEWAY_PORT must be a TCP port"),
    ({"RASA_TIMEOUT": "thirty"}, "RASA_TIMEOUT must be a whole number"),
    ({"RETENTION_DAYS": "-1"}, "RETENTION_DAYS must be at least 0"),
    ({"MUSRENBANG_MODE": "prod"}, "MUSRENBANG_MODE must be one of local, production"),
    ({"TELEGRAM_MODE": "hook"}, "TELEGRAM_MODE must be one of polling, webhook"),
    ({"LEARNED_FAQ": "maybe"}, "LEARNED_FAQ must be 1 or 0"),
    ({"TELEGRAM_OFFICER_IDS": "123,abc"}, "not numeric: abc"),
    ({"DATABASE_URL": "mysql://x@h/db"}, "DATABASE_URL must start with sqlite:// or postgresql://"),
    ({"DATABASE_URL": "postgresql+asyncpg://u:secret@h:54x2/db"}, "DATABASE_URL is not a valid URL"),
    ({"RASA_URL": "127.0.0.1:5005"}, "RASA_URL must start with http:// or https://"),
    ({"PUBLIC_URL": "https://"}, "PUBLIC_URL has no host name"),
    ({"REDIS_URL": "localhost:6379"}, "REDIS_URL must start with redis:// or rediss://"),
    ({"TRACKER_STORE_URL": "mongodb://h/rasa"}, "TRACKER_STORE_URL must start with"),
    ({"TRACKER_STORE_SCHEMA": "rasa; drop"}, "TRACKER_STORE_SCHEMA must be a plain name"),
    ({"RASA_WORKERS": "2"}, "RASA_WORKERS=2 needs REDIS_URL"),
    ({"RASA_WORKERS": "0"}, "RASA_WORKERS must be at least 1"),
    ({"WHATSAPP_GRAPH_URL": "https://graph.facebook.com/v21.0"}, "the version is WHATSAPP_GRAPH_VERSION"),
    ({"WHATSAPP_GRAPH_VERSION": "25"}, "WHATSAPP_GRAPH_VERSION must look like v25.0"),
])
def test_a_bad_value_fails_with_its_name_instead_of_a_default(env: dict[str, str], named: str) -> None:
    with pytest.raises(settings.ConfigError, match=named.replace("(", r"\(").replace("+", r"\+")) as raised:
        load(**env)
    assert "secret" not in str(raised.value)  # a password in a URL is never repeated


def test_good_values_and_the_derived_defaults() -> None:
    local = load()
    assert local.mode == "local" and local.is_local_default and local.redis_url == "" and local.rasa_workers == 1
    assert local.tracker_store_url == "sqlite:////tmp/musrenbang-settings-test/tracker.db"
    assert local.whatsapp_graph_url == "https://graph.facebook.com/v25.0"
    on_pg = load(DATABASE_URL="postgresql+asyncpg://u:p@db.internal:5432/musrenbang", REDIS_URL="redis://r:6379/1",
                 RASA_WORKERS="2", LEARNED_FAQ="no", WHATSAPP_GRAPH_VERSION="v24.0")
    assert on_pg.tracker_store_url == "postgresql://u:p@db.internal:5432/musrenbang"
    assert on_pg.tracker_store_is_postgres and on_pg.rasa_workers == 2 and not on_pg.learned_faq
    assert on_pg.whatsapp_graph_url == "https://graph.facebook.com/v24.0" and not on_pg.is_local_default
    own = load(DATABASE_URL="postgresql+asyncpg://u:p@h/app", TRACKER_STORE_URL="postgresql://u:p@h/rasa_db")
    assert own.tracker_store_url == "postgresql://u:p@h/rasa_db"


@pytest.mark.parametrize("env", [
    {"DATABASE_URL": "postgresql+asyncpg://u:p@h/db"},
    {"MUSRENBANG_MODE": "production"},
])
def test_secrets_are_required_outside_the_local_sqlite_default(env: dict[str, str], tmp_path: Path) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"m")
    config = load(**env, MUSRENBANG_MODEL=str(model))
    with pytest.raises(settings.ConfigError, match="SESSION_SECRET, RASA_TOKEN must be set"):
        _check(config, {})
    _check(config, {"SESSION_SECRET": "s" * 64, "RASA_TOKEN": "t" * 64})  # given: fine
    with pytest.raises(settings.ConfigError, match="WHATSAPP_APP_SECRET must be set"):
        _check(load(**env, MUSRENBANG_MODEL=str(model), WHATSAPP_TOKEN="w"),
               {"SESSION_SECRET": "s" * 64, "RASA_TOKEN": "t" * 64, "WHATSAPP_TOKEN": "w"})


def _check(config: settings.Settings, secrets: dict[str, str]) -> list[str]:
    """check_startup as a process with exactly these secrets in its environment would run it."""
    token = settings._SOURCE.set({**BASE, **secrets})
    try:
        return settings.check_startup(config)
    finally:
        settings._SOURCE.reset(token)


def test_locally_on_sqlite_generated_secrets_are_enough() -> None:
    assert _check(load(), {}) == []


def test_production_needs_a_built_model(tmp_path: Path) -> None:
    secrets = {"SESSION_SECRET": "s" * 64, "RASA_TOKEN": "t" * 64}
    with pytest.raises(settings.ConfigError, match="MUSRENBANG_MODEL must name a trained model file"):
        _check(load(MUSRENBANG_MODE="production"), secrets)
    with pytest.raises(settings.ConfigError, match="no model file at"):
        _check(load(MUSRENBANG_MODE="production", MUSRENBANG_MODEL=str(tmp_path / "missing.tar.gz")), secrets)


def test_the_graph_version_warns_within_90_days_of_its_end() -> None:
    assert graph_versions.DEFAULT_VERSION == "v25.0"
    assert graph_versions.end_of_life_warning("v25.0", date(2026, 12, 3)) is None
    near = graph_versions.end_of_life_warning("v21.0", date(2026, 12, 3))  # ends 2027-01-21: 49 days
    assert near is not None and "2027-01-21" in near and "49 days" in near and "v25.0" in near
    assert graph_versions.end_of_life_warning("v21.0", date(2026, 10, 22)) is None  # 91 days before
    assert "ended" in graph_versions.end_of_life_warning("v20.0", date(2026, 12, 3))
    assert graph_versions.end_of_life_warning("v99.0", date(2026, 12, 3)) is None  # newer than the table


def test_a_process_started_with_a_bad_value_says_so_in_one_line() -> None:
    """`python -m bot` with a typo in a port: one clear line and a failed exit, not a default port."""
    result = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**BASE, "PATH": "/usr/bin:/bin", "GATEWAY_PORT": "8o80"})
    assert result.returncode != 0
    assert result.stderr.strip() == "error: GATEWAY_PORT must be a whole number, not '8o80'"


def test_the_start_warns_about_a_configured_graph_version_near_its_end() -> None:
    secrets = {"WHATSAPP_TOKEN": "w", "WHATSAPP_APP_SECRET": "a"}
    old = load(WHATSAPP_GRAPH_VERSION="v21.0", **secrets)
    [warning] = _check(old, secrets)  # 2027-01-21: within 90 days from December 2026 on, or already past
    assert "WHATSAPP_GRAPH_VERSION v21.0" in warning and "2027-01-21" in warning
    assert _check(load(**secrets), secrets) == []  # the default, v25.0, runs to July 2028
