"""A database that cannot be reached answers 503 with Retry-After, not a 500 page.

PostgreSQL restarts (an upgrade, a failover, the OOM killer) are expected on the hub; the
connection pool replaces dead connections on its own (settings: CONN_HEALTH_CHECKS), so a
client only has to try again. A 503 with Retry-After says exactly that, and edges and
scripts already retry on it; a 500 would read as a bug. docs/faults.md.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from tbib.core.middleware import refusal

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# OperationalError: refused or cut connection, pool timeout, server shutting down.
# InterfaceError: a connection that was already closed under us.
_OUTAGE = (OperationalError, InterfaceError)
_MARK = "_tbib_database_outage"


def _unavailable(request: HttpRequest) -> HttpResponse:
    message = _(
        "The database cannot be reached for a moment: this request was not carried out. "
        "Try again in a few seconds."
    )
    # In the caller's form: an OperationOutcome for FHIR clients, JSON for the API, text.
    response = refusal(request, 503, message, "transient")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseOutageMiddleware:
    """Turn a database outage, in a view or in any middleware below, into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A middleware below failed (sessions, authentication): Django already turned the
        # error into a 500 on the way up; _mark_outage flagged the request.
        if response.status_code == 500 and getattr(request, _MARK, False):
            return _unavailable(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, _OUTAGE):
            return None
        logger.warning("Database unavailable (%s %s): %s", request.method, request.path, exception)
        return _unavailable(request)


def _mark_outage(sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Django sends this signal inside its `except` block: the error is sys.exc_info()'s.
    if request is not None and isinstance(sys.exc_info()[1], _OUTAGE):
        setattr(request, _MARK, True)


got_request_exception.connect(_mark_outage, dispatch_uid="tbib.core.outage")
