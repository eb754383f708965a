"""Reading citizens' free-text answers: descriptions, RT/RW, map pins and "skip" words.

Kept apart from the Rasa actions so the same rules serve every channel and are unit-tested.
"""

from __future__ import annotations

import re

from core import numbers

SKIP = "skip"  # the stored value of an optional answer the citizen skipped

_SKIP_WORDS = {
    "lewati", "lewat", "skip", "tidak ada", "tdk ada", "gak ada", "ga ada", "gk ada", "nggak ada", "ngga ada",
    "enggak ada", "ndak ada", "tidak punya", "gak punya", "ga punya", "nanti saja", "-", "kosong", "tidak",
    "gak", "nggak", "ga", "none", "no", "mboten wonten", "ora ana", "ora ono", "teu aya", "henteu aya",
    "lewati saja", "skip aja", "lewati aja", "tidak usah", "gak usah", "ga usah",
    # "no need" in the three languages: the polite answer to an optional question
    "nggak usah", "ngga usah", "enggak usah", "gk usah", "tdk usah", "gausah", "ndak usah", "tidak perlu",
    "gak perlu", "ga perlu", "nggak perlu", "tidak ada foto", "belum ada", "ora usah", "ra usah", "ora sah",
    "mboten usah", "boten usah", "ora perlu", "mboten perlu", "boten perlu", "boten wonten", "ora", "mboten",
    "ora ono foto", "dereng wonten", "durung ana", "durung ono", "teu kedah", "teu usah", "henteu kedah",
    "teu perlu", "euweuh", "teu", "henteu", "teu acan aya", "teu gaduh", "teu boga", "liwat", "liwati",
    "lewat wae", "lewati wae", "lewat mawon",
}
# The questions of the proposal form that may be skipped ("lewati").
SKIPPABLE = ("rt_rw", "photo", "map_pin")

_LEAD_IN = re.compile(
    r"^\s*(?:(?:saya|sy|aku|aq|kami|kita|gue|gua|gw|aye|abdi|kula|kulo)\s+)?"
    r"(?:(?:mau|ingin|pengen|pgn|pingin|hendak|akan|mo|mohon|tolong|tlg|minta|berencana|arep|badhe|bade|hoyong)\s+)*"
    r"(?:(?:meng?usul(?:kan|in)?|ngusul(?:in|ke?n)?|usul(?:an|in|kan)?|mengajukan|ngajuin|ajukan|mengusulkan|"
    r"melaporkan|lapor(?:kan)?|ngusulake?n|ngusulkeun)\s+)?"
    r"(?:(?:usulan|usul)\s+)?(?:(?:untuk|utk|buat|supaya|agar|yaitu|yakni|berupa|soal|tentang)\s+)?",
    re.IGNORECASE,
)
_LOCATION_TAIL = re.compile(
    r"[\s,]+(?:di\s+|wonten\s+(?:ing\s+)?|ing\s+|neng\s+|ning\s+|nang\s+|ring\s+|teng\s+|dhateng\s+|ka\s+)?"
    r"(?:rt\b|rw\b|desa\b|ds\.?\s|kel\b|kel\.|kelurahan\b|kalurahan\b|"
    r"kec\b|kec\.|kecamatan\b|kapanewon\b|dusun\b|dsn\.?\s|padukuhan\b|kabupaten\b|kab\.)",
    re.IGNORECASE,
)
_RT = re.compile(r"\brt\.?\s*[:\-]?\s*0*(\d{1,3})\b", re.IGNORECASE)
_RW = re.compile(r"\brw\.?\s*[:\-]?\s*0*(\d{1,3})\b", re.IGNORECASE)
_RT_RW_PAIR = re.compile(r"^\s*0*(\d{1,3})\s*[/\-]\s*0*(\d{1,3})\s*$")
_RT_RW_GLUED = re.compile(r"\brt\.?\s*0*(\d{1,3})\s*/?\s*rw\.?\s*0*(\d{1,3})\b", re.IGNORECASE)
_COORDS = re.compile(r"(-?\d{1,2}(?:[.,]\d+)?)\s*[,;\s]\s*(-?\d{2,3}(?:[.,]\d+)?)")

DESCRIPTION_MIN_WORDS = 2
DESCRIPTION_MAX_CHARS = 500


# "none" followed by at most two words is still "none": "gak ada fotonya", "ora ana fotone", "euweuh potona".
_NONE_LEAD = re.compile(
    r"^(?:tidak|tdk|gak|ga|gk|nggak|ngga|enggak|belum|blm)\s+(?:ada|punya)\b|^(?:ora|ra|mboten|boten|dereng|durung)\s+"
    r"(?:ana|ono|wonten|duwe|gadhah)\b|^(?:teu|henteu|teu acan)\s+(?:aya|gaduh|boga)\b|^euweuh\b"
)


def is_skip(text: str | None) -> bool:
    """True for an answer that skips an optional question: "lewati", "gak usah", "ora ana fotone"..."""
    cleaned = re.sub(r"[.!?,;]+$", "", (text or "").strip().lower())
    if cleaned in _SKIP_WORDS:
        return True
    lead = _NONE_LEAD.match(cleaned)
    return bool(lead) and len(cleaned[lead.end():].split()) <= 2


def description_from_request(text: str) -> str | None:
    """The need stated in an opening message, without the lead-in and the location tail.

    "saya mau mengusulkan perbaikan jalan rusak di RT 03 RW 05 Desa X" → "Perbaikan jalan rusak".
    Returns None when what is left is too thin to be a description ("mau usul").
    """
    body = _LEAD_IN.sub("", text or "", count=1)
    tail = _LOCATION_TAIL.search(body)
    if tail:
        body = body[: tail.start()]
    body = re.sub(r"\s+di\s*$", "", body.strip(" ,.;:-!?"), flags=re.IGNORECASE).strip(" ,.;:-!?")
    if len(body.split()) < DESCRIPTION_MIN_WORDS:
        return None
    return clean_description(body)


def clean_description(text: str) -> str:
    collapsed = re.sub(r"\s+", " ", text or "").strip()
    return collapsed[:1].upper() + collapsed[1:]


def parse_rt_rw(text: str | None) -> tuple[str | None, str | None] | None:
    """(rt, rw) zero-padded to 2 digits, either may be None; None if nothing readable."""
    text = numbers.digits_after_rt_rw(text or "")  # "rt tiga rw lima", "RT telu RW papat"
    glued = _RT_RW_GLUED.search(text)
    if glued:
        return _pad(glued.group(1)), _pad(glued.group(2))
    pair = _RT_RW_PAIR.match(text)
    if pair:
        return _pad(pair.group(1)), _pad(pair.group(2))
    rt, rw = _RT.search(text), _RW.search(text)
    if not rt and not rw:
        return None
    return (_pad(rt.group(1)) if rt else None, _pad(rw.group(1)) if rw else None)


def _pad(number: str) -> str | None:
    value = int(number)
    return f"{value:02d}" if 0 < value <= 999 else None


def format_rt_rw(rt: str | None, rw: str | None) -> str:
    parts = [f"RT {rt}" if rt else "", f"RW {rw}" if rw else ""]
    return " / ".join(p for p in parts if p)


def parse_map_pin(text: str | None) -> tuple[float, float] | None:
    """Latitude/longitude from "lat,lon" text (a shared location or typed coordinates)."""
    match = _COORDS.search(text or "")
    if not match:
        return None
    try:
        lat = float(match.group(1).replace(",", "."))
        lon = float(match.group(2).replace(",", "."))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def in_indonesia(lat: float, lon: float) -> bool:
    return -11.5 <= lat <= 6.5 and 94.5 <= lon <= 141.5
