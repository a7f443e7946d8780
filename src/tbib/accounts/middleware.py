"""Per-user language and the second-factor gate for the web UI."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation

from tbib.accounts.models import User
from tbib.accounts.services import second_factor_required

_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/", "/healthz", "/fhir/")


class UserLanguageMiddleware:
    """Speak the signed-in user's remembered language, whatever the browser asks for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class SecondFactorMiddleware:
    """Send a signed-in user who still owes a TOTP code to the verification page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            isinstance(user, User)
            and user.is_authenticated
            and second_factor_required(user)
            and not getattr(user, "is_verified", lambda: False)()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect("otp-verify")
        return self.get_response(request)
