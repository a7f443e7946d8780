"""Template context every page needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def node(request: HttpRequest) -> dict[str, object]:
    return {
        "TBIB_ROLE": settings.TBIB_ROLE,
        "TBIB_MODE": settings.TBIB_MODE,
        "TBIB_VERSION": settings.TBIB_VERSION,
    }
