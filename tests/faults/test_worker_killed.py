"""Fault: the worker running a job is killed (SIGKILL, as the OOM killer does); the job is
delivered again and completes on another worker."""

from __future__ import annotations

import os
import signal

import pytest

from tbib.planning import services
from tbib.planning.models import Scenario, ScenarioStatus
from tests.factories import UserFactory
from tests.faults.processes import (
    celery_worker,
    enqueue_on_broker,
    private_queue,
    stop,
    wait_until,
)
from tests.web.network import ensure_network

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def test_a_planning_run_cut_by_a_killed_worker_completes_on_another() -> None:
    ensure_network()
    with private_queue() as queue:
        _scenario(queue)


def _scenario(queue: str) -> None:
    first = celery_worker("doomed", queue)
    second = None
    try:
        with enqueue_on_broker(queue):
            # A solve of several seconds: time enough to kill its worker in the middle.
            scenario = services.queue_scenario(
                "Killed worker", {"time_limit_s": 15}, user=UserFactory()
            )

        def status() -> str:
            return str(Scenario.objects.get(pk=scenario.pk).status)

        wait_until(lambda: status() == ScenarioStatus.RUNNING, 30, "the first worker runs it")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)

        # acks_late: the broker still holds the job, and gives it to the next worker.
        second = celery_worker("spare", queue)
        wait_until(lambda: status() == ScenarioStatus.DONE, 50, "the second worker solves it")
    finally:
        stop(first)
        if second is not None:
            stop(second)
    scenario.refresh_from_db()
    assert scenario.error == ""
    assert scenario.covered_communes > 0
