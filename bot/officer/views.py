"""The console's pages and actions. Every one runs behind the guard in `bot.officer`: a session
is present, and a POST carried the session's CSRF token."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from aiohttp import web

from bot import httputil, media
from bot.officer import common, security
from bot.public import area_map
from core import observability, regions, roles, texts, tracking
from core import status as status_rules
from core.sectors import SECTORS
from core.status import Status
from storage import (
    accounts,
    audit,
    erasure,
    escalations,
    faq,
    login_throttle,
    messages,
    review,
    status_changes,
    tracker_events,
)
from workflows import escalations as escalation_flow
from workflows import status as status_flow

routes = web.RouteTableDef()

NEXT_RE = re.compile(r"^/officer/[A-Za-z0-9/_\-?=&.%+]*\Z")
BULK_LIMIT = 200
_MOVED = "usulan ini baru saja diubah petugas lain (atau tombol tertekan dua kali); periksa statusnya sekarang"
MISSING_TEXT = {
    "reason": "Alasan penolakan wajib diisi (akan dikirim ke warga).",
    "note": "Catatan perbaikan wajib diisi: tulis apa yang perlu diperbaiki warga.",
    "target": "Pilih atau tulis kode usulan tujuan penggabungan.",
}
NOTICES = {
    "status": "Status usulan sudah diubah; warga dan pendukungnya diberi tahu.",
    "gabung": "Usulan sudah digabung; pendukungnya dipindah ke usulan tujuan.",
    "jawab": "Jawaban sudah dikirim ke warga lewat kanal yang ia pakai.",
    "ambil": "Eskalasi sudah Anda ambil.",
    "lepas": "Eskalasi dikembalikan ke antrean.",
    "faq": "Jawaban diusulkan sebagai FAQ; bot memakainya setelah disetujui admin.",
    "faq_setujui": "FAQ disetujui: bot memakainya untuk pertanyaan serupa (paling lama 30 detik lagi).",
    "faq_matikan": "FAQ dinonaktifkan: bot tidak memakainya lagi.",
    "faq_aktifkan": "FAQ diaktifkan kembali.",
    "petugas": "Akun petugas sudah dibuat.",
    "aktif": "Status akun petugas diubah.",
    "sandi": "Kata sandi sudah diganti. Sesi lain akun ini sudah diakhiri.",
    "sandi_petugas": "Kata sandi petugas sudah diatur ulang; ia harus masuk lagi dengan sandi baru.",
    "kirim_ulang": "Pesan dimasukkan lagi ke antrean pengiriman.",
}


def _form_text(form: Mapping[str, object], name: str, limit: int = 2000) -> str:
    """A trimmed text field; files and missing fields read as empty."""
    value = form.get(name)
    return str(value).strip()[:limit] if isinstance(value, str) else ""


def _password_field(form: Mapping[str, object], name: str) -> str:
    """A password exactly as typed: never trimmed or cut, so what is hashed is what a login sends."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _wait_seconds(until: datetime, now: datetime) -> int:
    """Whole seconds left on a lock, rounded up: "0 detik" would read as "try now"."""
    return max(1, int((until - now).total_seconds() + 0.999))


def _locked_message(until: datetime, now: datetime) -> str:
    return f"Terlalu banyak percobaan gagal. Coba lagi dalam {_wait_seconds(until, now)} detik."


def _notice(request: web.Request) -> str | None:
    return NOTICES.get(request.query.get("ok", ""))


def _require_admin(request: web.Request) -> None:
    if common.session_of(request).officer.role != roles.ADMIN:
        raise web.HTTPForbidden(text="Halaman ini hanya untuk admin.")


def _code_of(request: web.Request) -> str:
    code = tracking.normalise(request.match_info["code"])
    if code is None:
        raise web.HTTPNotFound(text="Usulan tidak ditemukan.")
    return code


async def _visible_ref(request: web.Request, code: str) -> review.ProposalRef:
    """The proposal if this officer may see it; otherwise 404, so other scopes' codes reveal nothing."""
    ref = await review.proposal_ref(common.db_of(request), code)
    if ref is None or not roles.can_see(common.session_of(request).officer, ref):
        raise web.HTTPNotFound(text="Usulan tidak ditemukan.")
    return ref


async def _audit(request: web.Request, action: str, target: str | None = None, detail: str | None = None) -> None:
    officer = common.session_of(request).officer
    await audit.record(common.db_of(request), f"officer:{officer.username}", action, target, detail,
                       common.client_ip(request), officer.id)


# --- Login and logout ---------------------------------------------------------------------------


def _password_gate(request: web.Request) -> security.PasswordGate:
    return request.app[common.PASSWORD_GATE]


def _safe_next(value: str | None) -> str:
    return value if value and NEXT_RE.match(value) and "//" not in value else f"{common.PREFIX}/"


def _login_page(request: web.Request, status: int = 200, error: str | None = None,
                username: str = "") -> web.Response:
    nonce = request.cookies.get(common.LOGIN_COOKIE) or security.new_token()
    response = common.render(request, "login.html", status=status, error=error, username=username,
                             login_token=security.login_csrf(request.app[common.SECRET], nonce),
                             next=_safe_next(request.query.get("next")))
    config = common.config_of(request)
    response.set_cookie(common.LOGIN_COOKIE, nonce, path=common.PREFIX, httponly=True, samesite="Strict",
                        secure=config.cookie_secure, max_age=3600)
    return response


@routes.get("/login", name="login")
async def login_form(request: web.Request) -> web.Response:
    return _login_page(request)


@routes.post("/login", name="login_post")
async def login(request: web.Request) -> web.Response:
    db, config, ip = common.db_of(request), common.config_of(request), common.client_ip(request)
    form = await httputil.read_form(request)
    nonce = request.cookies.get(common.LOGIN_COOKIE)
    if not nonce or not security.same(_form_text(form, "csrf_token", 200),
                                      security.login_csrf(request.app[common.SECRET], nonce)):
        return common.error_page(request, 403, "Token keamanan (CSRF) tidak valid. Muat ulang halaman login.")
    username = _form_text(form, "username", 64).lower()
    password = _password_field(form, "password")
    keys = [f"user:{username}", f"ip:{ip}"]
    now = datetime.now(timezone.utc)
    locked = await login_throttle.locked_until(db, keys, now)
    if locked is None:  # counted before the check: a burst of guesses meets the lock, not argon2
        ip_state = await login_throttle.begin_attempt(db, keys[1], security.ip_lockout, security.FAILURE_WINDOW, now)
        user_state = await login_throttle.begin_attempt(db, keys[0], security.user_lockout, security.FAILURE_WINDOW,
                                                        now) if ip_state.allowed else ip_state
        if not user_state.allowed:
            locked = max(filter(None, (ip_state.locked_until, user_state.locked_until)), default=now)
    if locked is not None:
        observability.LOGINS_REFUSED.labels("locked").inc()
        await audit.record(db, f"login:{username}", "login_locked", username, None, ip)
        return _login_page(request, 429, _locked_message(locked, now), username)
    credentials = await accounts.get_credentials(db, username) if username else None
    usable = credentials is not None and credentials.officer.active
    async with _password_gate(request).slot(ip) as admitted:
        right = admitted and await security.verify_password(credentials.password_hash if usable else None,
                                                            password or "")
    if not admitted:
        observability.LOGINS_REFUSED.labels("busy").inc()
        return _login_page(request, 429, "Terlalu banyak percobaan masuk bersamaan dari alamat ini. "
                                         "Tunggu sebentar lalu coba lagi.", username)
    if not right:
        observability.LOGINS_REFUSED.labels("wrong_password").inc()
        await audit.record(db, f"login:{username}", "login_failed", username,
                           f"percobaan gagal ke-{user_state.failures}", ip,
                           credentials.officer.id if credentials else None)
        message = "Nama pengguna atau kata sandi salah."
        if user_state.locked_until is not None:
            message += f" Akun dikunci sementara: coba lagi dalam {_wait_seconds(user_state.locked_until, now)} detik."
        return _login_page(request, 401, message, username)
    officer = credentials.officer
    await login_throttle.clear_failed_logins(db, keys[0])
    await login_throttle.attempt_succeeded(db, keys[1], security.ip_lockout)
    if security.needs_rehash(credentials.password_hash):
        await accounts.set_password_hash(db, username, await security.hash_password_off_loop(password))
    token, csrf = security.new_token(), security.new_token()
    expires = now + timedelta(hours=config.officer_session_hours)
    await accounts.create_session(db, officer.id, security.token_hash(request.app[common.SECRET], token), csrf,
                                  expires, ip)
    await audit.record(db, f"officer:{officer.username}", "login", officer.username, None, ip, officer.id)
    response = web.HTTPFound(_safe_next(_form_text(form, "next", 500)))
    response.set_cookie(common.SESSION_COOKIE, token, path=common.PREFIX, httponly=True, samesite="Strict",
                        secure=config.cookie_secure, max_age=config.officer_session_hours * 3600)
    response.del_cookie(common.LOGIN_COOKIE, path=common.PREFIX)
    raise response


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    token = request.cookies.get(common.SESSION_COOKIE, "")
    await accounts.delete_session(common.db_of(request), security.token_hash(request.app[common.SECRET], token))
    await _audit(request, "logout")
    response = web.HTTPFound(f"{common.PREFIX}/login")
    response.del_cookie(common.SESSION_COOKIE, path=common.PREFIX)
    raise response


@routes.get("/static/console.css", name="static")
async def stylesheet(request: web.Request) -> web.FileResponse:
    return web.FileResponse(common.STATIC / "console.css", headers={"Cache-Control": "max-age=3600"})


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    raise web.HTTPFound(f"{common.PREFIX}/usulan")


# --- The queue ----------------------------------------------------------------------------------


def _filters(request: web.Request) -> review.QueueFilter:
    query = request.query
    status = query.get("status") if query.get("status") in status_rules.ALL else None
    sector = query.get("sector") if query.get("sector") in SECTORS else None
    village = query.get("village") if re.fullmatch(r"\d{2}\.\d{2}\.\d{2}\.\d{4}", query.get("village", "")) else None
    days = query.get("days", "")
    return review.QueueFilter(status, sector, village, int(days) if days.isdigit() and int(days) < 10000 else None)


def _bulk_choices(officer: accounts.OfficerView, status: str | None) -> list[str]:
    """Where this role may move proposals of `status` (merging needs a target: not in bulk)."""
    if status is None:
        return []
    return [s for s in roles.role_moves(officer.role, status) if s != Status.DIGABUNG]


def _village_choices(officer: accounts.OfficerView, region_code: str) -> list[tuple[str, str]]:
    scope = roles.scope_of(officer)
    if scope.village is not None:
        return []
    return common.villages_in(scope.prefix or f"{region_code}.")


@routes.get("/usulan")
async def queue(request: web.Request) -> web.Response:
    officer = common.session_of(request).officer
    filters = _filters(request)
    found = await review.proposal_queue(common.db_of(request), roles.scope_of(officer), filters)
    now = datetime.now(timezone.utc)
    return common.render(request, "queue.html", queue=found, filters=filters, now=now,
                         bulk_choices=_bulk_choices(officer, filters.status), notice=_notice(request),
                         villages=_village_choices(officer, common.config_of(request).region_code),
                         waiting_days=lambda item: (now - item.updated_at).days)


@routes.get("/peta")
async def area_map_page(request: web.Request) -> web.Response:
    """The officer's own area as a shaded map of its proposals per desa, with the pinned ones on top."""
    officer = common.session_of(request).officer
    scope = roles.scope_of(officer)
    region = common.config_of(request).region_code
    area = scope.village or (scope.prefix.rstrip(".") if scope.prefix else region)
    status = request.query.get("status") if request.query.get("status") in status_rules.ALL else None
    found = await review.area_proposals(common.db_of(request), scope, status)
    pins = [(lat, lng, f"{code}: {description[:80]} ({texts.status_label(s)})", f"{common.PREFIX}/usulan/{code}")
            for code, description, s, lat, lng in found.pins]
    shown = area_map.build(
        "peta-petugas", f"Usulan di {regions.gazetteer().name_of(area)} per desa/kelurahan", region, "desa", area,
        found.per_village, (lambda code: f"{common.PREFIX}/usulan?village={code}") if scope.village is None else None,
        pins)
    return common.render(request, "map.html", area_map=shown, area_name=regions.gazetteer().name_of(area),
                         chosen_status=status, pinned=len(found.pins), total=sum(found.per_village.values()))


@routes.post("/usulan/massal")
async def bulk(request: web.Request) -> web.Response:
    officer = common.session_of(request).officer
    form = await httputil.read_form(request)
    codes = [c for c in (tracking.normalise(str(v)) for v in form.getall("codes", [])[:BULK_LIMIT]) if c]
    new_status = _form_text(form, "new_status", 32)
    reason, note = _form_text(form, "reason"), _form_text(form, "note")
    if not codes or new_status not in status_rules.ALL or new_status == Status.DIGABUNG:
        return common.error_page(request, 400, "Pilih usulan dan status tujuan terlebih dahulu.")
    results = []
    for code in dict.fromkeys(codes):
        try:
            await status_flow.change_status(common.db_of(request), officer, code, new_status, reason, note,
                                            ip=common.client_ip(request))
            results.append((code, True, "berhasil"))
        except LookupError:
            results.append((code, False, "tidak ditemukan"))
        except PermissionError:  # visible, but not this officer's move now (unknown codes: not found)
            results.append((code, False, "bukan wewenang Anda pada tahap ini"))
        except status_changes.StatusMoved:
            results.append((code, False, _MOVED))
        except status_rules.TransitionError as error:
            missing = roles.missing_fields(new_status, reason, note, None)
            results.append((code, False, MISSING_TEXT[missing[0]] if missing else f"tidak dapat diubah ({error})"))
    done = sum(ok for _, ok, _ in results)
    await _audit(request, "bulk_status", new_status, f"{done} dari {len(results)} usulan diubah")
    return common.render(request, "bulk_result.html", results=results, new_status=new_status, done=done)


# --- One proposal -------------------------------------------------------------------------------


async def _proposal_page(request: web.Request, code: str, status: int = 200,
                         error: str | None = None) -> web.Response:
    officer = common.session_of(request).officer
    detail = await review.proposal_detail(common.db_of(request), code)
    if detail is None or not roles.can_see(officer, detail):
        raise web.HTTPNotFound(text="Usulan tidak ditemukan.")
    moves = roles.allowed_transitions(officer, detail.status, detail.village_code, detail.sector)
    map_url = None
    if detail.latitude is not None and detail.longitude is not None:
        lat, lon = f"{detail.latitude:.6f}", f"{detail.longitude:.6f}"
        map_url = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
    photo = media.readable(detail.photo_ref)
    return common.render(request, "proposal.html", status=status, p=detail, moves=moves, map_url=map_url,
                         photo=photo, can_merge=Status.DIGABUNG in moves, error=error, notice=_notice(request))


@routes.get("/usulan/{code}")
async def proposal(request: web.Request) -> web.Response:
    code = _code_of(request)
    response = await _proposal_page(request, code)
    await _audit(request, "view_proposal", code)  # the page shows the citizen's contact data
    return response


@routes.post("/usulan/{code}/status")
async def change_status(request: web.Request) -> web.Response:
    code = _code_of(request)
    ref = await _visible_ref(request, code)
    form = await httputil.read_form(request)
    new_status = _form_text(form, "new_status", 32)
    reason, note = _form_text(form, "reason"), _form_text(form, "note")
    officer = common.session_of(request).officer
    if new_status == ref.status:  # a double click, or a colleague a moment earlier: nothing to do twice
        return await _proposal_page(request, code, 409, "Status usulan ini baru saja diubah; tidak diubah dua kali.")
    if new_status not in roles.allowed_transitions(officer, ref.status, ref.village_code, ref.sector):
        return common.error_page(request, 403, "Perubahan status ini bukan wewenang Anda pada tahap ini.")
    missing = roles.missing_fields(new_status, reason, note, "-")
    if missing:
        return await _proposal_page(request, code, 400, MISSING_TEXT[missing[0]])
    try:
        await status_flow.change_status(common.db_of(request), officer, code, new_status, reason, note,
                                        ip=common.client_ip(request), expected_status=ref.status)
    except PermissionError:
        return common.error_page(request, 403, "Perubahan status ini bukan wewenang Anda pada tahap ini.")
    except status_changes.StatusMoved:
        return await _proposal_page(request, code, 409, f"Status tidak diubah: {_MOVED}.")
    except status_rules.TransitionError as error:
        return await _proposal_page(request, code, 409, f"Status tidak dapat diubah: {error}")
    raise web.HTTPFound(f"{common.PREFIX}/usulan/{code}?ok=status")


@routes.post("/usulan/{code}/gabung")
async def merge(request: web.Request) -> web.Response:
    code = _code_of(request)
    ref = await _visible_ref(request, code)
    form = await httputil.read_form(request)
    target = tracking.normalise(_form_text(form, "target", 40))
    officer = common.session_of(request).officer
    if Status.DIGABUNG not in roles.allowed_transitions(officer, ref.status, ref.village_code, ref.sector):
        return common.error_page(request, 403, "Penggabungan ini bukan wewenang Anda pada tahap ini.")
    if target is None:
        return await _proposal_page(request, code, 400, MISSING_TEXT["target"])
    try:
        await status_flow.merge_proposals(common.db_of(request), officer, code, target, _form_text(form, "note"),
                                          ip=common.client_ip(request))
    except LookupError:
        return await _proposal_page(request, code, 400, f"Usulan tujuan {target} tidak ditemukan.")
    except PermissionError:
        return common.error_page(request, 403, "Penggabungan ini bukan wewenang Anda pada tahap ini.")
    except status_changes.StatusMoved:
        return await _proposal_page(request, code, 409, f"Tidak digabung: {_MOVED}.")
    except status_rules.TransitionError as error:
        return await _proposal_page(request, code, 409, f"Tidak dapat digabung: {error}")
    raise web.HTTPFound(f"{common.PREFIX}/usulan/{code}?ok=gabung")


@routes.get("/usulan/{code}/foto")
async def photo(request: web.Request) -> web.StreamResponse:
    """The proposal's photo, only to officers who may see the proposal (never a public URL)."""
    code = _code_of(request)
    await _visible_ref(request, code)
    detail = await review.proposal_detail(common.db_of(request), code)
    try:
        found = await media.read_async(common.config_of(request), detail.photo_ref) if detail else None
    except media.Unavailable:
        raise web.HTTPServiceUnavailable(text="Foto tidak dapat dibaca sekarang; coba lagi sebentar.") from None
    if found is None:
        raise web.HTTPNotFound(text="Foto tidak ada.")
    data, content_type = found
    return web.Response(body=data, headers={"Content-Type": content_type, "Cache-Control": "private, no-store",
                                            "Content-Disposition": "inline"})


# --- The escalation desk ------------------------------------------------------------------------


def _escalation_id(request: web.Request) -> int:
    return int(request.match_info["id"])


@routes.get("/eskalasi")
async def escalation_desk(request: web.Request) -> web.Response:
    return await _desk(request)


async def _desk(request: web.Request, status: int = 200, error: str | None = None) -> web.Response:
    """The escalations of this officer's scope (`roles.escalation_scope`), nobody else's."""
    db, sla = common.db_of(request), common.config_of(request).escalation_sla_days
    officer = common.session_of(request).officer
    return common.render(request, "escalations.html", status=status, error=error, sla_days=sla,
                         waiting=await escalations.escalation_queue(db, officer, sla),
                         answered=await escalations.escalation_queue(db, officer, sla, answered=True, limit=20),
                         notice=_notice(request) if error is None else None,
                         min_question=(faq.MIN_QUESTION_CHARS, faq.MIN_QUESTION_WORDS))


async def _desk_error(request: web.Request, message: str, status: int = 409) -> web.Response:
    return await _desk(request, status, message)


async def _visible_escalation(request: web.Request) -> int:
    """The escalation's id if this officer may see it; otherwise 404, so other scopes' ids reveal nothing."""
    escalation_id = _escalation_id(request)
    found = await escalations.get_escalation(common.db_of(request), escalation_id,
                                             common.config_of(request).escalation_sla_days,
                                             officer=common.session_of(request).officer)
    if found is None:
        raise web.HTTPNotFound(text="Eskalasi tidak ditemukan.")
    return escalation_id


@routes.post(r"/eskalasi/{id:\d+}/ambil")
async def claim(request: web.Request) -> web.Response:
    officer = common.session_of(request).officer
    escalation_id = await _visible_escalation(request)
    if not await escalations.claim_escalation(common.db_of(request), escalation_id, officer):
        return await _desk_error(request, "Eskalasi ini sudah diambil atau dijawab petugas lain.")
    await _audit(request, "escalation_claim", f"eskalasi:{escalation_id}")
    raise web.HTTPFound(f"{common.PREFIX}/eskalasi?ok=ambil#e{escalation_id}")


@routes.post(r"/eskalasi/{id:\d+}/lepas")
async def release(request: web.Request) -> web.Response:
    officer = common.session_of(request).officer
    escalation_id = _escalation_id(request)
    if not await escalations.release_escalation(common.db_of(request), escalation_id, officer.id,
                                                force=officer.role == roles.ADMIN):
        return await _desk_error(request, "Eskalasi ini tidak sedang Anda pegang.")
    await _audit(request, "escalation_release", f"eskalasi:{escalation_id}")
    raise web.HTTPFound(f"{common.PREFIX}/eskalasi?ok=lepas")


@routes.post(r"/eskalasi/{id:\d+}/jawab")
async def answer(request: web.Request) -> web.Response:
    officer = common.session_of(request).officer
    escalation_id = await _visible_escalation(request)
    form = await httputil.read_form(request)
    text = _form_text(form, "answer", 4000)
    if not text:
        return await _desk_error(request, "Jawaban masih kosong.", 400)
    try:
        await escalation_flow.answer_escalation(common.db_of(request), escalation_id, officer, text)
    except LookupError:
        raise web.HTTPNotFound(text="Eskalasi tidak ditemukan.") from None
    except escalations.ClaimError:
        return await _desk_error(request, "Eskalasi ini sudah diambil atau dijawab petugas lain.")
    await _audit(request, "escalation_answer", f"eskalasi:{escalation_id}")
    raise web.HTTPFound(f"{common.PREFIX}/eskalasi?ok=jawab")


@routes.post(r"/eskalasi/{id:\d+}/faq")
async def save_faq(request: web.Request) -> web.Response:
    """An officer proposes the answer as an FAQ entry; it reaches citizens once an admin approves it."""
    escalation_id = await _visible_escalation(request)
    form = await httputil.read_form(request)
    try:
        entry = await faq.save_as_faq(common.db_of(request), escalation_id, common.session_of(request).officer,
                                      _form_text(form, "question"), _form_text(form, "answer", 4000),
                                      _form_text(form, "topic", 64) or "petugas")
    except LookupError:
        raise web.HTTPNotFound(text="Eskalasi tidak ditemukan.") from None
    except escalations.ClaimError:
        return await _desk_error(request, "Hanya eskalasi yang sudah dijawab yang bisa menjadi FAQ.")
    except faq.QuestionTooShort:
        return await _desk_error(request, _QUESTION_TOO_SHORT, 400)
    await _audit(request, "faq_saved", f"eskalasi:{escalation_id}", f"faq:{entry}, menunggu persetujuan admin")
    raise web.HTTPFound(f"{common.PREFIX}/eskalasi?ok=faq")


_QUESTION_TOO_SHORT = (f"Pertanyaan FAQ terlalu pendek: tulis minimal {faq.MIN_QUESTION_WORDS} kata dan "
                       f"{faq.MIN_QUESTION_CHARS} karakter, agar tidak dipakai untuk pertanyaan lain.")


# --- Own account ------------------------------------------------------------------------------


def _new_password_problem(new: str, again: str) -> str | None:
    """Why these two fields cannot become the new password, or None."""
    if new != again:
        return "Kata sandi baru dan ulangannya tidak sama."
    return security.check_password_strength(new)


@routes.get("/akun/sandi")
async def password_form(request: web.Request) -> web.Response:
    return common.render(request, "password.html", notice=_notice(request))


@routes.post("/akun/sandi")
async def password_change(request: web.Request) -> web.Response:
    """The officer's own password, proven by the current one (wrong guesses count as failed logins)."""
    db, ip = common.db_of(request), common.client_ip(request)
    me = common.session_of(request).officer
    form = await httputil.read_form(request)
    current, new = _password_field(form, "current_password"), _password_field(form, "new_password")
    key = f"user:{me.username}"
    now = datetime.now(timezone.utc)
    attempt = await login_throttle.begin_attempt(db, key, security.user_lockout, security.FAILURE_WINDOW, now)
    if not attempt.allowed:
        return common.render(request, "password.html", status=429,
                             error=_locked_message(attempt.locked_until or now, now))
    credentials = await accounts.get_credentials(db, me.username)
    async with _password_gate(request).slot(ip) as admitted:
        right = admitted and await security.verify_password(credentials.password_hash if credentials else None,
                                                            current)
    if not admitted:
        return common.render(request, "password.html", status=429,
                             error="Terlalu banyak percobaan bersamaan. Tunggu sebentar lalu coba lagi.")
    if not right:
        await _audit(request, "password_change_failed", me.username)
        return common.render(request, "password.html", status=400, error="Kata sandi lama salah.")
    await login_throttle.clear_failed_logins(db, key)  # proven: the attempt counted above is given back
    problem = _new_password_problem(new, _password_field(form, "new_password_again"))
    if problem is None and new == current:
        problem = "Kata sandi baru harus berbeda dari yang lama."
    if problem:
        return common.render(request, "password.html", status=400, error=problem)
    keep = security.token_hash(request.app[common.SECRET], request.cookies.get(common.SESSION_COOKIE, ""))
    ended = await accounts.change_password(db, me.id, await security.hash_password_off_loop(new), keep_session=keep)
    await audit.record(db, f"officer:{me.username}", "password_change", me.username,
                       f"{ended or 0} sesi lain diakhiri", ip, me.id)
    raise web.HTTPFound(f"{common.PREFIX}/akun/sandi?ok=sandi")


# --- Admin --------------------------------------------------------------------------------------


async def _officers_page(request: web.Request, status: int = 200, error: str | None = None,
                         values: dict | None = None) -> web.Response:
    return common.render(request, "admin_officers.html", status=status, error=error, values=values or {},
                         officers=await accounts.list_officers(common.db_of(request)), notice=_notice(request))


@routes.get("/admin/petugas")
async def officer_list(request: web.Request) -> web.Response:
    _require_admin(request)
    return await _officers_page(request)


@routes.post("/admin/petugas")
async def officer_create(request: web.Request) -> web.Response:
    _require_admin(request)
    form = await httputil.read_form(request)
    values = {name: _form_text(form, name, 120) for name in ("username", "full_name", "role", "scope_code", "sector")}
    password = _password_field(form, "password")
    if not re.fullmatch(r"[a-z0-9._-]{3,64}", values["username"].lower()):
        return await _officers_page(request, 400, "Nama pengguna 3–64 karakter: huruf kecil, angka, titik, -, _.",
                                    values)
    weak = security.check_password_strength(password)
    if weak:
        return await _officers_page(request, 400, weak, values)
    scope = values["scope_code"] or None
    region = common.config_of(request).region_code
    if values["role"] == roles.OPD and not scope:
        scope = region
    error = _scope_problem(values["role"], scope, values["sector"] or None, region)
    if error:
        return await _officers_page(request, 400, error, values)
    password_hash = await security.hash_password_off_loop(password)
    try:
        created = await accounts.create_officer(common.db_of(request), values["username"], password_hash,
                                                values["role"], scope, values["sector"] or None, values["full_name"])
    except accounts.DuplicateUsername:
        return await _officers_page(request, 409, "Nama pengguna itu sudah dipakai.", values)
    await _audit(request, "officer_create", created.username, f"{created.role} {created.scope_code or ''}".strip())
    raise web.HTTPFound(f"{common.PREFIX}/admin/petugas?ok=petugas")


def _scope_problem(role: str, scope: str | None, sector: str | None, region: str) -> str | None:
    """Why this role/scope cannot be an officer of this deployment, or None."""
    try:
        roles.validate_officer(role, scope, sector, region, regions.gazetteer().by_code)
    except roles.ScopeError as error:
        return f"Peran/wilayah tidak sesuai: {error}"
    return None


@routes.post(r"/admin/petugas/{id:\d+}/aktif")
async def officer_active(request: web.Request) -> web.Response:
    _require_admin(request)
    form = await httputil.read_form(request)
    officer_id = int(request.match_info["id"])
    if officer_id == common.session_of(request).officer.id:
        return await _officers_page(request, 400, "Anda tidak dapat menonaktifkan akun sendiri.")
    active = _form_text(form, "active") == "1"
    await accounts.set_active(common.db_of(request), officer_id, active)
    await _audit(request, "officer_active", f"officer:{officer_id}", "aktif" if active else "nonaktif")
    raise web.HTTPFound(f"{common.PREFIX}/admin/petugas?ok=aktif")


@routes.post(r"/admin/petugas/{id:\d+}/sandi")
async def officer_password_reset(request: web.Request) -> web.Response:
    """An admin sets another officer's password (forgotten, or shared by mistake); their sessions end."""
    _require_admin(request)
    form = await httputil.read_form(request)
    officer_id = int(request.match_info["id"])
    if officer_id == common.session_of(request).officer.id:
        return await _officers_page(request, 400, "Ganti kata sandi Anda sendiri lewat menu Kata sandi.")
    new = _password_field(form, "new_password")
    problem = _new_password_problem(new, _password_field(form, "new_password_again"))
    if problem:
        return await _officers_page(request, 400, problem)
    new_hash = await security.hash_password_off_loop(new)
    ended = await accounts.change_password(common.db_of(request), officer_id, new_hash)
    if ended is None:
        raise web.HTTPNotFound(text="Petugas tidak ditemukan.")
    await _audit(request, "officer_password_reset", f"officer:{officer_id}", f"{ended} sesi diakhiri")
    raise web.HTTPFound(f"{common.PREFIX}/admin/petugas?ok=sandi_petugas")


async def _faq_page(request: web.Request, status: int = 200, error: str | None = None) -> web.Response:
    return common.render(request, "admin_faq.html", status=status, error=error,
                         entries=await faq.faq_entries(common.db_of(request)), notice=_notice(request),
                         enabled=common.config_of(request).learned_faq)


@routes.get("/admin/faq")
async def faq_list(request: web.Request) -> web.Response:
    """Learned answers: an admin approves each before the bot uses it, and can switch any off."""
    _require_admin(request)
    return await _faq_page(request)


@routes.post(r"/admin/faq/{id:\d+}")
async def faq_decide(request: web.Request) -> web.Response:
    _require_admin(request)
    form = await httputil.read_form(request)
    entry_id, decision = int(request.match_info["id"]), _form_text(form, "decision", 16)
    admin = f"officer:{common.session_of(request).officer.username}"
    db = common.db_of(request)
    try:
        if decision == "setujui":
            changed = await faq.approve_faq(db, entry_id, admin)
        elif decision in ("matikan", "aktifkan"):
            changed = await faq.set_faq_active(db, entry_id, decision == "aktifkan")
        else:
            return await _faq_page(request, 400, "Pilihan tidak dikenal.")
    except LookupError:
        raise web.HTTPNotFound(text="Entri FAQ tidak ditemukan.") from None
    except faq.QuestionTooShort:
        return await _faq_page(request, 400, _QUESTION_TOO_SHORT)
    if changed:
        action = {"setujui": "faq_approved", "matikan": "faq_disabled", "aktifkan": "faq_enabled"}[decision]
        await _audit(request, action, f"faq:{entry_id}")
    raise web.HTTPFound(f"{common.PREFIX}/admin/faq?ok=faq_{decision}")


@routes.get("/admin/audit")
async def audit_page(request: web.Request) -> web.Response:
    _require_admin(request)
    actor, action = request.query.get("actor", "")[:120] or None, request.query.get("action", "")[:40] or None
    entries = await audit.entries(common.db_of(request), 300, actor, action)
    return common.render(request, "audit.html", entries=entries, actor=actor or "", action=action or "")


# --- Failed deliveries (the outbox gave up: a permanent error or a spent retry budget) -------------


@routes.get("/admin/pengiriman")
async def failed_deliveries(request: web.Request) -> web.Response:
    _require_admin(request)
    failed = await messages.failed_deliveries(common.db_of(request))
    return common.render(request, "deliveries.html", failed=failed, notice=_notice(request))


@routes.post("/admin/pengiriman/kirim-ulang")
async def resend_deliveries(request: web.Request) -> web.Response:
    """Queue one failed message (`id`) or all of them again, with a fresh retry budget; audited."""
    _require_admin(request)
    form = await httputil.read_form(request)
    chosen = str(form.get("id") or "")
    if chosen and not chosen.isdigit():
        raise web.HTTPBadRequest(text="Nomor pesan tidak valid.")
    queued = await messages.resend_failed(common.db_of(request), ids=[int(chosen)] if chosen else None)
    if queued:
        await _audit(request, "outbox_resend", chosen or "all", ",".join(map(str, queued))[:500])
    raise web.HTTPFound(f"{common.PREFIX}/admin/pengiriman?ok=kirim_ulang")


# --- Personal data (UU 27/2022) --------------------------------------------------------------------

ERASE_CHANNELS = ("whatsapp", "telegram", "web", "open311")


def _erase_page(request: web.Request, status: int = 200, error: str | None = None, result: str | None = None,
                channel: str = "whatsapp", external_id: str = "") -> web.Response:
    return common.render(request, "admin_erase.html", status=status, error=error, result=result,
                         channels=ERASE_CHANNELS, channel=channel, external_id=external_id)


@routes.get("/admin/hapus-data")
async def erase_page(request: web.Request) -> web.Response:
    _require_admin(request)
    return _erase_page(request)


@routes.post("/admin/hapus-data")
async def erase_citizen(request: web.Request) -> web.Response:
    """A citizen's erasure asked for outside the chat: the same storage.erasure as "hapus data saya"."""
    _require_admin(request)
    form = await httputil.read_form(request)
    channel, external_id = _form_text(form, "channel", 20), _form_text(form, "external_id", 128)
    if channel not in ERASE_CHANNELS or not external_id:
        return _erase_page(request, 400, "Pilih kanal dan isi ID warga di kanal itu.", channel, external_id)
    if _form_text(form, "confirm") != "1":
        return _erase_page(request, 400, "Centang konfirmasi dulu: penghapusan tidak bisa dibatalkan.", channel,
                           external_id)
    officer = common.session_of(request).officer
    db, config = common.db_of(request), common.config_of(request)
    erased = await erasure.erase_citizen(db, channel, external_id, actor=f"officer:{officer.username}")
    if not erased.found:
        return _erase_page(request, 404, "Tidak ada warga dengan ID itu di kanal itu.", channel, external_id)
    await erasure.finish_erasures(db, tracker_events.TrackerStore.of(config), grace=erasure.NO_GRACE)
    return _erase_page(request, result=f"Data warga sudah dihapus; {erased.proposals} usulan tetap tercatat tanpa "
                                       "identitas.")
