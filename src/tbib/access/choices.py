"""Coded values of the audit trail."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    READ = "read", _("Read")
    SEARCH = "search", _("Search")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    # Reading a patient outside one's own unit, found by an exact identifier (need-to-know
    # exception for a patient who turns up at another unit).
    LOOKUP = "lookup", _("Lookup by identifier")
    EXPORT = "export", _("Export")
    MERGE = "merge", _("Merge")
    UNMERGE = "unmerge", _("Undo a merge")
    SIGN = "sign", _("Sign")
    PRINT = "print", _("Print a document")


class AuditOutcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")
    NOT_FOUND = "not-found", _("Not found")
    INVALID = "invalid", _("Invalid request")
