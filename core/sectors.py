"""Sector (bidang) codes from DESIGN.md and the words that suggest them.

The suggestion only pre-selects a button; the citizen always confirms the sector, so a
keyword vote is enough here and keeps the form fast and explainable.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from core.language.fold import fold
from core.language.markers import NEGATIONS, alternation
from core.language.words import WORD_RE

SECTORS: tuple[str, ...] = (
    "jalan",
    "jembatan",
    "drainase",
    "penerangan_jalan",
    "air_bersih",
    "sanitasi_sampah",
    "kesehatan",
    "pendidikan",
    "ekonomi_umkm",
    "sosial",
    "lingkungan_taman",
    "lainnya",
)

# Words (Indonesian, with common Javanese/Sundanese synonyms) that point to a sector.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "jalan": ("jalan", "jln", "jl", "aspal", "pengaspalan", "berlubang", "lubang", "paving", "cor", "cor blok",
              "rabat", "makadam", "gang", "dalan", "ratan", "jalan rusak", "jalan usaha tani", "trotoar",
              "ambles", "amblas", "bergelombang", "margi", "bolong", "road", "roads", "pothole", "potholes"),
    "jembatan": ("jembatan", "jembatan gantung", "kreteg", "sasak", "titian", "wot", "bridge"),
    "drainase": ("drainase", "saluran", "got", "selokan", "gorong", "gorong-gorong", "banjir", "genangan",
                 "kalen", "solokan", "talud", "talut", "irigasi", "parit", "mampet", "tersumbat",
                 "meluap", "tergenang", "luber", "mbludak", "cileuncang", "caah", "drain", "drainage", "flood",
                 "flooding", "ditch"),
    "penerangan_jalan": ("lampu", "pju", "penerangan", "lampu jalan", "gelap", "lampu dalan", "lampu merkuri",
                         "lampu mati", "lampu penerangan", "penerangan jalan", "lampu margi", "lampu jalan umum",
                         "peteng", "poek", "pareum", "padam", "redup", "lampu padam", "streetlight", "streetlights",
                         "lamp", "lamps", "lighting", "dark"),
    "air_bersih": ("air bersih", "sumur", "sumur bor", "pdam", "pipa air", "air minum", "banyu", "cai",
                   "tandon", "pamsimas", "krisis air", "kekeringan", "mata air",
                   "toya", "keruh", "kran", "keran", "ledeng", "air mati", "air keruh", "buthek", "asat", "water",
                   "clean water"),
    "sanitasi_sampah": ("sampah", "tps", "bak sampah", "mck", "jamban", "wc", "toilet", "septic", "septictank",
                        "ipal", "sanitasi", "limbah", "bank sampah", "tempat sampah",
                        "uwuh", "runtah", "sampah menumpuk", "bau sampah", "garbage", "rubbish", "trash",
                        "waste", "sanitation"),
    "kesehatan": ("posyandu", "puskesmas", "pustu", "kesehatan", "bidan", "stunting", "gizi", "ambulans",
                  "polindes", "lansia sehat", "obat", "klinik", "dokter", "health", "clinic", "midwife"),
    "pendidikan": ("sekolah", "paud", "tk", "sd", "smp", "kelas", "ruang kelas", "pendidikan", "beasiswa",
                   "perpustakaan", "guru", "buku", "tpa", "belajar", "school", "education", "library"),
    "ekonomi_umkm": ("umkm", "usaha", "pelatihan", "modal", "pasar", "koperasi", "bumdes", "ekonomi",
                     "wirausaha", "kios", "dagang", "pemasaran", "kerajinan", "peternakan", "pertanian",
                     "economy", "business", "market"),
    "sosial": ("lansia", "disabilitas", "difabel", "yatim", "miskin", "bantuan sosial", "bansos", "rtlh",
               "rumah tidak layak huni", "bedah rumah", "sosial", "balai warga", "social", "elderly",
               "disabled", "poor", "food assistance"),
    "lingkungan_taman": ("taman", "penghijauan", "pohon", "rth", "ruang terbuka", "lingkungan", "hutan",
                         "tanaman", "lapangan", "alun", "sungai bersih", "longsor",
                         "pohon tumbang", "tumbang", "dahan", "ranting", "rumput liar", "tangkal", "wit",
                         "environment", "park", "trees"),
}

FUZZY_MIN_LENGTH = 6  # shorter keywords match whole words only: "bidang" (field) is not a typo of "bidan" (midwife)
FUZZY_CUTOFF = 85.0  # one letter added or dropped ("drainse", "selokkan"), or replaced from 7 letters on
# Words one letter away from a keyword that are never a typo of it.
_NOT_TYPOS = frozenset("bidang widang sedang senang kadang tenang".split())

MENU = "menu"  # what the "another kind" button sends; wants_menu() recognises it typed


def _tokens(text: str) -> list[str]:
    """Words without case or accents: "Kalèn" = "kalen", "Kaséhatan" = "kasehatan"."""
    return WORD_RE.findall(fold(text))


def _typo_of(word: str, tokens: list[str]) -> bool:
    """A token that is a typo of a keyword of 6+ letters (both words that long)."""
    return len(word) >= FUZZY_MIN_LENGTH and any(
        len(t) >= FUZZY_MIN_LENGTH and t not in _NOT_TYPOS and fuzz.ratio(word, t) >= FUZZY_CUTOFF for t in tokens)


def rank(text: str) -> list[tuple[str, float]]:
    """Sectors ordered by how strongly the text points to them; scores in 0..1."""
    tokens = _tokens(text)
    joined = " " + " ".join(tokens) + " "
    # A word inside another sector's phrase is that phrase's: "penerangan jalan umum", "lampu jalan" are lights,
    # and their "jalan" is no vote for roads (unless it stands on its own elsewhere in the text).
    in_phrase: dict[str, set[str]] = {}
    for sector, words in KEYWORDS.items():
        for word in words:
            phrase = word.replace("-", " ")
            if " " in phrase and f" {phrase} " in joined:
                for part in phrase.split():
                    in_phrase.setdefault(part, set()).add(sector)
    scores: dict[str, float] = {}
    for sector, words in KEYWORDS.items():
        score = 0.0
        for word in words:
            if " " in word or "-" in word:
                if f" {word.replace('-', ' ')} " in joined:
                    score += 2.0  # a phrase is stronger evidence than a single word
            elif word in tokens:
                owners = in_phrase.get(word, set())
                if not owners - {sector} or tokens.count(word) > 1:
                    score += 1.0
            elif _typo_of(word, tokens):
                score += 0.6  # typo tolerance for longer words only ("drainse", "selokkan")
        if score:
            scores[sector] = score
    total = sum(scores.values())
    return sorted(((s, v / total) for s, v in scores.items()), key=lambda item: -item[1])


def suggest(text: str) -> str | None:
    ranked = rank(text)
    return ranked[0][0] if ranked else None


# "Another kind" / "choose the sector" typed instead of tapped, in Indonesian, Javanese and Sundanese.
_KIND = r"(?:jenis|jinis|macam|macem|rupa|bidang|widang|sektor|kategori|pilihan|usulan|usul|item|kamus)(?:nya|ne|na)?"
_OTHER = (r"(?:(?:yang|yg|sing|ingkang|nu|anu)\s+)?"
          r"(?:lain|lainnya|lainya|lainna|laen|liyane|liyan|liya|liyo|sanes|sanesipun|sanese|sanesna|sejen|seje|sejenna|"
          r"seje?nna|lian|lianna|beda|benten|bentenipun|other|others)")
_SHOW = r"(?:pilih|milih|lihat|liat|lihatkan|tampilkan|tunjukkan|daftar|semua|seluruh|sedaya|kabeh|sadaya|ganti|gantos)"
_MENU_RE = re.compile(
    rf"\b{_KIND}\s+{_OTHER}\b"  # "jenis lain", "bidang lain", "jinis sanes", "widang sejen", "usulan lainnya"
    rf"|\b{_SHOW}\s+(?:(?:semua|sedaya|kabeh|sadaya)\s+)?(?:jenis|jinis|bidang|widang|sektor|kategori)\b"
    rf"|^(?:(?:saya|sy|aku|kula|abdi)\s+)?(?:(?:mau|pengen|ingin|arep|badhe|bade|hoyong|hayang)\s+)?"
    rf"(?:(?:pilih|milih|yang|yg|sing|ingkang|nu|anu)\s+)?{_OTHER}(?:\s+(?:aja|saja|wae|mawon|we|bae|deh))?$"
    r"|^(?:menu|bidang|widang|sektor|jenis|jinis|pilih bidang)$"
    # "none of them fits": tidak ada yang cocok, ora ana sing cocok, mboten wonten ingkang leres, teu aya nu cocog
    rf"|\b(?:{alternation(NEGATIONS)}|bukan|dudu|euweuh)\s+"
    r"(?:(?:ada|ana|ono|wonten|aya)\s+)?(?:(?:yang|yg|sing|ingkang|nu|anu)\s+)?"
    r"(?:cocok|cocog|sesuai|pas|trep|jumbuh|pantes)\b"
)
# Whole answers that pick the sector "Lainnya" itself, not the list.
_LAINNYA = frozenset({"lain", "lain lain", "lainnya", "lainya", "liyanipun", "lianna"})
_TRAILING_FILLER = re.compile(r"(?:\s+(?:aja|saja|aj|wae|mawon|we|bae|deh|ya|nggih|mah))+$")


def _is_lainnya(cleaned: str) -> bool:
    return _TRAILING_FILLER.sub("", cleaned) in _LAINNYA


def wants_menu(text: str) -> bool:
    """True when a typed answer asks for the list of sectors instead of the items offered: the "another kind"
    button's title ("Jenis lain / pilih bidang", "Jinis sanès / pilih bidang", "Jenis séjén / pilih widang") or
    words like "jenis lain", "pilih bidang", "bidang lain", "yang lain", "liyane", "nu sejen", "gak ada yang cocok".
    The sector labels ("Lainnya", "Liyanipun", "Lianna") choose the sector "lainnya" and are not the menu."""
    from core import texts

    cleaned = " ".join(_tokens(text))
    if not cleaned or _is_lainnya(cleaned):
        return False
    if cleaned == MENU:
        return True
    for lang in texts.LANGUAGES:
        title = texts.button("other_sector", lang)
        if cleaned in {" ".join(_tokens(part)) for part in (title, *title.split("/"))}:
            return True
    return bool(_MENU_RE.search(cleaned))


def is_label(text: str) -> bool:
    """Whether the text is only a sector's name ("air bersih", "banyu resik"): a topic, not a description."""
    from core import texts

    compact = "".join(_tokens(text))
    return bool(compact) and any(
        compact == "".join(_tokens(texts.sector_label(code, lang))) or compact == code.replace("_", "")
        for code in SECTORS for lang in texts.LANGUAGES)


def parse_choice(text: str) -> str | None:
    """A sector code from what a citizen typed or pressed: a code, a label (any of the three languages, accents
    optional), or a describing word. None for the menu ("jenis lain", see wants_menu) and for nothing known."""
    from core import texts

    parts = [part for part in re.split(r"[/,;]", text or "") if part.strip()]
    if len(parts) > 1:  # "Sanesna / lainnya", "lainnya we, kebencanaan": one part names it, the rest agrees or adds
        found = {code for code in (parse_choice(part) for part in parts) if code}
        if len(found) == 1:
            return found.pop()
    cleaned = " ".join(_tokens(text))
    if cleaned.replace(" ", "_") in SECTORS:
        return cleaned.replace(" ", "_")
    compact = cleaned.replace(" ", "")
    for code in SECTORS:
        for lang in texts.LANGUAGES:
            if compact == "".join(_tokens(texts.sector_label(code, lang))):
                return code
    if _is_lainnya(cleaned):
        return "lainnya"
    if wants_menu(cleaned):
        return None
    return suggest(cleaned)
