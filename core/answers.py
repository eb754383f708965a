"""Reading citizens' free-text answers: descriptions, RT/RW, map pins and "skip" words.

Kept apart from the Rasa actions so the same rules serve every channel and are unit-tested.
"""

from __future__ import annotations

import re

from core import numbers
from core.language.markers import NEGATIONS, NOT_YET, YES, alternation
from core.language.words import letter_words

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
    "lewat wae", "lewati wae", "lewat mawon", "ra sah", "rasah", "rausah", "orausah", "mboten sah", "teu kudu", "ulah",
    "tak perlu", "tidak usah saja", "ndak perlu", "ga ush", "gk ush", "nggak ush", "lanjut", "lanjut aja",
}
# The questions of the proposal form that may be skipped ("lewati").
SKIPPABLE = ("rt_rw", "photo", "map_pin")

# "rw nya 12", "RT-ne 3", "rw na 4": the possessive between the word and its number
_OF_IT = r"(?:\s*-?\s*(?:nya|ne|na|e|é|ipun|ku|kami)\b)?"
_RT = re.compile(r"\brt\.?" + _OF_IT + r"\s*[:\-]?\s*0*(\d{1,3})\b", re.IGNORECASE)
_RW = re.compile(r"\brw\.?" + _OF_IT + r"\s*[:\-]?\s*0*(\d{1,3})\b", re.IGNORECASE)
_RT_RW_PAIR = re.compile(r"^\s*0*(\d{1,3})\s*[/\-]\s*0*(\d{1,3})\s*$")
_RT_RW_GLUED = re.compile(r"\brt\.?\s*0*(\d{1,3})\s*/?\s*rw\.?\s*0*(\d{1,3})\b", re.IGNORECASE)
_COORDS = re.compile(r"(-?\d{1,2}(?:[.,]\d+)?)\s*[,;\s]\s*(-?\d{2,3}(?:[.,]\d+)?)")



_NOT = alternation(NEGATIONS)  # "not" in the three languages (core/language/markers.py)
_NOT_OR_NOT_YET = alternation(NEGATIONS, NOT_YET)

# "none" followed by at most two words is still "none": "gak ada fotonya", "ora ana fotone", "euweuh potona".
_NONE_LEAD = re.compile(
    rf"^(?:{_NOT_OR_NOT_YET}|teu\s+acan|can)\s+"
    r"(?:ada|punya|ado|bawa|sempat|memiliki|mempunyai|megang|nyimpen|ambil|sempet"  # Indonesian, Minang
    r"|ana|ono|wonten|duwe|gadhah|gadah|kagungan"  # Javanese
    r"|aya|gaduh|boga|nyandak)\b|"  # Sundanese
    r"^(?:gaada|gada|gapunya|blmada|gakada)\b|^euweuh\b|^taya\b|"
    r"^(?:no|none|nothing|don'?t have|do not have|i don'?t have|not now|skip)\b"
)
# "I don't know" (the RT number, the map): at an optional question it skips it.
_DONT_KNOW = re.compile(
    r"^(?:(?:saya|sy|aku|aq|kula|kulo|abdi|urang|gue|gw)\s+)?(?:gatau|gatw|gtau|gak\s+tau|ga\s+tau|gk\s+tau|"
    r"nggak\s+tau|ngga\s+tau|nggak\s+tahu|gak\s+tahu|ga\s+tahu|tidak\s+tahu|tdk\s+tahu|tidak\s+tau|kurang\s+tahu|"
    r"kurang\s+tau|blm\s+tau|belum\s+tahu|belum\s+tau|lupa|kelupaan|ora\s+ngerti|ra\s+ngerti|ora\s+ngerti|"
    r"ora\s+weruh|ra\s+weruh|embuh|mbuh|mboten\s+ngertos|mboten\s+mangertos|boten\s+ngertos|mboten\s+priksa|"
    r"kesupen|supe|teu\s+terang|teu\s+nyaho|teu\s+nyahoeun|teu\s+apal|hilap|poho|indak\s+tau|ndak\s+tau|"
    r"kagak\s+tau|don'?t\s+know|dunno|not\s+sure|ga\s+apal|gak\s+hafal|ga\s+hafal|nggak\s+hafal|lali|kelalen)\b"
)
_DONT_KNOW_ANYWHERE = re.compile(_DONT_KNOW.pattern.replace("^(?:(?:saya", r"\b(?:(?:saya", 1), re.IGNORECASE)
_SHORT_ANSWER = 10  # words: "Mohon maaf, saya kurang tahu RT dan RW-nya" is short; a description is not
# Particles and fillers around a short answer: "nggak usah deh", "kagak usah ya min", "teu kedah atuh".
_FILLER = (r"deh|dah|aja|ajah|saja|sj|aj|ya|yah|yaa|sih|si|lah|dulu|dl|wae|bae|mawon|we|wé|atuh|mah|kok|dong|"
           r"kak|min|pak|bu|mas|mbak|nggih|njih|gih|kang|teh|ah|eh|hehe|wkwk|kayaknya|kayanya|kyknya|sepertinya|"
           r"kalih|nya|na|ne|e|lur|gan|bos|nuhun|hapunten|punten|maaf|sorry|please|pls")
_LEADING_FILLER = re.compile(r"^(?:(?:eh|ehh|oh|ohh|wah|waduh|aduh|hmm+|emm+|em|umm|anu|ya|iya|yaudah|yowis|nggih|"
                             r"muhun|enya|(?:mohon\s+)?maaf|sorry|punten|hapunten|nyuwun\s+sewu|nyuwun\s+pangapunten|"
                             r"ngapunten|sepurane|sepurone|wah|lho|loh|waa|aduh\s+maaf)[\s,.]+)+", re.IGNORECASE)
_TRAILING_FILLER = re.compile(r"(?:[\s,.!]+(?:" + _FILLER + r"))+[\s.!?,]*$", re.IGNORECASE)
_OBJECT_TAIL = 3  # "gak ada fotonya sama sekali", "teu terang RT na": words allowed after the lead


def _bare(text: str | None) -> str:
    """The answer without fillers, emoji and closing punctuation, lowercase."""
    cleaned = re.sub(r"[^\w\s'/\-.,!?]", " ", (text or "").lower()).strip()
    cleaned = _LEADING_FILLER.sub("", cleaned)
    cleaned = _TRAILING_FILLER.sub("", cleaned)
    return re.sub(r"\s+", " ", re.sub(r"[.!?,;]+$", "", cleaned)).strip()


# "HP saya tidak bisa foto", "HP kula mboten saged motret", "teu tiasa ngintun poto": no photo to give.
_CANNOT = re.compile(
    rf"\b(?:{_NOT_OR_NOT_YET}|can'?t|cannot)\s+(?:bisa|bs|iso|isa|saged|tiasa|acan|sempat|sempet)\s+(?:\w+\s+)?"
    r"(?:foto|moto|motret|difoto|kirim|ngirim|share|ngintun|ngintunkeun|ngirimkeun|upload|unggah|"
    r"photo|send|potret|nyandak|mendet|njupuk)\w*",
    re.IGNORECASE,
)


def is_skip(text: str | None) -> bool:
    """True for an answer that skips an optional question: "lewati", "nggak usah deh", "ora ana fotone",
    "gatau rt nya", "indak ado foto"..."""
    bare = _bare(text)
    unsubjected = re.sub(r"^(?:saya|sy|aku|aq|kula|kulo|abdi|kami|urang|gue|gw|aye)\s+", "", bare)
    for cleaned in dict.fromkeys((re.sub(r"[.!?,;]+$", "", (text or "").strip().lower()), bare, unsubjected)):
        if cleaned in _SKIP_WORDS:
            return True
        for pattern in (_NONE_LEAD, _DONT_KNOW):
            lead = pattern.match(cleaned)
            if lead and len(cleaned[lead.end():].split()) <= _OBJECT_TAIL:
                return True
        no_need = re.match(r"^(?:\w+\s+)?(?:usah|perlu|sah|kedah|kudu|perlu|need)\b", cleaned)
        if no_need and re.match(rf"^(?:{_NOT}|no|gausah|gaperlu)\b", cleaned) \
                and len(cleaned.split()) <= 4:
            return True
        if cleaned in ("gausah", "gaperlu", "gpp", "ga usah", "tak usah", "nggak", "moh", "emoh", "alah"):
            return True
    if _dont_know_somewhere(text) or _WHOLE_AREA.search(text or ""):
        return True
    return bool(_CANNOT.search(text or "")) and len((text or "").split()) <= 10


# "keur sadesa, lain RT hiji", "untuk satu dusun, bukan satu RT", "kagem sak padukuhan": no one RT to give
_WHOLE_AREA = re.compile(r"\b(?:se|sa|sak|satu|sedaya|sadaya|seluruh|semua|sekabeh|sakabeh|sakabéh|kabeh)\s*-?\s*"
                         r"(?:desa|désa|kelurahan|kalurahan|dusun|padukuhan|pedukuhan|dukuh|kampung|lembur)\b"
                         r"|\b(?:semua|sedaya|sadaya|seluruh|kabeh|sakabeh)\s+rt\b", re.IGNORECASE)


def for_the_whole_area(text: str | None) -> bool:
    """ "keur sadesa, lain RT hiji": the whole desa or dusun, so no RT, even where a number word names one."""
    return bool(_WHOLE_AREA.search(text or "")) and not re.search(r"\d", text or "")


def _dont_know_somewhere(text: str | None) -> bool:
    """ "RT-nya saya kurang tahu", "wah saya lupa nomer RT nya": "don't know" in a short answer without numbers."""
    plain = text or ""
    return (len(plain.split()) <= _SHORT_ANSWER and not re.search(r"\d", plain)
            and bool(_DONT_KNOW_ANYWHERE.search(plain.lower())))


_DECLINE_WORDS = re.compile(
    rf"\b(?:{_NOT_OR_NOT_YET}|euweuh|taya|ntar|nanti|nnti|mengko|engke|skip|lewat|lewati|liwat|no|not|none|"
    r"gausah|gaperlu|gatau|gaada|gada|emoh|moh|later|tanpa|tanpo|without|rausah|moal|kosong\w*|tiada|nope|next|"
    r"cukup|duka|\w*lewat\w*|\w*liwat\w*|\w*langkung(?:an|i)|skip\w*|kurang\s+(?:paham|ngerti|tahu|tau|ngartos|"
    r"mudheng|mangertos))\b",
    re.IGNORECASE,
)


DECLINE_MAX_WORDS = 14  # a longer message tells more than "no" ("... teu acan tiasa jualan online. Abdi nyuhunkeun")


def declines(text: str | None) -> bool:
    """A typed answer to "photo?" / "map pin?" that says no in any words ("Fotonya belum ada, nanti saya kirim",
    "Saya tidak bisa mengirim lokasi", "HP kula mboten saged motret"): the only other answer is the photo or
    the pin itself, so any refusal, deferral or "none" skips the question."""
    return is_skip(text) or (bool(_DECLINE_WORDS.search(text or ""))
                             and len((text or "").split()) <= DECLINE_MAX_WORDS)


def is_dont_know(text: str | None) -> bool:
    """ "gatau", "ora ngerti", "teu terang", alone or with a short object ("gatau rt nya")."""
    cleaned = _bare(text)
    lead = _DONT_KNOW.match(cleaned)
    return bool(lead) and len(cleaned[lead.end():].split()) <= _OBJECT_TAIL


_NUDGE = re.compile(
    r"^(?:halo+|hallo+|hai+|p+|ping|tes+|test|woy|woi|oi+|min+|kak|pak|bu)?\s*[?!.]*\s*$|"
    r"\b(?:kok\s+(?:diam|diem|ga|gak|nggak|ngga|blm|belum)|masih\s+(?:di\s*sana|disitu|di\s*situ|ada|aktif|on)|"
    r"ga\s+(?:dibales|dibalas|dijawab)|gak\s+(?:dibales|dibalas|dijawab)|nggak\s+(?:dibales|dijawab)|"
    r"belum\s+dijawab|blm\s+dibales|meneng\s+wae|kok\s+meneng|ora\s+(?:dibales|dijawab)|mboten\s+dipunwangsuli|"
    r"dereng\s+dipunwangsuli|teu\s+dijawab|teu\s+diwaler|naha\s+cicing|kok\s+cicing|jempe|kumaha\s+ieu|"
    r"piye\s+iki|gimana\s+nih|gmn\s+nih|terus\s+gimana|lalu\s+bagaimana|trus\s+piye|teras\s+kumaha|"
    r"selanjutnya\s+apa|lanjut\s+gimana|are\s+you\s+there|hello\??$)",
    re.IGNORECASE,
)


def is_nudge(text: str | None) -> bool:
    """ "kok diam?", "halo?", "masih di sana?", "piye iki?": the citizen waits for the bot, it is no answer."""
    cleaned = (text or "").strip()
    if not cleaned or len(cleaned) > 60:
        return False
    return bool(_NUDGE.search(cleaned)) and not re.search(r"\d", cleaned)


_JUST_ASKING = re.compile(
    r"\b(?:(?:cuma|cuman|hanya|cm|cuman|sekedar|sekadar|mung|namung|ming|ngan|ukur|wungkul)\s+"
    r"(?:tanya|nanya|bertanya|takon|nakon|nyuwun\s+pirsa|naros|nanya2|tanya2|lihat|liat|ningali|ndelok|ningal)|"
    rf"{_NOT_OR_NOT_YET}\s+(?:mau|jadi|sida|siyos|janten|jadi)\s+(?:usul|ngusul|"
    r"mengusulkan|ngusulkeun|ngusulaken))\b",
    re.IGNORECASE,
)


def is_just_asking(text: str | None) -> bool:
    """ "saya cuma tanya", "mung takon", "ngan naros": the citizen did not mean to file a proposal."""
    return bool(_JUST_ASKING.search(text or ""))


def clean_description(text: str) -> str:
    collapsed = re.sub(r"\s+", " ", text or "").strip()
    return collapsed[:1].upper() + collapsed[1:]


# "rt 2 rw 11 eh salah rw 12", "RT 4, maksudnya RT 5": what follows a self-correction replaces what it names.
_SELF_CORRECTION = re.compile(r"\b(?:eh+|ehm*|eits|lho|loh)?\s*(?:salah|keliru|ralat|koreksi|maksud(?:nya|e|na|ku)?|"
                              r"sori|sorry|eh+)\b[\s,.:;!-]*", re.IGNORECASE)


def parse_rt_rw(text: str | None) -> tuple[str | None, str | None] | None:
    """(rt, rw) zero-padded to 2 digits, either may be None; None if nothing readable."""
    parts = [part for part in _SELF_CORRECTION.split(text or "") if part.strip()]
    if len(parts) > 1:
        read = [_parse_rt_rw(part) for part in parts]
        if sum(1 for r in read if r) > 1:
            rt = next((r[0] for r in reversed(read) if r and r[0]), None)
            rw = next((r[1] for r in reversed(read) if r and r[1]), None)
            return rt, rw
    return _parse_rt_rw(text)


def _parse_rt_rw(text: str | None) -> tuple[str | None, str | None] | None:
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


_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def is_noise(text: str | None) -> bool:
    """Emoji, punctuation or keyboard mash ("😭😭", "???", "asdfgh"): nothing to rephrase or escalate."""
    words = letter_words(text, 2)
    if not words:
        return True
    def mashed(word: str) -> bool:
        vowels = sum(ch in "aeiou" for ch in word)
        on_row = any(all(ch in row for ch in word) for row in _KEYBOARD_ROWS) and len(word) >= 5
        return (len(word) >= 5 and vowels / len(word) < 0.15) or on_row
    return all(mashed(w) for w in words)


_ACCEPT = re.compile(rf"\b{alternation(YES)}\b", re.IGNORECASE)
_REFUSE = re.compile(rf"\b(?:{_NOT}|no|jangan|ampun|sanes|bukan|dudu|batal)\b", re.IGNORECASE)


# A message that asks: a question mark at the end, or a question word first. The proposal form answers such a
# message from the FAQ when its topic is clear; Rasa's ResponseSelector runs for it (nlu/rasa_runtime.py).
QUESTION = re.compile(r"\?\s*$|^\s*(?:apa|apakah|bagaimana|gimana|gmn|gmana|kenapa|mengapa|knp|kapan|siapa|"
                      r"berapa|brp|boleh|bisa|bisakah|piye|pripun|menapa|punapa|kados\s+pundi|kapan|sinten|"
                      r"pinten|kenging|saged|kumaha|naon|iraha|saha|sabaraha|tiasa|kenging|naha|emang|"
                      r"memangnya|ini\s+buat|iki\s+kanggo)\b", re.IGNORECASE)


# "Mohon penjelasan, apa yang dimaksud dengan RKPD?", "RKPD kuwi opo?", "naon hartosna Musrenbang?": a term of the
# planning process asked to be explained. A long preamble spreads the FAQ selector's confidence thin (0.17 for
# RKPD after three sentences about the asker); the term and the asking words are enough.
_GLOSSARY: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b{term}\b", re.IGNORECASE), topic) for term, topic in (
    (r"e-?\s?musrenbang", "faq/apa_emusrenbang"),
    (r"rkpd|rencana\s+kerja\s+pemerintah\s+daerah", "faq/apa_rkpd"),
    (r"pokir|pokok(?:-|\s)pokok\s+pikiran", "faq/pokir_dprd"),
    (r"(?<!e-)(?<!e)musrenbang(?:des|kel|cam)?", "faq/apa_musrenbang"),
))
_ASKS_MEANING = re.compile(
    r"\b(?:apa|apakah|apaan|opo|apa\s+sih|menapa|punapa|nopo|naon|what)\b[^?.!]{0,40}?\b(?:maksud\w*|dimaksud|arti\w*|"
    r"itu|kuwi|iku|niku|menika|punika|niki|teh|eta|éta|hartosna|hartina|pengertian\w*|is|means?|tegese|tegesipun)\b"
    r"|\b(?:maksud|arti|artinya|pengertian|hartosna|hartina|tegese|tegesipun|penjelasan|jelaskan)\b[^?.!]{0,30}"
    r"|\b(?:itu|kuwi|iku|menika|punika|teh|eta|éta)\s+(?:apa|apaan|opo|menapa|punapa|naon)\b", re.IGNORECASE)


GLOSSARY_TOPICS = frozenset(topic for _, topic in _GLOSSARY)


# "this e-Musrenbang thing tuh sebenernya apa sih?": a what-question about the term ("... masuk RKPD apa belum?"
# asks about a proposal, not the term)
_WHAT_QUESTION = re.compile(r"\b(?:apa|apaan|opo|naon|menapa|punapa|what)\b(?!\s+(?:belum|blm|tidak|tdk|nggak|gak|ga|"
                            r"enggak|ndak|ora|durung|dereng|teu|acan|henteu|not))[^.!?]*\?", re.IGNORECASE)


def term_asked(text: str | None) -> str | None:
    """The FAQ topic of a planning term a sentence asks to be explained, or None."""
    for sentence in re.split(r"(?<=[.!?])\s+", text or ""):
        if not (_ASKS_MEANING.search(sentence) or _WHAT_QUESTION.search(sentence)):
            continue
        for pattern, topic in _GLOSSARY:
            if pattern.search(sentence):
                return topic
    return None


def is_question(text: str | None) -> bool:
    return bool(QUESTION.search(text or ""))


def accepts(text: str | None) -> bool:
    """A yes in any words ("iya itu usulan sy", "nggih, dipun lajengaken", "yes please"), with no no in it."""
    return bool(_ACCEPT.search(text or "")) and not _REFUSE.search(text or "")


_ME = r"(?:saya|sy|aku|ku|gue|gw|kula|kulo|dalem|abdi|urang|kami|kita)"
_OWN_PROPOSALS = re.compile(
    r"\busulan(?:-usulan|2)?\s*" + _ME + r"\b|\busulan(?:ku|e\s+aku|ipun\s+kula)\b|"
    # "usulan-usulan nu kantos ku abdi dikintunkeun", "usulan yang pernah saya kirim", "usulan sing tak kirim"
    r"\busulan(?:-usulan|2)?\s+(?:(?:apa|mana|naon|opo|menapa|punapa)\s+(?:saja|aja|wae|waé|kemawon|mawon)\s+)?"
    r"(?:nu|anu|ingkang|sing|yang|yg)\s+(?:\w+\s+){0,3}(?:ku\s+|oleh\s+|dening\s+)?"
    r"(?:" + _ME + r"|tak|dak)\b|"
    # "usulan-usulan ingkang sampun dipun kintun saking nomer punika": the ones sent from this number
    r"\busulan(?:-usulan|2)?\b[^?.!]{0,60}\b(?:saking|dari|ti|tina|seko|soko|from)\s+(?:(?:nomer|nomor|no|akun|hp|wa)"
    r"\s+(?:ini|iki|punika|menika|niki|ieu|saya|sy|kula|abdi|aku|ku)|this\s+number)\b|"
    r"\bmy\s+proposals?\b|\bproposals?\s+(?:that\s+)?i(?:'ve|\s+have)?\s+(?:submitted|sent|made|filed)\b",
    re.IGNORECASE)


# "Nek usulanku ditolak...", "Upami usulan abdi ditolak...": a general question about what would happen is
# an FAQ, not a request to list the sender's proposals; so is "kode usulanku ilang" unless it asks to be shown.
_HYPOTHETICAL = re.compile(
    r"\b(?:kalau|kalo|klo|kl|jika|jikalau|apabila|bila|bilamana|seandainya|andai(?:kan)?|misal(?:nya)?|nek|yen|"
    r"menawi|manawi|upami|lamun|mun|if|when)\b", re.IGNORECASE)
_LOST = re.compile(r"\b(?:hilang|ilang|lupa|lali|kelalen|poho|leungit|ical|kehapus|terhapus|lost|forgot)\b",
                   re.IGNORECASE)
_SHOW = re.compile(r"\b(?:\w*tampil\w*|tunjuk\w*|lihat\w*|liat\w*|cek|daftar\w*|list|\w*pintonkeun|tingali\w*|"
                   r"deleng|delok|ndelok|show|apa\s+(?:aja|saja)|mana\s+(?:aja|saja)|opo\s+wae|naon\s+wae)\b",
                   re.IGNORECASE)


_CHANGE = re.compile(r"\b(?:\w*ganti\w*|\w*ubah\w*|\w*batal\w*|edit\w*|\w*robih\w*|\w*gantos\w*|\w*hapus\w*|"
                     r"\w*ralat\w*|\w*koreksi\w*|\w*dandani\w*|\w*benerin\w*|\w*lereskeun\w*)\b", re.IGNORECASE)


def asks_to_change(text: str | None) -> bool:
    """ "usulanku ana sing salah, iso diganti opo dibatalke?": how to change or cancel, not "show me mine"."""
    return bool(_CHANGE.search(text or ""))


OWN_PROPOSALS_MAX_WORDS = 15


def asks_own_proposals(text: str | None) -> bool:
    """ "usulan sy apa aja", "usulanku piye", "usulan abdi kumaha": the sender's own proposals."""
    text = text or ""
    if not _OWN_PROPOSALS.search(text) or _HYPOTHETICAL.search(text):
        return False
    if len(text.split()) > OWN_PROPOSALS_MAX_WORDS and "?" not in text and not _SHOW.search(text):
        return False  # a letter that says "Mekaten atur usulan kula" is the proposal itself, not a question
    return not _LOST.search(text) or bool(_SHOW.search(text))


_CANCEL = re.compile(
    rf"\b(?:(?:di|mem|ng)?batal\w*|(?:di)?bolay\w*|cancel|{_NOT}\s+(?:jadi|sida|siyos|sios|janten|cios|sido|jd)|"
    r"gajadi|gajd|gjd|gkjd|ngga?kjadi|rasido|rasida|gasido|gasida|teujadi|teucios|"
    r"moal\s+(?:jadi|janten|cios)|lain\s+kali\s+(?:aja|saja|wae|mawon|we))\b",
    re.IGNORECASE)


# "stop", "berhenti aja", "udahan dulu": a stop word that is the whole message (a story may say "berhenti")
_STOP = re.compile(r"^\s*(?:stop|setop|berhenti|udahan|sudahan|wis\s+wis|udah\s+udah)(?:\s+\w+){0,2}\s*[.!]*\s*$",
                   re.IGNORECASE)


def is_cancel(text: str | None, long_ok: bool = False) -> bool:
    """ "batal", "tidak jadi usul", "wis ora sida", "teu jadi": stop the whole proposal, not one question.
    Only in a short message where the answer may be a story (a description may well say "proyeknya tidak
    jadi dikerjakan"); elsewhere (`long_ok`) "tolong dibatalkan saja, saya musyawarah dulu" in any length."""
    return bool(_STOP.match(text or "")) or (
        bool(_CANCEL.search(text or "")) and (long_ok or len((text or "").split()) <= 8))
