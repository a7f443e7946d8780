"""Web sign-in: password (django-axes counts failures), then TOTP where the role needs it."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tbib.accounts.models import User


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
def verify_otp(request: HttpRequest) -> HttpResponse:
    """Ask for the TOTP code; enrol a device first if the user has none confirmed."""
    user = request.user
    assert isinstance(user, User)
    confirmed = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    pending = None
    if not confirmed:
        pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if pending is None:
            pending = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    error = ""
    if request.method == "POST":
        code = request.POST.get("otp", "").strip()
        candidates = confirmed or ([pending] if pending else [])
        for device in candidates:
            if code.isdigit() and device.verify_token(code):
                if not device.confirmed:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                otp_login(request, device)
                return redirect(request.GET.get("next") or "home")
        error = _("The code is wrong or expired.")
    return render(
        request,
        "accounts/otp.html",
        {"qr_svg": _qr_svg(pending.config_url) if pending else "", "error": error},
        status=400 if error else 200,
    )
