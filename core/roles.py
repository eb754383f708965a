"""Officer roles: what each officer may see and which status changes each may make.

`core.status` says which moves exist at all; this module narrows them per role, so a desa
operator only verifies the proposals of their own village, a kecamatan officer only the ones
the desa has verified, and so on up to Bappeda/OPD. Admins may do whatever `core.status` allows.
It also holds the escalation SLA (working days), the other rule the officers' desk lives by.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol

from core import calendar
from core import status as status_rules
from core.sectors import SECTORS
from core.status import Status

DESA, KECAMATAN, OPD, ADMIN = "desa", "kecamatan", "opd", "admin"
ROLES: tuple[str, ...] = (DESA, KECAMATAN, OPD, ADMIN)

# The shape of the scope code each role is bound to (Kemendagri codes).
SCOPE_PATTERNS: dict[str, re.Pattern[str]] = {
    DESA: re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}\Z"),
    KECAMATAN: re.compile(r"^\d{2}\.\d{2}\.\d{2}\Z"),
    OPD: re.compile(r"^\d{2}\.\d{2}\Z"),
}

# Officers never withdraw a proposal: `dibatalkan` is the citizen's own decision.
_OFFICER_EXITS = frozenset({Status.PERLU_PERBAIKAN, Status.DITOLAK, Status.DIGABUNG})

# Per role: the statuses it acts on and where it may move them (then intersected with core.status).
ROLE_MOVES: dict[str, dict[str, frozenset[str]]] = {
    DESA: {
        Status.DIAJUKAN: frozenset({Status.DIVERIFIKASI_DESA}) | _OFFICER_EXITS,
        # The citizen fixed it (often in person at the village office), or never will.
        Status.PERLU_PERBAIKAN: frozenset({Status.DIAJUKAN, Status.DITOLAK}),
    },
    KECAMATAN: {
        Status.DIVERIFIKASI_DESA: frozenset({Status.DIBAHAS_KECAMATAN}) | _OFFICER_EXITS,
    },
    OPD: {
        Status.DIBAHAS_KECAMATAN: frozenset({Status.DIVERIFIKASI_OPD}) | _OFFICER_EXITS,
        Status.DIVERIFIKASI_OPD: frozenset({Status.MASUK_RKPD}) | _OFFICER_EXITS,
        Status.MASUK_RKPD: frozenset({Status.DIREALISASIKAN}) | _OFFICER_EXITS,
    },
}


class OfficerLike(Protocol):
    role: str
    scope_code: str | None
    sector: str | None


class ProposalLike(Protocol):
    village_code: str
    sector: str


class ScopeError(ValueError):
    """An officer definition that does not fit its role (wrong code shape, unknown sector)."""


@dataclass(frozen=True)
class Scope:
    """An officer's scope as SQL can use it: a village-code prefix and an optional sector."""

    village: str | None  # exact village code (desa)
    prefix: str | None  # "PP.KK.CC." or "PP.KK." (kecamatan, opd); None with village=None: everything
    sector: str | None


def validate_officer(role: str, scope_code: str | None, sector: str | None, region: str | None = None,
                     known_codes: Container[str] | None = None) -> None:
    """Raise ScopeError unless the role, scope and sector make a usable officer (of this
    deployment's kabupaten `region`, with a scope among `known_codes`, when they are given)."""
    if role not in ROLES:
        raise ScopeError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if sector is not None and sector not in SECTORS:
        raise ScopeError(f"unknown sector {sector!r}")
    if sector is not None and role != OPD:
        raise ScopeError("only an opd officer is limited to a sector")
    if role == ADMIN:
        return
    if not scope_code or not SCOPE_PATTERNS[role].match(scope_code):
        shapes = {DESA: "PP.KK.CC.DDDD", KECAMATAN: "PP.KK.CC", OPD: "PP.KK"}
        raise ScopeError(f"a {role} officer needs a scope code like {shapes[role]}, got {scope_code!r}")
    if region and scope_code != region and not scope_code.startswith(f"{region}."):
        raise ScopeError(f"scope {scope_code} is outside this deployment's kabupaten/kota {region}")
    if known_codes is not None and scope_code not in known_codes:
        raise ScopeError(f"unknown region code {scope_code}")


def scope_of(officer: OfficerLike) -> Scope:
    if officer.role == DESA:
        return Scope(village=officer.scope_code, prefix=None, sector=None)
    if officer.role in (KECAMATAN, OPD):
        return Scope(village=None, prefix=f"{officer.scope_code}.", sector=officer.sector)
    if officer.role == ADMIN:
        return Scope(village=None, prefix=None, sector=None)
    raise ScopeError(f"unknown role {officer.role!r}")


def in_scope(officer: OfficerLike, village_code: str, sector: str | None) -> bool:
    if officer.role not in ROLES:
        return False
    scope = scope_of(officer)
    if scope.village is not None and village_code != scope.village:
        return False
    if scope.prefix is not None and not village_code.startswith(scope.prefix):
        return False
    return scope.sector is None or sector == scope.sector


def can_see(officer: OfficerLike, proposal: ProposalLike) -> bool:
    """Whether the proposal (and its submitter's contact data) is within the officer's scope."""
    return in_scope(officer, proposal.village_code, proposal.sector)


@dataclass(frozen=True)
class EscalationScope:
    """Which escalations an officer may read, claim and answer, as SQL can use it."""

    desa: Scope | None  # escalations whose citizen's desa falls in this scope (None: none of them)
    unknown_desa: bool  # also those whose desa nobody knows


def escalation_scope(officer: OfficerLike) -> EscalationScope:
    """Escalations (a citizen's question, their contact in its excerpt) are scoped like proposals,
    by the citizen's desa: its desa operator, its kecamatan, an OPD officer without a sector,
    admins. Without a known desa no desa operator can tell whose it is: kecamatan officers and
    admins take it. `storage.escalations` turns this into the WHERE of every desk query."""
    scope = scope_of(officer)
    return EscalationScope(desa=None if scope.sector else scope,
                           unknown_desa=officer.role in (KECAMATAN, ADMIN))


def role_moves(role: str, proposal_status: str) -> tuple[Status, ...]:
    """Where a role may move a proposal of this status (in scope), in `core.status` order."""
    possible = status_rules.allowed_next(proposal_status)
    if role == ADMIN:
        return possible
    mine = ROLE_MOVES.get(role, {}).get(proposal_status, frozenset())
    return tuple(s for s in possible if s in mine)


def allowed_transitions(
    officer: OfficerLike, proposal_status: str, proposal_village: str, proposal_sector: str
) -> tuple[str, ...]:
    """The statuses this officer may move the proposal to now, in `core.status` order."""
    if not in_scope(officer, proposal_village, proposal_sector):
        return ()
    return role_moves(officer.role, proposal_status)


def missing_fields(new_status: str, reason: str | None, note: str | None, target: str | None) -> list[str]:
    """The inputs a move still needs: a reason to reject, a note saying what to fix, a merge target."""
    needed = {Status.DITOLAK: ("reason", reason), Status.PERLU_PERBAIKAN: ("note", note),
              Status.DIGABUNG: ("target", target)}
    if new_status in needed:
        field, value = needed[new_status]
        if not (value or "").strip():
            return [field]
    return []


def check_officer_transition(
    officer: OfficerLike,
    proposal: ProposalLike,
    proposal_status: str,
    new_status: str,
    reason: str | None = None,
    note: str | None = None,
    target: str | None = None,
) -> None:
    """Raise PermissionError (not this officer's move) or TransitionError (input missing)."""
    if new_status not in allowed_transitions(officer, proposal_status, proposal.village_code, proposal.sector):
        raise PermissionError(f"{officer.role} cannot move {proposal_status!r} to {new_status!r} here")
    missing = missing_fields(new_status, reason, note, target)
    if missing:
        raise status_rules.TransitionError(f"status {new_status!r} needs a {missing[0]}")


# --- Escalation SLA: counted in working days (Monday–Friday), in the deployment's local time. ---


def add_working_days(start: datetime, days: int) -> datetime:
    """`start` moved forward by `days` working days; a weekend start counts from Monday."""
    moment = calendar.local(start)
    if moment.weekday() >= 5:  # the clock starts on Monday morning
        moment = (moment + timedelta(days=7 - moment.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            remaining -= 1
    return moment.astimezone(timezone.utc)


def is_overdue(created_at: datetime, now: datetime, sla_days: int) -> bool:
    return now > add_working_days(created_at, sla_days)
