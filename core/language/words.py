"""Words: the patterns every reader splits text with, defined once.

- `WORD_RE`: words of folded text (`fold.fold`/`fold.plain`): ASCII letters and digits, "rt03", "jalan".
- `LETTERS_RE`: runs of letters in any script, no digits: what the citizen wrote as words.
- `RUN_RE`: runs of letters and digits in any script, the units the normaliser rewrites.
- `ASCII_LETTERS_RE`: runs of ASCII letters as written (case kept), for telling names from words.
- `TOKEN_RE`: `\\w+` tokens, of which the language identifier keeps the all-letter ones (`alpha_tokens`).
"""

from __future__ import annotations

import re

WORD_RE = re.compile(r"[a-z0-9]+")
LETTERS_RE = re.compile(r"[^\W\d_]+")
RUN_RE = re.compile(r"[^\W_]+")
ASCII_LETTERS_RE = re.compile(r"[A-Za-z]+")
TOKEN_RE = re.compile(r"\w+")


def words(folded: str) -> list[str]:
    """The words of text already folded (`fold.plain`, `fold.fold`): "rt 03 dalane" → ["rt", "03", "dalane"]."""
    return WORD_RE.findall(folded)


def letter_words(text: str | None, shortest: int = 1) -> list[str]:
    """Lower-case runs of letters (any script) of at least `shortest` letters; digits and "_" split them."""
    found = LETTERS_RE.findall((text or "").lower())
    return found if shortest <= 1 else [word for word in found if len(word) >= shortest]


def has_word(text: str | None, shortest: int = 2) -> bool:
    """True when the text holds a run of at least `shortest` letters: words, not only emoji, digits, codes."""
    return any(len(word) >= shortest for word in LETTERS_RE.findall(text or ""))


def alpha_tokens(text: str) -> list[str]:
    """Tokens (`\\w+`) made of letters only: "jalan2", "rt03", "10rb" are dropped rather than split."""
    return [token for token in TOKEN_RE.findall(text) if token.isalpha()]
