"""Citizens' photos: what counts as one, how large it may be, how it is stored and read back.

Every channel (web upload, Telegram, WhatsApp) takes a photo through here, so the accepted types,
the size limit and the atomic write hold the same everywhere. The file name is chosen before the
bytes arrive, because it travels in the message relayed to Rasa (`share_text`); the action server
checks that the file exists, so it must never see half a photo.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

SIGNATURES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"RIFF", "webp"))
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
EXTENSIONS = {content_type: extension for extension, content_type in CONTENT_TYPES.items()}
STORED_RE = re.compile(r"^[A-Za-z0-9_-]{1,100}\.(jpg|png|webp)$")  # a reference that may be read back


class Refused(Exception):
    """Not a photo we take: too large, not an image, or not the type the platform announced."""


class Unavailable(Exception):
    """The platform could not hand the photo over now (network, server trouble): ask to send it again."""


def kind_of(data: bytes) -> str | None:
    """The image type by its first bytes ("jpg", "png", "webp"); None for anything else."""
    for magic, kind in SIGNATURES:
        if data.startswith(magic) and (kind != "webp" or data[8:12] == b"WEBP"):
            return kind
    return None


def extension_for(content_type: str) -> str | None:
    """The extension of a declared MIME type ("image/jpeg; charset=…" → "jpg"); None if not taken."""
    return EXTENSIONS.get(content_type.split(";")[0].strip().lower())


def new_name(extension: str) -> str:
    """A fresh, unguessable file name for a photo of this type."""
    return f"{uuid.uuid4().hex}.{extension}"


def share_text(name: str) -> str:
    """What Rasa receives for a stored photo (the form's photo answer)."""
    return f'/share_photo{{"photo_ref":"{name}"}}'


def megabytes(limit: int) -> int:
    """The limit as the citizen is told it."""
    return limit // (1024 * 1024)


def check(data: bytes, limit: int, extension: str | None = None) -> str:
    """The image type of `data`; Refused when it is too large, not an image, or not `extension`."""
    kind = kind_of(data)
    if len(data) > limit or kind is None or (extension is not None and kind != extension):
        raise Refused(f"{len(data)} bytes of {kind or 'no image type'}")
    return kind


def store(folder: Path, name: str, data: bytes) -> None:
    """Write the file under a temporary name, then rename it: readers see all of it or nothing."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.part"
    partial.write_bytes(data)
    partial.replace(folder / name)


async def store_async(folder: Path, name: str, data: bytes) -> None:
    """`store` off the event loop: a slow disk must not hold up other chats."""
    await asyncio.to_thread(store, folder, name, data)


def path_of(folder: Path, name: str | None) -> tuple[Path, str] | None:
    """A stored photo's path and content type, when `name` is a photo reference inside `folder`."""
    match = STORED_RE.match(name or "")
    if match is None:
        return None
    root = folder.resolve()
    path = (root / name).resolve()
    if path.parent != root or not path.is_file():
        return None
    return path, CONTENT_TYPES[match.group(1)]


def readable(name: str | None) -> bool:
    """Whether `name` has the shape of a photo reference (without looking at the disk)."""
    return bool(name and STORED_RE.match(name))
