"""The year's numbers: one query behind the public dashboard and the yearly evaluation report.

A proposal counts in the planning year it was submitted in (core.calendar) and in the deployment's
region only. "Verified", "accepted into the RKPD" and "realised" read the history (how far the
proposal ever got, whatever its status now); the wait is from submission to its first verification,
averaged over the verified ones. The dashboard and the report both read `indicators`, so they cannot
disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, extract, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from core import calendar, regions
from core import status as status_rules
from core.sectors import SECTORS
from storage.db import Database
from storage.models import Proposal, SatisfactionRating, StatusChange, as_utc
from storage.public import in_region, in_year, kecamatans, place_of, places

# "Verified" means the desa/kelurahan verified it, whatever happened afterwards (history, not status).
VERIFIED: tuple[str, ...] = status_rules.STAGES[1:]
ACCEPTED: tuple[str, ...] = ("masuk_rkpd", "direalisasikan")
REALISED: tuple[str, ...] = ("direalisasikan",)
GROUPS: tuple[str, ...] = ("kecamatan", "desa", "sector")
TOP_DESA = 10
MAX_YEARS = 30


@dataclass(frozen=True)
class Indicators:
    proposals: int
    proposers: int  # distinct citizens (one per chat account)
    verified: int
    accepted: int  # reached the RKPD
    realised: int
    avg_days_to_verification: float | None
    timed: int  # proposals the average is taken over (the verified ones)

    def share(self, part: int) -> float | None:
        return part / self.proposals if self.proposals else None


EMPTY = Indicators(0, 0, 0, 0, 0, None, 0)


def _reached(statuses: tuple[str, ...]) -> ColumnElement:
    """The proposal's history holds one of these statuses (it got that far at some point)."""
    return exists().where(StatusChange.proposal_id == Proposal.id, StatusChange.new_status.in_(statuses))


def _count_if(clause: ColumnElement) -> ColumnElement:
    return func.count(case((clause, 1)))


def _kecamatan_code() -> ColumnElement:
    # Literal arguments, so PostgreSQL sees the same expression in SELECT and GROUP BY.
    return func.substr(Proposal.village_code, literal_column("1"), literal_column("8"))


def _group_key(by: str) -> ColumnElement:
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r} (one of {', '.join(GROUPS)})")
    return {"kecamatan": _kecamatan_code(), "desa": Proposal.village_code, "sector": Proposal.sector}[by]


def _days_between(later: ColumnElement, earlier: ColumnElement, sqlite: bool) -> ColumnElement:
    if sqlite:
        return func.julianday(later) - func.julianday(earlier)
    return extract("epoch", later - earlier) / 86400.0


async def _query(db: Database, region: str, year: int, by: str | None) -> dict[str | None, Indicators]:
    """The one query: every indicator for the year, in total (key None) or per group."""
    first_verified = (
        select(StatusChange.proposal_id.label("proposal_id"), func.min(StatusChange.created_at).label("at"))
        .where(StatusChange.new_status.in_(VERIFIED))
        .group_by(StatusChange.proposal_id)
        .subquery()
    )
    days = _days_between(first_verified.c.at, Proposal.created_at, db.is_sqlite)
    key = _group_key(by) if by else None
    columns = (func.count(Proposal.id), func.count(Proposal.citizen_id.distinct()), _count_if(_reached(VERIFIED)),
               _count_if(_reached(ACCEPTED)), _count_if(_reached(REALISED)), func.avg(days),
               func.count(first_verified.c.at))
    query = (
        select(*([key] if key is not None else []), *columns)
        .select_from(Proposal)
        .outerjoin(first_verified, first_verified.c.proposal_id == Proposal.id)
        .where(*in_region(region), *in_year(year))
    )
    if key is not None:
        query = query.group_by(key)
    async with db.session() as session:
        rows = (await session.execute(query)).all()
    found: dict[str | None, Indicators] = {}
    for row in rows:
        group, values = (row[0], row[1:]) if key is not None else (None, row)
        total, proposers, verified, accepted, realised, average, timed = values
        found[group] = Indicators(total, proposers, verified, accepted, realised,
                                  float(average) if average is not None else None, timed)
    return found


async def indicators(db: Database, region: str, year: int) -> Indicators:
    """The year's indicators over the whole region."""
    return (await _query(db, region, year, None)).get(None, EMPTY)


async def indicators_by(db: Database, region: str, year: int, by: str) -> dict[str, Indicators]:
    """The year's indicators per kecamatan, desa or sector; groups without proposals are absent."""
    return {key: value for key, value in (await _query(db, region, year, by)).items() if key is not None}


# --- The dashboard --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaCount:
    code: str
    name: str
    kecamatan: str
    indicators: Indicators

    @property
    def total(self) -> int:
        return self.indicators.proposals

    @property
    def verified(self) -> int:
        return self.indicators.verified

    @property
    def accepted(self) -> int:
        return self.indicators.accepted


@dataclass(frozen=True)
class Rating:
    """Citizens' 1–5 answers to the satisfaction question (storage/satisfaction.py)."""

    count: int
    mean: float | None


@dataclass(frozen=True)
class SatisfactionSummary:
    total: Rating
    by_kecamatan: list[tuple[str, str, Rating]]  # (code, name, rating): kecamatan with answers, by name
    by_channel: list[tuple[str, Rating]]  # every channel with answers
    by_event: list[tuple[str, Rating]]  # submitted / final / answer


NO_RATING = Rating(0, None)
NO_SATISFACTION = SatisfactionSummary(NO_RATING, [], [], [])


async def satisfaction(db: Database, region: str, year: int) -> SatisfactionSummary:
    """The year's answers (by when the question was asked), in total, per kecamatan, channel and event.
    An answer about an officer's reply without a known desa counts in the total and its channel only."""
    start, end = calendar.year_bounds(year)
    where = [SatisfactionRating.rating.is_not(None), SatisfactionRating.created_at >= start,
             SatisfactionRating.created_at < end]
    if region:
        where.append(SatisfactionRating.kecamatan_code.is_(None)
                     | SatisfactionRating.kecamatan_code.startswith(region + ".", autoescape=True))

    async def grouped(key: ColumnElement | None) -> dict[str | None, Rating]:
        columns = (func.count(SatisfactionRating.id), func.avg(SatisfactionRating.rating))
        query = select(*([key] if key is not None else []), *columns).where(*where)
        if key is not None:
            query = query.group_by(key)
        async with db.session() as session:
            rows = (await session.execute(query)).all()
        found = {}
        for row in rows:
            group, (count, mean) = (row[0], row[1:]) if key is not None else (None, row)
            found[group] = Rating(count, float(mean) if mean is not None else None)
        return found

    total = (await grouped(None)).get(None, NO_RATING)
    if not total.count:
        return NO_SATISFACTION
    kecamatan = {k: v for k, v in (await grouped(SatisfactionRating.kecamatan_code)).items() if k}
    names = {code: regions.gazetteer().name_of(code) for code in kecamatan}
    return SatisfactionSummary(
        total,
        sorted(((code, names[code], rating) for code, rating in kecamatan.items()), key=lambda r: (r[1], r[0])),
        sorted((await grouped(SatisfactionRating.channel)).items()),
        sorted((await grouped(SatisfactionRating.event)).items()),
    )


@dataclass(frozen=True)
class Dashboard:
    year: int
    indicators: Indicators
    by_status: list[tuple[str, int]]  # every status, in stage order
    by_sector: list[tuple[str, int]]  # every sector, most proposals first
    by_kecamatan: list[AreaCount]  # every kecamatan of the region, most proposals first
    top_desa: list[AreaCount]
    desa_with_proposals: int
    per_sector: dict[str, Indicators]  # every sector's indicators (the yearly report's table)
    satisfaction: SatisfactionSummary = NO_SATISFACTION  # the seed's qualitative indicator


async def years_with_data(db: Database, region: str) -> list[tuple[int, int]]:
    """(year, proposals) for every planning year that has proposals, newest first."""
    where = in_region(region)
    async with db.session() as session:
        first, last = (
            await session.execute(select(func.min(Proposal.created_at), func.max(Proposal.created_at)).where(*where))
        ).one()
        if first is None:
            return []
        years = list(range(calendar.planning_year(as_utc(last)), calendar.planning_year(as_utc(first)) - 1,
                           -1))[:MAX_YEARS]
        counts = (await session.execute(select(*(_count_if(and_(*in_year(y))) for y in years)).where(*where))).one()
    return [(year, count) for year, count in zip(years, counts, strict=True) if count]


def _ranked(counts: list[AreaCount]) -> list[AreaCount]:
    return sorted(counts, key=lambda c: (-c.total, c.name, c.code))


async def desa_table(db: Database, region: str, year: int) -> list[AreaCount]:
    """Every desa/kelurahan of the region (only those with proposals when no region is set)."""
    counts = await indicators_by(db, region, year, "desa")
    codes = [p.code for p in places(region)] if region else list(counts)
    rows = []
    for code in dict.fromkeys([*codes, *counts]):
        place = place_of(code)
        rows.append(AreaCount(code, place.name, place.kecamatan, counts.get(code, EMPTY)))
    return _ranked(rows)


async def dashboard(db: Database, region: str, year: int, top_desa: int = TOP_DESA) -> Dashboard:
    async with db.session() as session:
        statuses = dict(
            (await session.execute(select(Proposal.status, func.count(Proposal.id))
                                   .where(*in_region(region), *in_year(year)).group_by(Proposal.status))).all()
        )
    by_status = [(s, statuses.get(s, 0)) for s in status_rules.ALL]
    by_status += [(s, n) for s, n in statuses.items() if s not in status_rules.ALL]
    per_sector = await indicators_by(db, region, year, "sector")
    per_sector = {s: per_sector.get(s, EMPTY) for s in dict.fromkeys([*SECTORS, *sorted(per_sector)])}
    by_sector = sorted(((s, found.proposals) for s, found in per_sector.items()),
                       key=lambda pair: (-pair[1], SECTORS.index(pair[0]) if pair[0] in SECTORS else len(SECTORS)))
    kecamatan_counts = await indicators_by(db, region, year, "kecamatan")
    kecamatan_codes = [code for code, _ in kecamatans(region)] if region else []
    by_kecamatan = _ranked([
        AreaCount(code, regions.gazetteer().name_of(code), "", kecamatan_counts.get(code, EMPTY))
        for code in dict.fromkeys([*kecamatan_codes, *kecamatan_counts])
    ])
    desa = [row for row in await desa_table(db, region, year) if row.total]
    return Dashboard(year, await indicators(db, region, year), by_status, by_sector, by_kecamatan,
                     desa[:top_desa], len(desa), per_sector, await satisfaction(db, region, year))
