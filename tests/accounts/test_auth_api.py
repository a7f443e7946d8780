from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tbib.accounts.models import ApiToken, User
from tests.factories import TEST_PASSWORD, UserFactory, specialist, unit_staff

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, **extra: str) -> tuple[int, dict]:
    response = client.post(
        "/api/auth/token",
        {"username": username, "password": password, **extra},
        content_type="application/json",
    )
    return response.status_code, response.json()


def test_token_then_me(api_client: Client) -> None:
    unit_staff("gp", "midelt-1", username="gp-a")
    status, body = _login(api_client, "gp-a", TEST_PASSWORD)
    assert status == 200
    assert body["token_type"] == "Bearer"
    me = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").json()
    assert me["username"] == "gp-a"
    assert me["role"] == "gp"
    assert me["place"] == {"level": "unit", "unit": "midelt-1", "region": "08"}


def test_only_the_token_digest_is_stored(api_client: Client) -> None:
    UserFactory(username="n1")
    _, body = _login(api_client, "n1", TEST_PASSWORD)
    assert not ApiToken.objects.filter(digest=body["access_token"]).exists()
    assert ApiToken.objects.filter(user__username="n1").count() == 1


def test_wrong_password_is_a_readable_401(api_client: Client) -> None:
    UserFactory(username="n2")
    assert _login(api_client, "n2", "nope") == (401, {"detail": "Wrong username or password."})
    assert _login(api_client, "ghost", "nope") == (401, {"detail": "Wrong username or password."})


def test_five_wrong_passwords_lock_the_account(api_client: Client) -> None:
    UserFactory(username="n3")
    for _ in range(4):
        assert _login(api_client, "n3", "wrong")[0] == 401
    status, body = _login(api_client, "n3", "wrong")
    assert status == 429
    assert (
        body["detail"] == "This account is locked after 5 failed logins; try again in 15 minutes."
    )
    # Locked even with the right password, and from another address.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert _login(other, "n3", TEST_PASSWORD)[0] == 429


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ('{"username": "x"}', "application/json"),
        ('{"username": "", "password": "x"}', "application/json"),
        ("[1, 2]", "application/json"),
        ("username=x&password=y", "text/plain"),
    ],
)
def test_malformed_login_is_a_4xx_with_a_message(
    api_client: Client, body: str, content_type: str
) -> None:
    response = api_client.post("/api/auth/token", body, content_type=content_type)
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


def test_wrong_and_expired_tokens_are_refused_with_a_reason(
    api_client: Client, token_for: Callable[[User], str]
) -> None:
    response = api_client.get("/api/me", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown bearer token."}
    user = UserFactory(username="n4")
    token = token_for(user)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - datetime.timedelta(1))
    response = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("This bearer token has expired")


def test_disabled_account_token_is_refused(
    api_client: Client, token_for: Callable[[User], str]
) -> None:
    user = UserFactory(username="n5")
    token = token_for(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_a_token_works_until_revoked_and_not_one_request_after(
    api_client: Client, token_for: Callable[[User], str]
) -> None:
    user = UserFactory(username="n6", role="national-coordinator")
    token = token_for(user)
    response = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["username"] == "n6"
    ApiToken.objects.filter(user=user).update(revoked_at=timezone.now())
    response = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response.json()["detail"] == "This bearer token has been revoked."


@override_settings(TBIB_SECOND_FACTOR_REQUIRED=True)
def test_production_specialists_need_a_totp_code(api_client: Client) -> None:
    doctor = specialist("cardiology")
    device = TOTPDevice.objects.create(user=doctor, name="phone", confirmed=True)
    status, body = _login(api_client, doctor.username, TEST_PASSWORD)
    assert (status, body) == (
        401,
        {"detail": "A TOTP code (field 'otp') is required for your role."},
    )
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert _login(api_client, doctor.username, TEST_PASSWORD, otp=code)[0] == 200
    # A code is good once (replay refused), and a wrong one is refused with a reason.
    status, body = _login(api_client, doctor.username, TEST_PASSWORD, otp=code)
    assert (status, body) == (401, {"detail": "The TOTP code is wrong or expired."})


@override_settings(TBIB_SECOND_FACTOR_REQUIRED=True)
def test_unit_staff_need_no_second_factor(api_client: Client) -> None:
    unit_staff("nurse", "figuig-1", username="nurse-x")
    assert _login(api_client, "nurse-x", TEST_PASSWORD)[0] == 200
