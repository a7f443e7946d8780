"""Who sees which indicators: unit staff their unit, a regional coordinator their region,
national staff everything; specialists nothing."""

from __future__ import annotations

import pytest

from tbib.accounts.choices import UserRole
from tbib.supervision.choices import Level
from tbib.supervision.indicators import indicator_table, indicators
from tbib.supervision.period import Period
from tbib.supervision.scope import NATION, OutOfScope, Scope, narrow, scope_of
from tests.factories import UserFactory, regional_coordinator, specialist, unit_staff
from tests.supervision.conftest import October

pytestmark = pytest.mark.django_db
OCTOBER = Period.month(2026, 10)


def test_the_widest_scope_follows_the_place() -> None:
    assert scope_of(unit_staff(UserRole.NURSE, "midelt-1")) == Scope(Level.UNIT, "midelt-1")
    assert scope_of(regional_coordinator("08")) == Scope(Level.REGION, "08")
    for role in (UserRole.NATIONAL_COORDINATOR, UserRole.PLANNER, UserRole.ADMINISTRATOR):
        assert scope_of(UserFactory(role=role)) == NATION
    with pytest.raises(OutOfScope, match="^Your role gives no access"):
        scope_of(specialist("cardiology"))


def test_a_regional_coordinator_sees_only_their_region(october: October) -> None:
    coordinator = regional_coordinator("08")
    rows = indicator_table(coordinator, OCTOBER, by=Level.UNIT)
    assert {row.code for row in rows} == {
        "midelt-1", "midelt-2", "ouarzazate-1", "ouarzazate-2", "zagora-1"
    }  # fmt: skip
    assert indicators(coordinator, OCTOBER).consultations == 6  # figuig-1's 1 left out
    assert narrow(coordinator, Level.PROVINCE, "08.363") == Scope(Level.PROVINCE, "08.363")
    for level, code in [(Level.REGION, "02"), (Level.PROVINCE, "02.251"),
                        (Level.UNIT, "figuig-1"), (Level.NATION, "")]:  # fmt: skip
        with pytest.raises(OutOfScope):
            indicators(coordinator, OCTOBER, scope=Scope(level, code))


def test_unit_staff_see_their_unit_only(october: October) -> None:
    nurse = unit_staff(UserRole.NURSE, "midelt-1")
    assert [row.code for row in indicator_table(nurse, OCTOBER, by=Level.UNIT)] == ["midelt-1"]
    with pytest.raises(OutOfScope, match="wider than what you may see"):
        indicators(nurse, OCTOBER, scope=Scope(Level.PROVINCE, "08.363"))
    with pytest.raises(OutOfScope, match="^No unit 'midelt-2' in your scope.$"):
        indicators(nurse, OCTOBER, scope=Scope(Level.UNIT, "midelt-2"))


def test_national_staff_may_narrow_anywhere(october: October) -> None:
    planner = UserFactory(role=UserRole.PLANNER)
    assert indicators(planner, OCTOBER, scope=Scope(Level.REGION, "02")).consultations == 1
    assert indicators(planner, OCTOBER).consultations == 7
    with pytest.raises(OutOfScope):
        narrow(planner, Level.UNIT, "no-such-unit")


def test_reading_aggregates_writes_no_audit_event(october: October) -> None:
    from tbib.access.models import AuditEvent

    before = AuditEvent.objects.count()
    indicators(regional_coordinator("08"), OCTOBER)
    assert AuditEvent.objects.count() == before
