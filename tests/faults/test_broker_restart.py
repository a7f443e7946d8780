"""Fault: RabbitMQ restarts. A job asked for while it is down is kept and runs once it is
back; a running worker reconnects by itself.

The broker is the machine's shared one (a private RabbitMQ is too heavy to start per test):
this test runs in the PostgreSQL run of `make test`, beside the `link` tests only, which do
not use the broker; it always starts the broker again, even when it fails.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery import Celery

from tbib.planning import services
from tbib.planning.models import Scenario, ScenarioStatus
from tests.factories import UserFactory
from tests.faults.processes import (
    BROKER,
    celery_worker,
    enqueue_on_broker,
    private_queue,
    stop,
    wait_for_port,
    wait_until,
)
from tests.web.network import ensure_network

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


@contextmanager
def broker_down() -> Iterator[None]:
    rabbitmqctl = shutil.which("rabbitmqctl")
    if rabbitmqctl is None:
        pytest.skip("no rabbitmqctl on this machine")
    # stop_app closes the AMQP listener (every connection is cut) but keeps the node: its
    # durable queues and their messages are there when start_app opens it again.
    subprocess.run([rabbitmqctl, "stop_app"], check=True, capture_output=True)  # noqa: S603
    try:
        wait_for_port(5672, up=False, timeout=30)
        yield
    finally:
        subprocess.run([rabbitmqctl, "start_app"], check=True, capture_output=True)  # noqa: S603
        wait_for_port(5672, timeout=60)


def test_a_job_asked_for_while_the_broker_is_down_runs_when_it_is_back() -> None:
    ensure_network()
    with private_queue() as queue:
        _scenario(queue)


def _scenario(queue: str) -> None:
    worker = celery_worker("steady", queue)
    try:
        with enqueue_on_broker(queue):
            with broker_down():
                # The planner's request succeeds: the scenario is saved as queued, the
                # message could not be sent (logged) and nothing is raised to the page.
                scenario = services.queue_scenario(
                    "Broker down", {"time_limit_s": 15}, user=UserFactory()
                )
            assert Scenario.objects.get(pk=scenario.pk).status == ScenarioStatus.QUEUED

            # What beat sends every minute (settings CELERY_BEAT_SCHEDULE), sent at once
            # here: the worker, reconnected by itself, sends the stranded scenario again.
            # Not the current app: shared tasks would then resolve to it (default queue).
            client = Celery(broker=BROKER, set_as_current=False)
            client.send_task(
                "tbib.dispatch_queued_scenarios", kwargs={"older_than_s": 0}, queue=queue
            )
            wait_until(
                lambda: Scenario.objects.get(pk=scenario.pk).status == ScenarioStatus.DONE,
                55,
                "the scenario is solved",
            )
    finally:
        stop(worker)
