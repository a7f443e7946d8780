"""Fault: PostgreSQL restarts under a serving hub; nothing committed is lost, no restart of
the hub is needed, and requests made while it is down answer a clean 503."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.faults.processes import call, hub_env, hub_process, private_postgres, run_python

pytestmark = pytest.mark.faults

# The reference geography, the demo network and a GP of Figuig's first unit (password
# tests.factories.TEST_PASSWORD), in the private cluster's fresh database.
SEED = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tbib.geo.importer import import_reference_geography
from tbib.network.services import build_demo_network
from tests.factories import unit_staff
from tbib.accounts.choices import UserRole
import_reference_geography()
build_demo_network()
unit_staff(UserRole.GP, "figuig-1", username="gp-faults")
"""
PATIENT = {"given_name": "Itto", "family_name": "Oufkir", "sex": "female", "age_years": 41}
UNAVAILABLE = (
    "The database cannot be reached for a moment: this request was not carried out. "
    "Try again in a few seconds."
)


@pytest.mark.parametrize("server", ["uvicorn", "gunicorn"])
def test_the_hub_rides_out_a_postgresql_restart(tmp_path: Path, server: str) -> None:
    with private_postgres() as postgres:
        env = hub_env(tmp_path, postgres.url)
        run_python(env, SEED)
        with hub_process(env, server) as hub:
            status, body, _ = call(
                "POST", f"{hub}/api/auth/token",
                {"username": "gp-faults", "password": "pw-Tbib-2026"},
            )  # fmt: skip
            assert status == 200, body
            token = body["access_token"]

            def create_patient() -> tuple[int, dict[str, object], dict[str, str]]:
                return call("POST", f"{hub}/api/patients", PATIENT, token)

            committed = []
            for _ in range(5):
                status, body, _ = create_patient()
                assert status == 201, body
                committed.append(body["id"])

            # A quick restart (an upgrade): the kept connections are all dead, yet the very
            # next request succeeds: the pool checks a connection before lending it, and
            # without a pool (gunicorn) each thread checks its own (dbbackends.postgresql).
            postgres.stop(mode="fast")
            postgres.start()
            for _ in range(10):
                status, body, _ = create_patient()
                assert status == 201, body
                committed.append(body["id"])

            # A crash and an outage: requests meanwhile answer 503 with Retry-After.
            # (At once: under uvicorn each waits for the pool's timeout, 10 s, before giving up.)
            postgres.stop(mode="immediate")
            with ThreadPoolExecutor(max_workers=2) as pool:
                write = pool.submit(create_patient)
                read = pool.submit(call, "GET", f"{hub}/api/patients/{committed[0]}", None, token)
                for status, body, headers in (write.result(), read.result()):
                    assert (status, body) == (503, {"detail": UNAVAILABLE})
                    assert headers["Retry-After"] == "5"

            postgres.start()
            restarted = time.monotonic()
            while (answer := create_patient())[0] != 201:
                assert answer[0] == 503, answer
                assert time.monotonic() - restarted < 15, "the hub did not recover by itself"
                time.sleep(0.5)
            recovery = time.monotonic() - restarted
            committed.append(answer[1]["id"])
            for patient_id in committed:
                status, body, _ = call("GET", f"{hub}/api/patients/{patient_id}", token=token)
                assert status == 200, body
        print(f"PostgreSQL back: the hub answered again {recovery:.1f} s after the start")  # noqa: T201
