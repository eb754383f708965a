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

DATA_FILE = Path(__file__).resolve().parent / "data" / "wilayah_kemendagri_2025.csv"

MATCH_THRESHOLD = 82.0  # below this a name is not offered at all
AMBIGUITY_MARGIN = 4.0  # candidates this close to the best one are offered as a choice

_PREFIXES = re.compile(
    r"\b(desa|ds|kelurahan|kel|kalurahan|kal|kecamatan|kec|kapanewon|kap|kabupaten|kab|kota|kot|"
    r"dusun|dsn|padukuhan|pedukuhan|dukuh|kampung|kp|kampong|kemantren|distrik|nagari|gampong)\b\.?",
    re.IGNORECASE,
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def key(name: str) -> str:
    """The comparison form of a place name: lowercase letters and digits only, prefixes gone."""
    return _NON_ALNUM.sub("", _PREFIXES.sub(" ", name.lower()))


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


class Gazetteer:
    """All regions in memory, with desa/kelurahan keys grouped by scope for fast fuzzy search."""

    def __init__(self, rows: list[Region]) -> None:
        self.by_code = {r.code: r for r in rows}
        self.villages = [r for r in rows if r.level == 4]
        self._scoped: dict[str, tuple[list[str], list[Region]]] = {}

    def name_of(self, code: str) -> str:
        region = self.by_code.get(code)
        return region.name if region else code

    def kecamatan_of(self, code: str) -> Region | None:
        return self.by_code.get(code[:8])

    def kabupaten_of(self, code: str) -> Region | None:
        return self.by_code.get(code[:5])

    def _scope(self, scope: str) -> tuple[list[str], list[Region]]:
        if scope not in self._scoped:
            villages = [v for v in self.villages if not scope or v.code.startswith(scope + ".")]
            self._scoped[scope] = ([key(v.name) for v in villages], villages)
        return self._scoped[scope]

    def kecamatans(self, scope: str) -> list[Region]:
        return [r for r in self.by_code.values() if r.level == 3 and (not scope or r.code.startswith(scope + "."))]

    def _candidate(self, village: Region, score: float) -> Candidate:
        kec = self.kecamatan_of(village.code)
        kab = self.kabupaten_of(village.code)
        return Candidate(village.code, village.name, kec.name if kec else "", kab.name if kab else "", round(score, 1))

    def _kecamatan_hint(self, text: str, scope: str) -> str | None:
        """A kecamatan named in the text: after "kec."/"kecamatan", else as a trailing word."""
        match = re.search(r"\b(?:kecamatan|kec|kapanewon)\b\.?\s*([a-z][a-z ]{2,30})", text.lower())
        if match:
            wanted = key(match.group(1))
            best = None
            for kec in self.kecamatans(scope):
                kec_key = key(kec.name)
                if wanted.startswith(kec_key) or fuzz.ratio(kec_key, wanted[: len(kec_key)]) >= 85:
                    if best is None or len(kec_key) > len(key(best.name)):
                        best = kec
            return best.code if best else None
        words = re.findall(r"[a-z0-9]+", text.lower())
        if len(words) > 1:
            for kec in self.kecamatans(scope):
                if key(kec.name) in ("".join(words[-2:]), words[-1]):
                    return kec.code
        return None

    def resolve(self, text: str, scope: str = "", limit: int = 5) -> list[Candidate]:
        """Candidates for a text that names one place, best first."""
        kec_code = self._kecamatan_hint(text, scope)
        village_text = re.split(r"\b(?:kecamatan|kec|kapanewon|kabupaten|kab)\b", text, flags=re.IGNORECASE)[0]
        wanted = key(village_text) or key(text)
        if len(wanted) < 3:
            return []
        keys, villages = self._scope(scope)
        found = process.extract(wanted, keys, scorer=fuzz.ratio, limit=max(limit * 4, 20), score_cutoff=60)
        scored = []
        for _, score, index in found:
            village = villages[index]
            if kec_code and village.code.startswith(kec_code + "."):
                score = min(100.0, score + 8)
            scored.append((score, village))
        scored.sort(key=lambda item: (-item[0], item[1].code))
        direct = [self._candidate(v, s) for s, v in scored if s >= MATCH_THRESHOLD][:limit]
        if direct and direct[0].score >= 95:
            return direct
        # The name may share the text with other words ("sendangadi mlati", "dekat pasar sinduadi").
        merged = {c.code: c for c in self.find_in_message(text, scope, limit)}
        for cand in direct:
            if cand.score > merged.get(cand.code, cand).score or cand.code not in merged:
                merged[cand.code] = cand
        return sorted(merged.values(), key=lambda c: (-c.score, c.code))[:limit]

    def find_in_message(self, text: str, scope: str = "", limit: int = 5) -> list[Candidate]:
        """Places mentioned anywhere in a longer message ("... di RT 3 Desa Caturtunggal, Kec. Depok")."""
        words = re.findall(r"[a-z0-9]+", _PREFIXES.sub(" ", text.lower()))
        keys, villages = self._scope(scope)
        kec_code = self._kecamatan_hint(text, scope)
        best: dict[str, tuple[float, Region]] = {}
        for size in (1, 2, 3):
            for start in range(len(words) - size + 1):
                chunk = "".join(words[start : start + size])
                if len(chunk) < 5:
                    continue
                for _, score, index in process.extract(chunk, keys, scorer=fuzz.ratio, limit=3, score_cutoff=86):
                    village = villages[index]
                    if kec_code and village.code.startswith(kec_code + "."):
                        score = min(100.0, score + 8)
                    if score > best.get(village.code, (0.0, village))[0]:
                        best[village.code] = (score, village)
        ranked = sorted(best.values(), key=lambda item: (-item[0], item[1].code))
        return [self._candidate(v, s) for s, v in ranked][:limit]


def is_ambiguous(candidates: list[Candidate]) -> bool:
    return len(candidates) > 1 and candidates[0].score - candidates[1].score < AMBIGUITY_MARGIN


@lru_cache(maxsize=1)
def gazetteer(path: Path = DATA_FILE) -> Gazetteer:
    with path.open(newline="", encoding="utf-8") as handle:  # the file has CRLF line ends
        rows = [Region(r["kode"].strip(), r["nama"].strip(), int(r["level"])) for r in csv.DictReader(handle)]
    return Gazetteer(rows)
