"""Attachments: resumable chunked upload, content-addressed, type-checked by content, bounded."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.clinical.services import start_encounter
from tbib.teleexpertise.services import open_case
from tests.factories import PatientFactory, open_stop_today, unit, unit_staff

pytestmark = pytest.mark.django_db
JSON = "application/json"
CHUNK = 1024 * 1024
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@pytest.fixture
def case(settings: pytest.FixtureRequest, tmp_path: Path) -> dict:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    open_stop_today("azilal-1")
    gp = unit_staff(UserRole.GP, "azilal-1")
    ctx = AccessContext(user=gp)
    encounter = start_encounter(ctx=ctx, patient_id=PatientFactory(unit=unit("azilal-1")).pk)
    opened = open_case(
        ctx=ctx,
        encounter_id=encounter.pk,
        specialty="dermatology",
        question="Lésion du dos de la main depuis 3 mois",
        urgency="routine",
        consent=True,
    )
    return {"case": opened, "gp": gp, "media": tmp_path}


def _announce(client: Client, auth: dict, case_id: object, data: bytes, **extra: object):  # type: ignore[no-untyped-def]
    body = {
        "filename": "main.jpg",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "kind": "photo",
        **extra,
    }
    return client.post(f"/api/cases/{case_id}/uploads", body, content_type=JSON, **auth)


def _send(client: Client, auth: dict, upload_id: str, data: bytes, offset: int):  # type: ignore[no-untyped-def]
    return client.generic(
        "PATCH",
        f"/api/uploads/{upload_id}",
        data[offset : offset + CHUNK],
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        **auth,
    )


def test_a_20_mb_upload_cut_halfway_resumes_and_lands_intact(
    api_client: Client, bearer: Callable[[User], dict[str, str]], case: dict
) -> None:
    auth = bearer(case["gp"])
    data = JPEG + os.urandom(20 * CHUNK - len(JPEG))
    upload = _announce(api_client, auth, case["case"].pk, data).json()
    assert (upload["offset"], upload["complete"]) == (0, False)
    offset = 0
    while offset < 10 * CHUNK:  # the link drops after 10 MB
        offset = _send(api_client, auth, upload["id"], data, offset).json()["offset"]
    # A new session asks where the upload stands, and resends a chunk it was unsure of.
    state = Client(REMOTE_ADDR="10.0.0.9").get(f"/api/uploads/{upload['id']}", **auth).json()
    assert state["offset"] == 10 * CHUNK
    stale = _send(api_client, auth, upload["id"], data, 9 * CHUNK)
    assert stale.status_code == 409
    assert stale.json() == {
        "detail": f"This upload stands at byte {10 * CHUNK}: send the bytes from there."
    }
    offset = state["offset"]
    while offset < len(data):
        response = _send(api_client, auth, upload["id"], data, offset)
        assert response.status_code == 200, response.content
        offset = response.json()["offset"]
    final = response.json()
    sha = hashlib.sha256(data).hexdigest()
    assert final["complete"] is True
    assert final["attachment"] == {
        "sha256": sha,
        "kind": "photo",
        "content_type": "image/jpeg",
        "size": len(data),
        "filename": "main.jpg",
    }
    stored = case["media"] / "cas" / sha[:2] / sha[2:4] / sha
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    download = api_client.get(f"/api/cases/{case['case'].pk}/attachments/{sha}", **auth)
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == sha


def test_a_file_that_is_not_what_it_claims_is_refused(
    api_client: Client, bearer: Callable[[User], dict[str, str]], case: dict
) -> None:
    auth = bearer(case["gp"])
    script = b"#!/bin/sh\necho pwned\n"
    upload = _announce(api_client, auth, case["case"].pk, script).json()
    response = _send(api_client, auth, upload["id"], script, 0)
    assert response.status_code == 415
    assert response.json() == {
        "detail": "This file is not an accepted photo: image/jpeg, image/png."
    }


def test_an_oversize_file_is_refused_before_any_byte(
    api_client: Client, bearer: Callable[[User], dict[str, str]], case: dict
) -> None:
    auth = bearer(case["gp"])
    body = {"filename": "big.pdf", "size": 26 * CHUNK, "sha256": "a" * 64, "kind": "document"}
    response = api_client.post(
        f"/api/cases/{case['case'].pk}/uploads", body, content_type=JSON, **auth
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Files are limited to 25 MB."}


def test_a_corrupted_file_is_discarded(
    api_client: Client, bearer: Callable[[User], dict[str, str]], case: dict
) -> None:
    auth = bearer(case["gp"])
    data = b"%PDF-1.7\n" + os.urandom(5000)
    upload = _announce(api_client, auth, case["case"].pk, data, kind="document").json()
    corrupted = data[:-1] + bytes([data[-1] ^ 0xFF])
    response = _send(api_client, auth, upload["id"], corrupted, 0)
    assert response.status_code == 409
    assert "does not match its SHA-256" in response.json()["detail"]
    state = api_client.get(f"/api/uploads/{upload['id']}", **auth).json()
    assert (state["offset"], state["complete"]) == (0, False)
    assert _send(api_client, auth, upload["id"], data, 0).json()["complete"] is True


def test_an_edge_keeps_files_encrypted_at_rest_partials_included(
    api_client: Client,
    bearer: Callable[[User], dict[str, str]],
    case: dict,
    settings: pytest.FixtureRequest,
) -> None:
    settings.TBIB_MEDIA_ENCRYPTION_KEY = "ab" * 32  # type: ignore[attr-defined]
    auth = bearer(case["gp"])
    secret = b"Bilan: Itto Zaydoun, CIN QA765432, hemoglobine 8.1 g/dL. " * 40000
    data = b"%PDF-1.7\n" + secret  # about 2.3 MB of a lab result naming the patient
    upload = _announce(api_client, auth, case["case"].pk, data, kind="document").json()
    first = _send(api_client, auth, upload["id"], data, 0).json()
    partials = list((case["media"] / "uploads").glob("*.part"))
    assert partials and b"Zaydoun" not in partials[0].read_bytes()
    offset = first["offset"]
    while offset < len(data):
        response = _send(api_client, auth, upload["id"], data, offset)
        offset = response.json()["offset"]
    sha = hashlib.sha256(data).hexdigest()
    assert response.json()["attachment"]["sha256"] == sha
    on_disk = b"".join(p.read_bytes() for p in case["media"].rglob("*") if p.is_file())
    assert b"Zaydoun" not in on_disk and b"QA765432" not in on_disk and b"%PDF" not in on_disk
    served = api_client.get(f"/api/cases/{case['case'].pk}/attachments/{sha}", **auth)
    assert hashlib.sha256(served.content).hexdigest() == sha
