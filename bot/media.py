"""Citizens' photos: what counts as one, how large it may be, how it is stored and read back.

Every channel (web upload, Telegram, WhatsApp) takes a photo through here, so the accepted types,
the size limit, the decoding and the atomic write hold the same everywhere. Every photo is decoded
(at most `max_pixels`, so a small file cannot unpack into gigabytes) and stored re-encoded: what is
kept is pixels only, without the EXIF block (the GPS position of the citizen's home, the phone's
serial number) or any other metadata a file may carry. The file name is chosen before the
bytes arrive, because it travels in the message relayed to Rasa (`share_text`); the action server
checks that the file exists, so it must never see half a photo. The folder is MEDIA_DIR
(`settings.media_dir`, a shared volume when processes run on several machines): the gateway writes
there, the console reads there (`path_of`), the action server checks there.
"""

from __future__ import annotations

import asyncio
import io
import re
import time
import uuid
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from storage import proposals
from storage.db import Database

PIL_FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
MAX_SIDE = 3000  # larger photos are scaled down: enough for an officer to see a pothole
SIGNATURES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"RIFF", "webp"))
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
EXTENSIONS = {content_type: extension for extension, content_type in CONTENT_TYPES.items()}
STORED_RE = re.compile(r"^[A-Za-z0-9_-]{1,100}\.(jpg|png|webp)\Z")  # a reference that may be read back


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


def store(folder: Path, name: str, data: bytes) -> None:
    """Write the file under a temporary name, then rename it: readers see all of it or nothing."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.part"
    partial.write_bytes(data)
    partial.replace(folder / name)


async def store_async(folder: Path, name: str, data: bytes) -> None:
    """`store` off the event loop: a slow disk must not hold up other chats."""
    await asyncio.to_thread(store, folder, name, data)


def sweep(folder: Path, keep: set[str], older_than_s: float, now: float | None = None) -> list[str]:
    """Remove the photos no proposal refers to (`keep`) once they are older than `older_than_s` (a form
    still open may hold a newer one; Rasa ends a session after 8 hours), and half-written files.
    Returns the names removed."""
    if not folder.is_dir():
        return []
    cutoff = (now if now is not None else time.time()) - older_than_s
    removed = []
    for path in folder.iterdir():
        name = path.name
        stored = STORED_RE.match(name) or (name.startswith(".") and name.endswith(".part"))
        if not stored or name in keep or not path.is_file():
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(name)
        except FileNotFoundError:  # another gateway swept it first
            continue
    return sorted(removed)


async def sweep_unreferenced(db: Database, folder: Path, older_than_s: float) -> list[str]:
    """`sweep` against the photo references stored in proposals (the gateway runs it every hour;
    `./musrenbang media sweep` on demand)."""
    keep = await proposals.photo_refs(db)
    return await asyncio.to_thread(sweep, folder, keep, older_than_s)


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
