"""The edge's database is encrypted: a stolen laptop's file shows no patient name."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

KEY = secrets.token_hex(32)
# The edge role on its own SQLCipher file; the demo mode keeps the rest of the configuration
# self-contained.
SCRIPT = """
import django, datetime
django.setup()
from tbib.patients.models import Patient
from tbib.network.models import MobileUnit
from tbib.geo.importer import import_reference_geography
from tbib.network.services import build_demo_network
import_reference_geography(); build_demo_network()
Patient.objects.create(unit=MobileUnit.objects.get(code="midelt-1"), given_name="Itto",
    family_name="Zaydoun", given_name_ar="إيطو", family_name_ar="زيدون", sex="female",
    birth_date=datetime.date(1961, 4, 2), cin="QA765432")
print(Patient.objects.get(cin="QA765432").birth_date)
"""


def _run(args: list[str], tmp_path: Path, key: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TBIB_ROLE": "edge",
        "TBIB_MODE": "demo",
        "TBIB_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'edge.sqlite3'}",
        "TBIB_EDGE_DB_KEY": key,
        "DJANGO_SETTINGS_MODULE": "tbib.settings.base",
    }
    return subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_the_edge_database_file_reveals_no_patient_and_needs_its_key(tmp_path: Path) -> None:
    migrated = _run(["-m", "tbib.cli", "manage", "migrate", "--verbosity=0"], tmp_path, KEY)
    assert migrated.returncode == 0, migrated.stderr
    created = _run(["-c", SCRIPT], tmp_path, KEY)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "1961-04-02"  # Django's date converters work on SQLCipher
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("edge.sqlite3*"))
    assert len(raw) > 100_000
    for secret in ("Itto", "Zaydoun", "QA765432", "زيدون", "Imilchil"):
        assert secret.encode() not in raw, secret
    wrong = _run(["-c", SCRIPT], tmp_path, secrets.token_hex(32))
    assert wrong.returncode != 0
    assert "file is not a database" in wrong.stderr


def test_a_production_edge_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TBIB_ROLE": "edge",
        "TBIB_MODE": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "TBIB_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'edge.sqlite3'}",
    }
    env.pop("TBIB_EDGE_DB_KEY", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tbib.cli", "manage", "check"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "set TBIB_EDGE_DB_KEY" in result.stderr


@pytest.mark.parametrize("key", ["abc", "z" * 64])
def test_a_malformed_key_is_refused(tmp_path: Path, key: str) -> None:
    result = _run(["-m", "tbib.cli", "manage", "check"], tmp_path, key)
    assert result.returncode != 0
    assert "TBIB_EDGE_DB_KEY must be 64 hexadecimal digits." in result.stderr
