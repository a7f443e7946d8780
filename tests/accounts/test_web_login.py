from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tbib.accounts.choices import UserRole
from tests.factories import TEST_PASSWORD, specialist, unit_staff

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_unit_staff_sign_in_with_a_password() -> None:
    unit_staff(UserRole.GP, "azilal-1", username="gp-web")
    client = Client()
    response = client.post("/accounts/login/", {"username": "gp-web", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_is_said_in_french() -> None:
    response = Client().post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert response.status_code == 200
    assert "Nom d’utilisateur ou mot de passe incorrect." in response.content.decode()


@override_settings(TBIB_SECOND_FACTOR_REQUIRED=True)
def test_specialist_enrols_a_totp_device_then_reaches_the_hub() -> None:
    doctor = specialist("dermatology")
    client = Client()
    client.post("/accounts/login/", {"username": doctor.username, "password": TEST_PASSWORD})
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/otp/"
    page = client.get("/accounts/otp/")
    assert "<svg" in page.content.decode()  # enrolment QR code
    device = TOTPDevice.objects.get(user=doctor)
    assert not device.confirmed
    assert client.post("/accounts/otp/", {"otp": "12345x"}).status_code == 400
    response = client.post("/accounts/otp/", {"otp": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


@override_settings(TBIB_SECOND_FACTOR_REQUIRED=True)
def test_session_without_second_factor_cannot_use_the_api() -> None:
    doctor = specialist("ent")
    client = Client()
    client.post("/accounts/login/", {"username": doctor.username, "password": TEST_PASSWORD})
    assert client.get("/api/me").status_code == 401
