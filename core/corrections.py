"""Corrections a citizen makes to a proposal draft, at any question: "eh salah, RT nya 5",
"dudu Sinduadi ning Sendangadi", "RW na 4 lain 3", "lokasinya salah, bukan X tp Y", "ganti fotonya".

A correction names one field and usually its new value. Only what it names changes; the rest of the
draft stays. Reading is kept apart from the Rasa actions so it is unit-tested and shared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core import answers
from core.language.words import has_word

MARKER = re.compile(
    r"\b(?:salah|slh|keliru|kliru|ralat|koreksi|revisi|ganti|gantos|ngganti|ganti\w*|ubah|rubah|diubah|diganti|"
    r"robih|ngrubah|ngowahi|owahi|benerin|benerake|leresaken|lereskeun|ngalereskeun|bukan|bkn|dudu|duduk|sanes|"
    r"sanés|lain|lanten|maksud(?:nya|ku|e)?|maksud\s+saya|salah\s+ketik|typo|wrong|eh|ehh|sori|sorry|lepat|"
    r"kelirune|kalepatan|lepat)\b",
    re.IGNORECASE,
)
_CONTRAST = re.compile(
    r"\b(?:bukan|bkn|dudu|duduk|sanes|sanés|lain|lanten|not)\s+(?P<old>.+?)[\s,]+(?:tapi|tp|tpi|tetapi|melainkan|"
    r"ning|nanging|ananging|namung|mung|tapi|but|nu|mah|nanging|ananging|tapi\s+di|ning\s+ing)\s+(?P<new>.+)$",
    re.IGNORECASE,
)
# "dudu Sardonoharjo, Sariharjo, isih Ngaglik": the new value after a comma, no "but"
_CONTRAST_COMMA = re.compile(r"\b(?:bukan|bkn|dudu|duduk|sanes|sanés|lanten|not)\s+(?P<old>[^,]+?)\s*,\s*(?P<new>.+)$",
                             re.IGNORECASE)
# "eh lain RT 4, RT 6": not the first number, the one after the comma
_RT_CONTRAST_COMMA = re.compile(r"\b(?:bukan|bkn|dudu|duduk|sanes|sanés|lain|lanten|not)\s+"
                                r"(?P<old>(?:rt|rw)?\s*\d{1,3})\s*,\s*(?P<new>.+)$", re.IGNORECASE)
_TRAILING_NEGATION = re.compile(r"^(?P<new>.+?)[\s,]+(?:bukan|bkn|dudu|duduk|sanes|sanés|lain|lanten|not)\s+.+$",
                                re.IGNORECASE)
_FIELD_CUES: dict[str, re.Pattern] = {
    "map_pin": re.compile(r"\b(?:titik|peta|map|maps|koordinat|pin|share\s*loc|lokasi\s+peta|titik\s+lokasi|"
                          r"tikor)\w*", re.IGNORECASE),
    "photo": re.compile(r"\b(?:foto|poto|photo|gambar|gambaripun|potret)\w*", re.IGNORECASE),
    "village_code": re.compile(r"\b(?:desa|désa|ds|kelurahan|kel|kalurahan|lokasi|tempat|tempatna|alamat|panggonan|"
                               r"papan|kampung|wilayah|daerah|lokasine|lokasina|lokasinya|desane|desana|desanya|"
                               r"kelurahane|lokasipun)\b", re.IGNORECASE),
    "sector": re.compile(r"\b(?:bidang|bidange|bidangna|widang|sektor|jenis|jinis|kategori|kind)\w*", re.IGNORECASE),
    "description": re.compile(r"\b(?:usulan|usulane|usulanna|usulanipun|usulannya|deskripsi|isi|isine|isina|"
                              r"keterangan|uraian|penjelasan|katrangan|pedaran)\b", re.IGNORECASE),
}
_RT_RW_WORD = re.compile(r"\b(rt|rw)[\s\-]*(?:nya|ne|né|na|e|é|ipun|nipun|ku|mu|ipun)\b", re.IGNORECASE)


# Answers that often carry the RT/RW along ("Sendangadi RT 3 RW 5", "jalan rusak di RT 02"): not a correction.
_ANSWERS_WITH_RT_RW = ("village_code", "description")
SURE_PLACE = 90.0  # a desa named with no "desa"/"lokasi" cue must match this well (gazetteer score) to be one


def _outside_rt_rw(text: str) -> bool:
    """Whether the message says something besides the RT/RW (a place name, a description)."""
    rest = re.sub(r"\b(?:rt|rw)\.?[\s\-:]*(?:nya|ne|na|e|ipun)?[\s\-:]*0*\d{1,3}\b", " ", text, flags=re.IGNORECASE)
    return has_word(rest, 3)


@dataclass(frozen=True)
class Correction:
    """One field to change. `value` is None when the citizen only says which field is wrong."""

    field: str
    value: object = None


def _rt_rw_value(text: str) -> tuple[str | None, str | None] | None:
    """RT/RW in a correction; with "bukan 3 tapi 5" / "4 lain 3" the new numbers win."""
    plain = _RT_RW_WORD.sub(r"\1", text)
    contrast = _CONTRAST.search(plain) or _RT_CONTRAST_COMMA.search(plain)
    trailing = None if contrast else _TRAILING_NEGATION.match(plain)
    new = contrast.group("new") if contrast else trailing.group("new") if trailing else plain
    parsed = answers.parse_rt_rw(new)
    if (not parsed or not any(parsed)) and (contrast or trailing):
        # "bukan 3 tapi 5", "RT-ne salah, 7 dudu 1": the new number, for the field named last
        numbers = re.findall(r"\d{1,3}", new)
        which = re.findall(r"\b(rt|rw)\b", plain.lower())
        if numbers and which:
            value = f"{int(numbers[-1]):02d}"
            return (value, None) if which[-1] == "rt" else (None, value)
    return parsed if parsed and any(parsed) else None


def _place_text(text: str) -> str:
    contrast = _CONTRAST.search(text) or _CONTRAST_COMMA.search(text)
    if contrast:
        return contrast.group("new")
    trailing = _TRAILING_NEGATION.match(text)
    if trailing:
        return trailing.group("new")
    after = MARKER.split(text)
    return after[-1] if after and after[-1].strip() else text


def find(text: str, requested: str | None, resolve_place: Callable[[str], list] | None = None) -> Correction | None:
    """The correction in a message, or None when it is no correction (an ordinary answer).

    An answer to the question asked is not a correction of it ("RT 5 RW 3" when RT/RW is asked);
    the same words while another question is open, or with a marker ("salah", "dudu", "lain"), are.
    """
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return None
    marked = bool(MARKER.search(text))
    rt_rw = _rt_rw_value(text) if re.search(r"\b(?:rt|rw)\b", text, re.IGNORECASE) else None
    if rt_rw and not marked and requested in _ANSWERS_WITH_RT_RW and _outside_rt_rw(text):
        return None  # "donokerto turi rt 3 rw 5": the answer asked for, with the RT/RW besides
    if rt_rw and (requested != "rt_rw" or marked):
        return Correction("rt_rw", rt_rw)
    if not marked:
        return None
    cues = [field for field, cue in _FIELD_CUES.items() if cue.search(text)]
    if "village_code" in cues or (not cues and _CONTRAST.search(text)):
        if resolve_place:
            candidates = resolve_place(_place_text(text))
            if candidates:
                return Correction("village_code", candidates)
        if "village_code" in cues:
            return Correction("village_code")
    if not cues and resolve_place:  # "salah, harusnya Sariharjo": a desa named after the marker, nothing else
        candidates = [c for c in resolve_place(_place_text(text)) if getattr(c, "score", 0) >= SURE_PLACE]
        if candidates:
            return Correction("village_code", candidates)
    for field in ("map_pin", "photo", "sector", "description"):
        if field in cues and field != requested:  # naming the field being asked is answering it
            return Correction(field)
    return None


def already_says(text: str, current: str) -> bool:
    """Whether "X, bukan Y" (or "bukan Y tapi X") about the proposal says what the draft already says: X in it,
    Y not. A citizen confirming "ya, sudah benar. Usulannya posyandu, bukan perpustakaan" after the change."""
    sentence = next((part for part in reversed(re.split(r"(?<=[.!?])\s+", text or "")) if MARKER.search(part)), "")
    contrast = _CONTRAST.search(sentence) or _CONTRAST_COMMA.search(sentence)
    trailing = None if contrast else _TRAILING_NEGATION.match(sentence)
    if not (contrast or trailing):
        return False
    new = (contrast or trailing).group("new")
    old = contrast.group("old") if contrast else sentence[trailing.end("new"):]

    def words(part: str) -> set[str]:
        return {w.lower() for w in re.findall(r"[^\W\d_]{3,}", part)
                if not _FIELD_CUES["description"].fullmatch(w) and not MARKER.fullmatch(w)}

    have = current.lower()
    return bool(words(new)) and all(w in have for w in words(new)) and not any(w in have for w in words(old))
