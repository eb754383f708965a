"""The OpenAPI 3 description of the Open311 endpoints, served at /open311/v2/openapi.json.

Written out by hand next to the handlers (no generator in the stack); the tests check that it
parses and names every route, so it cannot silently drift away from them.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.open311.common import PREFIX
from core import status as status_rules

_ERRORS = {"$ref": "#/components/schemas/Errors"}


def _error(description: str, retry_after: bool = False) -> dict:
    response: dict = {"description": description, "content": {"application/json": {"schema": _ERRORS}}}
    if retry_after:
        response["headers"] = {"Retry-After": {"description": "Seconds until the limit's window ends.",
                                               "schema": {"type": "integer"}}}
    return response


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


_FORMAT = {"name": "format", "in": "path", "required": True,
           "description": "Response format: only `json` (`xml` is answered with 400).",
           "schema": {"type": "string", "enum": ["json"]}}
_NULLABLE_STRING = {"type": "string", "nullable": True}
_NULLABLE_TIME = {"type": "string", "format": "date-time", "nullable": True}


def document(sector_codes: Iterable[str]) -> dict:
    codes = list(sector_codes)
    request_list = {"type": "array", "items": {"$ref": "#/components/schemas/ServiceRequest"}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "e-Musrenbang Open311 GeoReport v2",
            "version": "2.0.0",
            "description": (
                "Musrenbang proposals (usulan) as Open311 GeoReport v2 service requests; sectors (bidang) are "
                "services. JSON only. `status` is `open` or `closed` (closed = direalisasikan, ditolak, digabung, "
                "dibatalkan); the detailed Musrenbang status is in `extended_attributes`. Submitters' contact "
                "data is never returned. Rate limits: every request per client IP (default 120 per minute); "
                "POST also per API key (default 60 per hour); over the limit: 429 with Retry-After."
            ),
        },
        "servers": [{"url": PREFIX}],
        "paths": {
            "/services.{format}": {"get": {
                "summary": "GET Service List: the 12 sectors (bidang)",
                "operationId": "listServices",
                "parameters": [_FORMAT],
                "responses": {
                    "200": {"description": "The services.", "content": {"application/json": {"schema": {
                        "type": "array", "items": {"$ref": "#/components/schemas/Service"}}}}},
                    "400": _error("A format other than json was asked for."),
                    "429": _error("Too many requests from this address.", retry_after=True),
                },
            }},
            "/services/{service_code}.{format}": {"get": {
                "summary": "GET Service Definition (every service has metadata false: no attributes)",
                "operationId": "getServiceDefinition",
                "parameters": [{"name": "service_code", "in": "path", "required": True,
                                "schema": {"type": "string", "enum": codes}}, _FORMAT],
                "responses": {
                    "200": {"description": "The definition.", "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/ServiceDefinition"}}}},
                    "404": _error("Unknown service_code."),
                },
            }},
            "/requests.{format}": {
                "get": {
                    "summary": "GET Service Requests",
                    "description": (
                        "Newest first. Without service_request_id, start_date or end_date: the last 90 days. "
                        "At most 1000 results per page; `page` and `page_size` are an extension, and a "
                        "`Link: <...>; rel=\"next\"` header points to the next page when there is one."
                    ),
                    "operationId": "listRequests",
                    "parameters": [
                        _FORMAT,
                        _query("service_request_id", "Comma-separated tracking codes (USL-XXXXXX); overrides "
                                                     "every other filter."),
                        _query("service_code", "Comma-separated service codes.",
                               {"type": "string", "example": "jalan,drainase"}),
                        _query("start_date", "Earliest requested_datetime (ISO 8601; UTC when no offset).",
                               {"type": "string", "format": "date-time"}),
                        _query("end_date", "Latest requested_datetime (ISO 8601; UTC when no offset).",
                               {"type": "string", "format": "date-time"}),
                        _query("status", "open, closed, or comma-separated; an extension also accepts the "
                                         "detailed statuses (e.g. ditolak)."),
                        _query("page", "Extension: page number, from 1.", {"type": "integer", "minimum": 1}),
                        _query("page_size", "Extension: results per page, 1-1000 (default 1000).",
                               {"type": "integer", "minimum": 1, "maximum": 1000}),
                    ],
                    "responses": {
                        "200": {"description": "Matching requests.", "headers": {"Link": {
                            "description": "rel=\"next\": the next page.", "schema": {"type": "string"}}},
                                "content": {"application/json": {"schema": request_list}}},
                        "400": _error("A filter is malformed (each problem is one entry)."),
                        "429": _error("Too many requests from this address.", retry_after=True),
                    },
                },
                "post": {
                    "summary": "POST Service Request: submit a proposal (API key required)",
                    "description": (
                        "The location must name a desa/kelurahan of this kabupaten: `address_string` (resolved "
                        "with typo tolerance; ambiguous or unknown names get 400), `address_id` (its Kemendagri "
                        "code), or `lat`/`long` alone, placed in the desa/kelurahan that holds the pin (a pin "
                        "outside the kabupaten gets 400 naming where it is). With an address, `lat`/`long` are "
                        "the stored map pin. Repeats are "
                        "harmless with an `Idempotency-Key` header, or a `device_id` with the same description: "
                        "the first request's id comes back with 200 and `Idempotent-Replayed: true`. "
                        "`media_url` and `attribute[...]` are ignored."
                    ),
                    "operationId": "createRequest",
                    "parameters": [_FORMAT, {"name": "Idempotency-Key", "in": "header", "required": False,
                                             "schema": {"type": "string", "maxLength": 128}}],
                    "security": [{"apiKey": []}],
                    "requestBody": {"required": True, "content": {
                        "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/NewRequest"}},
                        "multipart/form-data": {"schema": {"$ref": "#/components/schemas/NewRequest"}},
                    }},
                    "responses": {
                        "201": {"description": "Stored.", "content": {"application/json": {"schema": {
                            "type": "array", "items": {"$ref": "#/components/schemas/CreatedRequest"}}}}},
                        "200": {"description": "A repeat of a request stored before (idempotency).",
                                "content": {"application/json": {"schema": {
                                    "type": "array", "items": {"$ref": "#/components/schemas/CreatedRequest"}}}}},
                        "400": _error("A parameter is missing or wrong, or the location names no single "
                                      "desa/kelurahan of this kabupaten."),
                        "403": _error("API key (X-API-Key header) missing, invalid or revoked, or sent as "
                                      "an api_key parameter."),
                        "409": _error("The Idempotency-Key was used for a different request."),
                        "429": _error("Too many requests with this api_key or from this address.",
                                      retry_after=True),
                    },
                },
            },
            "/requests/{service_request_id}.{format}": {"get": {
                "summary": "GET Service Request: one proposal, with its public status history",
                "operationId": "getRequest",
                "parameters": [{"name": "service_request_id", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^USL-[0-9A-HJKMNP-TV-Z]{6}$"}}, _FORMAT],
                "responses": {
                    "200": {"description": "A list holding the one request.",
                            "content": {"application/json": {"schema": request_list}}},
                    "404": _error("No such request."),
                    "429": _error("Too many requests from this address.", retry_after=True),
                },
            }},
            "/openapi.json": {"get": {
                "summary": "This document",
                "operationId": "getOpenApi",
                "responses": {"200": {"description": "OpenAPI 3 document.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
        "components": {"schemas": _schemas(codes), "securitySchemes": {
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                       "description": "A key from `./musrenbang apikey create`; never in the URL or body."}}},
    }


def _schemas(codes: list[str]) -> dict:
    return {
        "Service": {"type": "object", "required": ["service_code", "service_name", "description", "metadata",
                                                   "type", "keywords", "group"],
                    "properties": {
                        "service_code": {"type": "string", "enum": codes},
                        "service_name": {"type": "string", "description": "Indonesian label."},
                        "description": {"type": "string"},
                        "metadata": {"type": "boolean", "enum": [False]},
                        "type": {"type": "string", "enum": ["realtime"]},
                        "keywords": {"type": "string", "description": "Comma-separated."},
                        "group": {"type": "string"},
                    }},
        "ServiceDefinition": {"type": "object", "properties": {
            "service_code": {"type": "string"}, "attributes": {"type": "array", "maxItems": 0, "items": {}}}},
        "ServiceRequest": {"type": "object", "required": ["service_request_id", "status", "service_code",
                                                          "requested_datetime", "extended_attributes"],
                           "properties": {
                               "service_request_id": {"type": "string", "example": "USL-7K3Q9D"},
                               "status": {"type": "string", "enum": ["open", "closed"]},
                               "status_notes": {**_NULLABLE_STRING,
                                                "description": "The public reason of the latest change only."},
                               "service_name": {"type": "string"},
                               "service_code": {"type": "string", "enum": codes},
                               "description": {"type": "string"},
                               "agency_responsible": {"type": "string", "description": (
                                   "Who holds it now: the desa/kelurahan, the kecamatan, or the Bappeda.")},
                               "service_notice": {"type": "string", "description": "Detailed status, stage n of 6."},
                               "requested_datetime": {"type": "string", "format": "date-time"},
                               "updated_datetime": {"type": "string", "format": "date-time"},
                               "expected_datetime": _NULLABLE_TIME,
                               "address": {"type": "string", "description": "RT/RW, desa, kecamatan, kabupaten."},
                               "address_id": {"type": "string", "description": "Kemendagri desa/kelurahan code."},
                               "zipcode": _NULLABLE_STRING,
                               "lat": {"type": "number", "nullable": True},
                               "long": {"type": "number", "nullable": True},
                               "media_url": {**_NULLABLE_STRING, "description": "Always null: photos stay with "
                                                                                "the officers."},
                               "extended_attributes": {"$ref": "#/components/schemas/ExtendedAttributes"},
                           }},
        "ExtendedAttributes": {"type": "object", "description": "Extension: the Musrenbang detail.", "properties": {
            "detailed_status": {"type": "string", "enum": [s.value for s in status_rules.ALL]},
            "detailed_status_label": {"type": "string"},
            "stage": {"type": "integer", "nullable": True, "description": "1-6 along the main stages; null for "
                                                                          "perlu_perbaikan, ditolak, digabung, "
                                                                          "dibatalkan."},
            "stage_total": {"type": "integer", "example": 6},
            "supporters": {"type": "integer", "description": "Citizens who support (dukung) the proposal."},
            "status_history": {"type": "array", "description": "Single-request GET only, oldest first.",
                               "items": {"type": "object", "properties": {
                                   "detailed_status": {"type": "string"},
                                   "detailed_status_label": {"type": "string"},
                                   "reason": _NULLABLE_STRING,
                                   "datetime": {"type": "string", "format": "date-time"}}}},
        }},
        "NewRequest": {"type": "object", "required": ["service_code", "description"], "properties": {
            "service_code": {"type": "string", "enum": codes},
            "description": {"type": "string", "maxLength": 4000},
            "address_string": {"type": "string", "description": "Desa/kelurahan name (with kecamatan when "
                                                                "ambiguous), RT/RW are read from it."},
            "address_id": {"type": "string", "description": "Kemendagri desa/kelurahan code (PP.KK.CC.DDDD)."},
            "lat": {"type": "number"},
            "long": {"type": "number"},
            "device_id": {"type": "string", "maxLength": 128},
            "email": {"type": "string", "description": "Accepted, not stored, never returned."},
            "first_name": {"type": "string", "description": "For officers only; never returned."},
            "last_name": {"type": "string", "description": "For officers only; never returned."},
            "phone": {"type": "string", "description": "For officers only; never returned."},
        }},
        "CreatedRequest": {"type": "object", "required": ["service_request_id", "service_notice"], "properties": {
            "service_request_id": {"type": "string"}, "service_notice": {"type": "string"}}},
        "Errors": {"type": "array", "items": {"type": "object", "required": ["code", "description"], "properties": {
            "code": {"type": "integer"}, "description": {"type": "string"}}}},
    }
