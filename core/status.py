"""Proposal statuses (DESIGN.md) and the transitions between them.

This module is the one place that knows the order of the stages; labels shown to citizens
live in `core.texts`.
"""

from __future__ import annotations

STAGES: tuple[str, ...] = (
    "diajukan",
    "diverifikasi_desa",
    "dibahas_kecamatan",
    "diverifikasi_opd",
    "masuk_rkpd",
    "direalisasikan",
)
SIDE_EXITS: tuple[str, ...] = ("perlu_perbaikan", "ditolak", "digabung", "dibatalkan")
ALL: tuple[str, ...] = STAGES + SIDE_EXITS
INITIAL = "diajukan"
CLOSED: frozenset[str] = frozenset({"direalisasikan", "ditolak", "digabung", "dibatalkan"})
NEEDS_REASON: frozenset[str] = frozenset({"ditolak", "perlu_perbaikan", "digabung"})


def is_open(status: str) -> bool:
    return status not in CLOSED


def allowed_next(status: str) -> tuple[str, ...]:
    """Statuses reachable in one step: the next stage, or a side exit from any open stage."""
    if status == "perlu_perbaikan":
        return ("diajukan", "ditolak", "dibatalkan")
    if status not in STAGES or not is_open(status):
        return ()
    index = STAGES.index(status)
    return STAGES[index + 1 : index + 2] + SIDE_EXITS


def stage_number(status: str) -> int | None:
    """1-based position among the main stages, for "tahap 2 dari 6"."""
    return STAGES.index(status) + 1 if status in STAGES else None


class TransitionError(ValueError):
    """A status change the rules do not allow; the message says why."""


def check_transition(old: str, new: str, reason: str | None) -> None:
    if new not in ALL:
        raise TransitionError(f"unknown status {new!r}")
    if new not in allowed_next(old):
        raise TransitionError(f"cannot move from {old!r} to {new!r}")
    if new in NEEDS_REASON and not (reason or "").strip():
        raise TransitionError(f"status {new!r} needs a reason")
