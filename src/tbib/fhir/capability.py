"""The CapabilityStatement (/fhir/metadata): what this server does, generated from the
resource types it serves so that it cannot drift from them."""

from __future__ import annotations

from typing import Any

from django.conf import settings

_DOCS = {
    "_id": "token",
    "_lastUpdated": "date",
    "identifier": "token",
    "name": "string",
    "family": "string",
    "given": "string",
    "birthdate": "date",
    "gender": "token",
    "phone": "token",
    "active": "token",
    "patient": "reference",
    "subject": "reference",
    "date": "date",
    "location": "reference",
    "status": "token",
    "encounter": "reference",
    "code": "token",
    "category": "token",
    "organization": "reference",
    "recorded-date": "date",
    "authored": "date",
    "authoredon": "date",
    "authored-on": "date",
    "modified": "date",
    "sent": "date",
    "received": "date",
    "requester": "reference",
    "performer": "reference",
    "owner": "reference",
    "focus": "reference",
    "based-on": "reference",
    "sender": "reference",
    "recipient": "reference",
    "related": "reference",
    "practitioner": "reference",
    "partof": "reference",
    "agent": "reference",
    "entity": "reference",
}
# Parameters whose type differs between resource types.
_BY_TYPE = {("Task", "performer"): "token"}


def _param_type(resource_type: str, param: str) -> str:
    return _BY_TYPE.get((resource_type, param), _DOCS.get(param, "token"))


def statement(base: str, types: dict[str, Any]) -> dict[str, Any]:
    resources = []
    for name, kind in sorted(types.items()):
        interactions = list(kind.interactions)
        resources.append(
            {
                "type": name,
                "versioning": "versioned-update" if "update" in interactions else "versioned",
                "readHistory": "vread" in interactions,
                "updateCreate": False,
                "conditionalCreate": "create" in interactions,
                "interaction": [{"code": code} for code in interactions],
                "searchParam": [
                    {"name": p, "type": _param_type(name, p)} for p in sorted(kind.param_names)
                ],
                "searchInclude": sorted(kind.includes),
            }
        )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-03",
        "kind": "instance",
        "software": {"name": "Tbib", "version": settings.TBIB_VERSION},
        "implementation": {"description": "Tbib rural telemedicine network hub", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "cors": False,
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "OAuth",
                                }
                            ]
                        }
                    ],
                    "description": "Bearer tokens from POST /api/auth/token; every access to "
                    "patient data is scoped to the user's place and audited.",
                },
                "resource": resources,
                "interaction": [{"code": "transaction"}, {"code": "batch"}],
            }
        ],
    }
