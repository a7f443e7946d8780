"""OpenAPI links of the JSON API: which operation creates an id and which operations take it.

A client reads them to chain calls (create a patient, then read it); Schemathesis' stateful
tests follow them to build call sequences on real records instead of random ids (issue 11).
"""

from __future__ import annotations

from typing import Any

# (path, method, status) of the producer → (path parameter, its value in the response body,
# the consumers as "METHOD path").
LINKS: dict[tuple[str, str, int], tuple[str, str, tuple[str, ...]]] = {
    ("/api/patients", "post", 201): ("patient_id", "id", (
        "GET /api/patients/{patient_id}",
    )),
    ("/api/patients/merges", "post", 201): ("merge_id", "id", (
        "POST /api/patients/merges/{merge_id}/undo",
    )),
    ("/api/tours/stops", "post", 201): ("stop_id", "id", (
        "POST /api/tours/stops/{stop_id}/open",
        "POST /api/tours/stops/{stop_id}/close",
    )),
    ("/api/encounters", "post", 201): ("encounter_id", "id", (
        "GET /api/encounters/{encounter_id}",
        "PATCH /api/encounters/{encounter_id}",
        "POST /api/encounters/{encounter_id}/prescriptions",
        "POST /api/encounters/{encounter_id}/referrals",
        "POST /api/encounters/{encounter_id}/sign",
        "POST /api/encounters/{encounter_id}/corrections",
    )),
    ("/api/cases", "post", 201): ("case_id", "id", (
        "GET /api/cases/{case_id}",
        "POST /api/cases/{case_id}/submit",
        "POST /api/cases/{case_id}/claim",
        "POST /api/cases/{case_id}/answer",
        "POST /api/cases/{case_id}/request-info",
        "POST /api/cases/{case_id}/close",
        "POST /api/cases/{case_id}/cancel",
        "POST /api/cases/{case_id}/uploads",
    )),
    ("/api/cases/{case_id}/uploads", "post", 201): ("upload_id", "id", (
        "GET /api/uploads/{upload_id}",
        "PATCH /api/uploads/{upload_id}",
    )),
}  # fmt: skip


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    """Write LINKS into the schema's responses (operationId of each consumer); a link whose
    operation is not in the schema is an error, so the table cannot rot silently."""
    paths = schema["paths"]
    for (path, method, status), (parameter, field, consumers) in LINKS.items():
        response = paths[path][method]["responses"][status]
        links = response.setdefault("links", {})
        for consumer in consumers:
            consumer_method, consumer_path = consumer.split(" ", 1)
            operation = paths[consumer_path][consumer_method.lower()]
            links[operation["operationId"]] = {
                "operationId": operation["operationId"],
                "parameters": {parameter: f"$response.body#/{field}"},
            }
    return schema
