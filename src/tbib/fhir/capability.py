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
}


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
                    {"name": p, "type": _DOCS.get(p, "token")} for p in sorted(kind.params)
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
