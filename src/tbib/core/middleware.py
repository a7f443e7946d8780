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
    # A cookie too: the session key goes to the database (a 500 on PostgreSQL, found by
    # Schemathesis' stateful run).
    if any("\x00" in value for value in request.COOKIES.values()):
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


def refusal(request: HttpRequest, status: int, message: str, code: str) -> HttpResponse:
    """A refusal in the form the caller reads: an OperationOutcome for FHIR clients, JSON for
    the API, plain text otherwise (`code`: the FHIR issue type)."""
    if request.path.startswith("/fhir/"):
        from tbib.fhir.outcome import FhirError, error_response

        return error_response(FhirError(status, message, code))
    if request.path.startswith(("/api/", "/sync/")):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RejectNulMiddleware:
    """Answer 400 to a request whose path, query, cookies or text body hold a NUL character."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return refusal(request, 400, MESSAGE, "invalid")
        return self.get_response(request)


# The largest body each part of the node accepts, by path prefix (first match); the rest of
# the node takes Django's usual 2.5 MB. A sync batch and a FHIR transaction are the big ones.
BODY_LIMITS: tuple[tuple[str, int], ...] = (
    ("/sync/push", 16 * 1024 * 1024 + 64 * 1024),
    ("/sync/blobs/", 1024 * 1024 + 64 * 1024),
    ("/fhir/", 10 * 1024 * 1024),
    ("/api/uploads/", 8 * 1024 * 1024),
)
DEFAULT_BODY_LIMIT = 2_621_440
# Django's own check (settings.DATA_UPLOAD_MAX_MEMORY_SIZE) stays as a backstop at the
# largest limit above; this middleware answers first, with a message the caller can read.
LARGEST_BODY = max(limit for _, limit in BODY_LIMITS)


def body_limit(path: str) -> int:
    return next((limit for prefix, limit in BODY_LIMITS if path.startswith(prefix)),
                DEFAULT_BODY_LIMIT)  # fmt: skip


class BodyLimitMiddleware:
    """Answer 413 to a body larger than its route accepts, before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        length = int(raw) if raw.isdigit() else 0
        limit = body_limit(request.path)
        if length > limit:
            message = f"The body is {length} bytes; this address takes at most {limit} bytes."
            return refusal(request, 413, message, "too-costly")
        return self.get_response(request)


def content_security_policy(host: str) -> str:
    """The policy of every HTML page: only the node's own scripts, styles and connections.

    The pages load htmx, ui.js, live.js, webrtc.js and scanner.js from /static/ and carry no
    inline script, style or event handler (ui.js reads data- attributes instead). Inline SVG
    is part of the document and needs nothing. WebSockets go to the node itself (the live
    queues, WebRTC signalling), named with their schemes because CSP Level 2 browsers do not
    match ws: to 'self'. The live video plays camera streams (srcObject, outside CSP) and
    blob: URLs; the device page's QR codes and the favicon are data: images.
    """
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            f"connect-src 'self' ws://{host} wss://{host}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# Django Ninja's Swagger page boots from an inline script and loads Swagger UI from jsDelivr:
# a page for developers, holding no record, left without the policy rather than broken.
CSP_EXEMPT_PATHS = ("/api/docs",)


class ContentSecurityPolicyMiddleware:
    """Send a Content-Security-Policy with every HTML response (Django 5.2 has none built in).

    A policy forbidding inline scripts turns an injected <script> or onerror= into inert
    text: the second wall behind template auto-escaping.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html") and (
            request.path not in CSP_EXEMPT_PATHS
        ):
            response.headers.setdefault(
                "Content-Security-Policy", content_security_policy(request.get_host())
            )
        return response
