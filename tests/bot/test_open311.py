"""The Open311 GeoReport v2 API through HTTP, on the real gateway app (aiohttp test server,
SQLite): field names and types as the standard has them, filters, API keys, idempotent POSTs,
the open/closed mapping, rate limits, and no personal data in anything a GET returns."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update

from bot import open311 as api
from bot.app import create_app
from bot.open311.views import routes
from core import sectors, settings, texts
from core import status as status_rules
from storage import api_keys, proposals, status_changes
from storage.db import Database
from storage.models import Citizen, Proposal

VILLAGE = "34.04.07.2001"  # Caturtunggal, Kec. Depok, Kabupaten Sleman
BASE = "/open311/v2"
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url", "extended_attributes",
}
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
GENEROUS = api.Limits(per_ip=100_000, post_per_key=100_000)


@dataclass
class Api:
    client: TestClient
    db: Database
    key: str

    async def get(self, path: str, **params: str) -> tuple[int, object, dict]:
        async with self.client.get(BASE + path, params=params) as response:
            return response.status, json.loads(await response.text()), dict(response.headers)

    async def post(self, data: dict, key: str | None = "default", headers: dict | None = None,
                   path: str = "/requests.json") -> tuple[int, object, dict]:
        form = dict(data)
        headers = dict(headers or {})
        if key is not None:
            headers["X-API-Key"] = self.key if key == "default" else key
        async with self.client.post(BASE + path, data=form, headers=headers) as response:
            return response.status, json.loads(await response.text()), dict(response.headers)


async def start(tmp_path: Path, url: str, limits: api.Limits = GENEROUS, region: str = "34.04") -> Api:
    config = settings.Settings(var_dir=tmp_path / "var", database_url=url, region_code=region)
    app = create_app(config)
    app[api.LIMITS] = limits
    client = TestClient(TestServer(app))
    await client.start_server()
    db = Database(url)
    _, key = await api_keys.create_key(db, "mitra")
    return Api(client, db, key)


@pytest.fixture
async def opened():
    running: list[Api] = []

    async def open_api(tmp_path: Path, url: str, **kwargs: object) -> Api:
        running.append(await start(tmp_path, url, **kwargs))
        return running[-1]

    yield open_api
    for item in running:
        await item.client.close()
        await item.db.dispose()


@pytest.fixture
async def gw(opened, tmp_path: Path, sqlite_db_url: str) -> Api:
    return await opened(tmp_path, sqlite_db_url)


async def propose(db: Database, key: str, sector: str = "jalan", description: str = "Jalan rusak berlubang",
                  **extra: object) -> str:
    draft = proposals.ProposalDraft(description=description, sector=sector, village_code=VILLAGE, **extra)
    view, _ = await proposals.submit_proposal(db, "web", f"citizen-{key}", key, draft)
    return view.code


async def move(db: Database, code: str, *statuses: str, reason: str | None = None, note: str | None = None) -> None:
    for status in statuses:
        needs = status in status_rules.NEEDS_REASON
        await status_changes.change_status(db, code, status, "officer:petugas_rahasia",
                                           reason=reason if needs else None,
                                           note=note)


async def backdate(db: Database, code: str, days: int) -> None:
    async with db.session() as session:
        moment = datetime.now(timezone.utc) - timedelta(days=days)
        await session.execute(update(Proposal).where(Proposal.code == code).values(created_at=moment))
        await session.commit()


def ids(payload: object) -> list[str]:
    return [item["service_request_id"] for item in payload]


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, value
    return moment


def assert_errors(payload: object, status: int) -> list[str]:
    assert isinstance(payload, list) and payload, payload
    for error in payload:
        assert set(error) == {"code", "description"} and error["code"] == status
        assert isinstance(error["description"], str) and error["description"]
    return [error["description"] for error in payload]


# --- contract ------------------------------------------------------------------------------------


async def test_services_follow_georeport_v2(gw: Api) -> None:
    status, services, headers = await gw.get("/services.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert [s["service_code"] for s in services] == list(sectors.SECTORS)
    for service in services:
        assert set(service) == SERVICE_FIELDS
        assert service["service_name"] == texts.sector_label(service["service_code"], "id")
        assert service["metadata"] is False and service["type"] == "realtime"
        assert all(isinstance(service[f], str) for f in ("description", "keywords", "group", "service_name"))
        assert service["description"]
    assert "aspal" in services[0]["keywords"]
    status, definition, _ = await gw.get("/services/drainase.json")
    assert status == 200 and definition == {"service_code": "drainase", "attributes": []}
    status, payload, _ = await gw.get("/services/tidak_ada.json")
    assert status == 404 and assert_errors(payload, 404)


async def test_requests_follow_georeport_v2(gw: Api) -> None:
    code = await propose(gw.db, "a", rt="03", rw="05", latitude=-7.77, longitude=110.39)
    bare = await propose(gw.db, "b", "air_bersih", "Sumur bor untuk warga")
    status, listed, _ = await gw.get("/requests.json")
    assert status == 200 and set(ids(listed)) == {code, bare}
    for item in listed:
        assert set(item) == REQUEST_FIELDS
        for name in ("service_request_id", "status", "service_name", "service_code", "description",
                     "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "address",
                     "address_id"):
            assert isinstance(item[name], str), name
        for name in ("status_notes", "expected_datetime", "zipcode", "media_url"):
            assert item[name] is None or isinstance(item[name], str), name
        for name in ("lat", "long"):
            assert item[name] is None or isinstance(item[name], float), name
        assert parse_time(item["requested_datetime"]) <= parse_time(item["updated_datetime"])
    item = next(i for i in listed if i["service_request_id"] == code)
    assert item["status"] == "open" and item["service_code"] == "jalan" and item["service_name"] == "Jalan"
    assert item["description"] == "Jalan rusak berlubang"
    assert (item["lat"], item["long"]) == (-7.77, 110.39)
    assert item["address_id"] == VILLAGE
    assert item["address"] == "RT 03 / RW 05, Desa Caturtunggal, Kec. Depok, Kabupaten Sleman"
    assert item["agency_responsible"] == "Pemerintah Desa Caturtunggal"
    assert item["service_notice"] == "Diajukan (tahap 1 dari 6)"
    assert item["extended_attributes"] == {"detailed_status": "diajukan", "detailed_status_label": "Diajukan",
                                           "stage": 1, "stage_total": 6, "supporters": 0}
    other = next(i for i in listed if i["service_request_id"] == bare)
    assert other["lat"] is None and other["long"] is None

    status, single, _ = await gw.get(f"/requests/{code}.json")
    assert status == 200 and isinstance(single, list) and len(single) == 1
    assert set(single[0]) == REQUEST_FIELDS
    history = single[0]["extended_attributes"]["status_history"]
    assert [h["detailed_status"] for h in history] == ["diajukan"]
    assert set(history[0]) == {"detailed_status", "detailed_status_label", "reason", "datetime"}
    assert (await gw.get(f"/requests/{code.lower().replace('-', '')}.json"))[1] == single  # forgiving code
    for missing in ("USL-000000", "nonsense"):
        status, payload, _ = await gw.get(f"/requests/{missing}.json")
        assert status == 404 and assert_errors(payload, 404)


async def test_json_only(gw: Api) -> None:
    code = await propose(gw.db, "a")
    for path in ("/services.xml", "/requests.xml", f"/requests/{code}.xml"):
        status, payload, _ = await gw.get(path)
        assert status == 400 and "JSON only" in assert_errors(payload, 400)[0], path
    status, payload, _ = await gw.post({"service_code": "jalan"}, path="/requests.xml")
    assert status == 400 and "JSON only" in assert_errors(payload, 400)[0]
    status, payload, _ = await gw.get("/services.yaml")
    assert status == 404 and assert_errors(payload, 404)
    status, payload, _ = await gw.get("/nothing-here")
    assert status == 404 and assert_errors(payload, 404)
    async with gw.client.delete(BASE + "/requests.json") as response:
        assert response.status == 405 and assert_errors(await response.json(), 405)


# --- filters -------------------------------------------------------------------------------------


async def test_list_filters(gw: Api) -> None:
    db = gw.db
    road = await propose(db, "road")
    lamp = await propose(db, "lamp", "penerangan_jalan", "Lampu jalan mati")
    done = await propose(db, "done", "drainase", "Selokan mampet")
    await move(db, done, *status_rules.STAGES[1:])
    rejected = await propose(db, "rej", "drainase", "Gorong-gorong")
    await move(db, rejected, "ditolak", reason="Sudah ada di APBDes")
    old = await propose(db, "old", "jalan", "Jalan lama")
    await backdate(db, old, 120)
    ancient = await propose(db, "anc", "jalan", "Jalan sangat lama")
    await backdate(db, ancient, 400)

    async def found(**params: str) -> set[str]:
        status, payload, _ = await gw.get("/requests.json", **params)
        assert status == 200, payload
        return set(ids(payload))

    assert await found() == {road, lamp, done, rejected}  # default: the last 90 days
    assert await found(service_code="drainase") == {done, rejected}
    assert await found(service_code="jalan,penerangan_jalan") == {road, lamp}
    assert await found(status="open") == {road, lamp}
    assert await found(status="closed") == {done, rejected}
    assert await found(status="open,closed") == {road, lamp, done, rejected}
    assert await found(status="ditolak") == {rejected}  # extension: detailed statuses
    assert await found(status="closed", service_code="drainase") == {done, rejected}
    now = datetime.now(timezone.utc)
    assert await found(start_date=(now - timedelta(days=200)).isoformat()) == {road, lamp, done, rejected, old}
    assert await found(start_date=(now - timedelta(days=500)).isoformat(),
                       end_date=(now - timedelta(days=100)).isoformat()) == {old, ancient}
    # Only end_date: the 90 days before it.
    assert await found(end_date=(now - timedelta(days=100)).isoformat()) == {old}
    assert await found(start_date=(now - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       end_date=(now - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%S+07:00")) == {old}
    # service_request_id overrides every other filter, dates included.
    assert await found(service_request_id=f"{ancient},{road}", status="closed", service_code="lainnya") == {
        ancient, road}
    assert await found(service_request_id="USL-000000") == set()


async def test_list_is_newest_first_and_paginated(gw: Api) -> None:
    codes = [await propose(gw.db, f"p{i}", description=f"Usulan nomor {i}") for i in range(5)]
    for age, code in enumerate(reversed(codes)):
        await backdate(gw.db, code, age)
    status, first, headers = await gw.get("/requests.json", page_size="2")
    assert status == 200 and ids(first) == [codes[4], codes[3]]
    assert 'rel="next"' in headers["Link"] and "page=2" in headers["Link"]
    next_url = re.search(r"<([^>]+)>", headers["Link"]).group(1)
    async with gw.client.get(next_url) as response:
        assert ids(await response.json()) == [codes[2], codes[1]]
    status, last, headers = await gw.get("/requests.json", page_size="2", page="3")
    assert ids(last) == [codes[0]] and "Link" not in headers
    assert (await gw.get("/requests.json", page="9"))[1] == []


async def test_bad_filters_get_every_problem_listed(gw: Api) -> None:
    status, payload, _ = await gw.get("/requests.json", status="half-open", service_code="jalan,roket",
                                      start_date="kemarin", page_size="5000", page="0")
    problems = assert_errors(payload, 400)
    assert status == 400 and len(problems) == 5
    assert any("status" in p for p in problems) and any("roket" in p for p in problems)
    assert any("start_date" in p for p in problems) and any("page_size" in p for p in problems)
    now = datetime.now(timezone.utc)
    status, payload, _ = await gw.get("/requests.json", start_date=now.isoformat(),
                                      end_date=(now - timedelta(days=1)).isoformat())
    assert status == 400 and "after" in assert_errors(payload, 400)[0]
    status, payload, _ = await gw.get("/requests.json", service_request_id="USL-ABC,12")
    assert status == 400 and len(assert_errors(payload, 400)) == 2


# --- status mapping ------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "expected", "stage"), [
    ((), "open", 1),
    (("diverifikasi_desa",), "open", 2),
    (("diverifikasi_desa", "dibahas_kecamatan"), "open", 3),
    (("diverifikasi_desa", "dibahas_kecamatan", "diverifikasi_opd"), "open", 4),
    (("diverifikasi_desa", "dibahas_kecamatan", "diverifikasi_opd", "masuk_rkpd"), "open", 5),
    (status_rules.STAGES[1:], "closed", 6),
    (("perlu_perbaikan",), "open", None),
    (("ditolak",), "closed", None),
    (("digabung",), "closed", None),
    (("dibatalkan",), "closed", None),
])
async def test_open_closed_mapping(gw: Api, path: tuple[str, ...], expected: str, stage: int | None) -> None:
    code = await propose(gw.db, "x")
    await move(gw.db, code, *path, reason="Alasan untuk warga", note="Catatan internal petugas")
    detailed = path[-1] if path else "diajukan"
    _, (item,), _ = await gw.get(f"/requests/{code}.json")
    assert item["status"] == expected
    assert item["extended_attributes"]["detailed_status"] == detailed
    assert item["extended_attributes"]["detailed_status_label"] == texts.status_label(detailed, "id")
    assert item["extended_attributes"]["stage"] == stage
    assert item["status_notes"] == ("Alasan untuk warga" if detailed in status_rules.NEEDS_REASON else None)
    assert [h["detailed_status"] for h in item["extended_attributes"]["status_history"]] == ["diajukan", *path]
    text = json.dumps(item)
    assert "Catatan internal" not in text and "petugas_rahasia" not in text
    listed = (await gw.get("/requests.json", status=expected))[1]
    assert ids(listed) == [code]


async def test_agency_follows_the_stage(gw: Api) -> None:
    code = await propose(gw.db, "x")
    await move(gw.db, code, "diverifikasi_desa", "dibahas_kecamatan")
    assert (await gw.get(f"/requests/{code}.json"))[1][0]["agency_responsible"] == "Kecamatan Depok"
    await move(gw.db, code, "diverifikasi_opd")
    assert (await gw.get(f"/requests/{code}.json"))[1][0]["agency_responsible"] == "Bappeda Kabupaten Sleman"


# --- POST ----------------------------------------------------------------------------------------

NEW = {"service_code": "jalan", "description": "Jalan berlubang di depan balai desa",
       "address_string": "RT 3 RW 5 Desa Caturtunggal, Kec. Depok"}


async def test_post_needs_an_active_key(gw: Api) -> None:
    status, payload, _ = await gw.post(NEW, key=None)
    assert status == 403 and "not provided" in assert_errors(payload, 403)[0]
    status, payload, _ = await gw.post(NEW, key="mrb_wrong-key-entirely-made-up-0000000000000")
    assert status == 403 and assert_errors(payload, 403)
    _, other = await api_keys.create_key(gw.db, "revoked-partner")
    await api_keys.revoke_key(gw.db, "revoked-partner")
    status, payload, _ = await gw.post(NEW, key=other)
    assert status == 403 and "revoked" in assert_errors(payload, 403)[0]
    assert (await gw.get("/requests.json"))[1] == []

    status, payload, headers = await gw.post(NEW)
    assert status == 201 and headers["Cache-Control"] == "no-store"
    assert isinstance(payload, list) and len(payload) == 1
    assert set(payload[0]) == {"service_request_id", "service_notice"}
    code = payload[0]["service_request_id"]
    assert re.fullmatch(r"USL-[0-9A-HJKMNP-TV-Z]{6}", code) and code in payload[0]["service_notice"]
    _, (item,), _ = await gw.get(f"/requests/{code}.json")
    assert item["service_code"] == "jalan" and item["address_id"] == VILLAGE and item["status"] == "open"
    assert item["description"] == NEW["description"]
    assert item["address"].startswith("RT 03 / RW 05, Desa Caturtunggal")
    assert (await api_keys.list_keys(gw.db))[0].request_count == 1


async def test_post_by_address_id_with_a_map_pin(gw: Api) -> None:
    status, payload, _ = await gw.post({"service_code": "penerangan_jalan", "description": "Lampu PJU mati",
                                        "address_id": VILLAGE, "lat": "-7.7701", "long": "110.3902"})
    assert status == 201
    _, (item,), _ = await gw.get(f"/requests/{payload[0]['service_request_id']}.json")
    assert (item["lat"], item["long"], item["address_id"]) == (-7.77, 110.39, VILLAGE)


async def test_post_with_lat_long_only_is_placed_in_its_desa(gw: Api) -> None:
    """No address: the pin's desa/kelurahan (the region's shipped boundaries) becomes the address."""
    status, payload, _ = await gw.post({"service_code": "drainase", "description": "Saluran air tersumbat sampah",
                                        "lat": "-7.7366", "long": "110.4353"})
    assert status == 201, payload
    _, (item,), _ = await gw.get(f"/requests/{payload[0]['service_request_id']}.json")
    assert item["address_id"] == "34.04.11.2004" and item["address"].startswith("Desa Wedomartani, Kec. Ngemplak")
    assert (item["lat"], item["long"]) == (-7.737, 110.435)


async def test_an_address_still_wins_over_the_pin(gw: Api) -> None:
    status, payload, _ = await gw.post({**NEW, "lat": "-7.7366", "long": "110.4353"})
    _, (item,), _ = await gw.get(f"/requests/{payload[0]['service_request_id']}.json")
    assert status == 201 and item["address_id"] == VILLAGE


@pytest.mark.parametrize(("form", "needle"), [
    ({"description": "x", "address_id": VILLAGE}, "service_code is required"),
    ({"service_code": "roket", "description": "x", "address_id": VILLAGE}, "Unknown service_code"),
    ({"service_code": "jalan", "address_id": VILLAGE}, "description is required"),
    ({"service_code": "jalan", "description": "   ", "address_id": VILLAGE}, "description is required"),
    ({"service_code": "jalan", "description": "x" * 4001, "address_id": VILLAGE}, "longer than 4000"),
    ({"service_code": "jalan", "description": "x"}, "location is required"),
    ({"service_code": "jalan", "description": "x", "lat": "-7.7926", "long": "110.3658"},
     "outside Kabupaten Sleman (in Kota Yogyakarta)"),
    ({"service_code": "jalan", "description": "x", "lat": "-6.2", "long": "106.8"}, "outside Kabupaten Sleman;"),
    ({"service_code": "jalan", "description": "x", "address_string": "Atlantis"}, "names no desa"),
    ({"service_code": "jalan", "description": "x", "address_string": "Gambir, Jakarta Pusat"}, "names no desa"),
    ({"service_code": "jalan", "description": "x", "address_id": "31.71.01.1001"}, "not the Kemendagri code"),
    ({"service_code": "jalan", "description": "x", "address_id": "34.04.07"}, "not the Kemendagri code"),
    ({"service_code": "jalan", "description": "x", "address_id": VILLAGE, "lat": "-7.7"}, "both be given"),
    ({"service_code": "jalan", "description": "x", "address_id": VILLAGE, "lat": "110.39", "long": "-7.77"},
     "outside Indonesia"),
    ({"service_code": "jalan", "description": "x", "address_id": VILLAGE, "lat": "abc", "long": "1"},
     "both be given"),
    ({"service_code": "jalan", "description": "x", "address_id": VILLAGE, "phone": "call me"}, "phone"),
    ({"service_code": "jalan", "description": "x", "address_id": VILLAGE, "email": "nobody"}, "email"),
])
async def test_post_rejects_bad_requests_with_400(gw: Api, form: dict, needle: str) -> None:
    status, payload, _ = await gw.post(form)
    assert status == 400, payload
    assert any(needle in problem for problem in assert_errors(payload, 400)), payload
    assert (await gw.get("/requests.json"))[1] == []


async def test_post_lists_every_problem_and_wants_a_form(gw: Api) -> None:
    status, payload, _ = await gw.post({"service_code": "roket", "address_string": "Atlantis"})
    assert status == 400 and len(assert_errors(payload, 400)) == 3
    async with gw.client.post(BASE + "/requests.json", json=NEW, headers={"X-API-Key": gw.key}) as response:
        assert response.status == 400 and "form-encoded" in assert_errors(await response.json(), 400)[0]
    async with gw.client.post(BASE + "/requests.json", data={**NEW, "description": "x" * 70_000},
                              headers={"X-API-Key": gw.key}) as response:
        assert response.status == 413 and assert_errors(await response.json(), 413)


async def test_an_ambiguous_desa_is_refused_with_the_choices(opened, tmp_path: Path, sqlite_db_url: str) -> None:
    gunungkidul = await opened(tmp_path, sqlite_db_url, region="34.03")  # two desa named Beji there
    status, payload, _ = await gunungkidul.post({**NEW, "address_string": "Desa Beji"})
    (problem,) = assert_errors(payload, 400)
    assert status == 400 and "several" in problem and problem.count("address_id 34.03.") == 2
    choices = re.findall(r"Beji, Kec\. ([^(]+?) \(address_id (34\.03\.[\d.]+)\)", problem)
    assert len(choices) == 2
    # Naming the kecamatan settles it, even where a desa shares the kecamatan's name (Kec. Patuk).
    for kecamatan, code in choices:
        status, payload, _ = await gunungkidul.post({**NEW, "address_string": f"Beji, Kec. {kecamatan}"})
        assert status == 201, payload
        _, (item,), _ = await gunungkidul.get(f"/requests/{payload[0]['service_request_id']}.json")
        assert item["address_id"] == code and f"Kec. {kecamatan}" in item["address"]


async def test_idempotent_posts(gw: Api) -> None:
    headers = {"Idempotency-Key": "order-42"}
    status, first, first_headers = await gw.post(NEW, headers=headers)
    status_again, again, again_headers = await gw.post(NEW, headers=headers)
    assert (status, status_again) == (201, 200) and first == again
    assert "Idempotent-Replayed" not in first_headers and again_headers["Idempotent-Replayed"] == "true"
    status, payload, _ = await gw.post({**NEW, "description": "Sesuatu yang lain"}, headers=headers)
    assert status == 409 and assert_errors(payload, 409)
    # Another partner's identical Idempotency-Key is another request.
    _, other_key = await api_keys.create_key(gw.db, "other-partner")
    status, other, _ = await gw.post(NEW, key=other_key, headers=headers)
    assert status == 201 and ids(other) != ids(first)

    device = {**NEW, "device_id": "hp-123", "description": "Talud longsor di RT 2"}
    status, one, _ = await gw.post(device)
    status_again, two, _ = await gw.post(device)
    assert (status, status_again) == (201, 200) and ids(one) == ids(two)
    status, three, _ = await gw.post({**device, "description": "Talud longsor di RT 4"})
    assert status == 201 and ids(three) != ids(one)

    plain = {**NEW, "description": "Tanpa kunci idempoten"}
    assert ids((await gw.post(plain))[1]) != ids((await gw.post(plain))[1])
    assert len((await gw.get("/requests.json"))[1]) == 6


async def test_personal_data_never_leaves_through_get(gw: Api) -> None:
    secret = {"email": "siti.rahasia@example.org", "first_name": "Siti", "last_name": "Rahasiawati",
              "phone": "+62 812-0000-9999", "device_id": "perangkat-rahasia-77"}
    status, payload, _ = await gw.post({**NEW, **secret})
    assert status == 201
    code = payload[0]["service_request_id"]
    await move(gw.db, code, "perlu_perbaikan", reason="Lengkapi lokasi", note="Nomor HP warga +62 812-0000-9999")
    bodies = []
    for path, params in (("/requests.json", {}), (f"/requests/{code}.json", {}),
                         ("/requests.json", {"service_request_id": code}), ("/services.json", {}),
                         ("/openapi.json", {})):
        async with gw.client.get(BASE + path, params=params) as response:
            bodies.append(await response.text())
    everything = "\n".join(bodies)
    assert code in everything
    for value in ("siti.rahasia", "Rahasiawati", "0000-9999", "perangkat-rahasia", "mitra", gw.key):
        assert value not in everything, value
    # The name and phone are kept for the officers, where the chat keeps them; the e-mail is not kept.
    async with gw.db.session() as session:
        citizen = (await session.execute(select(Citizen).where(Citizen.channel == "open311"))).scalar_one()
    assert (citizen.name, citizen.phone) == ("Siti Rahasiawati", "+62 812-0000-9999")
    assert "perangkat-rahasia" not in citizen.external_id and "siti.rahasia" not in repr(vars(citizen))


# --- rate limits ---------------------------------------------------------------------------------


async def test_gets_are_limited_per_ip(opened, tmp_path: Path, sqlite_db_url: str) -> None:
    limited = await opened(tmp_path, sqlite_db_url, limits=api.Limits(per_ip=3, post_per_key=100))
    for _ in range(3):
        assert (await limited.get("/services.json"))[0] == 200
    status, payload, headers = await limited.get("/requests.json")
    assert status == 429 and assert_errors(payload, 429)
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert (await limited.get("/openapi.json"))[0] == 429


async def test_posts_are_limited_per_key(opened, tmp_path: Path, sqlite_db_url: str) -> None:
    limited = await opened(tmp_path, sqlite_db_url, limits=api.Limits(per_ip=1000, post_per_key=2))
    for i in range(2):
        assert (await limited.post({**NEW, "description": f"Usulan {i}"}))[0] == 201
    status, payload, headers = await limited.post({**NEW, "description": "Usulan ketiga"})
    assert status == 429 and "api_key" in assert_errors(payload, 429)[0]
    assert 1 <= int(headers["Retry-After"]) <= 3600
    _, other = await api_keys.create_key(limited.db, "other-partner")
    assert (await limited.post({**NEW, "description": "Usulan mitra lain"}, key=other))[0] == 201
    assert len((await limited.get("/requests.json"))[1]) == 3
    # GETs are not limited by the key's budget.
    assert (await limited.get("/requests.json"))[0] == 200


# --- OpenAPI -------------------------------------------------------------------------------------


async def test_openapi_document_describes_every_route(gw: Api) -> None:
    status, document, headers = await gw.get("/openapi.json")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert document["openapi"].startswith("3.") and document["info"]["title"]
    assert document["servers"] == [{"url": BASE}]
    routed = {(route.method.lower(), re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)) for route in routes}
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert routed == documented
    assert {"/services.{format}", "/services/{service_code}.{format}", "/requests.{format}",
            "/requests/{service_request_id}.{format}", "/openapi.json"} == set(document["paths"])
    schemas = document["components"]["schemas"]
    assert set(schemas["ServiceRequest"]["properties"]) == REQUEST_FIELDS
    assert set(schemas["Service"]["properties"]) == SERVICE_FIELDS
    for name in ("email", "first_name", "last_name", "phone"):
        assert name in schemas["NewRequest"]["properties"] and name not in schemas["ServiceRequest"]["properties"]
    refs = set(re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(document)))
    assert refs <= set(schemas)
    for item in document["paths"].values():
        for operation in item.values():
            assert operation["responses"] and operation["operationId"]


async def test_requests_are_the_public_view_of_a_proposal(gw: Api) -> None:
    """Open311 once served descriptions, reasons and pins as stored (phone, NIK, e-mail, 7-decimal
    pins) to anyone, with `Access-Control-Allow-Origin: *`; the dashboard masked them."""
    code = await propose(gw.db, "a", description="Jalan rusak depan rumah, hub 0812-3456-7890, NIK 3404 0112 3456 "
                         "0003, sri@contoh.id", latitude=-7.7712345, longitude=110.3776543)
    await move(gw.db, code, "ditolak", reason="Sudah ditelepon ke 081234567890, jalan milik provinsi")
    _, listed, _ = await gw.get("/requests.json")
    _, one, _ = await gw.get(f"/requests/{code}.json")
    for item in (listed[0], one[0]):
        text = repr(item)
        for secret in ("3456-7890", "0112", "sri@contoh.id", "081234567890", "7712345", "3776543"):
            assert secret not in text, secret
        assert item["description"] == ("Jalan rusak depan rumah, hub [disembunyikan], NIK [disembunyikan], "
                                       "[disembunyikan]")
        assert item["status_notes"] == "Sudah ditelepon ke [disembunyikan], jalan milik provinsi"
        assert (item["lat"], item["long"]) == (-7.771, 110.378)
    assert one[0]["extended_attributes"]["status_history"][-1]["reason"] == item["status_notes"]
