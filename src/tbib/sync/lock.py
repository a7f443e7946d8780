"""A locked edge (its key not in the environment) opens at a team member's sign-in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth import authenticate, login
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from tbib.sync import keys

logger = logging.getLogger(__name__)

_OPEN_PATHS = ("/static/", "/healthz", "/i18n/")


class EdgeLockMiddleware:
    """While locked, every page is the unlock form: nothing may touch the database yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not keys.is_locked() or request.path.startswith(_OPEN_PATHS):
            return self.get_response(request)
        error = ""
        if request.method == "POST" and request.path == "/unlock":
            refused = CsrfViewMiddleware(self.get_response).process_view(
                request, self.get_response, (), {}
            )
            if refused is not None:
                return refused
            username = request.POST.get("username", "")
            password = request.POST.get("password", "")
            key = keys.unwrap(username, password)
            if key is not None:
                keys.install(key)
                logger.warning("edge unlocked by %s", username)
                user = authenticate(request, username=username, password=password)
                if user is not None:
                    login(request, user)
                    return HttpResponseRedirect("/unit/")
                return HttpResponseRedirect("/accounts/login/")
            logger.warning("edge unlock refused for %r", username)
            error = _("Wrong username or password, or no key for this person on this laptop.")
        page = render_to_string("sync/locked.html", {"error": error}, request=request)
        return HttpResponse(page, status=403 if error else 200)


def keep_slot(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A sign-in on an open edge (re)writes the person's key slot with their password."""
    key = keys.current_key()
    if request is None or not key or not getattr(user, "unit_id", None):
        return
    password = request.POST.get("password") if request.method == "POST" else None
    if password:
        keys.add_slot(user.get_username(), password, key)


def connect() -> None:
    user_logged_in.connect(keep_slot, dispatch_uid="sync-key-slot")
