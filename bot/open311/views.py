"""GeoReport v2 endpoints: services, service requests (list, one, create), the OpenAPI document.

Proposals are service requests and sectors are services. GeoReport v2 knows two statuses, so
`status` is open/closed and the detailed Musrenbang status travels in `extended_attributes`.
Responses carry nothing about the submitter: the rows they are built from have no such field.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from datetime import datetime, timedelta, timezone

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from bot import httputil
from bot.message import clean_text
from bot.open311 import openapi
from bot.open311.common import PREFIX, ApiError, config_of, db_of, json_response, limits_of
from core import answers, areas, regions, sectors, texts, tracking
from core import status as status_rules
from core.status import Status
from storage import api_keys, open311, proposals

routes = web.RouteTableDef()

FORMAT = "{format:[A-Za-z0-9]+}"
DEFAULT_DAYS = 90
MAX_RESULTS = 1000
MAX_DESCRIPTION = 4000
MAX_IDEMPOTENCY_KEY = 128
MAX_NAME = 120  # citizens.name
MIN_YEAR, MAX_YEAR = 1970, 9998  # date filters outside these cannot be compared in UTC on every database
KEY_HEADER = "X-API-Key"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# Indonesia, generously: a pin outside this box is a swapped lat/long or a wrong place.
LAT_RANGE, LONG_RANGE = (-11.5, 6.5), (94.5, 141.5)

SECTOR_DESCRIPTIONS: dict[str, str] = {
    "jalan": "Pembangunan, peningkatan atau perbaikan jalan desa/lingkungan, gang, trotoar dan jalan usaha tani.",
    "jembatan": "Pembangunan atau perbaikan jembatan, jembatan gantung dan titian.",
    "drainase": "Saluran air, selokan, gorong-gorong, talud, irigasi dan penanganan genangan atau banjir.",
    "penerangan_jalan": "Lampu penerangan jalan umum (PJU): pemasangan baru atau perbaikan.",
    "air_bersih": "Sumur bor, jaringan pipa, tandon dan sarana air bersih atau air minum.",
    "sanitasi_sampah": "MCK, jamban, IPAL/septic tank komunal, tempat sampah dan bank sampah.",
    "kesehatan": "Posyandu, polindes/pustu, gizi dan pencegahan stunting, sarana kesehatan.",
    "pendidikan": "PAUD/TK, ruang kelas, perpustakaan, beasiswa dan sarana belajar.",
    "ekonomi_umkm": "Pelatihan dan modal usaha, pasar desa, BUMDes, koperasi, pertanian dan peternakan.",
    "sosial": "Rumah tidak layak huni, lansia, disabilitas, bantuan sosial, balai warga dan pos ronda.",
    "lingkungan_taman": "Taman, ruang terbuka hijau, penghijauan, lapangan dan pencegahan longsor.",
    "lainnya": "Usulan pembangunan yang tidak termasuk bidang lain.",
}
SECTOR_GROUPS: dict[str, str] = {
    "jalan": "Infrastruktur", "jembatan": "Infrastruktur", "drainase": "Infrastruktur",
    "penerangan_jalan": "Infrastruktur", "air_bersih": "Air bersih dan sanitasi",
    "sanitasi_sampah": "Air bersih dan sanitasi", "kesehatan": "Layanan dasar", "pendidikan": "Layanan dasar",
    "ekonomi_umkm": "Ekonomi dan sosial", "sosial": "Ekonomi dan sosial", "lingkungan_taman": "Lingkungan",
    "lainnya": "Lainnya",
}
KEYWORDS_SHOWN = 10


def _check_format(request: web.Request) -> None:
    """JSON only; GeoReport v2 lets a server offer one format."""
    extension = request.match_info.get("format", "json").lower()
    if extension == "xml":
        raise ApiError(400, "XML is not supported: this server answers in JSON only; use the .json URL.")
    if extension != "json":
        raise ApiError(404, f"Unknown format '.{extension}': use the .json URL.")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else None


# --- services -----------------------------------------------------------------------------------


def service_json(code: str) -> dict:
    return {
        "service_code": code,
        "service_name": texts.sector_label(code, "id"),
        "description": SECTOR_DESCRIPTIONS[code],
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(sectors.KEYWORDS.get(code, ())[:KEYWORDS_SHOWN]),
        "group": SECTOR_GROUPS[code],
    }


@routes.get(f"/services.{FORMAT}")
async def services(request: web.Request) -> web.Response:
    _check_format(request)
    return json_response([service_json(code) for code in sectors.SECTORS])


@routes.get(f"/services/{{service_code:[^/.]+}}.{FORMAT}")
async def service_definition(request: web.Request) -> web.Response:
    """Every service has metadata false: its definition has no attributes."""
    _check_format(request)
    code = request.match_info["service_code"]
    if code not in sectors.SECTORS:
        raise ApiError(404, f"Unknown service_code '{code}'.")
    return json_response({"service_code": code, "attributes": []})


# --- service requests: reading -----------------------------------------------------------------


def _place(village_code: str) -> tuple[str | None, str | None, str | None]:
    """(desa/kelurahan, kecamatan, kabupaten) names; Kemendagri numbers kelurahan 1xxx, desa 2xxx."""
    gazetteer = regions.gazetteer()
    village = gazetteer.by_code.get(village_code)
    kecamatan, kabupaten = gazetteer.kecamatan_of(village_code), gazetteer.kabupaten_of(village_code)
    village_name = None
    if village is not None:
        kind = "Kelurahan" if village_code.rsplit(".", 1)[-1].startswith("1") else "Desa"
        village_name = f"{kind} {village.name}"
    return village_name, kecamatan.name if kecamatan else None, kabupaten.name if kabupaten else None


def _address(item: open311.PublicRequest) -> str:
    village, kecamatan, kabupaten = _place(item.village_code)
    parts = [answers.format_rt_rw(item.rt, item.rw), village or item.village_code,
             f"Kec. {kecamatan}" if kecamatan else "", kabupaten or ""]
    return ", ".join(part for part in parts if part)


def _agency(item: open311.PublicRequest) -> str:
    """Who holds the proposal now: the desa/kelurahan, the kecamatan, then the kabupaten's Bappeda."""
    village, kecamatan, kabupaten = _place(item.village_code)
    if item.status in (Status.DIAJUKAN, Status.DIVERIFIKASI_DESA, Status.PERLU_PERBAIKAN) and village:
        return f"Pemerintah {village}"
    if item.status == Status.DIBAHAS_KECAMATAN and kecamatan:
        return f"Kecamatan {kecamatan}"
    return f"Bappeda {kabupaten}" if kabupaten else "Bappeda"


def _notice(status: str) -> str:
    return texts.status_label(status, "id") + texts.stage(status_rules.stage_number(status),
                                                          len(status_rules.STAGES), "id")


def request_json(item: open311.PublicRequest, with_history: bool = False) -> dict:
    """One service request with the GeoReport v2 fields, plus `extended_attributes`."""
    extended: dict = {
        "detailed_status": item.status,
        "detailed_status_label": texts.status_label(item.status, "id"),
        "stage": status_rules.stage_number(item.status),
        "stage_total": len(status_rules.STAGES),
        "supporters": item.supporters,
    }
    if with_history:
        extended["status_history"] = [
            {"detailed_status": change.new_status, "detailed_status_label": texts.status_label(change.new_status, "id"),
             "reason": change.reason, "datetime": _iso(change.created_at)}
            for change in item.history
        ]
    return {
        "service_request_id": item.code,
        "status": "open" if status_rules.is_open(item.status) else "closed",
        "status_notes": item.public_reason,
        "service_name": texts.sector_label(item.sector, "id"),
        "service_code": item.sector,
        "description": item.description,
        "agency_responsible": _agency(item),
        "service_notice": _notice(item.status),
        "requested_datetime": _iso(item.created_at),
        "updated_datetime": _iso(item.updated_at),
        "expected_datetime": None,
        "address": _address(item),
        "address_id": item.village_code,
        "zipcode": None,
        "lat": item.latitude,
        "long": item.longitude,
        "media_url": None,
        "extended_attributes": extended,
    }


def _parse_datetime(name: str, value: str, problems: list[str]) -> datetime | None:
    """ISO 8601 / W3C date-time; without an offset it is read as UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    except (ValueError, OverflowError):  # 0001-01-01T00:00:00+14:00 lies before datetime.min in UTC
        problems.append(f"{name} '{value}' is not an ISO 8601 date-time (e.g. 2026-11-01T00:00:00+07:00).")
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        problems.append(f"{name} must lie between the years {MIN_YEAR} and {MAX_YEAR}.")
        return None
    return moment


def _parse_int(name: str, value: str | None, default: int, low: int, high: int, problems: list[str]) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        problems.append(f"{name} must be a whole number from {low} to {high}.")
        return default
    return number


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _statuses(values: list[str], problems: list[str]) -> list[str] | None:
    """open/closed as GeoReport v2 defines them, or (an extension) detailed statuses."""
    if not values:
        return None
    chosen: set[str] = set()
    for value in values:
        lowered = value.lower()
        if lowered == "open":
            chosen.update(s for s in status_rules.ALL if status_rules.is_open(s))
        elif lowered == "closed":
            chosen.update(status_rules.CLOSED)
        elif lowered in status_rules.ALL:
            chosen.add(lowered)
        else:
            problems.append(f"status '{value}' is not open, closed or a detailed status "
                            f"({', '.join(status_rules.ALL)}).")
    return sorted(chosen)


@routes.get(f"/requests.{FORMAT}")
async def list_requests(request: web.Request) -> web.Response:
    """GET Service Requests: filters as GeoReport v2, newest first, `page`/`page_size` as an extension."""
    _check_format(request)
    query = request.query
    problems: list[str] = []
    ids = _split(query.get("service_request_id"))
    page = _parse_int("page", query.get("page"), 1, 1, 1_000_000, problems)
    page_size = _parse_int("page_size", query.get("page_size"), MAX_RESULTS, 1, MAX_RESULTS, problems)
    if ids:  # GeoReport v2: service_request_id overrides every other filter
        if len(ids) > MAX_RESULTS:
            problems.append(f"at most {MAX_RESULTS} service_request_id values at once.")
        codes = []
        for value in ids:
            code = tracking.normalise(value)
            if code is None:
                problems.append(f"service_request_id '{value}' is not a tracking code (USL-XXXXXX).")
            elif code not in codes:
                codes.append(code)
        if problems:
            raise ApiError(400, *problems)
        found = await open311.find_requests(db_of(request), codes=codes, limit=MAX_RESULTS)
        return json_response([request_json(item) for item in found])

    service_codes = _split(query.get("service_code"))
    problems += [f"Unknown service_code '{code}'." for code in service_codes if code not in sectors.SECTORS]
    statuses = _statuses(_split(query.get("status")), problems)
    start = _parse_datetime("start_date", query["start_date"], problems) if query.get("start_date") else None
    end = _parse_datetime("end_date", query["end_date"], problems) if query.get("end_date") else None
    if start and end and start > end:
        problems.append("start_date is after end_date.")
    if problems:
        raise ApiError(400, *problems)
    if start is None:  # GeoReport v2's default: the most recent 90 days
        start = (end or datetime.now(timezone.utc)) - timedelta(days=DEFAULT_DAYS)
    found = await open311.find_requests(db_of(request), sectors=service_codes or None, statuses=statuses,
                                        start=start, end=end, offset=(page - 1) * page_size, limit=page_size + 1)
    headers = {}
    if len(found) > page_size:
        found = found[:page_size]
        following = request.rel_url.update_query(page=str(page + 1), page_size=str(page_size))
        headers["Link"] = f'<{following}>; rel="next"'
    return json_response([request_json(item) for item in found], headers=headers)


@routes.get(f"/requests/{{service_request_id:[^/.]+}}.{FORMAT}")
async def get_request(request: web.Request) -> web.Response:
    """GET Service Request: a list holding the one request, with its public status history."""
    _check_format(request)
    raw = request.match_info["service_request_id"]
    code = tracking.normalise(raw)
    item = await open311.get_request(db_of(request), code) if code else None
    if item is None:
        raise ApiError(404, f"No service request '{raw}'.")
    return json_response([request_json(item, with_history=True)])


# --- service requests: creating ----------------------------------------------------------------


def _field(form: MultiDictProxy, name: str, problems: list[str], limit: int = 500) -> str | None:
    """A text field, stripped; None when absent or empty."""
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"{name} must be text, not a file.")
        return None
    value = clean_text(value).strip()
    if len(value) > limit:
        problems.append(f"{name} is longer than {limit} characters.")
        return None
    return value or None


def _coordinates(form: MultiDictProxy, problems: list[str]) -> tuple[float | None, float | None]:
    lat_text, long_text = _field(form, "lat", problems, 40), _field(form, "long", problems, 40)
    if lat_text is None and long_text is None:
        return None, None
    try:
        lat, long = float(lat_text or "nan"), float(long_text or "nan")
    except ValueError:
        lat = long = math.nan
    if not (math.isfinite(lat) and math.isfinite(long)):
        problems.append("lat and long must both be given, as decimal degrees (WGS84).")
        return None, None
    if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LONG_RANGE[0] <= long <= LONG_RANGE[1]):
        problems.append(f"lat {lat}, long {long} is outside Indonesia (are lat and long swapped?).")
        return None, None
    return lat, long


def _village(form: MultiDictProxy, scope: str, problems: list[str], lat: float | None = None,
             long: float | None = None) -> str | None:
    """The desa/kelurahan code: address_id (a Kemendagri code), address_string resolved in the kabupaten, or
    else lat/long placed in its desa by the region's boundaries."""
    gazetteer = regions.gazetteer()
    kabupaten = gazetteer.name_of(scope)
    address_id = _field(form, "address_id", problems, 20)
    address = _field(form, "address_string", problems)
    if address_id:
        region = gazetteer.by_code.get(address_id)
        if region is None or region.level != 4 or not address_id.startswith(scope + "."):
            problems.append(f"address_id '{address_id}' is not the Kemendagri code of a desa/kelurahan in "
                            f"{kabupaten} (PP.KK.CC.DDDD, e.g. {scope}.07.2001).")
            return None
        return address_id
    if address:
        found = regions.address_places(gazetteer, address, scope)
        if not found:
            problems.append(f"address_string '{address}' names no desa/kelurahan in {kabupaten}; "
                            "give the desa/kelurahan name (and kecamatan), or its code as address_id.")
            return None
        if len(found) > 1:
            options = "; ".join(f"{c.name}, Kec. {c.kecamatan} (address_id {c.code})" for c in found)
            problems.append(f"address_string '{address}' fits several desa/kelurahan: {options}. "
                            "Add the kecamatan, or send address_id.")
            return None
        return found[0].code
    if lat is not None and long is not None:
        return _village_of_pin(lat, long, scope, kabupaten, problems)
    problems.append("A location is required: address_string (desa/kelurahan name), address_id (its Kemendagri "
                    "code) or lat/long inside the kabupaten.")
    return None


def _village_of_pin(lat: float, long: float, scope: str, kabupaten: str, problems: list[str]) -> str | None:
    """lat/long alone: the desa/kelurahan it is in (core.areas), or a 400 that says where it is."""
    where = areas.locate(lat, long, scope)
    if where is None:
        problems.append(f"lat/long cannot be placed in a desa: no boundaries are installed for {kabupaten}; "
                        "send address_string or address_id.")
        return None
    if not where.inside:
        place = f" (in {where.kabupaten.name})" if where.kabupaten else ""
        problems.append(f"lat {lat}, long {long} is outside {kabupaten}{place}; this API takes proposals for "
                        f"{kabupaten} only.")
        return None
    if where.desa is None or where.desa.code not in regions.gazetteer().by_code:
        problems.append(f"lat {lat}, long {long} is in {kabupaten} but in no known desa/kelurahan; "
                        "send address_string or address_id.")
        return None
    return where.desa.code


def _contact(form: MultiDictProxy, problems: list[str]) -> tuple[str | None, str | None]:
    """Name and phone for the officers; accepted, checked, and never shown by any GET."""
    first, last = _field(form, "first_name", problems, 60), _field(form, "last_name", problems, 60)
    phone = _field(form, "phone", problems, 32)
    email = _field(form, "email", problems, 254)
    if phone and not all(ch.isdigit() or ch in "+-() ." for ch in phone):
        problems.append("phone may hold digits, spaces and + - ( ) . only.")
        phone = None
    if email and ("@" not in email or any(ch.isspace() for ch in email)):
        problems.append("email is not an e-mail address.")
    name = " ".join(part for part in (first, last) if part) or None
    if name and len(name) > MAX_NAME:  # checked before anything is stored: the column holds 120
        problems.append(f"first_name and last_name together may hold at most {MAX_NAME} characters.")
        name = None
    return name, phone


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def _draft_key(key_id: int, idempotency_key: str | None, device_id: str | None, description: str) -> str | None:
    """The proposal's draft key when the client made the request repeatable; keys never cross API keys."""
    if idempotency_key:
        return "o311:" + _hash("idempotency", str(key_id), idempotency_key)[:59]
    if device_id:
        return "o311:" + _hash("device", str(key_id), device_id, description)[:59]
    return None


async def _read_form(request: web.Request) -> MultiDictProxy:
    if request.content_type in FORM_TYPES:
        try:
            return await httputil.read_form(request)
        except web.HTTPBadRequest:
            raise ApiError(400, "The form body is malformed.") from None
    if request.can_read_body:
        raise ApiError(400, "Send the parameters form-encoded (application/x-www-form-urlencoded), "
                            "as GeoReport v2 specifies.")
    return MultiDictProxy(MultiDict())


@routes.post(f"/requests.{FORMAT}")
async def create_request(request: web.Request) -> web.Response:
    """POST Service Request: needs an API key; answers [{"service_request_id", "service_notice"}]."""
    _check_format(request)
    db, config, limits = db_of(request), config_of(request), limits_of(request)
    form = await _read_form(request)
    raw_key = request.headers.get(KEY_HEADER, "").strip()
    if "api_key" in request.query or "api_key" in form:  # URLs end up in logs and proxies' histories
        raise ApiError(403, f"Send the API key in the {KEY_HEADER} header, not as an api_key parameter.")
    if not raw_key:
        raise ApiError(403, f"api_key was not provided (the {KEY_HEADER} header).")
    key = await api_keys.authenticate(db, raw_key.strip())
    if key is None:
        raise ApiError(403, "api_key is invalid or revoked.")
    rate = await api_keys.hit(db, f"key:{key.id}", limits.post_per_key, limits.key_window_s)
    if not rate.allowed:
        raise ApiError(429, f"Too many requests with this api_key (at most {rate.limit} per "
                            f"{limits.key_window_s // 60} minutes); retry after {rate.retry_after_s} s.",
                       headers={"Retry-After": str(rate.retry_after_s)})

    problems: list[str] = []
    service_code = _field(form, "service_code", problems, 64)
    if not service_code:
        problems.append("service_code is required (see services.json).")
    elif service_code not in sectors.SECTORS:
        problems.append(f"Unknown service_code '{service_code}' (see services.json).")
    description = answers.clean_description(_field(form, "description", problems, MAX_DESCRIPTION) or "")
    if not description:
        problems.append("description is required.")
    lat, long = _coordinates(form, problems)
    village = _village(form, config.region_code, problems, lat, long)
    name, phone = _contact(form, problems)
    device_id = _field(form, "device_id", problems, 128)
    idempotency_key = request.headers.get("Idempotency-Key", "").strip() or None
    if idempotency_key and (len(idempotency_key) > MAX_IDEMPOTENCY_KEY or not idempotency_key.isprintable()):
        problems.append(f"Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY} printable characters.")
    if problems:
        raise ApiError(400, *problems)

    rt, rw = answers.parse_rt_rw(form.get("address_string") or "") or (None, None)
    draft = proposals.ProposalDraft(description=description, sector=service_code, village_code=village, rt=rt, rw=rw,
                                    latitude=lat, longitude=long, language="id")
    draft_key = _draft_key(key.id, idempotency_key, device_id, description)
    if draft_key is None:
        draft_key = "o311:" + uuid.uuid4().hex
    # One citizen row per device (hashed: device ids can identify a phone), else one per request.
    person = _hash(str(key.id), device_id)[:32] if device_id else draft_key[5:37]
    view, created = await open311.submit_request(db, f"k{key.id}:{person}", draft_key, draft, name, phone)
    if not created and idempotency_key and (view.description, view.sector, view.village_code) != (
            description, service_code, village):
        raise ApiError(409, "This Idempotency-Key was used for a different request.")
    notice = (f"Usulan diterima dengan kode {view.code} dan akan diverifikasi oleh pemerintah desa/kelurahan. "
              f"Pantau statusnya di {PREFIX}/requests/{view.code}.json.")
    headers = {} if created else {"Idempotent-Replayed": "true"}
    return json_response([{"service_request_id": view.code, "service_notice": notice}],
                         status=201 if created else 200, headers=headers)


# --- the OpenAPI document ----------------------------------------------------------------------


@routes.get("/openapi.json")
async def openapi_document(request: web.Request) -> web.Response:
    return json_response(openapi.document(sectors.SECTORS))
