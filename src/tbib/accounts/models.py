"""People who use Tbib, their role and their place in the network, and their API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tbib.accounts.choices import SECOND_FACTOR_ROLES, UNIT_ROLES, PlaceLevel, UserRole
from tbib.core.models import new_id
from tbib.geo.models import Region
from tbib.network.models import MobileUnit, Specialty


class User(AbstractUser):
    """A member of the network's staff, with one role and one place (unit, region, nation).

    The place is what the scoped-access layer (tbib.access) reads to decide what the user
    may see: a nurse sees her unit, a regional coordinator his region.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    role = models.CharField(_("role"), max_length=24, choices=UserRole.choices)
    unit = models.ForeignKey(
        MobileUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="team"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    specialty = models.ForeignKey(
        Specialty, on_delete=models.PROTECT, null=True, blank=True, related_name="specialists"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # When the account last changed. A sign-in does not count (Django saves last_login alone,
    # and auto_now moves only with a full save): staff's FHIR versions follow this field.
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_unit_roles_have_unit",
                condition=~models.Q(role__in=sorted(UNIT_ROLES)) | models.Q(unit__isnull=False),
            ),
            models.CheckConstraint(
                name="user_regional_coordinator_has_region",
                condition=~models.Q(role=UserRole.REGIONAL_COORDINATOR)
                | models.Q(region__isnull=False),
            ),
            models.CheckConstraint(
                name="user_specialist_has_specialty",
                condition=~models.Q(role=UserRole.SPECIALIST) | models.Q(specialty__isnull=False),
            ),
        ]

    @property
    def place_level(self) -> PlaceLevel:
        if self.role in UNIT_ROLES:
            return PlaceLevel.UNIT
        if self.role == UserRole.REGIONAL_COORDINATOR:
            return PlaceLevel.REGION
        return PlaceLevel.NATIONAL

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    def clean(self) -> None:
        super().clean()
        if self.role in UNIT_ROLES and self.unit_id is None:
            raise ValidationError({"unit": _("Unit staff must belong to a mobile unit.")})
        if self.role == UserRole.REGIONAL_COORDINATOR and self.region_id is None:
            raise ValidationError({"region": _("A regional coordinator needs a region.")})
        if self.role == UserRole.SPECIALIST and self.specialty_id is None:
            raise ValidationError({"specialty": _("A specialist needs a specialty.")})


class ApiToken(models.Model):
    """A bearer token issued by POST /api/auth/token.

    Only the SHA-256 digest is stored, so a copy of the database does not hand out sessions.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} token until {self.expires_at:%Y-%m-%d %H:%M}"
