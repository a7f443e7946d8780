from django.contrib import admin

from tbib.geo.models import (
    Arrondissement,
    Cercle,
    Commune,
    PrefectureOfArrondissements,
    Province,
    Region,
)


class _ReferenceAdmin(admin.ModelAdmin):
    """HCP reference data: read here, changed only by `tbib geo import`."""

    search_fields = ("code", "name_fr", "name_ar")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Region)
class RegionAdmin(_ReferenceAdmin):
    list_display = ("code", "name_fr", "name_ar", "population_2024")


@admin.register(Province)
class ProvinceAdmin(_ReferenceAdmin):
    list_display = ("code", "name_fr", "kind", "region", "population_2024")
    list_filter = ("region", "kind")


@admin.register(PrefectureOfArrondissements)
class PrefectureOfArrondissementsAdmin(_ReferenceAdmin):
    list_display = ("code", "name_fr", "province", "population_2024")


@admin.register(Cercle)
class CercleAdmin(_ReferenceAdmin):
    list_display = ("code", "name_fr", "province", "population_2024")
    list_filter = ("province__region",)


@admin.register(Commune)
class CommuneAdmin(_ReferenceAdmin):
    list_display = ("code", "name_fr", "name_ar", "kind", "province", "population_2024",
                    "distance_to_paved_road_km")  # fmt: skip
    list_filter = ("kind", "region")


@admin.register(Arrondissement)
class ArrondissementAdmin(_ReferenceAdmin):
    list_display = ("code", "name_fr", "commune", "prefecture", "population_2024")
