"""Role rules: every allowed and every forbidden status change, per role, and who sees what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from core import roles
from core import status as status_rules
from core.status import ALL, TransitionError

VILLAGE = "34.04.07.2001"
OTHER_VILLAGE_SAME_KECAMATAN = "34.04.07.2002"
OTHER_KECAMATAN = "34.04.08.2001"
OTHER_KABUPATEN = "34.71.01.1001"


@dataclass(frozen=True)
class Officer:
    role: str
    scope_code: str | None
    sector: str | None = None


@dataclass(frozen=True)
class Proposal:
    village_code: str
    sector: str


DESA = Officer("desa", VILLAGE)
KECAMATAN = Officer("kecamatan", "34.04.07")
OPD = Officer("opd", "34.04")
OPD_ROADS = Officer("opd", "34.04", "jalan")
ADMIN = Officer("admin", None)

EXITS = {"perlu_perbaikan", "ditolak", "digabung"}
# Written out by hand, independently of roles.ROLE_MOVES: (from → to) each role may do in its scope.
EXPECTED: dict[str, dict[str, set[str]]] = {
    "desa": {"diajukan": {"diverifikasi_desa"} | EXITS, "perlu_perbaikan": {"diajukan", "ditolak"}},
    "kecamatan": {"diverifikasi_desa": {"dibahas_kecamatan"} | EXITS},
    "opd": {"dibahas_kecamatan": {"diverifikasi_opd"} | EXITS, "diverifikasi_opd": {"masuk_rkpd"} | EXITS,
            "masuk_rkpd": {"direalisasikan"} | EXITS},
}


def _expected(role: str, old: str, new: str) -> bool:
    if role == "admin":
        return new in status_rules.allowed_next(old)
    return new in EXPECTED[role].get(old, set())


@pytest.mark.parametrize("officer", [DESA, KECAMATAN, OPD, ADMIN], ids=lambda o: o.role)
@pytest.mark.parametrize("old", ALL)
@pytest.mark.parametrize("new", ALL)
def test_every_transition_per_role_in_scope(officer: Officer, old: str, new: str) -> None:
    allowed = new in roles.allowed_transitions(officer, old, VILLAGE, "jalan")
    assert allowed == _expected(officer.role, old, new)
    proposal = Proposal(VILLAGE, "jalan")
    inputs = {"reason": "alasan", "note": "catatan", "target": "USL-0000AA"}
    if allowed:
        roles.check_officer_transition(officer, proposal, old, new, **inputs)
    else:
        with pytest.raises(PermissionError):
            roles.check_officer_transition(officer, proposal, old, new, **inputs)


def test_the_tables_agree_with_the_status_machine() -> None:
    for role_moves in roles.ROLE_MOVES.values():
        for old, targets in role_moves.items():
            assert targets <= set(status_rules.allowed_next(old)), old


def test_no_officer_role_withdraws_a_proposal_for_the_citizen() -> None:
    for officer in (DESA, KECAMATAN, OPD):
        for old in ALL:
            assert "dibatalkan" not in roles.allowed_transitions(officer, old, VILLAGE, "jalan")
    assert "dibatalkan" in roles.allowed_transitions(ADMIN, "diajukan", VILLAGE, "jalan")


@pytest.mark.parametrize("officer, village, sector, visible", [
    (DESA, VILLAGE, "jalan", True),
    (DESA, OTHER_VILLAGE_SAME_KECAMATAN, "jalan", False),
    (DESA, "34.04.07.20011", "jalan", False),
    (KECAMATAN, VILLAGE, "air_bersih", True),
    (KECAMATAN, OTHER_VILLAGE_SAME_KECAMATAN, "jalan", True),
    (KECAMATAN, OTHER_KECAMATAN, "jalan", False),
    (Officer("kecamatan", "34.04.0"), VILLAGE, "jalan", False),  # a prefix is a whole code, not characters
    (OPD, OTHER_KECAMATAN, "kesehatan", True),
    (OPD, OTHER_KABUPATEN, "jalan", False),
    (OPD_ROADS, OTHER_KECAMATAN, "jalan", True),
    (OPD_ROADS, OTHER_KECAMATAN, "kesehatan", False),
    (ADMIN, OTHER_KABUPATEN, "lainnya", True),
    (Officer("tamu", VILLAGE), VILLAGE, "jalan", False),
])
def test_who_sees_what(officer: Officer, village: str, sector: str, visible: bool) -> None:
    assert roles.can_see(officer, Proposal(village, sector)) is visible


def test_out_of_scope_nothing_is_allowed() -> None:
    assert roles.allowed_transitions(DESA, "diajukan", OTHER_VILLAGE_SAME_KECAMATAN, "jalan") == ()
    assert roles.allowed_transitions(KECAMATAN, "diverifikasi_desa", OTHER_KECAMATAN, "jalan") == ()
    assert roles.allowed_transitions(OPD_ROADS, "dibahas_kecamatan", VILLAGE, "kesehatan") == ()
    assert roles.allowed_transitions(OPD_ROADS, "dibahas_kecamatan", VILLAGE, "jalan")[0] == "diverifikasi_opd"
    with pytest.raises(PermissionError):
        roles.check_officer_transition(DESA, Proposal(OTHER_VILLAGE_SAME_KECAMATAN, "jalan"), "diajukan",
                                       "diverifikasi_desa")


@pytest.mark.parametrize("new, kwargs, missing", [
    ("ditolak", {}, ["reason"]),
    ("ditolak", {"reason": "   "}, ["reason"]),
    ("ditolak", {"note": "internal only"}, ["reason"]),
    ("ditolak", {"reason": "di luar kewenangan desa"}, []),
    ("perlu_perbaikan", {"reason": "x"}, ["note"]),
    ("perlu_perbaikan", {"note": "lengkapi RT/RW"}, []),
    ("digabung", {"reason": "dobel"}, ["target"]),
    ("digabung", {"target": "USL-0000AA"}, []),
    ("diverifikasi_desa", {}, []),
])
def test_required_inputs(new: str, kwargs: dict, missing: list[str]) -> None:
    values = {"reason": None, "note": None, "target": None} | kwargs
    assert roles.missing_fields(new, values["reason"], values["note"], values["target"]) == missing
    if missing:
        with pytest.raises(TransitionError):
            roles.check_officer_transition(DESA, Proposal(VILLAGE, "jalan"), "diajukan", new, **values)


def test_the_plain_status_rules_are_unchanged() -> None:
    assert status_rules.allowed_next("diajukan") == ("diverifikasi_desa", "perlu_perbaikan", "ditolak", "digabung",
                                                     "dibatalkan")
    status_rules.check_transition("diajukan", "diverifikasi_desa", None)
    with pytest.raises(TransitionError):
        status_rules.check_transition("diajukan", "ditolak", None)


@pytest.mark.parametrize("role, scope, sector, ok", [
    ("desa", "34.04.07.2001", None, True),
    ("desa", "34.04.07", None, False),
    ("desa", "34.04.07.2001", "jalan", False),  # only opd officers are limited to a sector
    ("kecamatan", "34.04.07", None, True),
    ("kecamatan", "34.04.07.2001", None, False),
    ("opd", "34.04", "jalan", True),
    ("opd", "34.04", "jalan_tol", False),
    ("opd", None, None, False),
    ("admin", None, None, True),
    ("lurah", "34.04.07.2001", None, False),
])
def test_officer_definitions(role: str, scope: str | None, sector: str | None, ok: bool) -> None:
    if ok:
        roles.validate_officer(role, scope, sector)
    else:
        with pytest.raises(roles.ScopeError):
            roles.validate_officer(role, scope, sector)


def test_officers_belong_to_this_kabupaten() -> None:
    roles.validate_officer("desa", VILLAGE, None, "34.04", {VILLAGE})
    with pytest.raises(roles.ScopeError, match="outside"):
        roles.validate_officer("desa", OTHER_KABUPATEN, None, "34.04")
    with pytest.raises(roles.ScopeError, match="unknown region"):
        roles.validate_officer("desa", "34.04.07.2999", None, "34.04", {VILLAGE})


WIB = timezone(timedelta(hours=7))


@pytest.mark.parametrize("created, due", [
    (datetime(2026, 11, 23, 9, 0, tzinfo=WIB), datetime(2026, 11, 25, 9, 0, tzinfo=WIB)),  # Mon → Wed
    (datetime(2026, 11, 26, 15, 0, tzinfo=WIB), datetime(2026, 11, 30, 15, 0, tzinfo=WIB)),  # Thu → Mon
    (datetime(2026, 11, 27, 10, 0, tzinfo=WIB), datetime(2026, 12, 1, 10, 0, tzinfo=WIB)),  # Fri → Tue
    (datetime(2026, 11, 28, 22, 0, tzinfo=WIB), datetime(2026, 12, 2, 0, 0, tzinfo=WIB)),  # Sat: from Monday
    (datetime(2026, 11, 29, 1, 0, tzinfo=WIB), datetime(2026, 12, 2, 0, 0, tzinfo=WIB)),  # Sun: from Monday
])
def test_sla_counts_working_days_only(created: datetime, due: datetime) -> None:
    assert roles.add_working_days(created, 2) == due
    assert not roles.is_overdue(created, due, 2)
    assert roles.is_overdue(created, due + timedelta(seconds=1), 2)


def test_sla_works_from_utc_timestamps() -> None:
    created = datetime(2026, 11, 27, 20, 0, tzinfo=timezone.utc)  # Saturday 03:00 in WIB
    assert roles.add_working_days(created, 1) == datetime(2026, 12, 1, 0, 0, tzinfo=WIB)
