"""SLA escalation by two Celery workers on the real RabbitMQ: exactly one escalation."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.clinical.services import start_encounter
from tbib.teleexpertise.models import Case, CaseEvent
from tbib.teleexpertise.services import open_case, submit_case
from tests.factories import PatientFactory, open_stop_today, unit, unit_staff
from tests.web.network import ensure_network

BROKER = os.environ.get("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="workers are other processes: they need the PostgreSQL run's database",
    ),
]


def _database_url() -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def _worker(name: str, queue: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "TBIB_BROKER_URL": BROKER,
        "DJANGO_SETTINGS_MODULE": "tbib.settings.test",
    }
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(  # noqa: S603 (our own virtualenv's celery)
        [
            str(celery), "-A", "tbib.celery", "worker", "--pool=solo", "--loglevel=WARNING",
            "-n", f"{name}@%h", "-Q", queue, "--without-gossip", "--without-mingle",
        ],
        env=env,
    )  # fmt: skip


def test_an_unclaimed_urgent_case_escalates_exactly_once_with_two_workers() -> None:
    ensure_network()
    open_stop_today("figuig-1")
    gp = AccessContext(user=unit_staff(UserRole.GP, "figuig-1"))
    encounter = start_encounter(ctx=gp, patient_id=PatientFactory(unit=unit("figuig-1")).pk)
    case = open_case(
        ctx=gp,
        encounter_id=encounter.pk,
        specialty="cardiology",
        question="Douleur thoracique atypique",
        urgency="urgent",
        consent=True,
    )
    case = submit_case(ctx=gp, case_id=case.pk)
    assert case.queued_at is not None
    # The injected clock: 2 h 1 min after the case entered the queue (urgent SLA: 2 h).
    late = (case.queued_at + datetime.timedelta(minutes=121)).isoformat()

    queue = f"tbib-test-{uuid.uuid4().hex[:8]}"
    # Not the current app: shared tasks sent later in the run would resolve to it.
    client = Celery(broker=BROKER, backend="rpc://", set_as_current=False)
    workers = [_worker("w1", queue), _worker("w2", queue)]
    try:
        results = [
            client.send_task("tbib.escalate_overdue_cases", args=[late], queue=queue)
            for _ in range(6)
        ]
        outcomes = [result.get(timeout=60) for result in results]
    finally:
        client.close()  # its broker and result connections, not left to the garbage collector
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=20)
    assert sorted(outcomes) == [[], [], [], [], [], [str(case.pk)]]
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 1
    assert Case.objects.get(pk=case.pk).status == "queued"
