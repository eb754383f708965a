"""What the fuzzing and schema tests tried, summed over a run and printed at its end (conftest's
terminal summary), so the README's figures can be checked against any run."""

from __future__ import annotations

from collections import Counter

TRIED: Counter[str] = Counter()  # target → inputs tried (HTTP requests or parser calls)
SERVER_ERRORS: Counter[str] = Counter()  # target → 5xx answers


def count(target: str, status: int | None = None) -> None:
    TRIED[target] += 1
    if status is not None and status >= 500:
        SERVER_ERRORS[target] += 1
