from django.contrib import admin

from tbib.network.models import (
    Device,
    HealthFacility,
    Hub,
    MobileUnit,
    Specialty,
    TelemedicinePlatform,
)


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ("slug", "__str__")


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "region", "commune")
    list_filter = ("level",)
    autocomplete_fields = ("commune",)


@admin.register(TelemedicinePlatform)
class TelemedicinePlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "hub")
    filter_horizontal = ("specialties",)


class DeviceInline(admin.TabularInline):
    model = Device
    extra = 0


@admin.register(MobileUnit)
class MobileUnitAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "province",
        "home_commune",
        "regional_hub",
        "status",
        "is_pilot",
    )
    list_filter = ("status", "is_pilot", "province__region")
    search_fields = ("code", "name")
    autocomplete_fields = ("home_commune",)
    inlines = [DeviceInline]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("serial", "kind", "unit", "manufacturer", "model")
    list_filter = ("kind",)
    search_fields = ("serial",)


@admin.register(HealthFacility)
class HealthFacilityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "commune", "source", "osm_ref")
    list_filter = ("kind", "source")
    search_fields = ("name", "osm_ref")
    autocomplete_fields = ("commune",)
