"""The load scenario (benchmarks/load/locustfile.py) stays runnable: each task once, no failure.

The same day as benchmarks/load_test.py builds (fewer patients, no past weeks), served by the
live server; Locust runs in a subprocess because it monkey-patches the standard library with
gevent at import, which this process must not inherit.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from pytest_django.live_server_helper import LiveServer

ROOT = Path(__file__).resolve().parents[1]


def _load_test() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_test", ROOT / "benchmarks/load_test.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_task_runs_once_without_a_failed_request(
    live_server: LiveServer, tmp_path: Path
) -> None:
    setup = _load_test().build_day(patients_per_unit=3, history=False)
    (tmp_path / "setup.json").write_text(json.dumps(setup))
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/load/locustfile.py"), "--once", live_server.url],
        env={
            **os.environ,
            "TBIB_LOAD_SETUP": str(tmp_path / "setup.json"),
            "DJANGO_SETTINGS_MODULE": "tbib.settings.test",
        },  # fmt: skip
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    # Every step of every iteration was reached (a case to answer, a sync round).
    made = set(result.stdout.splitlines())
    for step in (
        "GET /unit/ 200",
        "POST /api/encounters (nurse) 201",
        "POST /api/encounters/[id]/sign 200",
        "POST /api/cases/[id]/submit 200",
        "GET /platform/cases/[id]/ 200",
        "POST /api/cases/[id]/answer 200",
        "GET /supervision/units/[day]/ 200",
        "GET /supervision/ (htmx panel) 200",
        "GET /sync/pull 200",
        "POST /sync/push 200",
    ):
        assert step in made, result.stdout
