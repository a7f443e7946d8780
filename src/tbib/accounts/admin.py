from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from tbib.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "unit",
        "region",
        "specialty",
        "is_active",
    )
    list_filter = ("role", "is_active", "region")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Role and place"), {"fields": ("role", "unit", "region", "specialty", "language")}),
    )
    add_fieldsets = (
        *(DjangoUserAdmin.add_fieldsets or ()),
        (_("Role and place"), {"fields": ("role", "unit", "region", "specialty")}),
    )
