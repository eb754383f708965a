"""`./musrenbang backup FILE` and `./musrenbang restore FILE`: one archive with everything an instance needs.

What goes in (a gzip'd tar, owner-only):
- the database: SQLite through its online backup API (a consistent copy while the services run), or
  PostgreSQL through `pg_dump --format=custom` (consistent too; Rasa's tracker store is in it when it is a
  schema of the same database, as by default);
- Rasa's tracker store when it is elsewhere: its SQLite file (online backup again) or its schema in another
  PostgreSQL database (`pg_dump --schema`);
- the citizens' photos, from the photo store of the settings (storage/photos.py): the media directory, or
  the S3 bucket of MEDIA_URL, read object by object — so the archive alone restores an instance, into a
  directory or a bucket alike, whatever the provider keeps (versioning, replication) besides;
- the installation's generated secrets in var/ (session_secret, rasa_token), so officers stay logged in
  and tools keep reaching Rasa after a restore.

Restore goes into an empty instance only (no table in the database, no photo of the same name): it never
mixes two installations. Then the schema is brought to this version's head, as `./musrenbang migrate` does.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from sqlalchemy.engine import make_url

from core import settings
from storage import migrate, photos

FORMAT = 1
SECRETS = ("session_secret", "rasa_token")


class BackupError(RuntimeError):
    """Why a backup or restore cannot go on (said in one line)."""


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password (it goes in PGPASSWORD, not on a command line that
    `ps` shows) and the environment for pg_dump/pg_restore."""
    parts = urlsplit(url.replace("+asyncpg", "").replace("+psycopg2", ""))
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    netloc = parts.netloc.rsplit("@", 1)
    host = netloc[-1]
    user = netloc[0].split(":", 1)[0] if len(netloc) == 2 else ""
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("options="))
    return urlunsplit(("postgresql", f"{user}@{host}" if user else host, parts.path, query, "")), env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[-1000:]}")


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the services write."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _same_database(a: str, b: str) -> bool:
    one, two = make_url(a), make_url(b)
    return (one.host, one.port or 5432, one.database) == (two.host, two.port or 5432, two.database)


def _add_file(archive: tarfile.TarFile, path: Path, name: str) -> None:
    info = archive.gettarinfo(str(path), arcname=name)
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    with path.open("rb") as handle:
        archive.addfile(info, handle)


def _add_bytes(archive: tarfile.TarFile, data: bytes, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    archive.addfile(info, io.BytesIO(data))


def backup(config: settings.Settings, out: Path) -> dict:
    """Write the archive to `out` (atomically, owner-only); returns its manifest."""
    postgres = config.database_url.startswith("postgresql")
    tracker_in_database = config.tracker_store_is_postgres and postgres and _same_database(
        config.database_url, config.tracker_store_url)
    manifest = {"format": FORMAT, "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "database": "postgresql" if postgres else "sqlite", "schema": migrate.head(),
                "tracker": "in-database" if tracker_in_database else
                ("postgresql" if config.tracker_store_is_postgres else "sqlite"),
                "tracker_schema": config.tracker_store_schema, "media": 0,
                "media_store": "s3" if config.media_url else "directory", "secrets": []}
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="musrenbang-backup-") as work_dir:
        work = Path(work_dir)
        if postgres:
            dsn, env = _libpq(config.database_url)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(work / "db"), dsn], env)
        else:
            source = Path(make_url(config.database_url).database or "")
            if not source.is_file():
                raise BackupError(f"no database at {source}")
            _sqlite_copy(source, work / "db")
        tracker = None
        if manifest["tracker"] == "postgresql":
            dsn, env = _libpq(config.tracker_store_url)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--schema",
                  config.tracker_store_schema, "--file", str(work / "tracker"), dsn], env)
            tracker = work / "tracker"
        elif manifest["tracker"] == "sqlite":
            source = Path(make_url(config.tracker_store_url).database or "")
            if source.is_file():
                _sqlite_copy(source, work / "tracker")
                tracker = work / "tracker"
        temporary = out.with_name(out.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            _add_file(archive, work / "db", "database")
            if tracker is not None:
                _add_file(archive, tracker, "tracker")
            store = photos.store_of(config)
            for name in sorted(name for name, _ in store.listing() if photos.readable(name)):
                data = store.get(name)
                if data is None:  # swept meanwhile
                    continue
                _add_bytes(archive, data, f"media/{name}")
                manifest["media"] += 1
            for name in SECRETS:
                if (config.var_dir / name).is_file():
                    _add_file(archive, config.var_dir / name, f"secrets/{name}")
                    manifest["secrets"].append(name)
            _add_bytes(archive, json.dumps(manifest, indent=2).encode(), "manifest.json")
        os.replace(temporary, out)
    return manifest


def restore(config: settings.Settings, archive_path: Path) -> dict:
    """Restore the archive into this (empty) instance; returns the archive's manifest."""
    with tarfile.open(archive_path, "r:gz") as archive, tempfile.TemporaryDirectory(
            prefix="musrenbang-restore-") as work_dir:
        work = Path(work_dir)
        archive.extractall(work, filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive_path} is not a backup of this format ({manifest.get('format')!r})")
        postgres = config.database_url.startswith("postgresql")
        if manifest["database"] != ("postgresql" if postgres else "sqlite"):
            raise BackupError(f"the backup holds a {manifest['database']} database, DATABASE_URL is not one: "
                              "restore it into an instance of the same kind")
        if postgres:
            found = migrate.existing_tables(config.database_url)
        else:
            target = Path(make_url(config.database_url).database or "")
            found = migrate.existing_tables(config.database_url) if target.is_file() else []
        if found:
            raise BackupError(f"the database is not empty ({len(found)} tables): restore only into an empty "
                              "instance, never over a running one")
        media = work / "media"
        store = photos.store_of(config)
        archived = sorted(p for p in media.glob("*") if p.is_file() and photos.readable(p.name))
        clashes = [p for p in archived if store.exists(p.name)]
        if clashes:
            raise BackupError(f"{len(clashes)} photos already exist in {store.where}: restore into an empty one")

        if postgres:
            dsn, env = _libpq(config.database_url)
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", dsn,
                  str(work / "database")], env)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            _sqlite_copy(work / "database", target)
        if (work / "tracker").is_file():
            if config.tracker_store_is_postgres:
                dsn, env = _libpq(config.tracker_store_url)
                _run(["pg_restore", "--no-owner", "--no-privileges", "--dbname", dsn, str(work / "tracker")], env)
            else:
                tracker_file = Path(make_url(config.tracker_store_url).database or "")
                if not tracker_file.exists():
                    tracker_file.parent.mkdir(parents=True, exist_ok=True)
                    _sqlite_copy(work / "tracker", tracker_file)
        for photo in archived:  # into the directory or the bucket this instance is configured with
            store.put(photo.name, photo.read_bytes())
        for name in manifest.get("secrets", []):
            destination = config.var_dir / name
            if not destination.exists() and (work / "secrets" / name).is_file():
                config.var_dir.mkdir(parents=True, exist_ok=True)
                descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write((work / "secrets" / name).read_bytes())
    migrate.upgrade(config.database_url)  # a backup of an older version: its schema to this version's head
    return manifest


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="./musrenbang", description="backup and restore of an instance")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("backup", help="write the archive").add_argument("file")
    commands.add_parser("restore", help="restore an archive into this empty instance").add_argument("file")
    args = parser.parse_args(argv)
    os.umask(0o077)
    try:
        config = settings.load()
        if args.command == "backup":
            manifest = backup(config, Path(args.file))
        else:
            manifest = restore(config, Path(args.file))
    except (settings.ConfigError, BackupError, migrate.SchemaBehind) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(json.dumps({"command": args.command, "file": args.file, **manifest}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
