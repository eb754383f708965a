"""Open proposals that look like a given description: the citizen is offered to support (dukung) one of them
instead of filing a copy, and the officer's proposal page lists them as likely duplicates to merge.

It must stay fast in a kabupaten with 100,000 proposals: only the open proposals of the same desa and sector
are read (index ix_proposals_village_sector_status, migration 0005), at most the most recent CANDIDATES of
them are scored (core.similarity, in Python), and supporters are counted only for the few that match.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import insert, select, text

from core import regions, similarity, tracking
from core import status as status_rules
from storage import proposals
from storage.db import Database
from storage.models import Citizen, Proposal, Support

CANDIDATES = 500  # the newest open proposals of one desa and sector that are compared; older ones are rare
OPEN_STATUSES: tuple[str, ...] = tuple(s for s in status_rules.ALL if status_rules.is_open(s))


@dataclass(frozen=True)
class SimilarProposal:
    code: str
    description: str
    status: str
    supporters: int
    score: float  # 0..1, at least the threshold
    distance_m: float | None  # between the pins, when both have one


def _own_place_names(village_code: str) -> Callable[[str], str]:
    """The text without the desa's and its kecamatan's names: every proposal compared is of that desa, and "…
    ing Bangunkerto, Turi" in one description only would read as a place the other lacks."""
    g = regions.gazetteer()
    names = [region.name for region in (g.by_code.get(village_code), g.kecamatan_of(village_code)) if region]
    if not names:
        return lambda text: text
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(name) for name in names) + r")\b", re.IGNORECASE)
    return lambda text: pattern.sub(" ", text or "")


async def similar_open_proposals(
    db: Database, village_code: str, sector: str, description: str, item_code: str | None = None,
    lat: float | None = None, lon: float | None = None, limit: int = 3, exclude_code: str | None = None,
    threshold: float = similarity.THRESHOLD,
) -> list[SimilarProposal]:
    """Open proposals of the same desa and sector that likely describe the same need, best first.

    Equal scores put the proposal with more supporters first: that is the one worth joining; then the newest.
    `exclude_code` leaves out the proposal being compared (the officer's page of that proposal).
    """
    without = _own_place_names(village_code)
    wanted = similarity.prepare(without(description), item_code, lat, lon)
    if limit <= 0 or not wanted.text:  # nothing but filler words: nothing to compare
        return []
    query = (
        select(Proposal.id, Proposal.code, Proposal.description, Proposal.status, Proposal.item_code,
               Proposal.latitude, Proposal.longitude)
        .where(Proposal.village_code == village_code, Proposal.sector == sector,
               Proposal.status.in_(OPEN_STATUSES))
        .order_by(Proposal.id.desc())
        .limit(CANDIDATES)
    )
    if exclude_code:
        query = query.where(Proposal.code != exclude_code)
    async with db.session() as session:
        rows = (await session.execute(query)).all()
        matches = []
        for row in rows:
            found = similarity.compare(wanted, similarity.prepare(without(row.description), row.item_code,
                                                                  row.latitude, row.longitude))
            if found.score >= threshold:
                matches.append((row, found))
        if not matches:
            return []
        counts = await proposals.supporter_counts(session, [row.id for row, _ in matches])
    matches.sort(key=lambda m: (-round(m[1].raw, 6), -counts.get(m[0].id, 0), -m[0].id))
    return [
        SimilarProposal(row.code, row.description, row.status, counts.get(row.id, 0), round(found.score, 4),
                        None if found.distance_m is None else round(found.distance_m, 1))
        for row, found in matches[:limit]
    ]


# --- Benchmark data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchProposal:
    """One generated proposal for bench/duplicates.py; `citizen` indexes the generated citizens."""

    description: str
    sector: str
    village_code: str
    status: str
    created_at: datetime
    citizen: int
    item_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    supporters: int = 0


async def bulk_insert_for_benchmark(db: Database, proposals: Sequence[BenchProposal], citizens: int,
                                    chunk: int = 5000) -> list[str]:
    """Load generated proposals, their citizens and supports fast (multi-row INSERTs); returns their codes.

    For benchmarks only: no status history, no notifications, no draft forms. Tracking codes are random
    like real ones (never repeated), and the tables are analysed afterwards so the planner sees their size.
    """
    tag = secrets.token_hex(4)  # several loads into one database do not collide
    now = datetime.now(timezone.utc)
    async with db.session() as session:
        for start in range(0, citizens, chunk):
            await session.execute(insert(Citizen), [
                {"channel": "bench", "external_id": f"bench-{tag}-{i}", "language": "id", "created_at": now}
                for i in range(start, min(citizens, start + chunk))
            ])
        ids = dict((await session.execute(select(Citizen.external_id, Citizen.id)
                                          .where(Citizen.channel == "bench"))).all())
        citizen_ids = [ids[f"bench-{tag}-{i}"] for i in range(citizens)]
        used = set((await session.execute(select(Proposal.code))).scalars().all())
        codes: list[str] = []
        for start in range(0, len(proposals), chunk):
            part = proposals[start : start + chunk]
            rows = []
            for offset, p in enumerate(part):
                code = tracking.new_code()
                while code in used:
                    code = tracking.new_code()
                used.add(code)
                rows.append({
                    "code": code, "draft_key": f"bench-{tag}-{start + offset}",
                    "citizen_id": citizen_ids[p.citizen % citizens], "description": p.description,
                    "sector": p.sector, "item_code": p.item_code, "village_code": p.village_code,
                    "latitude": p.latitude, "longitude": p.longitude, "status": p.status, "language": "id",
                    "created_at": p.created_at, "updated_at": p.created_at,
                })
            await session.execute(insert(Proposal), rows)
            keys = [row["draft_key"] for row in rows]
            proposal_ids = dict((await session.execute(select(Proposal.draft_key, Proposal.id)
                                                       .where(Proposal.draft_key.in_(keys)))).all())
            supports = [
                {"proposal_id": proposal_ids[row["draft_key"]],
                 "citizen_id": citizen_ids[(p.citizen + 1 + j) % citizens], "created_at": p.created_at}
                for row, p in zip(rows, part, strict=True)
                for j in range(min(p.supporters, citizens - 1))
            ]
            if supports:
                await session.execute(insert(Support), supports)
            codes.extend(row["code"] for row in rows)
        await session.commit()
    async with db.engine.begin() as connection:
        await connection.execute(text("ANALYZE proposals"))
        await connection.execute(text("ANALYZE supports"))
    return codes
