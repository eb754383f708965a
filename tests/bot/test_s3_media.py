"""Photos in an S3-compatible store (MEDIA_URL=s3://bucket/prefix), the edge faked by moto's standalone S3
server (tests/fakes/s3.py), a separate process spoken to over HTTP as MinIO or a cloud bucket would be:
a citizen's photo arriving on Telegram is stored in the bucket (nothing on the gateway's disk), the action
server's check finds it there, another gateway's console shows it to an officer, the sweep removes what no
proposal refers to, and a store that cannot be used stops the start, or asks the citizen to send again,
without ever showing the secret key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot import media
from bot.app import create_app
from core import proposal_rules, settings
from ops.stack import ROOT
from storage import photos
from storage.db import Database
from tests.bot.conftest import eventually, post
from tests.bot.sites import VILLAGE_A, Gateway, make_officer, propose
from tests.conftest import free_port
from tests.fakes.s3 import SECRET_ACCESS_KEY, S3Server, s3_server
from tests.images import JPEG, PNG, decodes_as


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory):
    with s3_server(tmp_path_factory.mktemp("moto") / "moto.log") as server:
        yield server


@pytest.fixture
def bucket(s3: S3Server) -> str:
    return s3.make_bucket(f"musrenbang-{uuid.uuid4().hex[:12]}")


async def test_a_citizens_photo_is_stored_in_s3_and_shown_to_an_officer_on_another_gateway(
        s3: S3Server, bucket: str, make_gateway, fake, rasa, tmp_path: Path, sqlite_db_url: str) -> None:
    gateway = await make_gateway(**s3.settings(bucket))
    update = fake.photo_update(105, JPEG, caption="jalan berlubang")
    assert await post(gateway, update) == 200
    await eventually(lambda: rasa.texts_from("telegram:105"))
    relayed = rasa.texts_from("telegram:105")[0]
    name = re.fullmatch(r'/share_photo\{"photo_ref":"([0-9a-f]{32}\.jpg)"\}', relayed).group(1)
    assert s3.keys(bucket) == [f"photos/{name}"]  # in the bucket, under the prefix
    stored = s3.client().get_object(Bucket=bucket, Key=f"photos/{name}")
    in_bucket = stored["Body"].read()
    assert stored["ContentType"] == "image/jpeg" and decodes_as(in_bucket, "jpg")
    assert not (tmp_path / "var" / "media").exists()  # nothing on the gateway's own disk

    # The action server (its own process and settings, from the same environment) accepts the reference.
    action_server = settings.load({**s3.env(bucket), "MUSRENBANG_VAR": str(tmp_path / "actions-var")})
    assert proposal_rules.photo_ref_ok(name, photos.store_of(action_server))
    assert not proposal_rules.photo_ref_ok(f"{uuid.uuid4().hex}.jpg", photos.store_of(action_server))

    # An officer on another gateway (another machine: its own var directory) sees the photo.
    config = settings.Settings(var_dir=tmp_path / "machine-two", database_url=sqlite_db_url, **s3.settings(bucket))
    server = TestServer(create_app(config))
    await server.start_server()
    console = Gateway(server, config, Database(sqlite_db_url))
    try:
        code = await propose(console.db, "citizen-0001", "a", village=VILLAGE_A, photo_ref=name)
        await make_officer(console.db, "desa_a", "desa", VILLAGE_A)
        officer = console.browser()
        assert await officer.login("desa_a") == 302
        async with officer.session.get(f"/officer/usulan/{code}/foto") as response:
            assert response.status == 200 and response.headers["Content-Type"] == "image/jpeg"
            assert await response.read() == in_bucket
    finally:
        await console.close()


def test_the_sweep_removes_unreferenced_photos_from_the_bucket(s3: S3Server, bucket: str, tmp_path: Path) -> None:
    config = settings.Settings(var_dir=tmp_path, **s3.settings(bucket, "kab/foto"))
    kept, orphan = media.new_name("png"), media.new_name("png")
    for name in (kept, orphan):
        media.store(config, name, PNG)
    assert media.read(config, kept) == (PNG, "image/png") and media.exists(config, orphan)
    assert media.sweep(config, {kept, orphan}, 3600) == []  # young, or referenced: kept
    assert media.sweep(config, {kept}, 3600, now=time.time() + 2 * 3600) == [orphan]
    assert s3.keys(bucket) == [f"kab/foto/{kept}"]
    assert media.read(config, "../kab/foto.png") is None and not media.exists(config, None)


def test_a_store_that_cannot_be_used_is_a_clear_error_without_the_secret(s3: S3Server, tmp_path: Path) -> None:
    missing = settings.Settings(var_dir=tmp_path, **s3.settings("no-such-bucket"))
    with pytest.raises(settings.ConfigError, match="s3://no-such-bucket/photos/ cannot be used: no such bucket"):
        media.check_store(missing)
    nobody = settings.Settings(var_dir=tmp_path, **{**s3.settings("photos"),
                                                    "s3_endpoint_url": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(media.Unavailable) as unreachable:
        media.store(nobody, media.new_name("png"), PNG)
    assert SECRET_ACCESS_KEY not in str(unreachable.value) and SECRET_ACCESS_KEY not in repr(nobody)
    # The gateway refuses to start on it, with one line naming the store, never the key.
    env = {**os.environ, **s3.env("no-such-bucket"), "MUSRENBANG_VAR": str(tmp_path / "var"),
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'var' / 'm.db'}", "GATEWAY_PORT": str(free_port())}
    env.pop("MEDIA_DIR", None)
    started = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
    assert started.returncode != 0 and "no such bucket" in started.stderr, started.stderr
    assert SECRET_ACCESS_KEY not in started.stderr + started.stdout and "Traceback" not in started.stderr


@pytest.mark.parametrize(("environ", "message"), [
    ({"MEDIA_URL": "s3://"}, "MEDIA_URL must be s3://bucket/prefix"),
    ({"MEDIA_URL": "https://bucket.example/photos"}, "MEDIA_URL must be s3://bucket/prefix"),
    ({"MEDIA_URL": "s3://AKIAKEY:hunter2-secret@bucket/p"}, "MEDIA_URL must be s3://bucket/prefix"),
    ({"MEDIA_URL": "s3://bucket/p", "MEDIA_DIR": "/srv/media"}, "MEDIA_DIR and MEDIA_URL are both set"),
    ({"MEDIA_URL": "s3://bucket/p", "S3_ACCESS_KEY_ID": "k"}, "go together"),
    ({"MEDIA_URL": "s3://bucket/p", "S3_ENDPOINT_URL": "minio:9000"}, "S3_ENDPOINT_URL must start with"),
])
def test_bad_s3_settings_stop_the_start(environ: dict[str, str], message: str, tmp_path: Path) -> None:
    with pytest.raises(settings.ConfigError, match=message) as refused:
        settings.load({"MUSRENBANG_VAR": str(tmp_path), **environ})
    assert "hunter2-secret" not in str(refused.value)


def test_the_prefix_and_bucket_of_media_url() -> None:
    assert settings.s3_location("s3://musrenbang-sleman") == ("musrenbang-sleman", "")
    assert settings.s3_location("s3://musrenbang-sleman/foto/warga/") == ("musrenbang-sleman", "foto/warga/")
