"""`./musrenbang backup` / `restore`: an archive of a running instance (database, Rasa's tracker store,
photos, var/ secrets) restored into an empty instance finds every proposal — on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from core import settings
from ops.stack import ROOT
from storage import migrate, proposals, tracker_events
from storage.db import Database
from tests.conftest import in_thread

PHOTO = b"\xff\xd8\xff\xe0 a citizen's photo of the broken road"


def instance_env(url: str, var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_STORE_URL", "RASA_TRACKER_DB", "MUSRENBANG_MODE")}
    return {**env, "DATABASE_URL": url, "MUSRENBANG_VAR": str(var)}


def run(command: str, archive: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ops.backup", command, str(archive)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


async def seed(url: str, config: settings.Settings) -> list[str]:
    """A running instance's state: proposals (one with a photo), a conversation in Rasa's tracker store."""
    db = Database(url)
    try:
        codes = []
        for number, (description, photo) in enumerate([("Jalan rusak di RT 03", "jalan.jpg"),
                                                       ("Lampu jalan mati", None),
                                                       ("Saluran mampet depan balai desa", None)]):
            view, _ = await proposals.submit_proposal(db, "whatsapp", f"62812000000{number}", f"d{number}",
                                                      proposals.ProposalDraft(description=description,
                                                                              sector="jalan",
                                                                              village_code="34.04.07.2001",
                                                                              photo_ref=photo))
            codes.append(view.code)
        config.media_dir.mkdir(parents=True, exist_ok=True)
        (config.media_dir / "jalan.jpg").write_bytes(PHOTO)
        store = tracker_events.TrackerStore.of(config)
        await tracker_events.ensure(store)
        if store.is_postgres:
            async with db.engine.begin() as connection:
                await connection.execute(text("CREATE TABLE rasa.events (id SERIAL PRIMARY KEY, "
                                              "sender_id VARCHAR(255), type_name VARCHAR(255), timestamp FLOAT, "
                                              "data TEXT)"))
                await connection.execute(text("INSERT INTO rasa.events (sender_id, type_name, timestamp) "
                                              "VALUES ('whatsapp:628120000000', 'user', 1)"))
        else:
            import sqlite3

            with sqlite3.connect(store.sqlite_path) as connection:
                connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
                                   "type_name VARCHAR(255), timestamp FLOAT, data TEXT)")
                connection.execute("INSERT INTO events (sender_id, type_name, timestamp) "
                                   "VALUES ('whatsapp:628120000000', 'user', 1)")
            connection.close()
        return codes
    finally:
        await db.dispose()


async def restored(url: str, config: settings.Settings, codes: list[str]) -> None:
    db = Database(url)
    try:
        for code in codes:
            view = await proposals.get_proposal(db, code)
            assert view is not None and view.code == code, code
        assert (await proposals.get_proposal(db, codes[0])).has_photo
    finally:
        await db.dispose()
    assert await tracker_events.forget_conversation(tracker_events.TrackerStore.of(config),
                                                    "whatsapp:628120000000") == 1


def test_a_backup_restored_into_an_empty_instance_finds_every_proposal(
        new_database: Callable[[str], str], tmp_path: Path) -> None:
    old_url, old_var = new_database("old"), tmp_path / "old"
    in_thread(migrate.upgrade, old_url)
    old = settings.load(instance_env(old_url, old_var))
    codes = in_thread(asyncio.run, seed(old_url, old))
    (old_var / "session_secret").write_text("the installation's own session secret")

    archive = tmp_path / "backups" / "musrenbang.tar.gz"
    made = run("backup", archive, instance_env(old_url, old_var))
    assert made.returncode == 0, made.stderr
    manifest = json.loads(made.stdout)
    assert manifest["media"] == 1 and manifest["secrets"] == ["session_secret"]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # personal data: the owner's alone

    new_url, new_var = new_database("new"), tmp_path / "new"
    new_env = instance_env(new_url, new_var)
    back = run("restore", archive, new_env)
    assert back.returncode == 0, back.stderr
    new = settings.load(new_env)
    in_thread(asyncio.run, restored(new_url, new, codes))
    assert (new.media_dir / "jalan.jpg").read_bytes() == PHOTO
    assert (new_var / "session_secret").read_text() == "the installation's own session secret"
    in_thread(migrate.check_current, new_url)

    again = run("restore", archive, new_env)  # never over an instance in use
    assert again.returncode == 1 and "not empty" in again.stderr


def test_photos_in_an_s3_store_are_in_the_backup_and_restored_into_another_bucket(
        new_database: Callable[[str], str], tmp_path: Path) -> None:
    """MEDIA_URL=s3://…: the archive holds the bucket's photos (read through the same store every process
    uses), so it alone restores an instance, into an empty bucket (or directory) of the new one."""
    import uuid

    from storage import photos
    from tests.fakes.s3 import s3_server

    with s3_server(tmp_path / "moto.log") as s3:
        old_bucket = s3.make_bucket(f"old-{uuid.uuid4().hex[:10]}")
        new_bucket = s3.make_bucket(f"new-{uuid.uuid4().hex[:10]}")
        old_url, old_var = new_database("old"), tmp_path / "old"
        in_thread(migrate.upgrade, old_url)
        old_env = {**instance_env(old_url, old_var), **s3.env(old_bucket)}
        old_env.pop("MEDIA_DIR", None)

        async def seed_with_photo() -> str:
            db = Database(old_url)
            try:
                view, _ = await proposals.submit_proposal(db, "telegram", "4242", "k1", proposals.ProposalDraft(
                    description="Jalan rusak di RT 03", sector="jalan", village_code="34.04.07.2001",
                    photo_ref="jalan.jpg"))
                return view.code
            finally:
                await db.dispose()

        code = in_thread(asyncio.run, seed_with_photo())
        photos.store_of(settings.load(old_env)).put("jalan.jpg", PHOTO)
        archive = tmp_path / "backups" / "musrenbang.tar.gz"
        made = run("backup", archive, old_env)
        assert made.returncode == 0, made.stderr
        manifest = json.loads(made.stdout)
        assert manifest["media"] == 1 and manifest["media_store"] == "s3"
        assert s3.keys(old_bucket) == ["photos/jalan.jpg"]  # a backup reads, never moves
        assert "s3-secret" not in made.stdout + made.stderr

        new_url = new_database("new")
        new_env = {**instance_env(new_url, tmp_path / "new"), **s3.env(new_bucket, "restored")}
        new_env.pop("MEDIA_DIR", None)
        back = run("restore", archive, new_env)
        assert back.returncode == 0, back.stderr
        assert s3.client().get_object(Bucket=new_bucket, Key="restored/jalan.jpg")["Body"].read() == PHOTO

        async def has_photo() -> bool:
            db = Database(new_url)
            try:
                return (await proposals.get_proposal(db, code)).has_photo
            finally:
                await db.dispose()

        assert in_thread(asyncio.run, has_photo())
        again_url = new_database("again")  # an empty database, but the bucket already holds these photos
        again = run("restore", archive, {**new_env, "DATABASE_URL": again_url})
        assert again.returncode == 1 and "photos already exist in s3://" in again.stderr
