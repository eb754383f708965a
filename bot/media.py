"""Citizens' photos: what counts as one, how large it may be, how it is stored and read back.

Every channel (web upload, Telegram, WhatsApp) takes a photo through here, so the accepted types,
the size limit, the decoding and the atomic write hold the same everywhere. Every photo is decoded
(at most `max_pixels`, so a small file cannot unpack into gigabytes) and stored re-encoded: what is
kept is pixels only, without the EXIF block (the GPS position of the citizen's home, the phone's
serial number) or any other metadata a file may carry. The file name is chosen before the
bytes arrive, because it travels in the message relayed to Rasa (`share_text`); the action server
checks that the file exists, so it must never see half a photo.

Where photos live is one store, chosen by the settings (`store_of(config)`), that every process uses: the
gateway writes (`store_async`), the console reads (`read_async`), the action server checks (`exists`),
the sweep and `./musrenbang backup`/`restore` list, delete and copy. Two backends with the same interface:
- `DirectoryStore`: MEDIA_DIR (default var/media; a shared volume when processes run on several machines),
  written under a hidden name and renamed;
- `S3Store`: MEDIA_URL=s3://bucket/prefix on any S3-compatible service (S3_ENDPOINT_URL, keys from
  S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY, never logged), through boto3; an object appears whole or not at all.
A store that cannot be reached raises `Unavailable` (the citizen is asked to send the photo again).
"""

from __future__ import annotations

import asyncio
import io
import time
import uuid
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from core import settings
from storage import proposals
from storage.db import Database
from storage.photos import (  # noqa: F401 - the stores are part of this module's interface
    CONTENT_TYPES,
    STORED_RE,
    DirectoryStore,
    MediaStore,
    S3Store,
    Unavailable,
    check_store,
    readable,
    store_of,
)

PIL_FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
MAX_SIDE = 3000  # larger photos are scaled down: enough for an officer to see a pothole
SIGNATURES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"RIFF", "webp"))
EXTENSIONS = {content_type: extension for extension, content_type in CONTENT_TYPES.items()}


class Refused(Exception):
    """Not a photo we take: too large, not an image, or not the type the platform announced."""


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


def reencode(data: bytes, kind: str, max_pixels: int) -> bytes:
    """The photo decoded and written again in its own type, upright and without metadata; Refused
    when it does not decode or has more than `max_pixels` pixels (checked from the header, before
    the pixels are unpacked)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PIL_FORMATS[kind]]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise Refused(f"{width}x{height} pixels")
                image.load()
                picture = ImageOps.exif_transpose(image)  # keep it upright once the orientation tag is gone
        if picture.mode not in ("RGB", "RGBA", "L", "LA"):
            picture = picture.convert("RGBA" if "transparency" in picture.info or picture.mode == "P" else "RGB")
        if kind == "jpg" and picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        picture.thumbnail((MAX_SIDE, MAX_SIDE))
        out = io.BytesIO()
        options = {"quality": 85} if kind in ("jpg", "webp") else {"optimize": True}
        picture.save(out, format=PIL_FORMATS[kind], **options)  # no exif=, no pnginfo=: nothing but pixels
        return out.getvalue()
    except Refused:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            MemoryError) as error:
        raise Refused(f"not a decodable {kind}: {error}") from error


def accept(data: bytes, limit: int, max_pixels: int, extension: str | None = None) -> tuple[str, bytes]:
    """What every channel stores of a photo: its type and the re-encoded bytes (Refused otherwise)."""
    kind = check(data, limit, extension)
    return kind, reencode(data, kind, max_pixels)


async def accept_async(data: bytes, limit: int, max_pixels: int, extension: str | None = None) -> tuple[str, bytes]:
    """`accept` off the event loop: decoding a large photo takes a while."""
    return await asyncio.to_thread(accept, data, limit, max_pixels, extension)


def store(where: settings.Settings | Path | MediaStore, name: str, data: bytes) -> None:
    """Keep a photo under `name`: readers see all of it or nothing."""
    store_of(where).put(name, data)


async def store_async(where: settings.Settings | Path | MediaStore, name: str, data: bytes) -> None:
    """`store` off the event loop: a slow disk or network must not hold up other chats."""
    await asyncio.to_thread(store, where, name, data)


def exists(where: settings.Settings | Path | MediaStore, name: str | None) -> bool:
    """Whether `name` is a stored photo (the action server's check of the form's photo answer)."""
    return bool(name) and readable(name) and store_of(where).exists(name)


def read(where: settings.Settings | Path | MediaStore, name: str | None) -> tuple[bytes, str] | None:
    """A stored photo's bytes and content type, when `name` is a photo reference that is stored."""
    match = STORED_RE.match(name or "")
    if match is None:
        return None
    data = store_of(where).get(name)
    return None if data is None else (data, CONTENT_TYPES[match.group(1)])


async def read_async(where: settings.Settings | Path | MediaStore, name: str | None) -> tuple[bytes, str] | None:
    """`read` off the event loop (the officers' console)."""
    return await asyncio.to_thread(read, where, name)


def sweep(where: settings.Settings | Path | MediaStore, keep: set[str], older_than_s: float,
          now: float | None = None) -> list[str]:
    """Remove the photos no proposal refers to (`keep`) once they are older than `older_than_s` (a form
    still open may hold a newer one; Rasa ends a session after 8 hours), and half-written files.
    Returns the names removed."""
    target = store_of(where)
    cutoff = (now if now is not None else time.time()) - older_than_s
    removed = []
    for name, modified in list(target.listing()):
        stored = STORED_RE.match(name) or (name.startswith(".") and name.endswith(".part"))
        if not stored or name in keep or modified >= cutoff:
            continue
        target.delete(name)
        removed.append(name)
    return sorted(removed)


async def sweep_unreferenced(db: Database, where: settings.Settings | Path | MediaStore,
                             older_than_s: float) -> list[str]:
    """`sweep` against the photo references stored in proposals (the gateway runs it every hour;
    `./musrenbang media sweep` on demand)."""
    keep = await proposals.photo_refs(db)
    return await asyncio.to_thread(sweep, where, keep, older_than_s)
