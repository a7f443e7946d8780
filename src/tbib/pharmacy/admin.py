from django.contrib import admin

from tbib.pharmacy.models import Medicine, UnitStock


@admin.register(Medicine)
class MedicineAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "strength", "form", "atc")
    search_fields = ("code", "name", "atc")


@admin.register(UnitStock)
class UnitStockAdmin(admin.ModelAdmin):
    list_display = ("unit", "medicine", "quantity")
    list_filter = ("unit",)
    # Stock changes only through the ledger (pharmacy.services), never by hand here.
    readonly_fields = ("unit", "medicine", "quantity")
