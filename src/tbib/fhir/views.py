"""/fhir/: the FHIR R4 REST interface (JSON). Bearer tokens as in /api/; every refusal is an
OperationOutcome; patient data only through the scoped-access layer, audited there."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from tbib.access.scope import AccessContext, AccessDenied, RecordNotFound
from tbib.accounts.models import User
from tbib.accounts.services import TokenError, user_for_token
from tbib.core.errors import Conflict
from tbib.fhir import capability
from tbib.fhir.bundle import process_bundle
from tbib.fhir.outcome import FhirError, error_response, fhir_response, outcome
from tbib.fhir.resources import TYPES, ResourceType, as_uuid
from tbib.fhir.search import COMMON, count_of, offset_of
from tbib.fhir.snapshots import past_versions
from tbib.fhir.writes import create_resource, update_resource

MAX_BODY = 10 * 1024 * 1024  # a transaction bundle of a few thousand resources


def _user(request: HttpRequest) -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise FhirError(
            401,
            "Authentication required: send 'Authorization: Bearer <token>' "
            "from POST /api/auth/token.",
            "login",
        )
    try:
        return user_for_token(token.strip())
    except TokenError as error:
        raise FhirError(401, str(error), "login") from error


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise FhirError(413, f"The body exceeds {MAX_BODY // (1024 * 1024)} MB.", "too-costly")
    content_type = request.content_type or ""
    if content_type not in ("application/fhir+json", "application/json"):
        raise FhirError(415, "Send JSON: Content-Type application/fhir+json.", "not-supported")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise FhirError(400, f"The body is not JSON: {error}.", "structure") from error
    if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
        raise FhirError(
            400,
            "The body must be a FHIR resource (a JSON object with a resourceType).",
            "structure",
        )
    return body


def fhir_endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Errors become OperationOutcomes; the user is authenticated first."""

    @csrf_exempt
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            ctx = AccessContext.from_request(request, _user(request))
            return view(request, ctx, *args, **kwargs)
        except FhirError as error:
            response = error_response(error)
            if error.status == 401:
                response["WWW-Authenticate"] = 'Bearer realm="tbib"'
            return response
        except RecordNotFound as error:
            return error_response(FhirError(404, str(error), "not-found"))
        except AccessDenied as error:
            return error_response(FhirError(403, str(error), "forbidden"))
        except ValidationError as error:
            messages = "; ".join(
                f"{k}: {' '.join(v)}"
                for k, v in getattr(error, "message_dict", {"": error.messages}).items()
            )
            return error_response(FhirError(422, messages, "invariant"))
        except (Conflict, IntegrityError) as error:
            return error_response(FhirError(409, str(error), "conflict"))

    wrapped.__name__ = view.__name__
    return wrapped


@csrf_exempt
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: open, as FHIR clients fetch it before signing in."""
    if request.method != "GET":
        return error_response(FhirError(405, "GET only.", "not-supported"))
    base = request.build_absolute_uri("/fhir")
    return fhir_response(capability.statement(base, TYPES))


def _type(name: str) -> ResourceType:
    found = TYPES.get(name)
    if found is None:
        supported = ", ".join(sorted(TYPES))
        raise FhirError(
            404, f"Resource type {name[:40]!r} is not served here ({supported}).", "not-supported"
        )
    return found


@fhir_endpoint
def root(request: HttpRequest, ctx: AccessContext) -> HttpResponse:
    if request.method != "POST":
        raise FhirError(405, "POST a transaction or batch Bundle here.", "not-supported")
    return fhir_response(process_bundle(ctx, _body(request), request.build_absolute_uri("/fhir")))


@fhir_endpoint
def type_level(request: HttpRequest, ctx: AccessContext, type_name: str) -> HttpResponse:
    kind = _type(type_name)
    if request.method == "GET":
        return fhir_response(search(ctx, kind, request))
    if request.method == "POST":
        if "create" not in kind.interactions:
            raise FhirError(405, f"{kind.name} resources are not created here.", "not-supported")
        base = request.build_absolute_uri("/fhir")
        condition = request.headers.get("If-None-Exist")
        with transaction.atomic():
            resource, created = create_resource(ctx, kind.name, _body(request), condition)
        location = f"{base}/{kind.name}/{resource['id']}/_history/{resource['meta']['versionId']}"
        return fhir_response(
            resource,
            status=201 if created else 200,
            Location=location,
            ETag=f'W/"{resource["meta"]["versionId"]}"',
        )
    raise FhirError(405, f"{request.method} is not allowed on /{kind.name}.", "not-supported")


@fhir_endpoint
def instance(request: HttpRequest, ctx: AccessContext, type_name: str, rid: str) -> HttpResponse:
    kind = _type(type_name)
    record_id = as_uuid(rid)
    if request.method == "GET":
        record = kind.read(ctx, record_id)
        resource = kind.render_many([record])[0]
        return fhir_response(
            resource,
            ETag=f'W/"{resource["meta"]["versionId"]}"',
            Last_Modified=resource["meta"]["lastUpdated"],
        )
    if request.method == "PUT":
        if "update" not in kind.interactions:
            updated = ", ".join(sorted(n for n, t in TYPES.items() if "update" in t.interactions))
            raise FhirError(
                405,
                f"{kind.name} resources are changed by their own workflow, not by PUT "
                f"(clinical facts never change once written; PUT serves {updated}).",
                "not-supported",
            )
        body = _body(request)
        if body.get("id") != rid:
            raise FhirError(400, "The resource's id must match the URL.", "invariant")
        with transaction.atomic():
            resource = update_resource(
                ctx, kind.name, record_id, body, request.headers.get("If-Match")
            )
        return fhir_response(
            resource,
            ETag=f'W/"{resource["meta"]["versionId"]}"',
            Last_Modified=resource["meta"]["lastUpdated"],
        )
    raise FhirError(405, f"{request.method} is not allowed on /{kind.name}/id.", "not-supported")


@fhir_endpoint
def history(
    request: HttpRequest, ctx: AccessContext, type_name: str, rid: str, vid: str | None = None
) -> HttpResponse:
    kind = _type(type_name)
    if request.method != "GET":
        raise FhirError(405, "GET only.", "not-supported")
    if ("vread" if vid is not None else "history-instance") not in kind.interactions:
        raise FhirError(405, f"{kind.name} keeps no history here.", "not-supported")
    # Through the type's read: scoped and audited like it, out of scope a 404 like absent.
    record = kind.read(ctx, as_uuid(rid))
    current = kind.render_many([record])[0]
    past = past_versions(kind.name, record.pk, current["meta"]["versionId"])
    if vid is not None:
        found = next((r for r in [current, *past] if r["meta"]["versionId"] == vid), None)
        if found is None:
            raise FhirError(
                404, f"Version {vid[:20]!r} of {kind.name}/{rid} is not kept.", "not-found"
            )
        return fhir_response(found, ETag=f'W/"{vid}"', Last_Modified=found["meta"]["lastUpdated"])
    entries = [
        {
            "fullUrl": f"{request.build_absolute_uri('/fhir')}/{kind.name}/{rid}",
            "resource": r,
            "request": {"method": "PUT", "url": f"{kind.name}/{rid}"},
            "response": {"status": "200", "lastModified": r["meta"]["lastUpdated"]},
        }
        for r in [current, *past]
    ]
    return fhir_response(
        {"resourceType": "Bundle", "type": "history", "total": len(entries), "entry": entries}
    )


def search(ctx: AccessContext, kind: ResourceType, request: HttpRequest) -> dict[str, Any]:
    params = {key: request.GET.getlist(key) for key in request.GET}
    unknown = sorted(set(params) - kind.param_names - COMMON)
    if unknown and "handling=strict" in request.headers.get("Prefer", "").replace(" ", ""):
        supported = ", ".join(sorted(kind.param_names | {"_count", "_sort", "_offset", "_include"}))
        raise FhirError(
            400,
            f"Unknown search parameter(s) {', '.join(unknown)[:200]} for "
            f"{kind.name}; supported: {supported}.",
            "not-supported",
        )
    # Lenient by default (FHIR's rule): unknown parameters are left out of the search and of
    # its links, and a warning in the Bundle says which.
    params = {k: v for k, v in params.items() if k not in unknown}
    count, offset = count_of(params.get("_count", [])), offset_of(params.get("_offset", []))
    includes = params.get("_include", [])
    for include in includes:
        if include not in kind.includes:
            raise FhirError(
                400, f"_include={include[:60]} is not supported for {kind.name}.", "not-supported"
            )
    order = []
    for raw in ",".join(params.get("_sort", [])).split(","):
        if not raw:
            continue
        name = raw.lstrip("-")
        if name not in kind.sorts:
            raise FhirError(
                400,
                f"Cannot sort {kind.name} by {name[:40]!r}; use one of "
                f"{', '.join(sorted(kind.sorts))}.",
                "not-supported",
            )
        order.append(("-" if raw.startswith("-") else "") + kind.sorts[name])
    filters = {k: v for k, v in params.items() if k in kind.param_names}
    query = kind.search(ctx, filters).order_by(*order, "pk")
    records = list(query[offset : offset + count])
    # A page that is not full tells the total without counting (an identifier search, the
    # commonest, finds one record: one query instead of two).
    short = len(records) < count and (records or offset == 0)
    total = offset + len(records) if short else query.count()
    base = request.build_absolute_uri(f"/fhir/{kind.name}")
    entries = [
        {"fullUrl": f"{base}/{r['id']}", "resource": r, "search": {"mode": "match"}}
        for r in kind.render_many(records)
    ]
    if includes and records:
        included = _included(ctx, records)
        entries += [
            {
                "fullUrl": f"{request.build_absolute_uri('/fhir')}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "include"},
            }
            for r in included
        ]

    def page(at: int) -> str:
        kept = [(k, v) for k, vs in params.items() if k not in ("_offset",) for v in vs]
        return f"{base}?{urllib.parse.urlencode([*kept, ('_offset', at)])}"

    links = [{"relation": "self", "url": page(offset)}]
    if offset + count < total and count:
        links.append({"relation": "next", "url": page(offset + count)})
    if offset > 0:
        links.append({"relation": "previous", "url": page(max(0, offset - count))})
    if unknown:
        ignored = ", ".join(unknown)[:200]
        warning = outcome(
            f"Ignored unknown search parameter(s): {ignored}.", "not-supported", "warning"
        )
        entries.append({"resource": warning, "search": {"mode": "outcome"}})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": entries,
    }


def _included(ctx: AccessContext, records: list[Any]) -> list[dict[str, Any]]:
    """Observation → Patient: the patients of the page's observations, through the scope
    again (one audit event for them)."""
    patient_ids = sorted({str(r.encounter.patient_id) for r in records})
    patients = list(TYPES["Patient"].search(ctx, {"_id": [",".join(patient_ids)]}))
    return TYPES["Patient"].render_many(patients)
