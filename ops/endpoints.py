"""Rasa's endpoints file, written from settings: the action server, the tracker store, the lock store and
the model server.

Rasa reads these from a YAML file only (`rasa run --endpoints FILE`), so every Rasa process gets one
generated from the same settings (TRACKER_STORE_URL, TRACKER_STORE_SCHEMA, REDIS_URL, ACTION_SERVER_URL,
MODEL_URL): Rasa's own scale-out recipe — SQLTrackerStore on PostgreSQL and RedisLockStore, shared by every Sanic
worker and every Rasa process, and its model server, from which every process pulls the published model. The
file holds the database password: it is written owner-only into var/.
`python -m ops.endpoints [--out FILE]` prints or writes it (deployments that start Rasa themselves).
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from core import settings

# Redis keys of the lock store start with this (several installations can share one Redis).
LOCK_KEY_PREFIX = "musrenbang"
DEFAULT_ACTION_SERVER = "http://127.0.0.1:5055/webhook"
# Rasa's SQLTrackerStore with pool_pre_ping on PostgreSQL (turns survive a restart), WAL and pooled connections
# on SQLite, two statements a turn (ops/rasa_tracker.py).
RESILIENT_TRACKER_STORE = "ops.rasa_tracker.ResilientSQLTrackerStore"


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def tracker_store_url(config: settings.Settings) -> str:
    """The URL Rasa's SQLAlchemy engine opens: psycopg2 (Rasa's driver) and, on PostgreSQL, the schema
    of its `events` table as the connection's search_path."""
    url = config.tracker_store_url
    if not config.tracker_store_is_postgres:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-csearch_path={config.tracker_store_schema}"))
    return urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(query), ""))


def lock_store(config: settings.Settings) -> dict[str, str | int | bool] | None:
    """RedisLockStore's arguments from REDIS_URL (None: Rasa's in-memory lock store)."""
    if not config.redis_url:
        return None
    parts = urlsplit(config.redis_url)
    database = parts.path.strip("/") or "1"
    if not database.isdigit():
        raise settings.ConfigError(f"REDIS_URL: the database after the host must be a number, not {database!r}")
    store: dict[str, str | int | bool] = {"type": "redis", "url": parts.hostname or "127.0.0.1",
                                          "port": parts.port or 6379, "db": int(database),
                                          "key_prefix": LOCK_KEY_PREFIX}
    if parts.username:
        store["username"] = unquote(parts.username)
    if parts.password:
        store["password"] = unquote(parts.password)
    if parts.scheme == "rediss":
        store["use_ssl"] = True
    return store


GZIP_MAGIC = b"\x1f\x8b"  # a trained model is a .tar.gz


def check_model_server(url: str, timeout_s: float = 10) -> str:
    """The model server's ETag for the model at `url`, or ConfigError saying what is wrong.

    Rasa's puller logs a missing model (404, refused connection, an HTML page) at debug level and serves with
    no model at all: every turn would go unanswered. Asked here, before Rasa starts, the start stops with
    the reason instead. The ETag is required: Rasa sends it back (If-None-Match) to fetch only a new model."""
    request = urllib.request.Request(url, headers={"Range": "bytes=0-1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            etag, head = response.headers.get("ETag"), response.read(2)
    except urllib.error.HTTPError as error:
        hint = " (publish it: ./musrenbang train --out FILE into the served directory)" if error.code == 404 else ""
        raise settings.ConfigError(f"MODEL_URL: the model server answers {error.code} {error.reason} for "
                                   f"{url}{hint}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise settings.ConfigError(f"MODEL_URL: no model server answers at {url} ({reason})") from None
    if head != GZIP_MAGIC:
        raise settings.ConfigError(f"MODEL_URL: {url} is not a trained model (a .tar.gz from ./musrenbang train)")
    if not etag:
        raise settings.ConfigError(f"MODEL_URL: the model server sends no ETag for {url}; Rasa needs it to pull "
                                   "only a new model (nginx sends one for static files: deploy/nginx)")
    return etag


def render(config: settings.Settings, action_server: str | None = None) -> str:
    action_server = action_server or os.environ.get("ACTION_SERVER_URL", "").strip() or DEFAULT_ACTION_SERVER
    lines = ["# Written by ops/endpoints.py from the settings; do not edit (it is rewritten at every start).",
             "action_endpoint:", f"  url: {_quoted(action_server)}", "", "tracker_store:",
             f"  type: {RESILIENT_TRACKER_STORE}"]
    if config.tracker_store_is_postgres:
        lines += ["  dialect: postgresql", f"  url: {_quoted(tracker_store_url(config))}"]
    else:
        from sqlalchemy.engine import make_url

        lines += ["  dialect: sqlite", f"  db: {_quoted(make_url(config.tracker_store_url).database or '')}"]
    store = lock_store(config)
    if store is not None:
        lines += ["", "lock_store:"]
        for key, value in store.items():
            shown = _quoted(value) if isinstance(value, str) else str(value).lower()
            lines.append(f"  {key}: {shown}")
    if config.model_url:  # Rasa's model server: `rasa run` then takes no --model (ops/stack.py, deploy/)
        lines += ["", "models:", f"  url: {_quoted(config.model_url)}",
                  f"  wait_time_between_pulls: {config.model_pull_interval_s}"]
    return "\n".join(lines) + "\n"


def write(config: settings.Settings, path: Path, action_server: str | None = None) -> Path:
    """Write the endpoints file owner-only (it holds the database and Redis passwords), after checking that
    the model server (MODEL_URL) serves a model: every Rasa start writes this file first."""
    if config.model_url:
        check_model_server(config.model_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not config.tracker_store_is_postgres:  # Rasa creates the file, not its directory
        from sqlalchemy.engine import make_url

        Path(make_url(config.tracker_store_url).database or ".").parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(render(config, action_server))
    os.replace(temporary, path)
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.endpoints", description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="file to write (owner-only); default: print")
    args = parser.parse_args(argv)
    config = settings.load()
    if args.out:
        write(config, Path(args.out))
    else:
        sys.stdout.write(render(config))
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main(sys.argv[1:]))
    except settings.ConfigError as error:
        raise SystemExit(f"error: {error}") from None
