"""Background jobs of tele-expertise."""

from __future__ import annotations

import datetime

from celery import shared_task

from tbib.teleexpertise.services import escalate_overdue


@shared_task(name="tbib.escalate_overdue_cases")
def escalate_overdue_cases(now: str | None = None) -> list[str]:
    """Escalate the cases past their SLA; safe to run twice at once (see escalate_overdue).

    `now` (ISO 8601) lets tests and replays inject the clock.
    """
    moment = datetime.datetime.fromisoformat(now) if now else None
    return [str(case_id) for case_id in escalate_overdue(now=moment)]
