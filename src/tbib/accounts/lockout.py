"""What a locked-out login sees (django-axes AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest,
    response: HttpResponse | None = None,
    credentials: Any = None,
    *args: Any,
    **kwargs: Any,
) -> HttpResponse:
    minutes = int(float(settings.AXES_COOLOFF_TIME) * 60)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": f"This account is locked after {settings.AXES_FAILURE_LIMIT} failed "
                f"logins; try again in {minutes} minutes."
            },
            status=429,
        )
    return render(
        request,
        "accounts/locked.html",
        {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
