"""Personal data in citizens' free text and the public view of what they submit.

The one place these rules live. Phone numbers, NIK and e-mail addresses are masked (`redact`)
wherever a proposal is shown to someone other than its submitter and supporters: the dashboard,
its search and map, Open311, SIPD exports, status replies to strangers and the officers' Telegram
group. Map pins are published rounded (`public_pin`), to about 110 m.
"""

from __future__ import annotations

import re

REDACTED = "[disembunyikan]"
PIN_DECIMALS = 3  # ≈ 110 m: enough to find the road or the drain, not to point at one house

# +62 8.., 62 8.., 08.., 0274-..: a leading 0 or 62 and 7 to 13 more digits, spaced by blanks, dots
# or dashes, not inside a word. The union of the two patterns the public pages and the officers' chat
# had, less one false hit: thousands groups after a number ("Rp 1.000.000.000" is money).
PHONE_RE = re.compile(r"(?<!\w)(?!(?<=\d[.,])\d{3}(?:[.,]\d{3})*(?!\d))(?:\+?62|0)(?:[\s.\-]?\d){7,13}(?!\d)")
NIK_RE = re.compile(r"(?<!\d)\d{16}(?!\d)")
# A NIK written in groups: "3404.0112.3456.0003", "3404 0112 3456 0003", "34.04.01.120345.0003",
# "340401-120345-0003". Checked by `_is_nik` (16 digits starting with a province code), so
# "2026 2027 2028 2029" or an amount of money is left alone.
GROUPED_NIK_RE = re.compile(r"(?<![\w.,])\d{2,6}(?:[ .\-]\d{2,6}){1,7}(?![\w]|[.,]\d)")
EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
PERSONAL_RE = re.compile("|".join(f"(?:{p.pattern})" for p in (PHONE_RE, NIK_RE, EMAIL_RE)))

# Kemendagri province codes (the first two digits of every NIK).
_PROVINCES = frozenset({11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63,
                        64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96})
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:[.,]\d{3})+")


def _is_nik(written: str) -> bool:
    """Whether digits written in groups read as a NIK: 16 digits starting with a province code (the
    birth date is not checked: people mistype it, and a wrong one is still their number); thousands
    groups are money, never a NIK."""
    digits = re.sub(r"\D", "", written)
    return len(digits) == 16 and not _THOUSANDS_RE.fullmatch(written) and int(digits[:2]) in _PROVINCES


def _mask_grouped(written: str, mark: str) -> str:
    """Every run of whole groups in a run of numbers that reads as a NIK, masked ("RT 3 3404 0112 3456
    0003" holds one after the RT number)."""
    parts = re.split(r"([ .\-])", written)  # groups at even places, separators between them
    groups = parts[::2]
    for start in range(len(groups)):
        if not groups[start]:
            continue
        for end in range(start + 1, len(groups) + 1):
            span = "".join(parts[2 * start:2 * end - 1])
            if sum(len(g) for g in groups[start:end]) >= 16:
                if _is_nik(span):
                    return "".join(parts[:2 * start]) + mark + _mask_grouped("".join(parts[2 * end - 1:]), mark)
                break
    return written


def redact(text: str | None, mark: str = REDACTED, phone_mark: str | None = None) -> str:
    """`text` with every phone number, NIK and e-mail address replaced by `mark` (phone numbers by
    `phone_mark` when given: the officers' chat says what was there). NIKs in groups go first, so that
    "3404 0112 3456 0003" is not read as "3404" and a phone number."""
    grouped = GROUPED_NIK_RE.sub(lambda m: _mask_grouped(m.group(0), mark), text or "")
    if phone_mark is not None:
        grouped = PHONE_RE.sub(phone_mark, grouped)
    return PERSONAL_RE.sub(mark, grouped)


def public_text(text: str | None) -> str | None:
    """A citizen's or officer's free text as anyone may read it; None stays None."""
    return None if text is None else redact(text)


def public_pin(latitude: float | None, longitude: float | None) -> tuple[float | None, float | None]:
    """A map pin as anyone may see it: rounded to about 110 m, or none when either half is missing."""
    if latitude is None or longitude is None:
        return None, None
    return round(latitude, PIN_DECIMALS), round(longitude, PIN_DECIMALS)
