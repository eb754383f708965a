"""What every console page shares: app keys, the logged-in officer, rendering, formatting."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import jinja2
from aiohttp import web

from bot.httputil import client_ip as client_ip  # the console's pages use them as common.*
from bot.httputil import config_of as config_of
from bot.httputil import db_of as db_of
from bot.officer.security import PasswordGate
from bot.public import common as public_common
from core import calendar, regions, roles, texts
from core import status as status_rules
from core.sectors import SECTORS
from storage.accounts import SessionView

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
PUBLIC_TEMPLATES = HERE.parent / "public" / "templates"  # and their stylesheets: asset("area_map.css")
STATIC = HERE / "static"
PREFIX = "/officer"
SESSION_COOKIE = "musrenbang_officer"
LOGIN_COOKIE = "musrenbang_login"

JINJA = web.AppKey("officer_jinja", jinja2.Environment)
SECRET = web.AppKey("officer_secret", str)
PASSWORD_GATE = web.AppKey("officer_password_gate", PasswordGate)  # password checks at once per address
SESSION = web.RequestKey("officer_session", SessionView)  # set by the guard middleware


def session_of(request: web.Request) -> SessionView:
    return request[SESSION]


def fmt_time(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return calendar.datetime_text(moment)


def village_label(code: str) -> str:
    """"Caturtunggal, Kec. Depok" for a village code, the code itself when unknown."""
    gazetteer = regions.gazetteer()
    village = gazetteer.by_code.get(code)
    if village is None:
        return code
    kecamatan = gazetteer.kecamatan_of(code)
    return f"{village.name}, Kec. {kecamatan.name}" if kecamatan else village.name


def scope_label(role: str, scope_code: str | None, sector: str | None) -> str:
    if role == roles.ADMIN:
        return "seluruh wilayah (admin)"
    gazetteer = regions.gazetteer()
    name = gazetteer.name_of(scope_code) if scope_code else "-"
    text = f"{name} ({scope_code})"
    return f"{text}, bidang {texts.sector_label(sector)}" if sector else text


def villages_in(prefix: str) -> list[tuple[str, str]]:
    """(code, "Village, Kec. X") of every village under a code prefix, for filter lists."""
    gazetteer = regions.gazetteer()
    found = [v for v in gazetteer.villages if v.code.startswith(prefix)]
    return [(v.code, village_label(v.code)) for v in sorted(found, key=lambda v: v.code)]


ROLE_LABELS = {roles.DESA: "Operator desa/kelurahan", roles.KECAMATAN: "Petugas kecamatan",
               roles.OPD: "Bappeda/OPD", roles.ADMIN: "Admin"}


def make_environment() -> jinja2.Environment:
    """Templates with autoescape always on: proposals and questions are citizens' free text."""
    # The public templates too: the area map's macro (_area_map.html) is shared with the dashboard.
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader([TEMPLATES, PUBLIC_TEMPLATES]), autoescape=True,
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.globals.update(
        status_label=texts.status_label, sector_label=texts.sector_label, fmt_time=fmt_time,
        village_label=village_label, scope_label=scope_label, role_label=ROLE_LABELS.get,
        STATUSES=status_rules.ALL, SECTORS=SECTORS, ROLES=roles.ROLES, ROLE_LABELS=ROLE_LABELS, PREFIX=PREFIX,
        fmt_int=lambda n: f"{n or 0:,}".replace(",", "."),
    )
    return environment


def render(request: web.Request, template: str, status: int = 200, **context: object) -> web.Response:
    session = request.get(SESSION)
    context.setdefault("me", session.officer if session else None)
    context.setdefault("csrf_token", session.csrf_token if session else "")
    context.setdefault("error", None)
    context.setdefault("notice", None)
    context.setdefault("asset", request.config_dict[public_common.ASSETS].url)  # the public pages' static files
    html = request.app[JINJA].get_template(template).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    return render(request, "error.html", status=status, message=message, status_code=status)
