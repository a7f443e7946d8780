"""Background jobs of planning: a scenario's solve takes up to the planner's time limit."""

from __future__ import annotations

import datetime

from celery import Task, shared_task


# Acknowledged once done, requeued if the worker dies (settings: CELERY_TASK_ACKS_LATE,
# CELERY_TASK_REJECT_ON_WORKER_LOST): the job then runs again on another worker.
@shared_task(name="tbib.run_planning_scenario", bind=True, acks_late=True)
def run_scenario_task(self: Task, scenario_id: str) -> str:
    from tbib.planning.services import run_scenario

    # The broker marks a message it delivers again after its worker was lost.
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    return run_scenario(scenario_id, resume=redelivered).status


@shared_task(name="tbib.dispatch_queued_scenarios")
def dispatch_queued_scenarios(older_than_s: float = 60.0) -> list[str]:
    """Send again the scenarios whose message never reached the broker (beat, every minute)."""
    from tbib.planning.services import dispatch_queued

    return dispatch_queued(older_than=datetime.timedelta(seconds=older_than_s))
