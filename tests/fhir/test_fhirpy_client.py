"""An independent FHIR client (fhirpy) against the running server: create, read, search,
update with If-Match, paging."""

from __future__ import annotations

import pytest
import requests
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import MultipleResourcesFound
from pytest_django.live_server_helper import LiveServer

from tbib.accounts.choices import UserRole
from tests.factories import TEST_PASSWORD, unit_staff
from tests.web.network import ensure_network

pytestmark = [pytest.mark.django_db(transaction=True)]


def _client(live_server: LiveServer, **headers: str) -> SyncFHIRClient:
    token = requests.post(
        f"{live_server.url}/api/auth/token",
        json={"username": "fhirpy-gp", "password": TEST_PASSWORD},
        timeout=10,
    ).json()["access_token"]
    return SyncFHIRClient(
        f"{live_server.url}/fhir", authorization=f"Bearer {token}", extra_headers=headers or None
    )


def test_fhirpy_creates_reads_searches_pages_and_updates_with_if_match(
    live_server: LiveServer,
) -> None:
    ensure_network()
    unit_staff(UserRole.GP, "midelt-1", username="fhirpy-gp")
    client = _client(live_server)
    for index in range(7):
        patient = client.resource(
            "Patient",
            gender="female" if index % 2 else "male",
            birthDate=f"19{60 + index}-05-01",
            name=[{"family": "Oubaha", "given": [f"Client{index}"]}],
            identifier=[{"system": "urn:oid:1.2.3.4", "value": f"EXT-{index}"}],
        )
        patient.save()
        assert patient.id and patient["meta"]["versionId"]

    fetched = client.reference("Patient", patient.id).to_resource()
    assert fetched["name"][0]["given"] == ["Client6"]
    found = client.resources("Patient").search(identifier="urn:oid:1.2.3.4|EXT-3").fetch()
    assert [p["name"][0]["given"][0] for p in found] == ["Client3"]

    # Paging: fhirpy follows the server's `next` links through pages of 2.
    everyone = client.resources("Patient").search(family="Oubaha").sort("birthdate").limit(2)
    first_page = everyone.fetch()
    assert len(first_page) == 2
    walked = [p["name"][0]["given"][0] for p in everyone.fetch_all()]
    assert walked == [f"Client{i}" for i in range(7)]
    assert everyone.count() == 7

    # Update with If-Match: the current version is accepted, a stale one refused (412).
    version = fetched["meta"]["versionId"]
    current = _client(live_server, **{"If-Match": f'W/"{version}"'})
    mine = current.reference("Patient", fetched.id).to_resource()
    mine["birthDate"] = "1966-06-01"
    mine.save()
    assert client.reference("Patient", fetched.id).to_resource()["birthDate"] == "1966-06-01"
    mine["birthDate"] = "1966-07-01"
    with pytest.raises(MultipleResourcesFound):  # fhirpy's name for a 412 answer
        mine.save()
    assert client.reference("Patient", fetched.id).to_resource()["birthDate"] == "1966-06-01"
