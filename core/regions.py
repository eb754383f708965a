"""Desa/kelurahan names → Kemendagri codes, tolerant of typos, prefixes and spacing.

Names are compared without spaces or punctuation ("Gunung Anyar" = "Gununganyar"), with the
administrative prefixes (Ds., Kel., Kec., ...) removed; a kecamatan named in the same text
narrows or boosts the candidates. Data: Kemendagri 2025 via cahyadsn/wilayah (MIT, see NOTICE).
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from core.language.words import WORD_RE

DATA_FILE = Path(__file__).resolve().parent / "data" / "wilayah_kemendagri_2025.csv"

MATCH_THRESHOLD = 82.0  # below this a name is not offered at all
AMBIGUITY_MARGIN = 4.0  # candidates this close to the best one are offered as a choice

_PREFIXES = re.compile(
    r"\b(desa|ds|kelurahan|kel|kalurahan|kal|kecamatan|kec|kapanewon|kap|kabupaten|kab|kota|kot|"
    r"dusun|dsn|padukuhan|pedukuhan|dukuh|kampung|kp|kampong|kemantren|distrik|nagari|gampong)\b\.?",
    re.IGNORECASE,
)
SMALL_SCOPE = 2000  # villages in a scope small enough for fuzzy matching of every run of words


def key(name: str) -> str:
    """The comparison form of a place name: lowercase letters and digits only, prefixes gone."""
    return "".join(WORD_RE.findall(_PREFIXES.sub(" ", name.lower())))


def _words(text: str) -> list[str]:
    return WORD_RE.findall(_PREFIXES.sub(" ", (text or "").lower()))


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: int


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    kecamatan: str
    kabupaten: str
    score: float

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Scope:
    """The villages of one scope (a kabupaten, or the whole country), indexed by comparison key."""

    keys: list[str]
    villages: list[Region]
    exact: dict[str, list[int]]
    # Typo search in a large scope only looks at keys sharing the first or the last two letters:
    # a typo in both ends of a name is rare, and it cuts 83,762 comparisons to a few hundred.
    by_prefix: dict[str, tuple[list[str], list[int]]]
    by_suffix: dict[str, tuple[list[str], list[int]]]

    def fuzzy(self, chunk: str, limit: int, cutoff: float) -> list[tuple[int, float]]:
        if len(self.keys) <= SMALL_SCOPE:
            pools = [(self.keys, range(len(self.keys)))]
        else:
            pools = [self.by_prefix.get(chunk[:2], ([], [])), self.by_suffix.get(chunk[-2:], ([], []))]
        found: dict[int, float] = {}
        for keys, indices in pools:
            for _, score, position in process.extract(chunk, keys, scorer=fuzz.ratio, limit=limit,
                                                      score_cutoff=cutoff):
                found[indices[position]] = max(found.get(indices[position], 0.0), score)
        return sorted(found.items(), key=lambda item: -item[1])[:limit]


class Gazetteer:
    """All regions in memory. Lookups go exact key → exact sub-span → fuzzy, cheapest first, so the
    national list (83,762 villages) answers typical queries in well under a millisecond."""

    MAX_SPAN = 4  # words a village name may take ("Kebayoran Lama Utara", "Cibiru Wetan")

    def __init__(self, rows: list[Region]) -> None:
        self.by_code = {r.code: r for r in rows}
        self.villages = [r for r in rows if r.level == 4]
        self._scopes: dict[str, _Scope] = {}
        self._area_keys: dict[str, list[Region]] = {}  # kecamatan and kabupaten/kota by key
        for region in rows:
            if region.level in (2, 3):
                self._area_keys.setdefault(key(region.name), []).append(region)

    def name_of(self, code: str) -> str:
        region = self.by_code.get(code)
        return region.name if region else code

    def kecamatan_of(self, code: str) -> Region | None:
        return self.by_code.get(code[:8])

    def kabupaten_of(self, code: str) -> Region | None:
        return self.by_code.get(code[:5])

    def _scope(self, scope: str) -> _Scope:
        if scope not in self._scopes:
            villages = [v for v in self.villages if not scope or v.code.startswith(scope + ".")]
            keys = [key(v.name) for v in villages]
            exact: dict[str, list[int]] = {}
            prefix: dict[str, tuple[list[str], list[int]]] = {}
            suffix: dict[str, tuple[list[str], list[int]]] = {}
            for index, village_key in enumerate(keys):
                exact.setdefault(village_key, []).append(index)
                for bucket, part in ((prefix, village_key[:2]), (suffix, village_key[-2:])):
                    pool = bucket.setdefault(part, ([], []))
                    pool[0].append(village_key)
                    pool[1].append(index)
            self._scopes[scope] = _Scope(keys, villages, exact, prefix, suffix)
        return self._scopes[scope]

    def kecamatans(self, scope: str) -> list[Region]:
        return [r for r in self.by_code.values() if r.level == 3 and (not scope or r.code.startswith(scope + "."))]

    def _candidate(self, village: Region, score: float) -> Candidate:
        kec = self.kecamatan_of(village.code)
        kab = self.kabupaten_of(village.code)
        return Candidate(village.code, village.name, kec.name if kec else "", kab.name if kab else "", round(score, 1))

    def _area_hints(self, words: list[str], scope: str) -> set[str]:
        """Codes of kecamatan or kabupaten named anywhere in the text ("kec. Depok", "sukamaju cianjur")."""
        hints = set()
        for size in (1, 2, 3):
            for start in range(len(words) - size + 1):
                for area in self._area_keys.get("".join(words[start : start + size]), []):
                    if not scope or area.code.startswith(scope + "."):
                        hints.add(area.code)
        return hints

    def _exact_spans(self, words: list[str], index: _Scope) -> dict[int, int]:
        """Villages whose whole key is a run of words in the text: index → words covered."""
        found: dict[int, int] = {}
        for size in range(min(self.MAX_SPAN, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                chunk = "".join(words[start : start + size])
                if len(chunk) < 4:
                    continue
                for village_index in index.exact.get(chunk, []):
                    found.setdefault(village_index, size)
        return found

    def _rank(self, scored: dict[int, float], index: _Scope, hints: set[str], limit: int) -> list[Candidate]:
        ranked = []
        for village_index, score in scored.items():
            village = index.villages[village_index]
            if village.code[:8] in hints or village.code[:5] in hints:
                score = min(100.0, score + 8)  # the kecamatan/kabupaten named beside it confirms this one
            ranked.append((score, village))
        ranked.sort(key=lambda item: (-item[0], item[1].code))
        return [self._candidate(v, s) for s, v in ranked if s >= MATCH_THRESHOLD][:limit]

    def resolve(self, text: str, scope: str = "", limit: int = 5) -> list[Candidate]:
        """Candidates for a text that names one place (with optional kecamatan/kabupaten), best first."""
        words = _words(text)
        if not words or len("".join(words)) < 3:
            return []
        hints = self._area_hints(words, scope)
        narrower = sorted(h for h in hints if len(h) == 5 and len(scope) < 5)
        if narrower:  # "Sukamaju, Kab. Cianjur": search inside the kabupaten named
            inside = [c for kab in narrower for c in self.resolve(text, kab, limit)]
            if inside:
                return sorted(inside, key=lambda c: (-c.score, c.code))[:limit]
        index = self._scope(scope)
        scored: dict[int, float] = {}
        for village_index, _size in self._exact_spans(words, index).items():
            scored[village_index] = 100.0 if index.keys[village_index] == "".join(words) else 96.0
        if not scored:
            # A typo: compare the whole text, then each run of words.
            chunks = ["".join(words)] + ["".join(words[a:b]) for a in range(len(words))
                                         for b in range(a + 1, min(len(words), a + self.MAX_SPAN) + 1)]
            for chunk in dict.fromkeys(chunks):
                if len(chunk) < 5:
                    continue
                for village_index, score in index.fuzzy(chunk, limit * 2, MATCH_THRESHOLD - 8):
                    scored[village_index] = max(scored.get(village_index, 0.0), score)
        return self._rank(scored, index, hints, limit)

    def find_in_message(self, text: str, scope: str = "", limit: int = 5) -> list[Candidate]:
        """Places mentioned anywhere in a longer message ("... di RT 3 Desa Caturtunggal, Kec. Depok")."""
        words = _words(text)
        index = self._scope(scope)
        hints = self._area_hints(words, scope)
        scored = {i: 100.0 for i in self._exact_spans(words, index)}
        if not scored and len(index.keys) <= SMALL_SCOPE:
            for size in (1, 2, 3):
                for start in range(len(words) - size + 1):
                    chunk = "".join(words[start : start + size])
                    if len(chunk) < 6:
                        continue
                    for village_index, score in index.fuzzy(chunk, 3, 88):
                        scored[village_index] = max(scored.get(village_index, 0.0), score)
        # A kecamatan named in the text is not a village named in it ("Kecamatan Depok" ≠ Desa Depok).
        return [c for c in self._rank(scored, index, hints, limit) if c.score >= 88]


@dataclass(frozen=True)
class PlaceAnswer:
    """How a typed place answer resolves: `villages` best first; `confirm` when the citizen should pick
    among them (a weak typo match, a kecamatan alone, a short everyday name); `elsewhere` when the only
    match lies outside the deployment's kabupaten."""

    villages: list[Candidate]
    confirm: bool = False
    elsewhere: Candidate | None = None


CONFIDENT_SCORE = 96.0  # an exact name (or an exact run of words in the answer)
WEAK_SCORE = 92.0  # one typo candidate below this is confirmed, not taken
SHORT_NAME_MIN = 4  # "tirto" → Tirtoadi, Tirtomartani...; three letters would match too much


_DENIED = re.compile(r"\b(?:bukan|bkn|dudu|sanes|sanés|lain|not)\s+(?:(?:yang|yg|sing|ingkang|nu|anu)\s+)?"
                     r"(?:(?:di|ing|neng|ning|ka|ti|wonten)\s+)?(?:(?:kab|kabupaten|kota|kec|kecamatan|kapanewon)\.?\s*)?"
                     r"[^\W\d_]+(?:\s+(?:progo|kidul|yogyakarta))?", re.IGNORECASE)


# The provinces whose kabupaten a Sleman citizen names by mistake or by living near the border: DIY, Central Java.
NEIGHBOUR_PROVINCES = ("33", "34")
_COMMON_WORD_KABUPATEN = frozenset({"tegal", "batang", "kendal"})  # a field, a stem, a tree: ordinary words too


def _bare_kabupaten(name: str) -> str:
    return key(re.sub(r"^(?:kabupaten|kota)\s+", "", name, flags=re.I))


@lru_cache(maxsize=4)
def _neighbour_kabupaten(g: Gazetteer, scope: str) -> tuple[tuple[str, Region], ...]:
    """The kabupaten a place answer may name instead of home, by bare name, found once (a scan of every region).
    "Sukoharjo" is a desa of Ngaglik as well as a kabupaten of Central Java: a home name stays at home."""
    home_names = {key(v.name) for v in g._scope(scope).villages} | {key(k.name) for k in g.kecamatans(scope)}
    return tuple((bare, r) for r in g.by_code.values() if r.level == 2 and r.code[:2] in NEIGHBOUR_PROVINCES
                 and r.code != scope and (bare := _bare_kabupaten(r.name)) not in _COMMON_WORD_KABUPATEN
                 and bare not in home_names and len(bare) >= 5)


def outside_kabupaten_named(g: Gazetteer, text: str, scope: str) -> Candidate | None:
    """The place in another kabupaten of the province that a place answer names by its kabupaten ("desa Taji,
    Prambanan ... tapi wis mlebu Klaten", "Prambanan Klaten mas"), the home kabupaten not named; None otherwise.
    The desa when the answer names one there, else its kecamatan, else the kabupaten itself."""
    words = _words(_DENIED.sub(" ", text or ""))
    spans = {"".join(words[i:i + n]) for n in (1, 2) for i in range(len(words) - n + 1)}
    home = g.by_code.get(scope)
    if home is None or _bare_kabupaten(home.name) in spans:
        return None
    kabupaten = next((region for bare, region in _neighbour_kabupaten(g, scope) if bare in spans), None)
    if kabupaten is None:
        return None
    own_name = _bare_kabupaten(kabupaten.name)
    there = [c for c in g.find_in_message(text, kabupaten.code, limit=5)
             if c.score >= CONFIDENT_SCORE and key(c.name) != own_name]
    if there:
        return there[0]
    kecamatan = next((r for r in g.kecamatans(kabupaten.code) if key(r.name) in spans), None)
    area = kecamatan or kabupaten
    return Candidate(area.code, area.name, kecamatan.name if kecamatan else "", kabupaten.name, 100.0)


def place_answer(g: Gazetteer, text: str, scope: str) -> PlaceAnswer:
    """Resolve the answer to "which desa/kelurahan?" the way a village officer would read it."""
    found = g.resolve(text, scope, limit=12)
    outside = outside_kabupaten_named(g, text, scope)
    if outside is not None and not (found and found[0].score >= CONFIDENT_SCORE and outside.kecamatan == ""):
        return PlaceAnswer([], elsewhere=outside)
    if found and found[0].score >= CONFIDENT_SCORE:
        return PlaceAnswer(found)
    words = _words(text)
    joined = "".join(words)
    area = [r for r in g.kecamatans(scope) if key(r.name) in {joined, *words}]
    hints = {a.code for a in area}
    prefixes = [w for w in words if len(w) >= SHORT_NAME_MIN and not any(key(a.name) == w for a in area)]
    if prefixes and (not found or found[0].score < WEAK_SCORE):
        index = g._scope(scope)
        short = [g._candidate(v, 90.0) for v, k in zip(index.villages, index.keys, strict=True)
                 if any(k.startswith(p) and k != p for p in prefixes) and (not hints or v.code[:8] in hints)]
        if short:
            return PlaceAnswer(short, confirm=True)
    if area and not found:
        inside = [g._candidate(v, 100.0) for v in g.villages if v.code.startswith(area[0].code + ".")]
        return PlaceAnswer(inside, confirm=True)
    if found:
        return PlaceAnswer(found, confirm=found[0].score < WEAK_SCORE)
    # Neighbours are what people name by mistake; the rest of the country would match stray words.
    outside = [c for c in g.resolve(text, scope[:2], limit=3) if not c.code.startswith(scope + ".")]
    if outside and outside[0].score >= CONFIDENT_SCORE and len(key(outside[0].name)) >= 6:
        return PlaceAnswer([], elsewhere=outside[0])
    return PlaceAnswer([])


def elsewhere_in_message(g: Gazetteer, text: str, scope: str, inside: list[Candidate]) -> Candidate | None:
    """The place outside the deployment's kabupaten that a message names as its place ("... di Kalurahan
    Sendangsari, Kapanewon Pengasih, Kulon Progo"; "di Desa Tlogo, Kecamatan Prambanan" of Klaten), or None.

    Within the province an exact desa name of six letters or more is enough when nothing inside matches; a
    name found inside too goes outside only when the outside place's kecamatan or kabupaten is named and the
    inside one's is not. Beyond the province the rest of the country would match stray words, so the
    desa's kecamatan must be named as well."""
    joined = "".join(_words(text))

    def bare(kabupaten: str) -> str:
        return key(re.sub(r"^(?:kabupaten|kota)\s+", "", kabupaten, flags=re.I))

    def named(candidate: Candidate) -> bool:
        rest = joined.replace(key(candidate.name), "", 1)  # the desa's own name does not name its kecamatan
        return any(len(a) >= 4 and a in rest for a in (key(candidate.kecamatan), bare(candidate.kabupaten)))

    home = g.by_code.get(scope)
    if any(named(c) for c in inside) or (home is not None and bare(home.name) in _affirmed(text, home.name)):
        return None
    def best(found: list[Candidate]) -> Candidate | None:
        # the desa named with its kecamatan, before a desa that only shares the kecamatan's name
        ranked = sorted((c for c in found if named(c)), key=lambda c: key(c.name) == key(c.kecamatan))
        return ranked[0] if ranked else None

    near = [c for c in g.find_in_message(text, scope[:2], limit=12) if not c.code.startswith(scope + ".")]
    if best(near):
        return best(near)
    if inside:
        return None
    long_names = [c for c in near if len(key(c.name)) >= 6 and _introduced_as_place(text, c.name)]
    if long_names:
        return long_names[0]
    return best([c for c in g.find_in_message(text, "", limit=60) if not c.code.startswith(scope[:2] + ".")])


_PLACE_CUE = (r"(?:di|ing|neng|ning|nang|ka|ke|ti|wonten|desa|ds|kalurahan|kelurahan|kel|dusun|padukuhan|dukuh|"
              r"kampung|lembur|daerah|wilayah|dari|saking|seko)")


def _introduced_as_place(text: str, name: str) -> bool:
    """ "di Balong", "desa Balong", "Balong" written as a name: a place; "mun hujan jadi balong" (a pond): a word."""
    words = r"\s+".join(re.escape(part) for part in name.split())
    return bool(re.search(rf"\b{_PLACE_CUE}\s+{words}\b", text, re.IGNORECASE)
                or re.search(rf"(?<![\w])(?-i:{re.escape(name[:1].upper())}){words[1:]}\b", text))


def _affirmed(text: str, kabupaten: str) -> str:
    """The message's letters without a kabupaten it names only to deny ("yang Klaten, bukan yang Sleman")."""
    name = re.escape(re.sub(r"^(?:kabupaten|kota)\s+", "", kabupaten, flags=re.I))
    denied = re.sub(r"\b(?:bukan|bkn|dudu|sanes|sanés|lain|not)\s+(?:(?:yang|yg|sing|ingkang|nu|di|ing|neng)\s+)?"
                    r"(?:(?:kab|kabupaten)\.?\s*)?" + name + r"\b", " ", text, flags=re.I)
    return "".join(_words(denied))


def is_ambiguous(candidates: list[Candidate]) -> bool:
    return len(candidates) > 1 and candidates[0].score - candidates[1].score < AMBIGUITY_MARGIN


# "Kec. Patuk", "kapanewon Godean": the kecamatan named in a written address, up to the next part of it.
_KECAMATAN_NAMED = re.compile(
    r"\b(?:kec|kecamatan|kapanewon|kap)\b\.?\s*([a-z' -]+?)\s*(?=[,;/]|$|\b(?:kab|kabupaten|kota|desa|ds|kel)\b)",
    re.IGNORECASE,
)


def address_places(g: Gazetteer, address: str, scope: str) -> list[Candidate]:
    """The desa/kelurahan a written address (an API client's address_string) names: none, the one it
    names, or the close candidates when it fits several and the caller must ask for more.

    There is no one to ask back in the same turn, so only the close candidates are offered, and a
    desa whose name is only the kecamatan named in the address ("Beji, Kec. Patuk": not Desa Patuk)
    is left out."""
    found = g.resolve(address, scope) or g.find_in_message(address, scope)
    if not is_ambiguous(found):
        return found[:1]
    close = [c for c in found if found[0].score - c.score < AMBIGUITY_MARGIN]
    named = {key(m.group(1)) for m in _KECAMATAN_NAMED.finditer(address)}
    return [c for c in close if key(c.name) not in named] or close


@lru_cache(maxsize=1)
def gazetteer(path: Path = DATA_FILE) -> Gazetteer:
    with path.open(newline="", encoding="utf-8") as handle:  # the file has CRLF line ends
        rows = [Region(r["kode"].strip(), r["nama"].strip(), int(r["level"])) for r in csv.DictReader(handle)]
    return Gazetteer(rows)
