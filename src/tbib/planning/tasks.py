"""Background jobs of planning: a scenario's solve takes up to the planner's time limit."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tbib.run_planning_scenario", acks_late=True)
def run_scenario_task(scenario_id: str) -> str:
    from tbib.planning.services import run_scenario

    return run_scenario(scenario_id).status
