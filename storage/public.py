"""Read-only aggregates and public views of proposals, for the transparency dashboard.

Only public fields leave this module: never a citizen's name, phone or channel id, never an
officer's name or internal note. Citizens' free text goes through `redact`, so a phone number
typed into a description is not published either, and map pins are rounded to about 11 m.

A proposal belongs to the planning year in which it was submitted (its `created_at`, in WIB).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import and_, case, exists, extract, func, literal_column, or_, select
from sqlalchemy.sql.elements import ColumnElement

from core import kamus, privacy, regions, tracking
from core import status as status_rules
from core.sectors import SECTORS
from storage import proposals
from storage.db import Database
from storage.models import Proposal, StatusChange, as_utc

WIB = timezone(timedelta(hours=7))
# "Verified" means the desa/kelurahan verified it, whatever happened afterwards (history, not status).
VERIFIED: tuple[str, ...] = status_rules.STAGES[1:]
ACCEPTED: tuple[str, ...] = ("masuk_rkpd", "direalisasikan")
REALISED: tuple[str, ...] = ("direalisasikan",)
TOP_DESA = 10
PER_PAGE = 20
MAP_LIMIT = 2000  # pins per map; the list pages through everything
COORD_DECIMALS = 4  # ≈ 11 m: enough to find the pothole, not to point at one house
MAX_QUERY_WORDS = 8
MAX_YEARS = 30
# Words that only make a search stricter without saying anything ("jalan di desa X").
_STOP_WORDS = frozenset({"di", "ke", "dan", "yang", "untuk", "dari", "pada", "dengan", "atau", "usulan"})
_WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
REDACTED = privacy.REDACTED
# Phone numbers, NIK and e-mail addresses: the one set of patterns, core.privacy's.
_PERSONAL_RE = privacy.PERSONAL_RE


def redact(text: str | None) -> str:
    """Citizens' free text with contact details masked: the dashboard is for everyone to read."""
    return _PERSONAL_RE.sub(REDACTED, text or "")



def current_year(now: datetime | None = None) -> int:
    return (now or datetime.now(timezone.utc)).astimezone(WIB).year


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The planning year in UTC: WIB's 1 January 00:00 up to the next one."""
    start = datetime(year, 1, 1, tzinfo=WIB).astimezone(timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=WIB).astimezone(timezone.utc)
    return start, end


def _in_year(year: int) -> list[ColumnElement]:
    start, end = year_bounds(year)
    return [Proposal.created_at >= start, Proposal.created_at < end]


def _in_region(region: str) -> list[ColumnElement]:
    return [Proposal.village_code.startswith(region + ".", autoescape=True)] if region else []


def _reached(statuses: tuple[str, ...]) -> ColumnElement:
    """The proposal's history holds one of these statuses (it got that far at some point)."""
    return exists().where(StatusChange.proposal_id == Proposal.id, StatusChange.new_status.in_(statuses))


def _count_if(clause: ColumnElement) -> ColumnElement:
    return func.count(case((clause, 1)))


def _kecamatan_code() -> ColumnElement:
    # Literal arguments, so PostgreSQL sees the same expression in SELECT and GROUP BY.
    return func.substr(Proposal.village_code, literal_column("1"), literal_column("8"))


def _days_between(later: ColumnElement, earlier: ColumnElement, sqlite: bool) -> ColumnElement:
    if sqlite:
        return func.julianday(later) - func.julianday(earlier)
    return extract("epoch", later - earlier) / 86400.0


# --- Places ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    kecamatan_code: str
    kecamatan: str


@lru_cache(maxsize=4)
def _places(region: str) -> tuple[Place, ...]:
    gazetteer = regions.gazetteer()
    found = []
    for village in gazetteer.villages:
        if region and not village.code.startswith(region + "."):
            continue
        kecamatan = gazetteer.kecamatan_of(village.code)
        found.append(Place(village.code, village.name, village.code[:8], kecamatan.name if kecamatan else ""))
    return tuple(found)


def place_of(code: str) -> Place:
    gazetteer = regions.gazetteer()
    village, kecamatan = gazetteer.by_code.get(code), gazetteer.kecamatan_of(code)
    return Place(code, village.name if village else code, code[:8], kecamatan.name if kecamatan else "")


def kecamatans(region: str) -> list[tuple[str, str]]:
    """(code, name) of the kecamatan of the region, by name, for the filter."""
    return sorted(((r.code, r.name) for r in regions.gazetteer().kecamatans(region)), key=lambda pair: pair[1])


@lru_cache(maxsize=4)
def _place_keys(region: str) -> tuple[tuple[str, str, str], ...]:
    return tuple((p.code, regions.key(p.name), regions.key(p.kecamatan)) for p in _places(region))


def _places_named(word: str, region: str, limit: int = 1000) -> list[str]:
    """Codes of the villages whose name (or kecamatan's name) contains the word, spacing ignored."""
    wanted = regions.key(word)
    if len(wanted) < 3:
        return []
    found = [code for code, village, kecamatan in _place_keys(region) if wanted in village or wanted in kecamatan]
    return found if len(found) <= limit else []


# --- The dashboard --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicators:
    proposals: int
    proposers: int  # distinct citizens (one per chat account)
    verified: int
    accepted: int
    realised: int
    avg_days_to_verification: float | None
    timed: int  # proposals the average is taken over (the verified ones)

    def share(self, part: int) -> float | None:
        return part / self.proposals if self.proposals else None


@dataclass(frozen=True)
class AreaCount:
    code: str
    name: str
    kecamatan: str
    total: int
    verified: int
    accepted: int


@dataclass(frozen=True)
class Dashboard:
    year: int
    indicators: Indicators
    by_status: list[tuple[str, int]]  # every status, in stage order
    by_sector: list[tuple[str, int]]  # every sector, most proposals first
    by_kecamatan: list[AreaCount]  # every kecamatan of the region, most proposals first
    top_desa: list[AreaCount]
    desa_with_proposals: int


async def years_with_data(db: Database, region: str) -> list[tuple[int, int]]:
    """(year, proposals) for every planning year that has proposals, newest first."""
    where = _in_region(region)
    async with db.session() as session:
        first, last = (
            await session.execute(select(func.min(Proposal.created_at), func.max(Proposal.created_at)).where(*where))
        ).one()
        if first is None:
            return []
        years = list(range(current_year(as_utc(last)), current_year(as_utc(first)) - 1, -1))[:MAX_YEARS]
        counts = (await session.execute(select(*(_count_if(and_(*_in_year(y))) for y in years)).where(*where))).one()
    return [(year, count) for year, count in zip(years, counts, strict=True) if count]


async def indicators(db: Database, region: str, year: int) -> Indicators:
    where = [*_in_region(region), *_in_year(year)]
    first_verified = (
        select(StatusChange.proposal_id.label("proposal_id"), func.min(StatusChange.created_at).label("at"))
        .where(StatusChange.new_status.in_(VERIFIED))
        .group_by(StatusChange.proposal_id)
        .subquery()
    )
    days = _days_between(first_verified.c.at, Proposal.created_at, db.is_sqlite)
    async with db.session() as session:
        total, proposers, verified, accepted, realised = (
            await session.execute(
                select(func.count(Proposal.id), func.count(Proposal.citizen_id.distinct()),
                       _count_if(_reached(VERIFIED)), _count_if(_reached(ACCEPTED)), _count_if(_reached(REALISED)))
                .where(*where)
            )
        ).one()
        average, timed = (
            await session.execute(
                select(func.avg(days), func.count(Proposal.id))
                .select_from(Proposal)
                .join(first_verified, first_verified.c.proposal_id == Proposal.id)
                .where(*where)
            )
        ).one()
    return Indicators(total, proposers, verified, accepted, realised,
                      float(average) if average is not None else None, timed)


async def _area_counts(db: Database, region: str, year: int, level: str) -> dict[str, tuple[int, int, int]]:
    """code → (proposals, verified, accepted) per kecamatan or desa with proposals in that year."""
    area = _kecamatan_code() if level == "kecamatan" else Proposal.village_code
    async with db.session() as session:
        rows = (
            await session.execute(
                select(area, func.count(Proposal.id), _count_if(_reached(VERIFIED)), _count_if(_reached(ACCEPTED)))
                .where(*_in_region(region), *_in_year(year))
                .group_by(area)
            )
        ).all()
    return {code: (total, verified, accepted) for code, total, verified, accepted in rows}


def _ranked(counts: list[AreaCount]) -> list[AreaCount]:
    return sorted(counts, key=lambda c: (-c.total, c.name, c.code))


async def desa_table(db: Database, region: str, year: int) -> list[AreaCount]:
    """Every desa/kelurahan of the region (only those with proposals when no region is set)."""
    counts = await _area_counts(db, region, year, "desa")
    codes = [p.code for p in _places(region)] if region else list(counts)
    rows = []
    for code in dict.fromkeys([*codes, *counts]):
        place = place_of(code)
        rows.append(AreaCount(code, place.name, place.kecamatan, *counts.get(code, (0, 0, 0))))
    return _ranked(rows)


async def dashboard(db: Database, region: str, year: int, top_desa: int = TOP_DESA) -> Dashboard:
    where = [*_in_region(region), *_in_year(year)]
    async with db.session() as session:
        statuses = dict(
            (await session.execute(select(Proposal.status, func.count(Proposal.id)).where(*where)
                                   .group_by(Proposal.status))).all()
        )
        sectors = dict(
            (await session.execute(select(Proposal.sector, func.count(Proposal.id)).where(*where)
                                   .group_by(Proposal.sector))).all()
        )
    by_status = [(s, statuses.get(s, 0)) for s in status_rules.ALL]
    by_status += [(s, n) for s, n in statuses.items() if s not in status_rules.ALL]
    by_sector = sorted(((s, sectors.get(s, 0)) for s in dict.fromkeys([*SECTORS, *sectors])),
                       key=lambda pair: (-pair[1], SECTORS.index(pair[0]) if pair[0] in SECTORS else len(SECTORS)))
    kecamatan_counts = await _area_counts(db, region, year, "kecamatan")
    kecamatan_codes = [code for code, _ in kecamatans(region)] if region else []
    by_kecamatan = _ranked([
        AreaCount(code, regions.gazetteer().name_of(code), "", *kecamatan_counts.get(code, (0, 0, 0)))
        for code in dict.fromkeys([*kecamatan_codes, *kecamatan_counts])
    ])
    desa = [row for row in await desa_table(db, region, year) if row.total]
    return Dashboard(year, await indicators(db, region, year), by_status, by_sector, by_kecamatan,
                     desa[:top_desa], len(desa))


# --- The list and the map ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicFilter:
    """What the visitor chose; `year` None means every year (a tracking code is searched in all)."""

    year: int | None = None
    query: str = ""
    status: str | None = None
    sector: str | None = None
    kecamatan: str | None = None
    desa: str | None = None


@dataclass(frozen=True)
class PublicItem:
    code: str
    description: str
    sector: str
    item_code: str | None
    status: str
    village_code: str
    desa: str
    kecamatan: str
    created_at: datetime
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Page:
    items: list[PublicItem]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def query_words(query: str) -> list[str]:
    """The words of a search that narrow it: no stop words, no "desa"/"kec." prefixes."""
    words = []
    for word in _WORD_RE.findall((query or "").lower()):
        if word in _STOP_WORDS or not regions.key(word) or len(word) < 2:
            continue
        words.append(word)
    return list(dict.fromkeys(words))[:MAX_QUERY_WORDS]


def _filter_clauses(region: str, filters: PublicFilter) -> list[ColumnElement]:
    clauses = _in_region(region)
    code = tracking.normalise(filters.query)
    if code:
        clauses.append(Proposal.code == code)
    else:
        if filters.year is not None:
            clauses += _in_year(filters.year)
        for word in query_words(filters.query):
            options = [func.lower(Proposal.description).contains(word, autoescape=True)]
            places = _places_named(word, region)
            if places:
                options.append(Proposal.village_code.in_(places))
            clauses.append(or_(*options))
    if filters.status:
        clauses.append(Proposal.status == filters.status)
    if filters.sector:
        clauses.append(Proposal.sector == filters.sector)
    if filters.kecamatan:
        clauses.append(Proposal.village_code.startswith(filters.kecamatan + ".", autoescape=True))
    if filters.desa:
        clauses.append(Proposal.village_code == filters.desa)
    return clauses


_PUBLIC_COLUMNS = (Proposal.code, Proposal.description, Proposal.sector, Proposal.item_code, Proposal.status,
                   Proposal.village_code, Proposal.created_at, Proposal.latitude, Proposal.longitude)


def _rounded(value: float | None) -> float | None:
    return round(value, COORD_DECIMALS) if value is not None else None


def _item(row: object) -> PublicItem:
    place = place_of(row.village_code)
    return PublicItem(row.code, redact(row.description), row.sector, row.item_code, row.status, row.village_code,
                      place.name, place.kecamatan, as_utc(row.created_at), _rounded(row.latitude),
                      _rounded(row.longitude))


async def search(db: Database, region: str, filters: PublicFilter, page: int = 1,
                 per_page: int = PER_PAGE) -> Page:
    """One page of matching proposals, newest first; a page past the end is the last one."""
    clauses = _filter_clauses(region, filters)
    async with db.session() as session:
        total = (await session.execute(select(func.count(Proposal.id)).where(*clauses))).scalar_one()
        page = min(max(1, page), max(1, -(-total // per_page)))
        rows = (
            await session.execute(
                select(*_PUBLIC_COLUMNS).where(*clauses)
                .order_by(Proposal.created_at.desc(), Proposal.id.desc())
                .offset((page - 1) * per_page).limit(per_page)
            )
        ).all()
    return Page([_item(r) for r in rows], total, page, per_page)


async def map_points(db: Database, region: str, filters: PublicFilter, limit: int = MAP_LIMIT) -> list[PublicItem]:
    """Matching proposals that have a map pin, newest first."""
    clauses = [*_filter_clauses(region, filters), Proposal.latitude.is_not(None), Proposal.longitude.is_not(None)]
    async with db.session() as session:
        rows = (
            await session.execute(
                select(*_PUBLIC_COLUMNS).where(*clauses)
                .order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(limit)
            )
        ).all()
    return [_item(r) for r in rows]


# --- One proposal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicChange:
    """One status change as anyone may see it (the dashboard, the Open311 API): the reason told to the
    citizen, never the internal note or the officer's name."""

    old_status: str | None
    new_status: str
    reason: str | None  # the reason told to the citizen; internal notes never leave storage
    by: str  # "warga" (the submitter) or "petugas": never a name
    created_at: datetime


@dataclass(frozen=True)
class PublicProposal:
    code: str
    description: str
    sector: str
    item_code: str | None
    item_name: str | None
    status: str
    village_code: str
    desa: str
    kecamatan: str
    rt: str | None
    rw: str | None
    latitude: float | None
    longitude: float | None
    supporters: int
    created_at: datetime
    updated_at: datetime
    history: list[PublicChange]

    @property
    def year(self) -> int:
        return current_year(self.created_at)


def actor_kind(actor: str) -> str:
    """"warga" for the submitter's own change, "petugas" for anyone else's."""
    return "warga" if actor.endswith(":citizen") else "petugas"


async def public_proposal(db: Database, code: str, region: str = "") -> PublicProposal | None:
    """A proposal as anyone may see it, with its public history; None if unknown (or another region's)."""
    async with db.session() as session:
        row = (
            await session.execute(
                select(Proposal.id, *_PUBLIC_COLUMNS, Proposal.rt, Proposal.rw, Proposal.updated_at)
                .where(Proposal.code == code, *_in_region(region))
            )
        ).one_or_none()
        if row is None:
            return None
        supporters = await proposals.supporter_count(session, row.id)
        changes = (
            await session.execute(
                select(StatusChange.old_status, StatusChange.new_status, StatusChange.reason, StatusChange.actor,
                       StatusChange.created_at)
                .where(StatusChange.proposal_id == row.id).order_by(StatusChange.id)
            )
        ).all()
    item = _item(row)
    known = kamus.item(row.item_code) if row.item_code else None
    history = [PublicChange(c.old_status, c.new_status, redact(c.reason) if c.reason else None, actor_kind(c.actor),
                            as_utc(c.created_at)) for c in changes]
    return PublicProposal(item.code, item.description, item.sector, item.item_code, known.name if known else None,
                          item.status, item.village_code, item.desa, item.kecamatan, row.rt, row.rw, item.latitude,
                          item.longitude, supporters, item.created_at, as_utc(row.updated_at), history)
