"""Which part of the network a user may supervise: their unit, their region, or the nation.

Supervision reads aggregates, never a patient's record, so it follows the user's *place*
(`User.place_level`, the same fields the patient-access layer `tbib.access.scope` reads)
rather than the patient scope: planners and administrators reach no patient but do see the
national figures. Specialists work on cases, not on the network, and supervise nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from tbib.accounts.choices import UNIT_ROLES, PlaceLevel, UserRole
from tbib.accounts.models import User
from tbib.geo.models import Province, Region
from tbib.network.models import MobileUnit
from tbib.supervision.choices import LEVEL_ORDER, NATION_CODE, Level

SUPERVISING_ROLES = frozenset(
    {
        *UNIT_ROLES,
        UserRole.REGIONAL_COORDINATOR,
        UserRole.NATIONAL_COORDINATOR,
        UserRole.PLANNER,
        UserRole.ADMINISTRATOR,
    }
)

# How each level is reached from a mobile unit (`unit__...` lookups are built on this).
_UNIT_FIELD = {
    Level.UNIT: "code",
    Level.PROVINCE: "province_id",
    Level.REGION: "province__region_id",
}


class OutOfScope(Exception):
    """The user may not see indicators of this part of the network (or of any part)."""


@dataclass(frozen=True)
class Scope:
    """A part of the network: one unit, province, region (by code), or the whole nation."""

    level: Level
    code: str

    def units(self, path: str = "unit") -> Q:
        """The filter of rows whose unit (reached through `path`; "" for units themselves)
        lies in this scope."""
        if self.level == Level.NATION:
            return Q()
        field = group_field(self.level, path)
        assert field is not None
        return Q(**{field: self.code})


NATION = Scope(Level.NATION, NATION_CODE)


def group_field(level: Level, path: str = "unit") -> str | None:
    """The lookup that names a row's group at `level` (None for the nation: one group)."""
    if level == Level.NATION:
        return None
    return f"{path}__{_UNIT_FIELD[level]}" if path else _UNIT_FIELD[level]


def can_supervise(user: User) -> bool:
    return user.is_active and user.role in SUPERVISING_ROLES


def scope_of(user: User) -> Scope:
    """The widest scope the user may see: unit staff their unit, a regional coordinator their
    region, national coordinators, planners and administrators the nation."""
    if not can_supervise(user):
        raise OutOfScope("Your role gives no access to supervision indicators.")
    if user.place_level == PlaceLevel.UNIT:
        return Scope(Level.UNIT, str(user.unit.code))  # type: ignore[union-attr]
    if user.place_level == PlaceLevel.REGION:
        return Scope(Level.REGION, str(user.region_id))
    return NATION


def narrow(user: User, level: Level | str, code: str = "") -> Scope:
    """The scope `level`/`code` if the user may see it, else OutOfScope (unknown codes too,
    so that codes outside one's scope cannot be probed)."""
    level = Level(level)
    widest = scope_of(user)
    if level == Level.NATION:
        if widest != NATION:
            raise OutOfScope("Only national staff see national indicators.")
        return NATION
    if LEVEL_ORDER.index(level) > LEVEL_ORDER.index(widest.level):
        raise OutOfScope(f"A {level.value} is wider than what you may see.")
    if level == Level.UNIT:
        found = MobileUnit.objects.filter(Q(code=code) & widest.units(path="")).exists()
    elif level == Level.PROVINCE:
        provinces = Province.objects.filter(code=code)
        if widest.level == Level.REGION:
            provinces = provinces.filter(region_id=widest.code)
        found = provinces.exists()
    else:
        found = (widest == NATION or widest.code == code) and Region.objects.filter(
            code=code
        ).exists()
    if not found:
        raise OutOfScope(f"No {level.value} {code!r} in your scope.")
    return Scope(level, code)
