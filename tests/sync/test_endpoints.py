"""The hub's replication endpoints refuse bad input with a readable 4xx, never a 500."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client, override_settings

from tbib.accounts.choices import UserRole
from tbib.sync import wire
from tbib.sync.apply import build_batch
from tbib.sync.hub import issue_code
from tbib.sync.models import HubLink, Peer
from tests.factories import PatientFactory, unit, unit_staff

pytestmark = pytest.mark.django_db


def _enrol(client: Client, code_unit: str = "midelt-1") -> str:
    code = issue_code(unit(code_unit))
    response = client.post("/sync/enrol", {"code": code}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unit"] == code_unit and body["node"].startswith(f"{code_unit}.")
    # A code serves once.
    again = client.post("/sync/enrol", {"code": code}, content_type="application/json")
    assert again.status_code == 403 and "used" in again.json()["detail"]
    return str(body["token"])


def test_enrolment_refuses_bad_input(client: Client) -> None:
    assert (
        client.post("/sync/enrol", "not json", content_type="application/json").status_code == 400
    )
    response = client.post("/sync/enrol", {"code": "AAAA-BBBB-CCCC"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 403
    assert client.get("/sync/enrol").status_code == 405


def test_pull_and_push_need_the_credential_and_sane_input(client: Client) -> None:
    token = _enrol(client)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/sync/pull").status_code == 401
    assert client.get("/sync/pull", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert client.get("/sync/pull?after=-1", **auth).status_code == 400
    assert client.get("/sync/pull?limit=99999", **auth).status_code == 400
    PatientFactory(unit=unit("midelt-1"))
    PatientFactory(unit=unit("azilal-1"))
    pulled = client.get("/sync/pull?after=0", **auth)
    assert pulled.status_code == 200 and pulled["X-Tbib-Upto"].isdigit()
    units = {c[2]["unit_id"] for c in wire.decode(pulled.content)["changes"]}
    assert units == {unit("midelt-1").pk.bytes}  # the unit's records, and no other's
    garbage = client.post("/sync/push", b"\x00garbage", content_type="application/octet-stream",
                          **auth)  # fmt: skip
    assert garbage.status_code == 400 and "nothing applied" in garbage.json()["detail"]


def test_a_push_of_another_units_record_is_refused_whole(client: Client) -> None:
    token = _enrol(client)
    peer = Peer.objects.get()
    stranger = PatientFactory(unit=unit("azilal-1"))
    batch = build_batch(after=0).batch
    rows = [c for c in batch["changes"] if c[0] == "patients.patient"
            and c[2]["id"] == stranger.pk.bytes]  # fmt: skip
    stranger_row = dict(rows[0][2], id=uuid.uuid4().bytes)  # a new patient of another unit
    clock = f"{rows[0][1].rsplit('-', 1)[0]}-{peer.node}"
    forged = {"batch": uuid.uuid4().bytes, "origin": peer.node, "upto": 1,
              "changes": [["patients.patient", clock, stranger_row]]}  # fmt: skip
    response = client.post("/sync/push", wire.encode(forged),
                           content_type="application/octet-stream",
                           HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    assert response.status_code == 403 and "not this unit's record" in response.json()["detail"]
    # Nor may an edge push writes it did not make.
    other = dict(forged, batch=uuid.uuid4().bytes,
                 changes=[["patients.patient", rows[0][1], stranger_row]])  # fmt: skip
    response = client.post("/sync/push", wire.encode(other),
                           content_type="application/octet-stream",
                           HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    assert response.status_code == 403


def test_blobs_are_named_by_hash_and_follow_their_record(client: Client) -> None:
    token = _enrol(client)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/sync/blobs/xyz", **auth).status_code == 400
    response = client.get(f"/sync/blobs/{'a' * 64}", **auth)
    assert response.status_code == 409 and "record" in response.json()["detail"]


def test_the_top_bar_shows_what_is_waiting_on_an_edge(client: Client) -> None:
    nurse = unit_staff(UserRole.NURSE, "midelt-1")
    client.force_login(nurse)
    with override_settings(TBIB_ROLE="edge"):
        assert "Non inscrit" in client.get("/sync/status").content.decode()  # French by default
        HubLink.objects.create(hub_url="https://hub.example", node="midelt-1.ab12",
                               unit=unit("midelt-1"), token="t")  # fmt: skip
        from tbib.sync import capture

        capture.forget_node_name()
        try:
            PatientFactory(unit=unit("midelt-1"))
            page = client.get("/sync/status").content.decode()
        finally:
            capture.forget_node_name()
    assert "Jamais synchronisé · 1 modification en attente · 40" in page


def test_a_sign_in_does_not_rebuild_the_units_reference_data(client: Client) -> None:
    from unittest import mock

    from tbib.sync import reference

    nurse = unit_staff(UserRole.NURSE, "midelt-1", password="x")
    with mock.patch.object(reference, "_build", wraps=reference._build) as build:
        reference.snapshot(nurse.unit_id)
        client.force_login(nurse)  # saves last_login only
        reference.snapshot(nurse.unit_id)
        assert build.call_count == 1
        nurse.first_name = "Ilham"
        nurse.save()  # a change the unit's edge receives
        reference.snapshot(nurse.unit_id)
        assert build.call_count == 2
