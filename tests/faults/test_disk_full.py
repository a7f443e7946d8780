"""Fault: the disk under MEDIA_ROOT is full when an attachment arrives; the API answers 507,
keeps nothing of it, and takes the same upload once space is freed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.clinical.services import start_encounter
from tbib.teleexpertise.models import Attachment, Upload
from tbib.teleexpertise.services import open_case
from tests.factories import PatientFactory, open_stop_today, unit, unit_staff

pytestmark = [pytest.mark.faults, pytest.mark.django_db]
JSON = "application/json"
PNG = b"\x89PNG\r\n\x1a\n"
KIB = 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs: a real ENOSPC from the kernel, not a mocked one."""
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("no mount command on this machine")
    media = tmp_path / "media"
    media.mkdir()
    done = subprocess.run(  # noqa: S603
        [mount, "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(media)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {done.stderr.decode().strip()}")
    try:
        yield media
    finally:
        subprocess.run([shutil.which("umount") or "umount", str(media)], check=True)  # noqa: S603


def _files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_an_upload_to_a_full_disk_is_refused_cleanly_then_accepted(
    settings: pytest.FixtureRequest,
    small_disk: Path,
    api_client: Client,
    bearer: Callable[[User], dict[str, str]],
) -> None:
    settings.MEDIA_ROOT = small_disk  # type: ignore[attr-defined]
    open_stop_today("azilal-1")
    gp = unit_staff(UserRole.GP, "azilal-1")
    ctx = AccessContext(user=gp)
    encounter = start_encounter(ctx=ctx, patient_id=PatientFactory(unit=unit("azilal-1")).pk)
    case = open_case(
        ctx=ctx, encounter_id=encounter.pk, specialty="dermatology",
        question="Lésion du dos de la main depuis 3 mois", urgency="routine", consent=True,
    )  # fmt: skip
    auth = bearer(gp)
    photo = PNG + os.urandom(400 * KIB - len(PNG))
    upload = api_client.post(
        f"/api/cases/{case.pk}/uploads",
        {"filename": "main.png", "size": len(photo), "kind": "photo",
         "sha256": hashlib.sha256(photo).hexdigest()},
        content_type=JSON, **auth,
    ).json()  # fmt: skip

    def send(offset: int, size: int):  # type: ignore[no-untyped-def]
        return api_client.generic(
            "PATCH", f"/api/uploads/{upload['id']}", photo[offset : offset + size],
            content_type="application/offset+octet-stream", HTTP_UPLOAD_OFFSET=str(offset),
            **auth,
        )  # fmt: skip

    # Another file has taken the disk but for about 100 KiB.
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (1024 - 100) * KIB)

    refused = send(0, 200 * KIB)
    assert refused.status_code == 507
    assert refused.json() == {
        "detail": "The server's storage is full: this chunk was not saved. "
        "Send it again later, from byte 0."
    }
    assert _files(small_disk) == ["filler"]  # no partial file
    assert Upload.objects.get(pk=upload["id"]).received == 0
    assert not Attachment.objects.filter(case=case).exists()

    filler.unlink()  # space freed: the same upload goes through, from where it stood
    assert send(0, 200 * KIB).json()["offset"] == 200 * KIB
    done = send(200 * KIB, 200 * KIB).json()
    assert done["complete"] is True
    stored = api_client.get(
        f"/api/cases/{case.pk}/attachments/{hashlib.sha256(photo).hexdigest()}", **auth
    )
    assert stored.status_code == 200
    assert stored.content == photo
