"""Audit events that must outlive the transaction they were written in.

A refused write is audited inside the write's transaction, which the refusal then rolls
back, taking its audit event with it; the same goes for what a failed transaction Bundle
read before failing. The audit trail must still show those attempts, so `remember` keeps them
for the request and `KeepAuditedAttemptsMiddleware` writes back, after the view (outside every
transaction), those that were rolled back. Allowed writes that were rolled back never
happened and are not written back.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.models import AuditEvent

_pending: contextvars.ContextVar[list[AuditEvent] | None] = contextvars.ContextVar(
    "audit_pending", default=None
)
_ATTEMPTS = frozenset({AuditAction.READ, AuditAction.SEARCH, AuditAction.LOOKUP,
                       AuditAction.EXPORT})  # fmt: skip


def remember(event: AuditEvent) -> None:
    """Keep an event written inside a transaction that may yet roll back (during a request)."""
    pending = _pending.get()
    if pending is None or not transaction.get_connection().in_atomic_block:
        return
    if event.outcome != AuditOutcome.ALLOWED or event.action in _ATTEMPTS:
        pending.append(event)


def write_back_rolled_back() -> int:
    """Insert again the remembered events that a rollback removed; how many."""
    pending = _pending.get() or []
    if not pending:
        return 0
    present = set(
        AuditEvent.objects.filter(pk__in=[e.pk for e in pending]).values_list("pk", flat=True)
    )
    lost = [event for event in pending if event.pk not in present]
    for event in lost:
        event._state.adding = True
        event.save(force_insert=True)
    pending.clear()
    return len(lost)


class KeepAuditedAttemptsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _pending.set([])
        try:
            return self.get_response(request)
        finally:
            try:
                write_back_rolled_back()
            finally:
                _pending.reset(token)
