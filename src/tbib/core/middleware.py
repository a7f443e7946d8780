"""Guards at the HTTP boundary."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse

# NUL is never valid text: PostgreSQL refuses it in text columns and SQLite silently truncates
# some functions at it. JSON may carry it escaped, so look for the escape too.
_NUL_ESCAPE = re.compile(rb"\\u0000", re.IGNORECASE)
_TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded", "text/")
MESSAGE = "Text must not contain NUL (0x00) characters."


def _has_nul(request: HttpRequest) -> bool:
    # The path arrives percent-decoded (a %00 in a URL becomes NUL in path_info).
    if "\x00" in request.path_info:
        return True
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    content_type = request.content_type or ""
    if not content_type.startswith(_TEXT_BODIES):
        return False
    body = request.body
    if content_type == "application/x-www-form-urlencoded":
        body = unquote_to_bytes(body)
    return b"\x00" in body or bool(_NUL_ESCAPE.search(body))


class RejectNulMiddleware:
    """Answer 400 to a request whose path, query or text body holds a NUL character."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path.startswith("/fhir/"):
                from tbib.fhir.outcome import FhirError, error_response

                return error_response(FhirError(400, MESSAGE, "invalid"))
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
