"""The public pages: the dashboard, the full desa table, one proposal, the map's GeoJSON, assets.

No login and no cookies. Every query parameter is checked against the known statuses, sectors
and region codes before it reaches storage; what storage hands back holds public fields only.
"""

from __future__ import annotations

import json
import re

from aiohttp import web

from bot import httputil
from bot.public import area_map, common
from core import calendar, kamus, texts, tracking
from core import status as status_rules
from core.sectors import SECTORS
from storage import public, reports

routes = web.RouteTableDef()

KECAMATAN_RE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\Z")
DESA_RE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}\Z")
MAX_QUERY_CHARS = 100
MAX_PAGE = 10_000
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _in_region(code: str, region: str) -> bool:
    return not region or code.startswith(region + ".")


def _year(request: web.Request) -> int:
    """`?tahun=2026`, or the current year when absent or not a plausible year."""
    value = request.query.get("tahun", "")
    if value.isdigit() and FIRST_YEAR <= int(value) <= LAST_YEAR:
        return int(value)
    return calendar.planning_year()


def _filters(request: web.Request, year: int | None) -> public.PublicFilter:
    query, region = request.query, common.config_of(request).region_code
    status = query.get("status") if query.get("status") in status_rules.ALL else None
    sector = query.get("bidang") if query.get("bidang") in SECTORS else None
    kecamatan = query.get("kecamatan", "")
    desa = query.get("desa", "")
    return public.PublicFilter(
        year=year,
        query=" ".join(query.get("q", "").split())[:MAX_QUERY_CHARS],
        status=status,
        sector=sector,
        kecamatan=kecamatan if KECAMATAN_RE.match(kecamatan) and _in_region(kecamatan, region) else None,
        desa=desa if DESA_RE.match(desa) and _in_region(desa, region) else None,
    )


def _params(filters: public.PublicFilter) -> dict[str, object]:
    """The filters as query parameters, for links that keep them (pages, the map's data)."""
    return {"tahun": filters.year, "q": filters.query, "status": filters.status, "bidang": filters.sector,
            "kecamatan": filters.kecamatan, "desa": filters.desa}


def _page_number(request: web.Request) -> int:
    value = request.query.get("hal", "")
    return min(int(value), MAX_PAGE) if value.isdigit() and int(value) > 0 else 1


def _page_links(page: public.Page) -> list[int | None]:
    """Page numbers to offer: first, last, and two either side of the current one (None = a gap)."""
    wanted = {1, page.pages, *range(page.page - 2, page.page + 3)}
    numbers = sorted(n for n in wanted if 1 <= n <= page.pages)
    shown: list[int | None] = []
    for number in numbers:
        if shown and number - shown[-1] > 1:
            shown.append(None)
        shown.append(number)
    return shown


def _item_name(code: str | None) -> str | None:
    """The kamus usulan item's name, shown under the sector in the list."""
    found = kamus.item(code) if code else None
    return found.name if found else None


def _year_choices(years: list[tuple[int, int]], year: int) -> list[tuple[int, int]]:
    """Every year with proposals, plus the current and the chosen one (maybe still empty), newest first."""
    counts = dict(years)
    wanted = {*counts, year, calendar.planning_year()}
    return [(y, counts.get(y, 0)) for y in sorted(wanted, reverse=True)]


@routes.get("/", name="public_dashboard")
async def dashboard(request: web.Request) -> web.Response:
    config, db = common.config_of(request), common.db_of(request)
    region = config.region_code
    year = _year(request)
    filters = _filters(request, year)
    found = await public.search(db, region, filters, _page_number(request))
    params = _params(filters)
    data = await reports.dashboard(db, region, year)
    return common.render(
        request, "dashboard.html",
        year=year, year_choices=_year_choices(await reports.years_with_data(db, region), year),
        data=data, area_maps=await area_map.year_maps(db, region, data, linked=True),
        filters=filters, params=params, found=found, page_links=_page_links(found),
        kecamatans=public.kecamatans(region) if region else [],  # thousands nationwide: no list then
        desa_name=public.place_of(filters.desa).name if filters.desa else "",
        filtered=any(params[k] for k in ("q", "status", "bidang", "kecamatan", "desa")),
        geojson=common.link("/api/public/proposals.geojson", params),
        tile_url=config.public_map_tile_url, tile_attribution=config.public_map_attribution,
        item_name=_item_name,
    )


@routes.get("/desa", name="public_desa")
async def desa_table(request: web.Request) -> web.Response:
    """Every desa/kelurahan with its counts: the dashboard only shows the top ones."""
    config, db = common.config_of(request), common.db_of(request)
    year = _year(request)
    rows = await reports.desa_table(db, config.region_code, year)
    return common.render(request, "desa.html", year=year, rows=rows, total=sum(r.total for r in rows),
                         year_choices=_year_choices(await reports.years_with_data(db, config.region_code), year))


def _not_found(request: web.Request, code: str) -> web.Response:
    return common.render(request, "not_found.html", status=404, cache="no-store", code=code)


@routes.get("/usulan/{code}", name="public_proposal")
async def proposal(request: web.Request) -> web.Response:
    written = request.match_info["code"]
    code = tracking.normalise(written)
    if code is None:
        return _not_found(request, written[:40])
    if code != written:  # usl-7k3q9d, USL7K3Q9D …: one address per proposal
        raise web.HTTPMovedPermanently(f"/usulan/{code}")
    found = await public.public_proposal(common.db_of(request), code, common.config_of(request).region_code)
    if found is None:
        return _not_found(request, code)
    return common.render(request, "proposal.html", p=found)


def _json(data: object) -> str:
    """JSON with "<" escaped, so no text in it can ever read as markup, whoever opens it."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


@routes.get("/api/public/proposals.geojson", name="public_geojson")
async def geojson(request: web.Request) -> web.Response:
    """The map's pins (public fields only), with the dashboard's filters; open data, so any site may read it."""
    filters = _filters(request, _year(request))
    points = await public.map_points(common.db_of(request), common.config_of(request).region_code, filters)
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [p.longitude, p.latitude]},
        "properties": {
            "code": p.code, "url": f"/usulan/{p.code}",
            "description": p.description if len(p.description) <= 140 else p.description[:137] + "...",
            "sector": p.sector, "sector_label": texts.sector_label(p.sector),
            "status": p.status, "status_label": texts.status_label(p.status),
            "desa": p.desa, "kecamatan": p.kecamatan, "submitted": calendar.iso(p.created_at),
        },
    } for p in points]
    response = web.json_response({"type": "FeatureCollection", "features": features},
                                 content_type="application/geo+json", dumps=_json)
    response.headers.update({"Cache-Control": common.PAGE_CACHE, **httputil.NOSNIFF,
                             "Vary": "Accept-Encoding", "Access-Control-Allow-Origin": "*"})
    response.enable_compression()
    return response


@routes.get(common.ASSET_PREFIX + "/{path:.+}", name="public_asset")
async def asset(request: web.Request) -> web.Response:
    """Static files from memory (gzip when accepted); hashed addresses are cached for a year."""
    found = request.app[common.ASSETS].files.get(request.match_info["path"])
    if found is None:
        raise web.HTTPNotFound(text="Berkas tidak ditemukan.")
    etag = f'"{found.etag}"'
    versioned = request.query.get("v") == found.etag
    headers = {"ETag": etag, "Vary": "Accept-Encoding", **httputil.NOSNIFF,
               "Cache-Control": "public, max-age=31536000, immutable" if versioned else "public, max-age=86400"}
    if etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    body = found.body
    if found.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        body, headers["Content-Encoding"] = found.gzipped, "gzip"
    text = found.content_type.startswith("text/") or found.content_type in common.TEXT_TYPES
    return web.Response(body=body, headers=headers, content_type=found.content_type,
                        charset="utf-8" if text else None)
