from django.contrib import admin
from django.http import HttpRequest

from tbib.access.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nobody adds, changes or deletes an event here."""

    list_display = ("at", "actor_username", "actor_role", "action", "resource_type", "outcome",
                    "client_address")  # fmt: skip
    list_filter = ("action", "outcome", "actor_role")
    search_fields = ("actor_username", "resource_id")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
