"""The assistant answers the same on an edge and on the hub: one pure function, both roles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import datetime, json
from decimal import Decimal as D
import django
django.setup()
from django.conf import settings
from tbib.assist.evaluate import Context, Observation, evaluate
cases = [
    (Context(age_days=64 * 365, sex="female", consciousness="V", on_oxygen=True),
     [Observation("9279-1", D(26), "/min"), Observation("59408-5", D(90), "%"),
      Observation("8480-6", D(88), "mm[Hg]"), Observation("8462-4", D(50), "mm[Hg]"),
      Observation("8867-4", D(135), "/min"), Observation("8310-5", D("102.2"), "[degF]"),
      Observation("41653-7", D("2.4"), "g/L")]),
    (Context(age_days=27 * 365, sex="female", pregnant=True, proteinuria=True,
             lmp=datetime.date(2026, 4, 1), visit_date=datetime.date(2026, 12, 3),
             signs=frozenset({"convulsions"})),
     [Observation("8480-6", D(168), "mm[Hg]"), Observation("8462-4", D(112), "mm[Hg]"),
      Observation("718-7", D(95), "g/L")]),
    (Context(age_days=400, sex="male", signs=frozenset({"vomits_everything"})), []),
    (Context(age_days=45 * 365, sex="male"),
     [Observation("29463-7", D(92), "kg"), Observation("8302-2", D("1.60"), "m"),
      Observation("1558-6", D(130), "mg/dL"), Observation("4548-4", D("6.8"), "%")]),
]
out = [[vars(f) for f in evaluate(c, o)] for c, o in cases]
print(settings.TBIB_ROLE)
print(json.dumps(out, default=str, sort_keys=True))
"""


def _run(role: str, tmp_path: Path) -> tuple[str, str]:
    env = {**os.environ, "TBIB_ROLE": role, "TBIB_MODE": "demo", "TBIB_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "tbib.settings.base",
           "DATABASE_URL": f"sqlite:///{tmp_path / (role + '.sqlite3')}"}  # fmt: skip
    if role == "edge":
        env["TBIB_EDGE_DB_KEY"] = "7a" * 32
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120,
        check=True,
    )  # fmt: skip
    role_line, findings = result.stdout.strip().splitlines()[-2:]
    return role_line, findings


def test_identical_findings_on_an_edge_and_on_the_hub(tmp_path: Path) -> None:
    hub_role, on_hub = _run("hub", tmp_path)
    edge_role, on_edge = _run("edge", tmp_path)
    assert (hub_role, edge_role) == ("hub", "edge")
    assert on_edge == on_hub
    findings = json.loads(on_hub)
    assert [len(case) for case in findings] == [3, 4, 1, 3]
    assert findings[0][0]["rule"] == "news2" and findings[0][0]["score"] == 18
