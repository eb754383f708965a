"""Kamus usulan: a citizen's free-text description → the typical proposal items it most likely means.

SIPD e-Musrenbang files every proposal under an item of the kamus usulan; offering the closest items as
buttons saves the citizen from learning that vocabulary, and the citizen still chooses. The dictionary
(core/data/kamus_usulan.yml) lists, per item, the everyday words in Indonesian, Javanese and Sundanese.

Matching is an explainable keyword vote, like core/sectors.py, not a model: each listed word or phrase found
in the text adds its weight to the items (and, at half weight, the sector) listing it. Phrases weigh more
than words and may have up to two words between theirs; a word listed by many items weighs less in each;
words of five letters or more also match typos; a word just after a locative ("di depan sekolah", "neng
kali", "hareupeun imah") counts half, since it names the place rather than the need.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from core.sectors import SECTORS

DATA_FILE = Path(__file__).resolve().parent / "data" / "kamus_usulan.yml"
LANGUAGES: tuple[str, ...] = ("id", "jv", "su")

PHRASE_WEIGHT = 1.0  # added per extra word of a phrase: "jalan rusak" weighs 2, "jalan" 1
MAX_PHRASE_WEIGHT = 3.0  # long phrases are rare and already specific
MAX_GAP = 2  # words allowed between the words of a phrase ("jalan di gang kami rusak" is 3: not a phrase)
GAP_FACTOR = 0.75  # a phrase with words in between is weaker evidence than the phrase as written
FUZZY_MIN_LENGTH = 5  # shorter words are too alike ("kali"/"kaki", "got"/"gas") to tolerate typos
FUZZY_CUTOFF = 85.0  # one letter added or dropped in a 5-letter word, one replaced from 7 letters on
LOCATIVE_FACTOR = 0.5  # "jalan depan sekolah rusak" is about the road, not the school
SECTOR_WEIGHT = 0.5  # evidence for the sector lifts all its items, so the top item agrees with the sector
MIN_RAW = 0.5  # below this (one generic word after a locative) nothing is offered
RELATIVE_CUTOFF = 0.2  # items far weaker than the best one are noise, not alternatives
SCORE_HALF = 2.0  # the raw score that maps to 0.5; score = raw / (raw + SCORE_HALF)

_CODE_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_REDUPLICATION_RE = re.compile(r"\b([a-z]{2,})2\b")  # "bolong2" → "bolong bolong"
_WORD_RE = re.compile(r"[a-z0-9]+")

# Informal spellings people type for words the dictionary writes one way (see the YAML header).
_SPELLING: dict[str, str] = {
    **dict.fromkeys(("gak", "ga", "gk", "nggak", "ngga", "enggak", "engga", "tdk", "tak", "ndak", "nda"), "tidak"),
    **dict.fromkeys(("ra", "mboten", "boten"), "ora"),
    **dict.fromkeys(("henteu", "hente"), "teu"),
    **dict.fromkeys(("ono", "onok"), "ana"),
    **dict.fromkeys(("jln", "jl"), "jalan"),
    "blm": "belum", "bgt": "banget", "skali": "sekali", "tmpt": "tempat", "tpt": "tempat", "sdh": "sudah",
    "udh": "sudah", "udah": "sudah",
}
_SUFFIXES: tuple[str, ...] = ("nipun", "ipun", "nya", "ne", "na", "an", "e")
_PREFIXES: tuple[str, ...] = ("di", "ke", "ter", "ka")

# Words after which a place is named: Indonesian, Javanese (ngoko and krama), Sundanese.
_LOCATIVES = frozenset(
    "di ke dari depan dekat deket samping sebelah belakang sekitar menuju arah pinggir tepi sisi seberang"
    " neng ning nang ing teng wonten dhateng menyang ngarep ngajeng mburi wingking sandhing cedhak cedak celak"
    " saka saking ka ti hareupeun payuneun tukangeun pengker gigireun caket deukeut palih".split()
)
# Frequent words that are never typos of a dictionary word; skipping them saves time and false matches.
_NOT_TYPOS = frozenset(
    "yang dan atau untuk dengan karena kalau kalo sudah belum tidak sangat sekali banget tolong mohon minta"
    " bapak terima kasih selamat pagi siang sore malam besok kemarin hari bulan tahun sering selalu masih semua"
    " banyak bisa harus perlu usul usulan mengusulkan bantu tahu juga saja lagi sama kita kami saya warga"
    " nyuwun kula sampun dereng menika punika mangga matur nuwun abdi nyuhunkeun hoyong punten pisan parantos"
    " hujan udan jawah dados jadi terus tiap setiap".split()
)


@dataclass(frozen=True)
class Match:
    """One kamus item offered for a description; score 0..1 says how strongly the text points to it."""

    code: str
    sector: str
    name: str
    unit: str
    score: float


@dataclass(frozen=True)
class _Kamus:
    """The dictionary prepared for matching: items in file order and an index from words to phrases."""

    items: tuple[Match, ...]
    by_code: dict[str, Match]
    vocabulary: frozenset[str]
    fuzzy_by_length: dict[int, tuple[str, ...]]
    phrases_by_first_word: dict[str, tuple[tuple[str, ...], ...]]
    phrase_items: dict[tuple[str, ...], tuple[int, ...]]
    phrase_item_weight: dict[tuple[str, ...], float]
    phrase_sectors: dict[tuple[str, ...], tuple[str, ...]]


def _normalise(text: str) -> str:
    """Lower case without accents ("désa" = "desa"), reduplication written out ("bolong2")."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _REDUPLICATION_RE.sub(r"\1 \1", plain)


def _tokens(text: str) -> list[str]:
    return [_SPELLING.get(word, word) for word in _WORD_RE.findall(_normalise(text))]


def _check(entry: Any, codes: set[str]) -> None:
    """Reject a malformed item at load time: a silent typo in the YAML would only show as bad buttons."""
    if not isinstance(entry, dict) or not {"code", "sector", "name", "unit", "words"} <= entry.keys():
        raise ValueError(f"kamus item needs code, sector, name, unit and words: {entry!r}")
    code = entry["code"]
    if not isinstance(code, str) or not _CODE_RE.match(code) or len(code) > 64:
        raise ValueError(f"kamus code must be snake_case and at most 64 characters: {code!r}")
    if code in codes:
        raise ValueError(f"kamus code {code!r} appears twice")
    if entry["sector"] not in SECTORS:
        raise ValueError(f"kamus item {code!r} has unknown sector {entry['sector']!r}")
    words = entry["words"]
    if not isinstance(words, dict) or set(words) != set(LANGUAGES) or not all(words[lang] for lang in LANGUAGES):
        raise ValueError(f"kamus item {code!r} needs non-empty word lists {', '.join(LANGUAGES)}")


@lru_cache(maxsize=1)
def _kamus() -> _Kamus:
    """Read and index the dictionary once per process."""
    entries = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8")) or []
    items: list[Match] = []
    phrase_items: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, entry in enumerate(entries):
        _check(entry, {m.code for m in items})
        items.append(Match(entry["code"], entry["sector"], str(entry["name"]), str(entry["unit"]), 1.0))
        phrases = {tuple(_tokens(str(word))) for lang in LANGUAGES for word in entry["words"][lang]}
        for phrase in sorted(phrases - {()}):
            phrase_items[phrase].append(index)
    vocabulary = frozenset(word for phrase in phrase_items for word in phrase)
    fuzzy_by_length: dict[int, list[str]] = defaultdict(list)
    for word in sorted(vocabulary):
        if len(word) >= FUZZY_MIN_LENGTH:
            fuzzy_by_length[len(word)].append(word)
    by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for phrase in phrase_items:
        by_first[phrase[0]].append(phrase)
    return _Kamus(
        items=tuple(items),
        by_code={m.code: m for m in items},
        vocabulary=vocabulary,
        fuzzy_by_length={length: tuple(words) for length, words in fuzzy_by_length.items()},
        phrases_by_first_word={word: tuple(phrases) for word, phrases in by_first.items()},
        phrase_items={phrase: tuple(indexes) for phrase, indexes in phrase_items.items()},
        phrase_item_weight={phrase: 1 / math.sqrt(len(indexes)) for phrase, indexes in phrase_items.items()},
        phrase_sectors={phrase: tuple(dict.fromkeys(items[i].sector for i in indexes))
                        for phrase, indexes in phrase_items.items()},
    )


def _stems(word: str) -> list[str]:
    """The word without one suffix and/or one prefix: "jalannya", "dalane", "kebanjiran", "diaspal"."""
    bare = [word[len(p):] for p in _PREFIXES if word.startswith(p) and len(word) - len(p) >= 3]
    found: list[str] = []
    for base in (word, *bare):
        found.append(base)
        found.extend(base[: -len(s)] for s in _SUFFIXES if base.endswith(s) and len(base) - len(s) >= 3)
    return found[1:]


@lru_cache(maxsize=16384)
def _resolve(token: str) -> tuple[str, float] | None:
    """The dictionary word a typed word stands for, and how sure that is (1 exact or affixed, < 1 a typo)."""
    kamus = _kamus()
    if token in kamus.vocabulary:
        return token, 1.0
    for stem in _stems(token):
        if stem in kamus.vocabulary:
            return stem, 1.0
    if len(token) < FUZZY_MIN_LENGTH - 1 or token in _NOT_TYPOS or token.isdigit():
        return None
    # fuzz.ratio can only reach the cutoff when the lengths are this close.
    low = math.ceil(len(token) * FUZZY_CUTOFF / (200 - FUZZY_CUTOFF))
    high = math.floor(len(token) * (200 - FUZZY_CUTOFF) / FUZZY_CUTOFF)
    choices = [word for length in range(max(low, FUZZY_MIN_LENGTH), high + 1)
               for word in kamus.fuzzy_by_length.get(length, ())]
    best = process.extractOne(token, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return (best[0], 0.9 * best[1] / 100) if best else None


def _phrase_value(phrase: tuple[str, ...], positions: dict[str, list[tuple[int, float]]],
                  locative: list[float]) -> float:
    """The best weight of one phrase in the text: its words in order, at most MAX_GAP words apart."""
    best = 0.0
    for start, quality in positions[phrase[0]]:
        at, contiguous = start, True
        for word in phrase[1:]:
            following = next(((p, q) for p, q in positions.get(word, ()) if at < p <= at + 1 + MAX_GAP), None)
            if following is None:
                break
            contiguous = contiguous and following[0] == at + 1
            at, quality = following[0], min(quality, following[1])
        else:
            best = max(best, quality * (1.0 if contiguous else GAP_FACTOR) * locative[start])
    weight = min(1.0 + PHRASE_WEIGHT * (len(phrase) - 1), MAX_PHRASE_WEIGHT)
    return best * weight


def _raw_scores(text: str) -> dict[int, float]:
    """Item index → evidence from the text (its own phrases plus half its sector's)."""
    kamus = _kamus()
    tokens = _tokens(text)
    positions: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, token in enumerate(tokens):
        resolved = _resolve(token)
        if resolved:
            positions[resolved[0]].append((i, resolved[1]))
    if not positions:
        return {}
    locative = [LOCATIVE_FACTOR if _LOCATIVES.intersection(tokens[max(0, i - 2):i]) else 1.0
                for i in range(len(tokens))]
    own: dict[int, float] = defaultdict(float)
    sector_evidence: dict[str, float] = defaultdict(float)
    for word in list(positions):
        for phrase in kamus.phrases_by_first_word.get(word, ()):
            value = _phrase_value(phrase, positions, locative)
            if not value:
                continue
            for index in kamus.phrase_items[phrase]:
                own[index] += value * kamus.phrase_item_weight[phrase]
            sectors = kamus.phrase_sectors[phrase]
            for sector in sectors:
                sector_evidence[sector] += value / len(sectors)
    return {index: value + SECTOR_WEIGHT * sector_evidence[kamus.items[index].sector]
            for index, value in own.items()}


def match(text: str, limit: int = 3) -> list[Match]:
    """The kamus items a description most likely means, best first; [] when no listed word occurs."""
    kamus = _kamus()
    raw = _raw_scores(text)
    if not raw or limit <= 0:
        return []
    # Rounding keeps float noise from deciding ties; equal scores keep the file's order (general items first).
    ranked = sorted(raw.items(), key=lambda pair: (-round(pair[1], 9), pair[0]))
    best = ranked[0][1]
    if best < MIN_RAW:
        return []
    found: list[Match] = []
    for index, value in ranked[:limit]:
        if value < best * RELATIVE_CUTOFF:
            break
        entry = kamus.items[index]
        found.append(Match(entry.code, entry.sector, entry.name, entry.unit, round(value / (value + SCORE_HALF), 4)))
    return found


def item(code: str) -> Match | None:
    """The item stored under a code (a button payload or proposals.item_code), score 1.0; None if unknown."""
    return _kamus().by_code.get(code or "")


def items() -> tuple[Match, ...]:
    """Every item in file order, for listings and checks."""
    return _kamus().items
