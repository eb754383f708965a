"""All configuration, read from environment variables in this one place.

Every value has a default that works for a local run on one machine (SQLite, localhost ports),
so `./musrenbang run` needs no configuration at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name: str, default: int) -> int:
    try:
        return int(_env(name, str(default)))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    """A snapshot of the environment; build a new one (`load()`) to see changes."""

    var_dir: Path = field(default_factory=lambda: Path(_env("MUSRENBANG_VAR", str(PROJECT_ROOT / "var"))))
    database_url: str = ""
    region_code: str = field(default_factory=lambda: _env("MUSRENBANG_REGION", "34.04"))
    rasa_url: str = field(default_factory=lambda: _env("RASA_URL", "http://127.0.0.1:5005"))
    gateway_host: str = field(default_factory=lambda: _env("GATEWAY_HOST", "127.0.0.1"))
    gateway_port: int = field(default_factory=lambda: _env_int("GATEWAY_PORT", 8080))
    rasa_timeout_s: int = field(default_factory=lambda: _env_int("RASA_TIMEOUT", 30))
    max_message_chars: int = field(default_factory=lambda: _env_int("MAX_MESSAGE_CHARS", 1000))
    max_photo_bytes: int = field(default_factory=lambda: _env_int("MAX_PHOTO_BYTES", 5 * 1024 * 1024))

    def __post_init__(self) -> None:
        if not self.database_url:
            default = f"sqlite+aiosqlite:///{self.var_dir / 'musrenbang.db'}"
            object.__setattr__(self, "database_url", _env("DATABASE_URL", default))

    @property
    def media_dir(self) -> Path:
        return self.var_dir / "media"


def load() -> Settings:
    return Settings()
