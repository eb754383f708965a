"""Photos on a shared volume (MEDIA_DIR): a photo one gateway stored is served by another gateway's
console and accepted by the action server's check, though each runs with its own var directory (as
on separate machines). Every process reads and writes photos through bot/media.py under that root."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import media
from core import proposal_rules, settings
from tests.bot.sites import VILLAGE_A, make_officer, propose, start_gateway
from tests.images import image_bytes


async def test_a_photo_stored_by_one_gateway_is_seen_by_every_other_process(
        tmp_path: Path, sqlite_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "volume" / "media"
    monkeypatch.setenv("MEDIA_DIR", str(shared))
    first = await start_gateway(tmp_path, sqlite_db_url, "machine-one")
    second = await start_gateway(tmp_path, sqlite_db_url, "machine-two")
    try:
        assert first.config.media_dir == second.config.media_dir == shared
        _, data = media.accept(image_bytes("png"), first.config.max_photo_bytes, first.config.max_photo_pixels)
        name = media.new_name("png")
        await media.store_async(first.config, name, data)  # what every channel's intake does
        assert proposal_rules.photo_ref_ok(name, media.store_of(settings.load()))  # the action server's check
        code = await propose(first.db, "citizen-0001", "a", village=VILLAGE_A, photo_ref=name)
        await make_officer(first.db, "desa_a", "desa", VILLAGE_A)
        officer = second.browser()
        assert await officer.login("desa_a") == 302
        status, _, response = await officer.get(f"/officer/usulan/{code}/foto")
        assert status == 200 and response.headers["Content-Type"] == "image/png"
        await officer.close()
    finally:
        for gateway in (first, second):
            await gateway.server.close()
            await gateway.db.dispose()


def test_without_media_dir_photos_stay_under_the_var_directory(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDIA_DIR", raising=False)
    assert settings.Settings(var_dir=tmp_path).media_dir == tmp_path / "media"
