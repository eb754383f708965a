"""Number words after RT/RW in Indonesian, Javanese (ngoko and krama) and Sundanese: "rt tiga rw lima",
"RT telu RW papat", "rt tilu rw opat" → "rt 3 rw 5".

Only words right after "rt"/"rw" are read: elsewhere "lima" is a city, "dua" part of "kedua" and "siji"
a name, and a proposal's description must reach the officer as the citizen wrote it. Used by the NLU
normaliser (core/language/normalise.py) and by the proposal form's RT/RW answer (core/answers.py).
"""

from __future__ import annotations

import re

_UNITS = {
    # Indonesian
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
    "sembilan": 9,
    # Javanese ngoko / krama
    "siji": 1, "setunggal": 1, "loro": 2, "kalih": 2, "telu": 3, "papat": 4, "sekawan": 4, "gangsal": 5,
    "enem": 6, "pitu": 7, "wolu": 8, "sanga": 9, "songo": 9,
    # Sundanese
    "hiji": 1, "tilu": 3, "opat": 4, "genep": 6, "dalapan": 8, "salapan": 9,
}
_WHOLE = {
    "sepuluh": 10, "sedasa": 10, "sapuluh": 10, "sebelas": 11, "sewelas": 11, "sabelas": 11, "rolas": 12,
    "kalihwelas": 12, "telulas": 13, "patbelas": 14, "limalas": 15, "nembelas": 16, "pitulas": 17,
    "wolulas": 18, "sangalas": 19, "rongpuluh": 20, "kalihdasa": 20, "seratus": 100, "satus": 100,
}
_TEENS = ("belas", "welas")  # "dua belas", "tilu belas", "kalih welas"
_TENS = ("puluh", "dasa")  # "tiga puluh", "kalih dasa"
_AFTER_RT_RW = re.compile(r"\b(rt|rw)\.?\s*[:\-]?\s*([a-z]+(?:\s+(?!rt\b|rw\b)[a-z]+){0,2})", re.IGNORECASE)


def read_words(words: list[str]) -> tuple[int, int] | None:
    """(value, words used) of the number the words start with, or None when they do not start with one."""
    if not words:
        return None
    first = words[0].lower()
    if first in _WHOLE:
        return _WHOLE[first], 1
    if first not in _UNITS:
        return None
    value = _UNITS[first]
    second = words[1].lower() if len(words) > 1 else ""
    if second in _TEENS:
        return 10 + value, 2
    if second in _TENS:
        third = words[2].lower() if len(words) > 2 else ""
        if third in _UNITS:
            return value * 10 + _UNITS[third], 3
        return value * 10, 2
    return value, 1


def digits_after_rt_rw(text: str) -> str:
    """`text` with number words right after "rt"/"rw" written as digits; everything else unchanged."""

    def replace(match: re.Match[str]) -> str:
        words = match.group(2).split()
        number = read_words(words)
        if number is None:
            return match.group(0)
        value, used = number
        rest = " ".join(words[used:])
        return f"{match.group(1)} {value}" + (f" {rest}" if rest else "")

    return _AFTER_RT_RW.sub(replace, text)
