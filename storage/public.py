"""Public views of proposals (the list, the map, one proposal) and the region's places, for the dashboard.

Only public fields leave this module: never a citizen's name, phone or channel id, never an
officer's name or internal note. Citizens' free text goes through `core.privacy.redact`, so a phone
number or NIK typed into a description is not published either, and map pins are rounded to about
110 m (`core.privacy.public_pin`). The search reads the same masked text that is shown: a masked
number cannot be read back a digit at a time by searching for it.

A proposal belongs to the planning year in which it was submitted (core.calendar); the year's
aggregates are in storage/reports.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from core import calendar, kamus, privacy, regions, tracking
from storage import proposals
from storage.db import Database
from storage.models import Proposal, StatusChange, as_utc

PER_PAGE = 20
MAP_LIMIT = 2000  # pins per map; the list pages through everything
MAX_QUERY_WORDS = 8
# Words that only make a search stricter without saying anything ("jalan di desa X").
_STOP_WORDS = frozenset({"di", "ke", "dan", "yang", "untuk", "dari", "pada", "dengan", "atau", "usulan"})
_WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
REDACTED = privacy.REDACTED
# Citizens' free text with contact details masked: the one redaction, core.privacy's.
redact = privacy.redact


def in_year(year: int) -> list[ColumnElement]:
    start, end = calendar.year_bounds(year)
    return [Proposal.created_at >= start, Proposal.created_at < end]


def in_region(region: str) -> list[ColumnElement]:
    return [Proposal.village_code.startswith(region + ".", autoescape=True)] if region else []


# --- Places ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    kecamatan_code: str
    kecamatan: str


@lru_cache(maxsize=4)
def places(region: str) -> tuple[Place, ...]:
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
    return tuple((p.code, regions.key(p.name), regions.key(p.kecamatan)) for p in places(region))


def _places_named(word: str, region: str, limit: int = 1000) -> list[str]:
    """Codes of the villages whose name (or kecamatan's name) contains the word, spacing ignored."""
    wanted = regions.key(word)
    if len(wanted) < 3:
        return []
    found = [code for code, village, kecamatan in _place_keys(region) if wanted in village or wanted in kecamatan]
    return found if len(found) <= limit else []


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


@dataclass(frozen=True)
class _Words:
    """The search words, each with the villages it names: a proposal matches when every word is in its
    masked description or names its village."""

    words: tuple[tuple[str, frozenset[str]], ...]

    def match(self, description: str, village_code: str) -> bool:
        shown = redact(description).lower()
        return all(word in shown or village_code in named for word, named in self.words)


def _search_words(region: str, filters: PublicFilter) -> _Words:
    if tracking.normalise(filters.query):
        return _Words(())
    return _Words(tuple((word, frozenset(_places_named(word, region))) for word in query_words(filters.query)))


def _filter_clauses(region: str, filters: PublicFilter) -> list[ColumnElement]:
    """The filters SQL can apply. Words are matched against the raw text here, which finds every
    proposal whose masked text holds them and a few more; `_Words.match` then keeps only the former."""
    clauses = in_region(region)
    code = tracking.normalise(filters.query)
    if code:
        clauses.append(Proposal.code == code)
    else:
        if filters.year is not None:
            clauses += in_year(filters.year)
        for word, named in _search_words(region, filters).words:
            options = [func.lower(Proposal.description).contains(word, autoescape=True)]
            if named:
                options.append(Proposal.village_code.in_(sorted(named)))
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


def _item(row: object) -> PublicItem:
    """The one public view of a proposal row: masked text, rounded pin, no person."""
    place = place_of(row.village_code)
    latitude, longitude = privacy.public_pin(row.latitude, row.longitude)
    return PublicItem(row.code, redact(row.description), row.sector, row.item_code, row.status, row.village_code,
                      place.name, place.kecamatan, as_utc(row.created_at), latitude, longitude)


_NEWEST_FIRST = (Proposal.created_at.desc(), Proposal.id.desc())


async def _matching_ids(session: AsyncSession, clauses: list[ColumnElement], words: _Words) -> list[int]:
    """Ids of the proposals whose masked text holds every word, newest first."""
    rows = (await session.execute(select(Proposal.id, Proposal.description, Proposal.village_code)
                                  .where(*clauses).order_by(*_NEWEST_FIRST))).all()
    return [row.id for row in rows if words.match(row.description, row.village_code)]


async def search(db: Database, region: str, filters: PublicFilter, page: int = 1,
                 per_page: int = PER_PAGE) -> Page:
    """One page of matching proposals, newest first; a page past the end is the last one."""
    clauses, words = _filter_clauses(region, filters), _search_words(region, filters)
    async with db.session() as session:
        if words.words:
            ids = await _matching_ids(session, clauses, words)
            total = len(ids)
            page = min(max(1, page), max(1, -(-total // per_page)))
            shown = ids[(page - 1) * per_page:page * per_page]
            rows = (await session.execute(select(*_PUBLIC_COLUMNS).where(Proposal.id.in_(shown))
                                          .order_by(*_NEWEST_FIRST))).all() if shown else []
            return Page([_item(r) for r in rows], total, page, per_page)
        total = (await session.execute(select(func.count(Proposal.id)).where(*clauses))).scalar_one()
        page = min(max(1, page), max(1, -(-total // per_page)))
        rows = (
            await session.execute(
                select(*_PUBLIC_COLUMNS).where(*clauses).order_by(*_NEWEST_FIRST)
                .offset((page - 1) * per_page).limit(per_page)
            )
        ).all()
    return Page([_item(r) for r in rows], total, page, per_page)


async def map_points(db: Database, region: str, filters: PublicFilter, limit: int = MAP_LIMIT) -> list[PublicItem]:
    """Matching proposals that have a map pin, newest first."""
    clauses = [*_filter_clauses(region, filters), Proposal.latitude.is_not(None), Proposal.longitude.is_not(None)]
    words = _search_words(region, filters)
    async with db.session() as session:
        if words.words:
            ids = (await _matching_ids(session, clauses, words))[:limit]
            clauses = [Proposal.id.in_(ids)] if ids else [Proposal.id.is_(None)]
        rows = (
            await session.execute(select(*_PUBLIC_COLUMNS).where(*clauses).order_by(*_NEWEST_FIRST).limit(limit))
        ).all()
    return [_item(r) for r in rows]


async def open_data(db: Database, region: str) -> list[PublicItem]:
    """Every proposal of the region in the one public view (masked text, rounded pin, no person),
    oldest first: the open-data download (bot/public/opendata.py)."""
    async with db.session() as session:
        rows = (await session.execute(select(*_PUBLIC_COLUMNS).where(*in_region(region))
                                      .order_by(Proposal.created_at, Proposal.id))).all()
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
    verified_supporters: int = 0  # of `supporters`, those from Telegram/WhatsApp (proposals.VERIFIED_CHANNELS)

    @property
    def year(self) -> int:
        return calendar.planning_year(self.created_at)


def actor_kind(actor: str) -> str:
    """"warga" for the submitter's own change, "petugas" for anyone else's."""
    return "warga" if actor.endswith(":citizen") else "petugas"


async def public_history(session: AsyncSession, proposal_id: int) -> list[PublicChange]:
    """A proposal's status changes as anyone may see them (the dashboard and the Open311 API), oldest first."""
    changes = (
        await session.execute(
            select(StatusChange.old_status, StatusChange.new_status, StatusChange.reason, StatusChange.actor,
                   StatusChange.created_at)
            .where(StatusChange.proposal_id == proposal_id).order_by(StatusChange.id)
        )
    ).all()
    return [PublicChange(c.old_status, c.new_status, privacy.public_text(c.reason), actor_kind(c.actor),
                         as_utc(c.created_at)) for c in changes]


async def public_proposal(db: Database, code: str, region: str = "") -> PublicProposal | None:
    """A proposal as anyone may see it, with its public history; None if unknown (or another region's)."""
    async with db.session() as session:
        row = (
            await session.execute(
                select(Proposal.id, *_PUBLIC_COLUMNS, Proposal.rt, Proposal.rw, Proposal.updated_at)
                .where(Proposal.code == code, *in_region(region))
            )
        ).one_or_none()
        if row is None:
            return None
        supporters = await proposals.supporter_count(session, row.id)
        verified = await proposals.verified_supporter_count(session, row.id)
        history = await public_history(session, row.id)
    item = _item(row)
    known = kamus.item(row.item_code) if row.item_code else None
    return PublicProposal(item.code, item.description, item.sector, item.item_code, known.name if known else None,
                          item.status, item.village_code, item.desa, item.kecamatan, row.rt, row.rw, item.latitude,
                          item.longitude, supporters, item.created_at, as_utc(row.updated_at), history,
                          verified_supporters=verified)
