from django.contrib import admin

from tbib.tours.models import Stop


@admin.register(Stop)
class StopAdmin(admin.ModelAdmin):
    list_display = ("date", "unit", "commune", "village", "status")
    list_filter = ("status", "unit__province__region")
    search_fields = ("unit__code", "commune__name", "village")
    date_hierarchy = "date"
    raw_id_fields = ("commune",)
