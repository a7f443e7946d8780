"""The FHIR interface takes a shorter middleware chain than the browser's pages.

FHIR clients authenticate every request with a bearer token (fhir.views), never with the
session: the session, CSRF, sign-in, second-factor, messages and lockout middleware have
nothing to do there, and on the busiest read they cost about a tenth of the request's CPU
(benchmarks/fhir_api.py). `MachineInterfaceMiddleware` sits below the guards every request
passes (security headers, body limits, NUL, database outage) and sends `/fhir/` through
`settings.MACHINE_INTERFACE_MIDDLEWARE` straight to its view; every other path goes on
through the rest of `settings.MIDDLEWARE`. It runs in every handler (the WSGI server, the
ASGI one, the test client), so the tests exercise the chain production runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver
from django.utils.module_loading import import_string

from tbib.core.middleware import refusal

PREFIXES = ("/fhir/",)
Handler = Callable[[HttpRequest], HttpResponse]


def _view(request: HttpRequest) -> HttpResponse:
    """What Django's handler does once the middleware have run, for plain function views:
    resolve the path, call the view (no view middleware: the chain has none). A path that
    names nothing is refused in the interface's form (an OperationOutcome), not a page."""
    try:
        match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return refusal(request, 404, f"Nothing is served at {request.path[:200]}.", "not-found")
    request.resolver_match = match
    response = match.func(request, *match.args, **match.kwargs)
    if not isinstance(response, HttpResponse):
        raise ValueError(f"The view {match.view_name} returned {type(response).__name__}.")
    return response


def chain(paths: list[str]) -> Handler:
    """The middleware `paths` (outermost first) around `_view`, each wrapped as Django wraps
    its own so that an exception becomes the same response it would anywhere else."""
    handler = cast(Handler, convert_exception_to_response(_view))
    for path in reversed(paths):
        middleware = import_string(path)(handler)
        hooks = [h for h in ("process_view", "process_exception", "process_template_response")
                 if hasattr(middleware, h)]  # fmt: skip
        if hooks:
            raise ImproperlyConfigured(f"{path} has {', '.join(hooks)}: not run by this chain.")
        handler = cast(Handler, convert_exception_to_response(middleware))
    return handler


class MachineInterfaceMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.machine = chain(list(settings.MACHINE_INTERFACE_MIDDLEWARE))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(PREFIXES):
            return self.machine(request)
        return self.get_response(request)
