"""Tracking codes: `USL-` + 6 random Crockford base32 characters (DESIGN.md contract).

Codes are drawn with `secrets` so they cannot be enumerated. Parsing is forgiving the way
Crockford base32 intends: case-insensitive, dash/space/none, and the look-alikes O→0, I/L→1.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "USL-"
LENGTH = 6

# Accept look-alike letters in the body; they are mapped to their Crockford digits.
_CODE_RE = re.compile(r"(?<![0-9A-Z])USL[\s\-._]?([0-9A-Z]{6})(?![0-9A-Z])", re.IGNORECASE)
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str | None:
    """The canonical `USL-XXXXXX` form of a code written any accepted way, or None."""
    match = _CODE_RE.search(text or "")
    if not match:
        return None
    body = match.group(1).upper().translate(_LOOKALIKES)
    if any(ch not in ALPHABET for ch in body):
        return None
    return PREFIX + body


def find_all(text: str) -> list[str]:
    codes = []
    for match in _CODE_RE.finditer(text or ""):
        code = normalise(match.group(0))
        if code and code not in codes:
            codes.append(code)
    return codes


_PARTIAL_RE = re.compile(r"(?<![0-9A-Z])USL[\s\-._]?([0-9A-Z]{2,5}|[0-9A-Z]{7,8})(?![0-9A-Z])", re.IGNORECASE)


def partial_code(text: str) -> str | None:
    """A code typed with a character too few or too many ("USL-7K3Q9"), to answer "the code has 6
    characters" instead of "not found"; None when the text holds a whole code or none."""
    if find_all(text):
        return None
    match = _PARTIAL_RE.search(text or "")
    return match.group(0).upper() if match else None
