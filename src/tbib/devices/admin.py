from django.contrib import admin

from tbib.devices.models import DeviceBinding, DeviceReading


@admin.register(DeviceReading)
class DeviceReadingAdmin(admin.ModelAdmin):
    """The data-quality trail of device messages; read-only: it records what happened."""

    list_display = ("created_at", "topic", "status", "reason")
    list_filter = ("status",)
    search_fields = ("topic", "reason")
    readonly_fields = ("device", "topic", "payload_hex", "status", "reason", "encounter")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(DeviceBinding)
class DeviceBindingAdmin(admin.ModelAdmin):
    list_display = ("created_at", "device", "patient", "bound_by", "released_at")
    raw_id_fields = ("device", "patient", "bound_by")
