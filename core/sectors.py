"""Sector (bidang) codes from DESIGN.md and the words that suggest them.

The suggestion only pre-selects a button; the citizen always confirms the sector, so a
keyword vote is enough here and keeps the form fast and explainable.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

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
              "rabat", "makadam", "gang", "dalan", "ratan", "jalan rusak", "jalan usaha tani", "trotoar"),
    "jembatan": ("jembatan", "jembatan gantung", "kreteg", "sasak", "titian", "wot"),
    "drainase": ("drainase", "saluran", "got", "selokan", "gorong", "gorong-gorong", "banjir", "genangan",
                 "kalen", "solokan", "talud", "talut", "irigasi", "parit", "mampet", "tersumbat"),
    "penerangan_jalan": ("lampu", "pju", "penerangan", "lampu jalan", "gelap", "lampu dalan", "lampu merkuri",
                         "lampu mati", "lampu penerangan"),
    "air_bersih": ("air bersih", "sumur", "sumur bor", "pdam", "pipa air", "air minum", "banyu", "cai",
                   "tandon", "pamsimas", "krisis air", "kekeringan", "mata air"),
    "sanitasi_sampah": ("sampah", "tps", "bak sampah", "mck", "jamban", "wc", "toilet", "septic", "septictank",
                        "ipal", "sanitasi", "limbah", "bank sampah", "tempat sampah"),
    "kesehatan": ("posyandu", "puskesmas", "pustu", "kesehatan", "bidan", "stunting", "gizi", "ambulans",
                  "polindes", "lansia sehat", "obat", "klinik", "dokter"),
    "pendidikan": ("sekolah", "paud", "tk", "sd", "smp", "kelas", "ruang kelas", "pendidikan", "beasiswa",
                   "perpustakaan", "guru", "buku", "tpa", "belajar"),
    "ekonomi_umkm": ("umkm", "usaha", "pelatihan", "modal", "pasar", "koperasi", "bumdes", "ekonomi",
                     "wirausaha", "kios", "dagang", "pemasaran", "kerajinan", "peternakan", "pertanian"),
    "sosial": ("lansia", "disabilitas", "difabel", "yatim", "miskin", "bantuan sosial", "bansos", "rtlh",
               "rumah tidak layak huni", "bedah rumah", "sosial", "balai warga", "pos ronda"),
    "lingkungan_taman": ("taman", "penghijauan", "pohon", "rth", "ruang terbuka", "lingkungan", "hutan",
                         "tanaman", "lapangan", "alun", "sungai bersih", "longsor"),
}

_WORD_RE = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> list[str]:
    return _WORD_RE.findall((text or "").lower())


def rank(text: str) -> list[tuple[str, float]]:
    """Sectors ordered by how strongly the text points to them; scores in 0..1."""
    tokens = _tokens(text)
    joined = " " + " ".join(tokens) + " "
    scores: dict[str, float] = {}
    for sector, words in KEYWORDS.items():
        score = 0.0
        for word in words:
            if " " in word or "-" in word:
                if f" {word.replace('-', ' ')} " in joined:
                    score += 2.0  # a phrase is stronger evidence than a single word
            elif word in tokens:
                score += 1.0
            elif len(word) >= 5 and any(len(t) >= 5 and fuzz.ratio(word, t) >= 85 for t in tokens):
                score += 0.6  # typo tolerance for longer words only ("drainse", "selokkan")
        if score:
            scores[sector] = score
    total = sum(scores.values())
    return sorted(((s, v / total) for s, v in scores.items()), key=lambda item: -item[1])


def suggest(text: str) -> str | None:
    ranked = rank(text)
    return ranked[0][0] if ranked else None


def parse_choice(text: str) -> str | None:
    """A sector code from what a citizen typed or pressed: a code, a label, or a describing word."""
    from core import texts

    cleaned = (text or "").strip().lower()
    if cleaned in SECTORS:
        return cleaned
    for code in SECTORS:
        for lang in texts.LANGUAGES:
            if cleaned == texts.sector_label(code, lang).lower():
                return code
    if cleaned in {"lain", "lain-lain", "lainnya", "lain lain"}:
        return "lainnya"
    return suggest(cleaned)
