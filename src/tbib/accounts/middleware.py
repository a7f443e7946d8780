"""Per-user language and the second-factor gate for the web UI."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_vary_headers

from tbib.accounts.models import User
from tbib.accounts.services import second_factor_required

_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/", "/healthz", "/fhir/")


class LanguageMiddleware:
    """Pick the UI language: the signed-in user's choice, else the switcher's cookie, else French.

    The browser's Accept-Language is deliberately ignored: the programme's working language
    is French, and a borrowed laptop set to English must not switch a nurse's screens.
    Replaces Django's LocaleMiddleware; sits after AuthenticationMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._supported = {code for code, _name in settings.LANGUAGES}

    def _language(self, request: HttpRequest) -> str:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated and user.language in self._supported:
            return user.language
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if cookie in self._supported:
            return cookie
        return str(settings.LANGUAGE_CODE)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


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
