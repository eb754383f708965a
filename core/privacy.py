"""Personal data in citizens' free text: Indonesian phone numbers, NIK and e-mail addresses.

The one place these patterns live. The public pages mask all three (`redact`); the officers'
Telegram chat masks phone numbers with its own label (`PHONE_RE`) besides the citizen's name.
"""

from __future__ import annotations

import re

REDACTED = "[disembunyikan]"

# +62 8.., 62 8.., 08.., 0274-..: a leading 0 or 62 and 7 to 13 more digits, spaced by blanks, dots
# or dashes, not inside a word. The union of the two patterns the public pages and the officers' chat
# had, less one false hit: thousands groups after a number ("Rp 1.000.000.000" is money).
PHONE_RE = re.compile(r"(?<!\w)(?!(?<=\d[.,])\d{3}(?:[.,]\d{3})*(?!\d))(?:\+?62|0)(?:[\s.\-]?\d){7,13}(?!\d)")
NIK_RE = re.compile(r"(?<!\d)\d{16}(?!\d)")
EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
PERSONAL_RE = re.compile("|".join(f"(?:{p.pattern})" for p in (PHONE_RE, NIK_RE, EMAIL_RE)))


def redact(text: str | None, mark: str = REDACTED) -> str:
    """`text` with every phone number, NIK and e-mail address replaced by `mark`."""
    return PERSONAL_RE.sub(mark, text or "")
