"""Transaction and batch Bundles (hl7.org/fhir/R4/http.html#transaction).

A transaction is all or nothing: one database transaction, and the first refused entry
refuses the whole Bundle with an OperationOutcome naming it. A batch answers each entry on its
own. Entries are processed as FHIR orders a transaction (hl7.org/fhir/R4/http.html#trules):
every create (POST) before any update (PUT); creates Patients first, then Encounters, then
Observations, then Communications, so that `urn:uuid:` references between them resolve
whatever the order they were sent in. Any type created by POST /fhir/<type> is created here,
any type updated by PUT /fhir/<type>/<id> updated here (If-Match as entry.request.ifMatch).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tbib.access.scope import AccessContext, AccessDenied, RecordNotFound
from tbib.core.errors import Conflict
from tbib.fhir import structure
from tbib.fhir.outcome import FhirError, outcome
from tbib.fhir.resources import TYPES, as_uuid
from tbib.fhir.writes import Pending, create_resource, finish, update_resource

MAX_ENTRIES = 5000
# A record before those that reference it; types not listed come last.
_ORDER = {"Patient": 0, "Encounter": 1, "Observation": 2, "Communication": 3}
_INTERACTION = {"POST": "create", "PUT": "update"}


def _served(interaction: str) -> str:
    return ", ".join(sorted(n for n, t in TYPES.items() if interaction in t.interactions))


def _resolve(value: Any, ids: dict[str, str]) -> Any:
    """Replace `urn:uuid:` references by the resources created for them."""
    if isinstance(value, dict):
        return {
            k: (ids.get(v, v) if k == "reference" and isinstance(v, str) else _resolve(v, ids))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_resolve(v, ids) for v in value]
    return value


def _entries(bundle: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    entries = bundle.get("entry") or []
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        raise FhirError(
            400,
            f"Bundle.entry must be a list of at most {MAX_ENTRIES} entries.",
        )
    checked = []
    for index, entry in enumerate(entries):
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or request.get("method") not in ("POST", "PUT"):
            raise FhirError(
                400, f"entry[{index}]: request.method must be POST or PUT here.", "not-supported"
            )
        if not isinstance(entry.get("resource"), dict):
            raise FhirError(400, f"entry[{index}] has no resource.", "required")
        kind = entry["resource"].get("resourceType")
        interaction = _INTERACTION[request["method"]]
        if (
            not isinstance(kind, str)
            or kind not in TYPES
            or interaction not in TYPES[kind].interactions
        ):
            raise FhirError(
                400,
                f"entry[{index}]: {str(kind)[:40]} cannot be {interaction}d here "
                f"({request['method']}: {_served(interaction)}).",
                "not-supported",
            )
        structure.check(entry["resource"], f"entry[{index}]: ")
        checked.append((index, entry))
    return sorted(checked, key=_processing_order)


def _processing_order(pair: tuple[int, dict[str, Any]]) -> tuple[int, int, int]:
    index, entry = pair
    updates = entry["request"]["method"] == "PUT"
    return (int(updates), _ORDER.get(entry["resource"]["resourceType"], len(_ORDER)), index)


def _one(
    ctx: AccessContext, entry: dict[str, Any], ids: dict[str, str], pending: Pending, base: str
) -> dict[str, Any]:
    resource = _resolve(entry["resource"], ids)
    request = entry["request"]
    type_name = resource["resourceType"]
    if request["method"] == "POST":
        created, is_new = create_resource(
            ctx, type_name, resource, request.get("ifNoneExist"), pending
        )
        status = "201 Created" if is_new else "200 OK"
    else:
        url = str(request.get("url", ""))
        if not url.startswith(f"{type_name}/") or url.count("/") != 1:
            raise FhirError(400, f"request.url of a PUT must be {type_name}/<id>.", "not-supported")
        created = update_resource(
            ctx, type_name, as_uuid(url.split("/", 1)[1]), resource, request.get("ifMatch")
        )
        status = "200 OK"
    reference = f"{type_name}/{created['id']}"
    full_url = entry.get("fullUrl")
    if isinstance(full_url, str) and full_url:
        ids[full_url] = reference
    version = created["meta"]["versionId"]
    return {
        "response": {
            "status": status,
            "location": f"{base}/{reference}/_history/{version}",
            "etag": f'W/"{version}"',
            "lastModified": created["meta"]["lastUpdated"],
        },
        "resource": created,
    }


def process_bundle(ctx: AccessContext, bundle: dict[str, Any], base: str) -> dict[str, Any]:
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") not in ("transaction", "batch"):
        raise FhirError(400, "POST a Bundle of type transaction or batch.", "invalid")
    entries = _entries(bundle)
    ids: dict[str, str] = {}
    pending = Pending()
    answers: dict[int, dict[str, Any]] = {}
    if bundle["type"] == "transaction":
        with transaction.atomic():
            for index, entry in entries:
                try:
                    answers[index] = _one(ctx, entry, ids, pending, base)
                except FhirError as error:
                    raise FhirError(error.status, f"entry[{index}]: {error}", error.code) from error
                except (RecordNotFound, AccessDenied, Conflict, IntegrityError) as error:
                    raise FhirError(
                        _status(error), f"entry[{index}]: {error}", "processing"
                    ) from error
                except ValidationError as error:  # the registry's own checks
                    raise FhirError(
                        422, f"entry[{index}]: {_messages(error)}", "invariant"
                    ) from error
            finish(ctx, pending.finish)
    else:
        for index, entry in entries:
            try:
                with transaction.atomic():
                    answers[index] = _one(ctx, entry, ids, pending, base)
            except (FhirError, RecordNotFound, AccessDenied, Conflict, IntegrityError) as error:
                status = error.status if isinstance(error, FhirError) else _status(error)
                answers[index] = {
                    "response": {"status": str(status), "outcome": outcome(str(error))}
                }
            except ValidationError as error:  # the registry's own checks
                answers[index] = {
                    "response": {"status": "422", "outcome": outcome(_messages(error))}
                }
        finish(ctx, pending.finish)
    kind = "transaction-response" if bundle["type"] == "transaction" else "batch-response"
    return {"resourceType": "Bundle", "type": kind, "entry": [answers[i] for i in sorted(answers)]}


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return json.dumps(error.message_dict, ensure_ascii=False)
    return "; ".join(error.messages)


def _status(error: Exception) -> int:
    if isinstance(error, RecordNotFound):
        return 404
    if isinstance(error, AccessDenied):
        return 403
    return 409
