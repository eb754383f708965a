"""What the public pages share: app keys, static assets with cache headers, security headers,
the template environment and Indonesian number and date formatting."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import jinja2
from aiohttp import web
from markupsafe import Markup, escape

from bot import httputil
from bot.httputil import config_of as config_of  # the pages use them as common.*
from bot.httputil import db_of as db_of
from core import calendar, regions, settings, texts, tracking
from core import status as status_rules
from core.sectors import SECTORS
from core.status import Status

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
ASSET_PREFIX = "/aset"
COMPRESSIBLE = frozenset({".css", ".js", ".svg", ".json", ".txt", ".html", ""})
TEXT_TYPES = frozenset({"text/css", "text/javascript", "application/javascript", "text/plain", "image/svg+xml"})
PAGE_CACHE = "public, max-age=60"  # aggregates may lag a status change by a minute; cheap on a busy day


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    content_type: str
    etag: str


class Assets:
    """The static files, read and compressed once at start: small, so memory is the cheap side."""

    def __init__(self, root: Path) -> None:
        self.files: dict[str, Asset] = {}
        for path in sorted(root.rglob("*")):
            if not path.is_file():
                continue
            body = path.read_bytes()
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.name == "LICENSE":
                content_type = "text/plain"
            gzipped = gzip.compress(body, 9, mtime=0) if path.suffix in COMPRESSIBLE else None
            if gzipped is not None and len(gzipped) >= len(body):
                gzipped = None
            etag = hashlib.sha256(body).hexdigest()[:16]
            self.files[path.relative_to(root).as_posix()] = Asset(body, gzipped, content_type, etag)

    def url(self, name: str) -> str:
        """The asset's address with its content hash, so browsers may keep it for a year."""
        return f"{ASSET_PREFIX}/{name}?v={self.files[name].etag}"


JINJA = web.AppKey("public_jinja", jinja2.Environment)
ASSETS = web.AppKey("public_assets", Assets)
HEADERS = web.AppKey("public_headers", dict)


def tile_source(tile_url: str) -> str:
    """The CSP source that covers a tile URL template ("https://{s}.tile.x.org/…" → "https://*.tile.x.org")."""
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return ""  # relative: served by this host, 'self' covers it
    host = re.sub(r"\{[a-z]+\}", "*", parts.netloc)
    return f"{parts.scheme}://{host}"


def security_headers(config: settings.Settings) -> dict[str, str]:
    """A strict CSP: own scripts and styles only; images from the tile server when one is set."""
    images = " ".join(filter(None, ["'self'", "data:", tile_source(config.public_map_tile_url)]))
    return httputil.security_headers(
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'", referrer="strict-origin-when-cross-origin")


# --- Formatting (Indonesian: 1.234 and 45,2%) -------------------------------------------------------


def fmt_int(value: int | None) -> str:
    return "–" if value is None else f"{value:,}".replace(",", ".")


def fmt_decimal(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    whole, _, fraction = f"{value:,.{digits}f}".partition(".")
    return whole.replace(",", ".") + ("," + fraction if fraction else "")


def fmt_pct(part: int, total: int) -> str:
    return fmt_decimal(100 * part / total) + "%" if total else "–"


def fmt_share(value: float | None) -> str:
    return "–" if value is None else fmt_decimal(100 * value) + "%"


def fmt_days(days: float | None) -> str:
    """A waiting time as people say it: hours under a day, days (one decimal) beyond."""
    if days is None:
        return "–"
    if days * 24 < 1:
        return "kurang dari 1 jam"
    if days < 1:
        return f"{round(days * 24)} jam"
    return fmt_decimal(days) + " hari"


def fmt_date(moment: datetime | None) -> str:
    return "–" if moment is None else calendar.date_text(moment)


def fmt_datetime(moment: datetime | None) -> str:
    return "–" if moment is None else calendar.datetime_text(moment)


def link(path: str, params: Mapping[str, object] | None = None, **changes: object) -> str:
    """`path?query` with the empty parameters left out, so shared links stay short."""
    merged = {**(params or {}), **changes}
    query = urlencode([(k, str(v)) for k, v in merged.items() if v not in (None, "", 0)])
    return f"{path}?{query}" if query else path


_CODE_IN_TEXT = re.compile(r"\bUSL-[0-9A-HJKMNP-TV-Z]{6}\b")


def link_codes(text: str | None) -> Markup:
    """Escaped text whose tracking codes ("Digabung ke USL-…") link to that proposal's page."""
    escaped = str(escape(text or ""))
    return Markup(_CODE_IN_TEXT.sub(lambda m: f'<a href="/usulan/{m.group(0)}">{m.group(0)}</a>', escaped))


def status_group(status: str) -> str:
    """A colour family for badges and bars: waiting, in progress, accepted, stopped."""
    if status in (Status.MASUK_RKPD, Status.DIREALISASIKAN):
        return "ok"
    if status in (Status.DIVERIFIKASI_DESA, Status.DIBAHAS_KECAMATAN, Status.DIVERIFIKASI_OPD):
        return "progress"
    if status in (Status.DITOLAK, Status.DIGABUNG, Status.DIBATALKAN):
        return "stopped"
    return "waiting"


def region_name(region: str) -> str:
    return regions.gazetteer().name_of(region) if region else "Indonesia"


def make_environment(assets: Assets | None = None) -> jinja2.Environment:
    """Autoescape always on: descriptions and reasons are free text from citizens and officers.

    Without `assets` (the printed yearly report) templates cannot link static files."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                     extensions=["jinja2.ext.do"])
    environment.globals.update(
        status_label=texts.status_label, sector_label=texts.sector_label, status_group=status_group,
        stage_number=status_rules.stage_number, STAGE_COUNT=len(status_rules.STAGES),
        fmt_int=fmt_int, fmt_decimal=fmt_decimal, fmt_pct=fmt_pct, fmt_share=fmt_share, fmt_days=fmt_days,
        fmt_date=fmt_date, fmt_datetime=fmt_datetime, iso=calendar.iso, link=link, link_codes=link_codes,
        STATUSES=status_rules.ALL, SECTORS=SECTORS, CODE_EXAMPLE=tracking.PREFIX + "7K3Q9D",
    )
    if assets is not None:
        environment.globals["asset"] = assets.url
    return environment


def render(request: web.Request, template: str, status: int = 200, cache: str = PAGE_CACHE,
           **context: object) -> web.Response:
    config = config_of(request)
    context.setdefault("region_name", region_name(config.region_code))
    html = request.app[JINJA].get_template(template).render(**context)
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    response.headers.update(request.app[HEADERS])
    response.headers["Cache-Control"] = cache
    response.headers["Vary"] = "Accept-Encoding"
    response.enable_compression()
    return response
