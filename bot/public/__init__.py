"""The public transparency dashboard: what happens to citizens' proposals, for anyone to see.

Mounted at the site's root (`/`, `/desa`, `/usulan/{code}`, `/api/public/proposals.geojson`,
`/aset/…`, `/data`). Server-rendered, no login, no cookies, a small script only for the map (Leaflet,
vendored: nothing is loaded from another site unless a tile server is configured).
"""

from __future__ import annotations

from aiohttp import web

from bot.public import common, opendata
from bot.public.views import routes
from core import settings


def setup(app: web.Application, config: settings.Settings) -> None:
    """Add the public pages to the gateway (called by bot.app.create_app)."""
    assets = common.Assets(common.STATIC)
    app[common.ASSETS] = assets
    app[common.JINJA] = common.make_environment(assets)
    app[common.HEADERS] = common.security_headers(config)
    app.add_routes(routes)
    app.add_routes(opendata.routes)  # /data: the open-data download
