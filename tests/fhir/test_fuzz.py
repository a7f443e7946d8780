"""Hypothesis over the FHIR endpoints: whatever the query or body, a 4xx OperationOutcome or
a valid answer, never a 5xx."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tests.factories import unit_staff
from tests.fhir.synthea import bundle

pytestmark = pytest.mark.django_db
_FUZZ = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
_PARAMS = [
    "_id",
    "_lastUpdated",
    "_count",
    "_offset",
    "_sort",
    "_include",
    "identifier",
    "name",
    "family",
    "given",
    "birthdate",
    "gender",
    "phone",
    "active",
    "patient",
    "subject",
    "date",
    "location",
    "status",
    "encounter",
    "code",
    "category",
    "x",
]
_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "ge2026",
            "lt2026-13-01",
            "2026-02-30",
            "eq1999-01-01T25:00:00Z",
            "-1",
            "999999999999",
            "http://loinc.org|8480-6",
            "|",
            ",,",
            "Patient/x",
            "-birthdate",
            "Observation:patient",
            "9" * 40,
            "ap2020",
            "gt0001",
        ]
    ),
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            [
                "resourceType",
                "name",
                "gender",
                "birthDate",
                "identifier",
                "entry",
                "request",
                "resource",
                "type",
                "subject",
                "period",
                "status",
                "valueQuantity",
                "code",
                "method",
                "url",
                "family",
                "given",
            ]
        ),
        children,
        max_size=5,
    ),
    max_leaves=15,
)


@pytest.fixture
def auth(bearer: Callable[[User], dict[str, str]]) -> dict[str, str]:
    return bearer(unit_staff(UserRole.GP, "midelt-1", username="fhir-fuzz"))


def _checked(response: object) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert status < 500, response.content[:300]  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    if status >= 400:
        assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["diagnostics"]


@_FUZZ
@given(
    kind=st.sampled_from(["Patient", "Encounter", "Observation"]),
    params=st.lists(st.tuples(st.sampled_from(_PARAMS), _VALUES), max_size=5),
)
def test_any_search_answers_without_a_server_error(
    kind: str, params: list[tuple[str, str]], auth: dict[str, str]
) -> None:
    _checked(Client().get(f"/fhir/{kind}", params, **auth))


@_FUZZ
@given(
    target=st.sampled_from(["/fhir/", "/fhir/Patient", "/fhir/Encounter", "/fhir/Observation"]),
    body=_json
    | st.fixed_dictionaries(
        {
            "resourceType": st.sampled_from(["Patient", "Bundle", "Observation", "Encounter"]),
            "type": st.sampled_from(["transaction", "batch"]),
            "entry": _json,
        }
    ),
)
def test_any_body_answers_without_a_server_error(
    target: str, body: object, auth: dict[str, str]
) -> None:
    _checked(Client().post(target, json.dumps(body), content_type="application/fhir+json", **auth))


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_mutation_of_a_real_bundle_answers_without_a_server_error(
    data: st.DataObject, auth: dict[str, str]
) -> None:
    document = bundle(patients=1, encounters=1, seed=data.draw(st.integers(0, 5)))
    entry = data.draw(st.sampled_from(document["entry"]))
    key = data.draw(st.sampled_from(sorted(entry["resource"])))
    entry["resource"][key] = data.draw(_json)
    with transaction.atomic():  # every example starts from the same database
        response = Client().post(
            "/fhir/", json.dumps(document), content_type="application/fhir+json", **auth
        )
        transaction.set_rollback(True)
    _checked(response)
