"""FHIR errors: every refusal is an OperationOutcome with the HTTP status that fits."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

FHIR_JSON = "application/fhir+json; charset=utf-8"


class FhirError(Exception):
    """A request the FHIR interface refuses; becomes an OperationOutcome."""

    def __init__(self, status: int, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.status = status
        self.code = code  # IssueType (hl7.org/fhir/R4/valueset-issue-type.html)


def outcome(message: str, code: str = "invalid", severity: str = "error") -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": message}],
    }


def fhir_response(body: dict[str, Any], status: int = 200, **headers: str) -> JsonResponse:
    response = JsonResponse(
        body, status=status, content_type=FHIR_JSON, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error_response(error: FhirError) -> JsonResponse:
    return fhir_response(outcome(str(error), error.code), status=error.status)
