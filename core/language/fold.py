"""Folding: the spellings of one word brought to one form (case, accents, elongation, reduplication).

Citizens type "désa", "Dalanè", "bangeeet", "bolong2"; every reader that compares words folds them here
first, so the rules cannot drift apart.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

# Three or more of the same letter: "haloooo", "gelaaap". Letters only, any script, any case.
ELONGATION_RE = re.compile(r"([^\W\d_])\1{2,}", re.IGNORECASE)
# "bolong2", "jalan2": Indonesian writes a repeated word with a 2.
REDUPLICATION_RE = re.compile(r"\b([a-z]{2,})2\b")
_MAX_ELONGATED_RUNS = 4  # 2**4 spellings to try at most


def fold_accents(text: str) -> str:
    """Accents dropped ("désa" → "desa", "dalanè" → "dalane"); ASCII text comes back as it is."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def fold(text: str | None) -> str:
    """Lower case without accents: "Kalèn" = "kalen"."""
    return fold_accents((text or "").lower())


def collapse_elongation(word: str, known: frozenset[str] = frozenset()) -> str:
    """Collapse runs of 3+ equal letters: to one letter, or to two where only that spelling is `known`.

    "haloooo" → "halo", but with "maaf" known "maaaaf" → "maaf". Works on whole texts too (without `known`).
    """
    runs = list(ELONGATION_RE.finditer(word))
    if not runs:
        return word
    if len(runs) <= _MAX_ELONGATED_RUNS and known:
        # Fewest doubled letters first: "haloooo" → "halo", but "maaaaf" → "maaf".
        for doubled in sorted(itertools.product((1, 2), repeat=len(runs)), key=sum):
            pieces, last = [], 0
            for match, keep in zip(runs, doubled, strict=True):
                pieces.append(word[last : match.start()] + match.group(1) * keep)
                last = match.end()
            candidate = "".join(pieces) + word[last:]
            if candidate.lower() in known:
                return candidate
    return ELONGATION_RE.sub(r"\1", word)


def plain(text: str | None) -> str:
    """Folded for matching words: lower case, no accents, elongations cut, reduplication written out."""
    return REDUPLICATION_RE.sub(r"\1 \1", collapse_elongation(fold(text)))
