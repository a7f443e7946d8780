"""Live updates of the queues: a message to the specialty's and the unit's groups on change."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from tbib.teleexpertise.models import Case

logger = logging.getLogger(__name__)


def specialty_group(slug: str) -> str:
    return f"queue.{slug}"


def unit_group(unit_id: object) -> str:
    return f"unit.{unit_id}"


def case_changed(case: Case) -> None:
    """Tell the open queue pages of the case's specialty and unit that it changed.

    Best effort: the database is the truth and pages reload it; a lost message only delays
    a page until its next refresh.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "case.changed", "case": str(case.pk), "status": case.status}
    try:
        send = async_to_sync(layer.group_send)
        send(specialty_group(case.specialty_id), message)
        send(unit_group(case.unit_id), message)
    except Exception:  # a channel layer outage must not undo a committed transition
        logger.exception("Could not broadcast the change of case %s", case.pk)
