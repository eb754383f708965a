"""`Status` is the contract's strings (DESIGN.md) as an enum: the database, JSON, templates and
messages see exactly the plain values."""

from __future__ import annotations

import json

from core import status as status_rules
from core.status import Status


def test_the_values_are_the_contracts_statuses_in_stage_order() -> None:
    assert [s.value for s in Status] == [
        "diajukan", "diverifikasi_desa", "dibahas_kecamatan", "diverifikasi_opd", "masuk_rkpd", "direalisasikan",
        "perlu_perbaikan", "ditolak", "digabung", "dibatalkan"]
    assert status_rules.ALL == tuple(Status)


def test_a_member_reads_as_its_plain_value_everywhere() -> None:
    member = Status.PERLU_PERBAIKAN
    assert member == "perlu_perbaikan" and hash(member) == hash("perlu_perbaikan")
    assert {"perlu_perbaikan": 1}[member] == 1 and "perlu_perbaikan" in {member}
    assert (str(member), f"{member}", f"{member!r}", ", ".join([member])) == (
        "perlu_perbaikan", "perlu_perbaikan", "'perlu_perbaikan'", "perlu_perbaikan")
    assert json.dumps({"status": member}) == '{"status": "perlu_perbaikan"}'
    assert Status("ditolak") is Status.DITOLAK
