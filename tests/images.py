"""Real, small image files for the tests (the gateway decodes every photo, so magic bytes are not enough)."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825  # the EXIF tag that holds the position the photo was taken at


def image_bytes(kind: str = "jpg", size: tuple[int, int] = (64, 48), gps: bool = False) -> bytes:
    """A `kind` ("jpg", "png", "webp") picture; `gps` adds an EXIF block with a position and a camera
    serial number, as phones write them."""
    picture = Image.new("RGB", size, (120, 90, 60))
    for x in range(0, size[0], 4):  # some detail, so the encoder has something to keep
        picture.putpixel((x, x % size[1]), (250, 250, 250))
    options: dict = {}
    if gps:
        exif = Image.Exif()
        exif[0xA431] = "SERIAL-1234567"  # BodySerialNumber
        exif[GPS_IFD] = {1: "S", 2: (7.0, 46.0, 12.3), 3: "E", 4: (110.0, 22.0, 41.7)}
        options["exif"] = exif.tobytes()
    out = io.BytesIO()
    picture.save(out, format={"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[kind], **options)
    return out.getvalue()


JPEG = image_bytes("jpg")
PNG = image_bytes("png")


def decodes_as(data: bytes, kind: str) -> bool:
    with Image.open(io.BytesIO(data)) as picture:
        picture.load()
        return picture.format == {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[kind]
