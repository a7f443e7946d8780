"""The audit trail of every access to patient data (law 09-08: every access is traced)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.core.models import new_id


class AuditImmutableError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditImmutableError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AuditImmutableError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One access to patient data: who, in which role, did what to which record, and how it went.

    Append-only: the application can neither change nor delete an event (model, queryset and
    admin all refuse). The actor is kept by name too, so the trail outlives the account.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(_("user"), max_length=150)
    actor_role = models.CharField(_("role"), max_length=24, blank=True)
    action = models.CharField(_("action"), max_length=12, choices=AuditAction.choices)
    resource_type = models.CharField(_("resource"), max_length=40)
    resource_id = models.CharField(_("resource id"), max_length=64, blank=True)
    # No foreign key: the trail must survive whatever happens to the patient's record.
    patient_id = models.UUIDField(_("patient"), null=True, blank=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=AuditOutcome.choices)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.resource_type}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutableError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditImmutableError("Audit events cannot be deleted.")
