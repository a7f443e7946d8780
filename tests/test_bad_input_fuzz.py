"""Whatever a client sends, the API answers with a readable 4xx, never a 5xx (Hypothesis)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tbib.accounts.choices import UserRole
from tests.factories import TEST_PASSWORD, unit_staff

pytestmark = pytest.mark.django_db

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
_FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def nurse_auth() -> dict[str, str]:
    unit_staff(UserRole.NURSE, "taroudannt-1", username="fuzz-nurse")
    response = Client().post(
        "/api/auth/token",
        {"username": "fuzz-nurse", "password": TEST_PASSWORD},
        content_type="application/json",
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


@_FUZZ
@given(body=_json | st.fixed_dictionaries({"username": _json, "password": _json, "otp": _json}))
@example(body={"username": "nu\x00l", "password": "x"})
def test_token_endpoint_never_fails_on_any_json(body: object) -> None:
    response = Client().post("/api/auth/token", json.dumps(body), content_type="application/json")
    assert response.status_code in {400, 401, 422, 429}, response.content
    assert response.json()["detail"]


@_FUZZ
@given(raw=st.binary(max_size=200))
def test_token_endpoint_never_fails_on_any_bytes(raw: bytes) -> None:
    response = Client().post("/api/auth/token", raw, content_type="application/json")
    assert 400 <= response.status_code < 500


@_FUZZ
@given(
    path=st.sampled_from(["/api/geo/communes", "/api/geo/provinces", "/api/network/units",
                          "/api/network/facilities", "/api/patients", "/api/patients/lookup"]),
    params=st.dictionaries(
        st.sampled_from(["region", "province", "kind", "order", "limit", "offset", "q", "cin",
                         "commune"]),
        st.text(max_size=20),
        max_size=4,
    ),
)  # fmt: skip
@example(path="/api/patients", params={"q": "a\x00b"})
@example(path="/api/geo/communes", params={"province": "\x00"})
@example(path="/api/patients/lookup", params={"cin": "A1\x00"})
def test_filters_never_fail(nurse_auth: dict[str, str], path: str, params: dict) -> None:
    response = Client().get(path, params, **nurse_auth)
    assert response.status_code < 500, response.content


@_FUZZ
@given(body=_json | st.fixed_dictionaries({"given_name": _json, "family_name": _json,
                                           "sex": _json, "birth_date": _json, "cin": _json,
                                           "commune_code": _json}))  # fmt: skip
@example(body={"given_name": "Mo\x00ha", "family_name": "Amzil", "sex": "male"})
def test_patient_creation_never_fails(nurse_auth: dict[str, str], body: object) -> None:
    response = Client().post(
        "/api/patients", json.dumps(body), content_type="application/json", **nurse_auth
    )
    assert response.status_code < 500, response.content


def test_nul_characters_are_refused_with_a_message(nurse_auth: dict[str, str]) -> None:
    response = Client().get("/api/geo/communes?province=%00")
    assert response.status_code == 400
    assert response.json() == {"detail": "Text must not contain NUL (0x00) characters."}
    # In a path parameter too: PostgreSQL refuses NUL in a text comparison (found by Schemathesis).
    response = Client().get("/api/network/units/0%00", **nurse_auth)
    assert response.status_code == 400
    assert response.json() == {"detail": "Text must not contain NUL (0x00) characters."}
    response = Client(HTTP_COOKIE="sessionid=a\x00b").get("/api/geo/regions")
    assert response.status_code == 400
    response = Client().get("/fhir/Patient/a%00")
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"
    response = Client().post(
        "/accounts/login/",
        "username=a%00&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    # Multipart forms are left to Django's form validation, which refuses NUL as well.
    response = Client().post("/accounts/login/", {"username": "a\x00", "password": "x"})
    assert response.status_code == 200
    assert "Nom d’utilisateur ou mot de passe incorrect." in response.content.decode()
