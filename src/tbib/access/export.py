"""Export of the audit trail, for the data protection officer and the CNDP."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from typing import TextIO

from tbib.access.models import AuditEvent

COLUMNS = (
    "id", "at", "actor_username", "actor_role", "action", "resource_type", "resource_id",
    "patient_id", "outcome", "client_address", "detail",
)  # fmt: skip


def _rows(since: datetime.datetime | None) -> Iterator[list[str]]:
    events = AuditEvent.objects.order_by("at", "id")
    if since is not None:
        events = events.filter(at__gte=since)
    for event in events.iterator(chunk_size=2000):
        yield [
            "" if getattr(event, column) is None else str(getattr(event, column))
            for column in COLUMNS
        ]


def export_audit_csv(out: TextIO, *, since: datetime.datetime | None = None) -> int:
    """Write the audit events as CSV, oldest first; return how many were written."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for row in _rows(since):
        writer.writerow(row)
        count += 1
    return count
