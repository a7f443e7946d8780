"""Writes of the planning module: scenarios saved, run in the background, adopted."""

from __future__ import annotations

import datetime
import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from tbib.accounts.models import User
from tbib.planning import selectors
from tbib.planning.allocation import Parameters
from tbib.planning.models import Scenario, ScenarioStatus
from tbib.planning.plans import PlanError, allocate

logger = logging.getLogger(__name__)

# What a planner may set from the UI or the CLI; the rest keeps the documented defaults.
SETTABLE = ("units", "provinces", "budget_mad", "communes_per_unit", "radius_km", "time_limit_s")


def parameters_from(values: dict[str, Any]) -> Parameters:
    """The run's parameters: the planner's values, pilots served and their bases kept."""
    pilots = tuple(selectors.pilot_codes())
    chosen = {key: values[key] for key in SETTABLE if values.get(key) is not None}
    return Parameters(**chosen, must_serve=pilots, fixed_bases=pilots)


def save_scenario(
    name: str, document: dict[str, Any], *, user: User | None = None, adopted: bool = False
) -> Scenario:
    scenario = Scenario(name=name, created_by=user, status=ScenarioStatus.DONE)
    scenario.parameters = {key: document["parameters"].get(key) for key in SETTABLE}
    _fill(scenario, document)
    with transaction.atomic():
        if adopted:
            Scenario.objects.filter(adopted=True).update(adopted=False)
            scenario.adopted = True
        scenario.save()
    return scenario


def _fill(scenario: Scenario, document: dict[str, Any]) -> None:
    scenario.document = document
    scenario.covered_communes = document["covered_communes"]
    scenario.covered_population = document["covered_population"]
    scenario.underserved_reached = round(document["objective"])
    scenario.gap = document["gap"]
    scenario.cost_mad = document["cost_mad"]
    scenario.km_per_year = document["km_per_year"]
    scenario.seconds = document["seconds"]


def queue_scenario(name: str, values: dict[str, Any], *, user: User) -> Scenario:
    """Save the scenario as queued and start its run once the transaction commits."""
    params = parameters_from(values)
    scenario = Scenario.objects.create(
        name=name,
        created_by=user,
        parameters={key: getattr(params, key) for key in SETTABLE},
    )
    transaction.on_commit(lambda: _dispatch(str(scenario.pk)))
    return scenario


def _dispatch(scenario_id: str) -> None:
    from tbib.planning.tasks import run_scenario_task

    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker (the demo): run beside the request, never inside it, a solve takes minutes.
        def run() -> None:
            try:
                run_scenario(scenario_id)
            finally:
                close_old_connections()

        threading.Thread(target=run, name=f"scenario-{scenario_id}", daemon=True).start()
    else:
        try:
            run_scenario_task.delay(scenario_id)
        except OperationalError as error:
            # The broker is down (after Celery's publish retries): the scenario is saved as
            # queued, and dispatch_queued() sends it again once the broker is back.
            logger.warning("Scenario %s stays queued, broker unreachable: %s", scenario_id, error)


def dispatch_queued(*, older_than: datetime.timedelta) -> list[str]:
    """Send again the scenarios queued for longer than `older_than` (beat, every minute).

    A queued scenario whose message never reached the broker would wait forever; one whose
    message is only waiting for a worker gets a second message, which finds it claimed and
    does nothing (run_scenario).
    """
    cutoff = timezone.now() - older_than
    stale = Scenario.objects.filter(status=ScenarioStatus.QUEUED, updated_at__lte=cutoff)
    scenario_ids = [str(pk) for pk in stale.values_list("pk", flat=True)]
    for scenario_id in scenario_ids:
        _dispatch(scenario_id)
    return scenario_ids


def run_scenario(scenario_id: str, *, resume: bool = False) -> Scenario:
    """Solve a queued scenario; a failure is kept on the scenario, never lost in a log.

    `resume`: the job was delivered again because the worker running it died (acks_late):
    the scenario it left running is run again from the start. Otherwise a scenario already
    claimed is left alone, so a duplicate message never runs it twice.
    """
    claimable = [ScenarioStatus.QUEUED]
    if resume:
        claimable.append(ScenarioStatus.RUNNING)
    updated = Scenario.objects.filter(pk=scenario_id, status__in=claimable).update(
        status=ScenarioStatus.RUNNING
    )
    scenario = Scenario.objects.get(pk=scenario_id)
    if not updated:  # already run, or running elsewhere (a duplicate message): nothing to do
        return scenario
    params = parameters_from(scenario.parameters)
    try:
        document = allocate(params, log=lambda line: logger.info("%s: %s", scenario.name, line))
    except (PlanError, ValueError) as error:
        scenario.status, scenario.error = ScenarioStatus.FAILED, str(error)
    else:
        _fill(scenario, document)
        scenario.status = ScenarioStatus.DONE
    scenario.save()
    return scenario


def adopt(scenario: Scenario) -> None:
    """Make this scenario the network's plan of reference (one at a time)."""
    if scenario.status != ScenarioStatus.DONE:
        raise PlanError("Only a finished scenario can be adopted.")
    with transaction.atomic():
        Scenario.objects.filter(adopted=True).exclude(pk=scenario.pk).update(adopted=False)
        Scenario.objects.filter(pk=scenario.pk).update(adopted=True)
