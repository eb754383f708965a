"""Proposal statuses (DESIGN.md) and the transitions between them.

This module is the one place that knows the order of the stages; labels shown to citizens
live in `core.texts`. `Status` is a str enum: a member equals, hashes and prints as its
value (repr too, so messages read as before), and the database, JSON and templates see the
contract's plain strings.
"""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    """The contract's statuses (a `StrEnum` by hand: the Rasa environment runs Python 3.10)."""

    DIAJUKAN = "diajukan"
    DIVERIFIKASI_DESA = "diverifikasi_desa"
    DIBAHAS_KECAMATAN = "dibahas_kecamatan"
    DIVERIFIKASI_OPD = "diverifikasi_opd"
    MASUK_RKPD = "masuk_rkpd"
    DIREALISASIKAN = "direalisasikan"
    PERLU_PERBAIKAN = "perlu_perbaikan"
    DITOLAK = "ditolak"
    DIGABUNG = "digabung"
    DIBATALKAN = "dibatalkan"

    def __str__(self) -> str:
        return self.value

    __format__ = str.__format__
    __repr__ = str.__repr__


STAGES: tuple[Status, ...] = (
    Status.DIAJUKAN,
    Status.DIVERIFIKASI_DESA,
    Status.DIBAHAS_KECAMATAN,
    Status.DIVERIFIKASI_OPD,
    Status.MASUK_RKPD,
    Status.DIREALISASIKAN,
)
SIDE_EXITS: tuple[Status, ...] = (Status.PERLU_PERBAIKAN, Status.DITOLAK, Status.DIGABUNG, Status.DIBATALKAN)
ALL: tuple[Status, ...] = STAGES + SIDE_EXITS
INITIAL = Status.DIAJUKAN
CLOSED: frozenset[Status] = frozenset({Status.DIREALISASIKAN, Status.DITOLAK, Status.DIGABUNG, Status.DIBATALKAN})
NEEDS_REASON: frozenset[Status] = frozenset({Status.DITOLAK, Status.PERLU_PERBAIKAN, Status.DIGABUNG})


def is_open(status: str) -> bool:
    return status not in CLOSED


def allowed_next(status: str) -> tuple[Status, ...]:
    """Statuses reachable in one step: the next stage, or a side exit from any open stage."""
    if status == Status.PERLU_PERBAIKAN:
        return (Status.DIAJUKAN, Status.DITOLAK, Status.DIBATALKAN)
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
