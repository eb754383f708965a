"""What a stored proposal must satisfy, whoever assembled it.

The form checks every answer as it comes, but the action that stores the proposal can be called
with any slots (a forged call to the action server, a tracker edited through Rasa's API, a slot the
form never asked): `problems` is checked again at submission, on the values about to be stored.
"""

from __future__ import annotations

import re
from typing import Protocol

from core import description as descriptions
from core import kamus, regions
from core.sectors import SECTORS

# The names the gateway gives stored photos (bot/media.new_name): 32 hex digits and the image type.
PHOTO_REF_RE = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png|webp)$")


class PhotoStore(Protocol):
    """Where the gateway keeps photos (bot/media.store_of: MEDIA_DIR or an S3 store)."""

    def exists(self, name: str) -> bool: ...


def photo_ref_ok(name: str | None, photos: PhotoStore) -> bool:
    """A photo reference the gateway made, whose photo is in the photo store."""
    return bool(name and PHOTO_REF_RE.match(name) and photos.exists(name))


def problems(*, description: str | None, sector: str | None, item_code: str | None, village_code: str | None,
             photo_ref: str | None, region_code: str, photos: PhotoStore,
             gazetteer: regions.Gazetteer | None = None) -> list[str]:
    """Why these values may not be stored (empty when they may): the desa must be a desa/kelurahan of
    the deployment's region, the sector a known one, the kamus item one of that sector, the photo one
    the gateway stored, and the description present."""
    found = []
    text = (description or "").strip() if isinstance(description, str) else ""
    if not text or len(text) > descriptions.MAX_CHARS:
        found.append("description")
    if sector not in SECTORS:
        found.append("sector")
    if item_code is not None:
        item = kamus.item(item_code) if isinstance(item_code, str) else None
        if item is None or item.sector != sector:
            found.append("kamus_item")
    g = gazetteer or regions.gazetteer()
    village = g.by_code.get(village_code) if isinstance(village_code, str) else None
    if village is None or village.level != 4 or not village.code.startswith(region_code + "."):
        found.append("village_code")
    if photo_ref is not None and not photo_ref_ok(photo_ref, photos):
        found.append("photo")
    return found
