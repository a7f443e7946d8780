"""`tbib demo` builds the whole demo network from nothing, in a database of its own."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def test_demo_builds_a_fresh_network(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TBIB_", "DATABASE_URL"))}
    env.update(TBIB_VAR_DIR=str(tmp_path), TBIB_MODE="demo", DJANGO_SETTINGS_MODULE="")
    env.pop("DJANGO_SETTINGS_MODULE")
    command = [sys.executable, "-m", "tbib.cli", "demo", "--no-serve"]
    for _ in range(2):  # the second run starts again from an empty database
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
    assert "communes: 1503" in result.stdout
    database = sqlite3.connect(tmp_path / "demo.sqlite3")
    try:
        units = database.execute("select count(*) from network_mobileunit").fetchone()[0]
        users = dict(database.execute("select username, role from accounts_user").fetchall())
        patients = database.execute("select count(*) from patients_patient").fetchone()[0]
        # Six past weeks for the dashboards, in the change log like every record.
        days, encounters = database.execute(
            "select count(distinct date(arrived_at)), count(*) from clinical_encounter"
        ).fetchone()
        logged = database.execute(
            "select count(*) from sync_change where model = 'clinical.encounter'"
        ).fetchone()[0]
        # Most past referrals came back as seen at the hub hospital, not all.
        referrals, completed = database.execute(
            "select (select count(*) from clinical_referral),"
            " (select count(distinct referral_id) from clinical_referralcompletion)"
        ).fetchone()
    finally:
        database.close()
    assert units >= 50
    expected = {"admin", "national", "planner", "coord-08", "dr-cardiology", "gp-midelt-1"}
    expected |= {"nurse1-midelt-1", "nurse2-midelt-1", "assistant-midelt-1", "gp-figuig-1"}
    assert expected <= set(users)
    assert len(users) == 3 + 12 + 7 + 4 * units
    assert patients > 0
    assert days >= 30 and encounters > 5000 and logged == encounters
    assert 0 < completed < referrals
    assert json.loads((tmp_path / "dhis2-mapping.json").read_text())["orgUnits"]["midelt-1"]
    assert json.dumps(users)  # plain strings, nothing lazy
