"""Queries behind the SIPD exchange (integrations/sipd formats them).

Only what SIPD needs leaves the database: never the citizen's name, phone or
channel id, and never officers' internal notes; descriptions and reasons are the public view
(`core.privacy.redact`), as on the dashboard. Years are planning years in the deployment's local
time (core.calendar), so a proposal sent on 31 December at 23:00 counts in that year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from core import calendar, privacy
from storage.db import Database
from storage.models import Proposal, StatusChange, as_utc

# A status change made while the proposal sat at one of these statuses is that stage's decision
# (core/roles.py ROLE_MOVES: desa decides on `diajukan`, kecamatan on `diverifikasi_desa`, OPD after).
STAGE_OF_OLD_STATUS: dict[str, str] = {
    "diajukan": "kelurahan",
    "diverifikasi_desa": "kecamatan",
    "dibahas_kecamatan": "skpd",
    "diverifikasi_opd": "skpd",
    "masuk_rkpd": "skpd",
}
IN_CHUNK = 500  # codes per IN (...) list, below SQLite's bound-parameter limit



def _in_year(query, year: int | None):  # noqa: ANN001, ANN202 - a Select
    if year is None:
        return query
    start, end = calendar.year_bounds(year)
    return query.where(Proposal.created_at >= start, Proposal.created_at < end)


@dataclass(frozen=True)
class ExportRow:
    """One proposal as SIPD receives it: public facts and the reasons citizens were also told."""

    code: str
    created_at: datetime
    description: str
    sector: str
    item_code: str | None
    village_code: str
    rt: str | None
    rw: str | None
    status: str
    last_reason: str | None  # the reason of the latest change (what the citizen sees now)
    stage_reasons: dict[str, str] = field(default_factory=dict)  # "kelurahan"/"kecamatan"/"skpd" → reason


async def export_rows(db: Database, year: int | None = None) -> list[ExportRow]:
    """Proposals of `year` (all when None) with their public reasons, oldest first."""
    query = _in_year(
        select(Proposal.id, Proposal.code, Proposal.created_at, Proposal.description, Proposal.sector,
               Proposal.item_code, Proposal.village_code, Proposal.rt, Proposal.rw, Proposal.status),
        year,
    ).order_by(Proposal.created_at, Proposal.id)
    changes = _in_year(
        select(StatusChange.proposal_id, StatusChange.old_status, StatusChange.reason)
        .join(Proposal, Proposal.id == StatusChange.proposal_id),
        year,
    ).order_by(StatusChange.id)
    async with db.session() as session:
        proposals = (await session.execute(query)).all()
        history = (await session.execute(changes)).all()
    last_reason: dict[int, str | None] = {}
    stage_reasons: dict[int, dict[str, str]] = {}
    for proposal_id, old_status, raw_reason in history:  # in order: later changes overwrite earlier ones
        reason = privacy.public_text(raw_reason)
        last_reason[proposal_id] = reason
        stage = STAGE_OF_OLD_STATUS.get(old_status or "")
        if stage and (reason or "").strip():
            stage_reasons.setdefault(proposal_id, {})[stage] = reason.strip()
    return [
        ExportRow(r.code, as_utc(r.created_at), privacy.redact(r.description), r.sector, r.item_code, r.village_code,
                  r.rt, r.rw, r.status, last_reason.get(r.id), stage_reasons.get(r.id, {}))
        for r in proposals
    ]


async def current_statuses(db: Database, codes: Iterable[str]) -> dict[str, str]:
    """Code → status of the given codes that exist, so an import can tell unknown codes and no-ops."""
    wanted = sorted(set(codes))
    found: dict[str, str] = {}
    async with db.session() as session:
        for start in range(0, len(wanted), IN_CHUNK):
            rows = await session.execute(
                select(Proposal.code, Proposal.status).where(Proposal.code.in_(wanted[start : start + IN_CHUNK]))
            )
            found.update(dict(rows.all()))
    return found
