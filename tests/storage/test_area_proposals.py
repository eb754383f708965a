"""The officer's map query (storage.review.area_proposals) on SQLite and PostgreSQL: counts per desa of the
scope only, pins of the scope only, newest first, and the status filter."""

from __future__ import annotations

from core import roles
from storage import proposals, review, status_changes
from storage.db import Database

CATURTUNGGAL, MAGUWOHARJO, WEDOMARTANI = "34.04.07.2001", "34.04.07.2002", "34.04.11.2004"


async def _propose(db: Database, key: str, village: str, **extra: object) -> str:
    view, _ = await proposals.submit_proposal(db, "web", f"s-{key}", key, proposals.ProposalDraft(
        description=f"Jalan rusak {key}", sector="jalan", village_code=village, **extra))
    return view.code


async def test_counts_and_pins_of_the_scope_only(db: Database) -> None:
    first = await _propose(db, "a", CATURTUNGGAL, latitude=-7.7713, longitude=110.3776)
    second = await _propose(db, "b", CATURTUNGGAL, latitude=-7.772, longitude=110.378)
    await _propose(db, "c", MAGUWOHARJO)
    await _propose(db, "d", WEDOMARTANI, latitude=-7.7366, longitude=110.4353)
    depok = roles.Scope(village=None, prefix="34.04.07.", sector=None)
    found = await review.area_proposals(db, depok)
    assert found.per_village == {CATURTUNGGAL: 2, MAGUWOHARJO: 1}
    assert [p[0] for p in found.pins] == [second, first]  # newest first
    assert found.pins[1][3:] == (-7.7713, 110.3776)
    await status_changes.change_status(db, first, "ditolak", "test", reason="Sudah ada")
    rejected = await review.area_proposals(db, depok, "ditolak")
    assert rejected.per_village == {CATURTUNGGAL: 1} and [p[0] for p in rejected.pins] == [first]
    one = await review.area_proposals(db, roles.Scope(village=WEDOMARTANI, prefix=None, sector=None))
    assert one.per_village == {WEDOMARTANI: 1} and len(one.pins) == 1
