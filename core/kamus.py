"""Kamus usulan: a citizen's free-text description → the typical proposal items it most likely means.

SIPD e-Musrenbang files every proposal under an item of the kamus usulan; offering the closest items as
buttons saves the citizen from learning that vocabulary, and the citizen still chooses. The dictionary
(core/data/kamus_usulan.yml) lists, per item, the everyday words in Indonesian, Javanese and Sundanese.

Matching is an explainable keyword vote, like core/sectors.py, not a model: each listed word or phrase found
in the text adds its weight to the items (and, at half weight, the sector) listing it. Phrases weigh more
than words and still count, less, with other words between theirs or (two-word phrases) the other way
round, within one clause; a word listed by many items weighs less in each; words of five letters or more
also match typos (a letter added or dropped; from eight letters also one replaced or two swapped); a word
just after a locative ("di depan sekolah", "neng kali", "hareupeun imah") counts half: it names the place, and
so do capitalised names after an address marker ("Jl. Pasar Kembang", "Desa Sumber Agung").

Synonyms (core/data/kamus_synonyms.yml) are written as one word on both sides before matching, so "toya boten
mili" (krama), "cai teu ngocor" (Sundanese) and "air tidak mengalir" meet wherever one of them is listed. The
dictionary lists the words people use for the problem ("berlubang", "mampet", "peteng", "runtah numpuk"), not
only the names of the projects that fix it.

Each item has a formal Indonesian `name` (what officers, the console and SIPD exports use) and, optionally, the
titles of its button in Javanese krama and Sundanese lemes (`names`); `Match.title(language)` picks the one for
the citizen's language, falling back to `name`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from core.language.fold import plain
from core.language.words import ASCII_LETTERS_RE, WORD_RE
from core.sectors import SECTORS

DATA_FILE = Path(__file__).resolve().parent / "data" / "kamus_usulan.yml"
SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "kamus_synonyms.yml"
LANGUAGES: tuple[str, ...] = ("id", "jv", "su")
TITLE_LANGUAGES: tuple[str, ...] = ("jv", "su")  # languages an item's `names` may give a button title in

PHRASE_WEIGHT = 1.0  # added per extra word of a phrase: "jalan rusak" weighs 2, "jalan" 1
MAX_PHRASE_WEIGHT = 3.0  # long phrases are rare and already specific
NEAR_GAP = 2  # "jalan di gang rusak": words between the words of a phrase, as people write it, count 0.75
FAR_GAP = 4  # "lampu PJU di perempatan sudah mati": more words between (at most this many per gap) count 0.5
NEAR_FACTOR = 0.75
FAR_FACTOR = 0.5
REVERSED_FACTOR = 0.5  # "makam ... belum ada pagarnya": a two-word phrase the other way round, NEAR_GAP apart
FUZZY_MIN_LENGTH = 5  # shorter words are too alike ("aman"/"taman", "pada"/"padam") to tolerate typos
FUZZY_CUTOFF = 88.0  # one letter added or dropped ("selokkan", "drainse"); a replaced letter is another word
FUZZY_CUTOFF_LONG = 85.0  # ... unless the typed word is this long: "drianase", "pengaspaln"
FUZZY_LONG = 8  # ("rendang"/"sendang", "dipandu"/"ditandu" are 7 letters, one letter apart)
LOCATIVE_FACTOR = 0.5  # "jalan depan sekolah rusak" is about the road, not the school
SECTOR_WEIGHT = 0.5  # evidence for the sector lifts all its items, so the top item agrees with the sector
MIN_RAW = 0.5  # below this (one generic word after a locative) nothing is offered
RELATIVE_CUTOFF = 0.2  # items far weaker than the best one are noise, not alternatives
SCORE_HALF = 2.0  # the raw score that maps to 0.5; score = raw / (raw + SCORE_HALF)

_CODE_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*\Z")
_CLAUSE_RE = re.compile(r"[.,;:!?()\n]+")  # phrases never span these

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
# Passives ("diaspal", "dicor"), states ("tergenang", "berlumpur", "berdebu") and ke-...-an ("kebocoran"); tried
# only when the word itself is not listed, and a stem must be listed to count.
_PREFIXES: tuple[str, ...] = ("di", "ter", "ber", "ke")

# Words after which a place is named: Indonesian, Javanese (ngoko and krama), Sundanese.
_LOCATIVES = frozenset(
    "di ke dari depan dekat deket samping sebelah belakang sekitar menuju arah pinggir tepi sisi seberang"
    " neng ning nang ing teng wonten dhateng menyang ngarep ngajeng mburi wingking sandhing cedhak cedak celak"
    " saka saking ka ti hareupeun payuneun tukangeun pengker gigireun caket deukeut palih".split()
)
# Frequent words that are never typos of a dictionary word; skipping them saves time and false matches. The
# second half are everyday words one letter away from a dictionary word ("sedang"/"sendang", "kadang"/
# "kandang"), found by matching the words of core/language/resources (NusaX train, STIF) and nlu/data against it.
_NOT_TYPOS = frozenset(
    "yang dan atau untuk dengan karena kalau kalo sudah belum tidak sangat sekali banget tolong mohon minta"
    " bapak terima kasih selamat pagi siang sore malam besok kemarin hari bulan tahun sering selalu masih semua"
    " banyak bisa harus perlu usul usulan mengusulkan bantu tahu juga saja lagi sama kita kami saya warga"
    " nyuwun kula sampun dereng menika punika mangga matur nuwun abdi nyuhunkeun hoyong punten pisan parantos"
    " hujan udan jawah dados jadi terus tiap setiap bidang lokasi status petugas kecamatan kabupaten halo haloo"
    " tuang pemandangan sedang senang piring tanggal kadang kamari jaman tetangga tatangga paketan saran setia"
    " penasaran pisang pembelian lanjuti menang namung pengalaman tindak langkah tepat lembut tabungan kareta"
    " gedhe pancen antara saling bangkrut balon tansah godok penerbangan pemakaian berjalan".split()
)


@dataclass(frozen=True)
class Match:
    """One kamus item offered for a description; score 0..1 says how strongly the text points to it."""

    code: str
    sector: str
    name: str  # the formal Indonesian name: officers, the console and SIPD exports use it
    unit: str
    score: float
    names: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (language, button title), jv/su

    def title(self, language: str | None) -> str:
        """The button title in the citizen's language: the Javanese or Sundanese name, else `name`."""
        return next((title for lang, title in self.names if lang == language), self.name)


@dataclass(frozen=True)
class _Kamus:
    """The dictionary prepared for matching: items in file order and an index from words to phrases."""

    items: tuple[Match, ...]
    by_code: dict[str, Match]
    vocabulary: frozenset[str]
    fuzzy_index: dict[tuple[str, int], tuple[str, ...]]  # (first letter, length) → words of 5+ letters
    spelled: dict[str, str]  # a word of the fuzzy index (a listed word or a variant of one) → the listed word
    phrases_by_first_word: dict[str, tuple[tuple[str, ...], ...]]
    phrase_items: dict[tuple[str, ...], tuple[int, ...]]
    phrase_item_weight: dict[tuple[str, ...], float]
    phrase_sectors: dict[tuple[str, ...], tuple[str, ...]]


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    """Variant → the word the kamus writes (core/data/kamus_synonyms.yml), checked at load time."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    groups = yaml.load(SYNONYMS_FILE.read_text(encoding="utf-8"), Loader=loader) or {}
    table: dict[str, str] = {}
    if not isinstance(groups, dict):
        raise ValueError("kamus synonyms must map a word to a list of its variants")
    for head, variants in groups.items():
        if not (isinstance(head, str) and WORD_RE.fullmatch(head) and isinstance(variants, list) and variants):
            raise ValueError(f"kamus synonyms: {head!r} needs a one-word head and a list of variants")
        for variant in variants:
            if not (isinstance(variant, str) and WORD_RE.fullmatch(variant)) or variant == head:
                raise ValueError(f"kamus synonyms: bad variant {variant!r} of {head!r}")
            if variant in table or variant in groups:
                raise ValueError(f"kamus synonyms: {variant!r} appears twice or is also a head word")
            table[variant] = head
    return table


def _plain_tokens(text: str) -> list[tuple[str, int]]:
    """Words as written (informal spellings replaced) with the number of the clause they are in."""
    return [(_SPELLING.get(word, word), clause)
            for clause, part in enumerate(_CLAUSE_RE.split(plain(_mark_names(text))))
            for word in WORD_RE.findall(part)]


def _tokens(text: str) -> list[tuple[str, int]]:
    """Words in the kamus's own spelling (synonyms written as their head word) with their clause number."""
    synonyms = _synonyms()
    return [(synonyms.get(word, word), clause) for word, clause in _plain_tokens(text)]


def _words(text: str) -> tuple[str, ...]:
    return tuple(word for word, _ in _tokens(text))


# A street, village or housing estate named with a capital after its marker ("Jl. Pasar Kembang", "Desa Sumber
# Agung", "Perum Griya Taman Asri") is an address: its words name the place, like the words after "di".
_NAME_MARKERS = (
    r"jl|jln|jalan|gg|gang|desa|ds|dusun|dsn|dukuh|padukuhan|pedukuhan|kelurahan|kel|kalurahan|kampung|kp|kampong"
    r"|perumahan|perum|perumnas|komplek|kompleks|komp|kecamatan|kec|kapanewon|kabupaten|kab|kota|blok|lembur"
    r"|griya|villa|vila|residence|cluster"
)
_NAME_RE = re.compile(rf"\b(?i:{_NAME_MARKERS})\.?[ \t]+(?=[A-Z][A-Za-z'-]*)")
_NAME_SENTINEL = "di"  # a locative the rest of the module already reads: the next two words name a place


def _mark_names(text: str) -> str:
    """Put a locative before a capitalised name after an address marker, unless the text is in title case."""
    if not text or not any(ch.isupper() for ch in text):
        return text or ""
    words = ASCII_LETTERS_RE.findall(text)
    if sum(word[0].isupper() for word in words) * 2 > len(words):  # "Jalan Rusak Parah Di Depan Pasar"
        return text
    return _NAME_RE.sub(lambda m: f"{m.group(0)}{_NAME_SENTINEL} ", text)


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
    if not all(isinstance(entry[key], str) and entry[key].strip() for key in ("name", "unit")):
        raise ValueError(f"kamus item {code!r} needs a name and a unit")
    names = entry.get("names", {})
    if not (isinstance(names, dict) and set(names) <= set(TITLE_LANGUAGES)
            and all(isinstance(title, str) and title.strip() for title in names.values())):
        raise ValueError(f"kamus item {code!r}: names may give non-empty titles in {', '.join(TITLE_LANGUAGES)} only")
    words = entry["words"]
    if not (isinstance(words, dict) and set(words) == set(LANGUAGES)
            and all(isinstance(words[lang], list) and words[lang] for lang in LANGUAGES)
            and all(isinstance(word, str) and _words(word) for lang in LANGUAGES for word in words[lang])):
        raise ValueError(f"kamus item {code!r} needs non-empty word lists {', '.join(LANGUAGES)}")


@lru_cache(maxsize=1)
def _kamus() -> _Kamus:
    """Read and index the dictionary once per process."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster to start
    entries = yaml.load(DATA_FILE.read_text(encoding="utf-8"), Loader=loader) or []
    items: list[Match] = []
    phrase_items: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, entry in enumerate(entries):
        _check(entry, {m.code for m in items})
        names = entry.get("names") or {}
        items.append(Match(entry["code"], entry["sector"], entry["name"].strip(), entry["unit"].strip(), 1.0,
                           tuple((lang, names[lang].strip()) for lang in TITLE_LANGUAGES if lang in names)))
        phrases = {_words(word) for lang in LANGUAGES for word in entry["words"][lang]}
        for phrase in sorted(phrases):
            phrase_items[phrase].append(index)
    vocabulary = frozenset(word for phrase in phrase_items for word in phrase)
    spelled = {word: word for word in vocabulary}
    spelled.update({variant: head for variant, head in _synonyms().items() if head in vocabulary})
    fuzzy_index: dict[tuple[str, int], list[str]] = defaultdict(list)
    for word in sorted(spelled):
        if len(word) >= FUZZY_MIN_LENGTH:
            fuzzy_index[word[0], len(word)].append(word)
    by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for phrase in phrase_items:
        by_first[phrase[0]].append(phrase)
    return _Kamus(
        items=tuple(items),
        by_code={m.code: m for m in items},
        vocabulary=vocabulary,
        fuzzy_index={key: tuple(words) for key, words in fuzzy_index.items()},
        spelled=spelled,
        phrases_by_first_word={word: tuple(phrases) for word, phrases in by_first.items()},
        phrase_items={phrase: tuple(indexes) for phrase, indexes in phrase_items.items()},
        phrase_item_weight={phrase: 1 / math.sqrt(len(indexes)) for phrase, indexes in phrase_items.items()},
        phrase_sectors={phrase: tuple(dict.fromkeys(items[i].sector for i in indexes))
                        for phrase, indexes in phrase_items.items()},
    )


_NOT_STEMMED = frozenset({"berjalan", "terjalan"})  # "programnya tidak berjalan" is not about a road


def _stems(word: str) -> list[str]:
    """The word without one suffix and/or one prefix: "jalannya", "dalane", "kebanjiran", "diaspal"."""
    if word in _NOT_STEMMED:
        return []
    bare = [word[len(p):] for p in _PREFIXES if word.startswith(p) and len(word) - len(p) >= 3]
    found: list[str] = []
    for base in (word, *bare):
        found.append(base)
        found.extend(base[: -len(s)] for s in _SUFFIXES if base.endswith(s) and len(base) - len(s) >= 3)
    return found[1:]


def _cutoff(length: int) -> float:
    return FUZZY_CUTOFF_LONG if length >= FUZZY_LONG else FUZZY_CUTOFF


@lru_cache(maxsize=1024)
def _fuzzy_choices(first: str, length: int) -> tuple[str, ...]:
    """Dictionary words a typed word can be a typo of: the same first letter (people rarely mistype it) and
    a length close enough for fuzz.ratio to reach the cutoff."""
    cutoff = _cutoff(length)
    low = max(math.ceil(length * cutoff / (200 - cutoff)), FUZZY_MIN_LENGTH)
    high = math.floor(length * (200 - cutoff) / cutoff)
    index = _kamus().fuzzy_index
    return tuple(word for size in range(low, high + 1) for word in index.get((first, size), ()))


@lru_cache(maxsize=16384)
def _resolve(token: str) -> tuple[str, float] | None:
    """The dictionary word a typed word stands for, and how sure that is (1 exact or affixed, < 1 a typo)."""
    kamus = _kamus()
    if token in kamus.vocabulary:
        return token, 1.0
    synonyms = _synonyms()
    for stem in _stems(token):
        stem = synonyms.get(stem, stem)  # "banyune" → "banyu" → "air"
        if stem in kamus.vocabulary:
            return stem, 1.0
    if len(token) < FUZZY_MIN_LENGTH or token in _NOT_TYPOS or not token.isalpha():
        return None
    best = process.extractOne(token, _fuzzy_choices(token[0], len(token)), scorer=fuzz.ratio,
                              score_cutoff=_cutoff(len(token)))
    return (kamus.spelled[best[0]], 0.9 * best[1] / 100) if best else None


@lru_cache(maxsize=16384)
def _inner_stem(token: str) -> str | None:
    """For a listed word that is also a listed word with an affix ("longsoran", "jalanan"), the shorter word:
    it still completes phrases ("tanah longsoran" is "tanah longsor"), though it does not count twice alone."""
    kamus = _kamus()
    if token not in kamus.vocabulary:
        return None
    synonyms = _synonyms()
    for stem in _stems(token):
        stem = synonyms.get(stem, stem)
        if stem in kamus.vocabulary and stem != token:
            return stem
    return None


Positions = dict[str, list[tuple[int, float, int]]]  # dictionary word → (index, quality, clause) in the text


def _phrase_value(phrase: tuple[str, ...], positions: Positions, locative: list[float]) -> float:
    """The best weight of one phrase in the text: its words in order in one clause, or a pair reversed."""
    if any(word not in positions for word in phrase[1:]):
        return 0.0
    best = 0.0
    for start, quality, clause in positions[phrase[0]]:
        at, between = start, 0
        for word in phrase[1:]:
            following = next(((p, q) for p, q, c in positions.get(word, ())
                              if c == clause and at < p <= at + 1 + FAR_GAP), None)
            if following is None:
                break
            between += following[0] - at - 1
            at, quality = following[0], min(quality, following[1])
        else:
            factor = 1.0 if between == 0 else NEAR_FACTOR if between <= NEAR_GAP else FAR_FACTOR
            best = max(best, quality * factor * locative[start])
        if len(phrase) == 2 and best < REVERSED_FACTOR:
            before = [(p, q) for p, q, c in positions.get(phrase[1], ())
                      if c == clause and start - 1 - NEAR_GAP <= p < start]
            if before:
                best = max(best, min(quality, before[-1][1]) * REVERSED_FACTOR * locative[before[-1][0]])
    weight = min(1.0 + PHRASE_WEIGHT * (len(phrase) - 1), MAX_PHRASE_WEIGHT)
    return best * weight


def _raw_scores(text: str) -> dict[int, float]:
    """Item index → evidence from the text (its own phrases plus half its sector's)."""
    kamus = _kamus()
    plain = _plain_tokens(text)
    synonyms = _synonyms()
    tokens = [(synonyms.get(word, word), clause) for word, clause in plain]
    positions: Positions = defaultdict(list)
    in_phrases: Positions = defaultdict(list)  # positions plus the inner stems, for phrases of 2+ words
    for i, (token, clause) in enumerate(tokens):
        resolved = _resolve(token)
        if resolved:
            positions[resolved[0]].append((i, resolved[1], clause))
            in_phrases[resolved[0]].append((i, resolved[1], clause))
            inner = _inner_stem(token)
            if inner:
                in_phrases[inner].append((i, 1.0, clause))
    if not positions:
        return {}
    words = [word for word, _ in plain]  # "wonten" is a locative before it is "ada"
    locative = [LOCATIVE_FACTOR if _LOCATIVES.intersection(words[max(0, i - 2):i]) else 1.0
                for i in range(len(words))]
    own: dict[int, float] = defaultdict(float)
    sector_evidence: dict[str, float] = defaultdict(float)
    for word in list(in_phrases):
        for phrase in kamus.phrases_by_first_word.get(word, ()):
            if len(phrase) == 1 and word not in positions:
                continue
            value = _phrase_value(phrase, positions if len(phrase) == 1 else in_phrases, locative)
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
        found.append(Match(entry.code, entry.sector, entry.name, entry.unit, round(value / (value + SCORE_HALF), 4),
                           entry.names))
    return found


def item(code: str) -> Match | None:
    """The item stored under a code (a button payload or proposals.item_code), score 1.0; None if unknown."""
    return _kamus().by_code.get(code or "")


def items() -> tuple[Match, ...]:
    """Every item in file order, for listings and checks."""
    return _kamus().items
