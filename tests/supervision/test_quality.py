"""Data-quality lists: stale edges, unsigned encounters, late cases, quarantined devices."""

from __future__ import annotations

import datetime

import pytest

from tbib.accounts.choices import UserRole
from tbib.devices.models import DeviceReading, ReadingStatus
from tbib.geo.models import Commune
from tbib.network.models import Device
from tbib.supervision.quality import (
    LateCase,
    QuarantinedDevice,
    StaleSync,
    UnsignedEncounter,
    late_cases,
    quarantined_devices,
    stale_syncs,
    unsigned_encounters,
)
from tbib.supervision.scope import Level, OutOfScope, Scope
from tbib.sync.models import Peer
from tests.factories import UserFactory, encounter_at, regional_coordinator, stop_on, unit
from tests.supervision.conftest import ANEFGOU, October, at

pytestmark = pytest.mark.django_db
NOW = at(1, 12, month=11)  # 1 November 2026, noon


@pytest.fixture
def planner() -> object:
    return UserFactory(role=UserRole.PLANNER, username="planner-quality")


def test_units_not_synced_for_48_hours(planner: object) -> None:
    for node, code, seen in [
        ("edge-m1", "midelt-1", NOW - datetime.timedelta(hours=49)),
        ("edge-m1-old", "midelt-1", NOW - datetime.timedelta(days=20)),
        ("edge-m2", "midelt-2", NOW - datetime.timedelta(hours=47)),
        ("edge-f1", "figuig-1", None),
    ]:
        Peer.objects.create(node=node, unit=unit(code), token_hash=node, last_seen_at=seen)
    assert stale_syncs(planner, now=NOW) == [  # type: ignore[arg-type]
        StaleSync("figuig-1", unit("figuig-1").name, "02.251", "02", 1, None),
        # The latest of the unit's two edges decides.
        StaleSync("midelt-1", unit("midelt-1").name, "08.363", "08", 2,
                  NOW - datetime.timedelta(hours=49)),
    ]  # fmt: skip
    assert [s.unit for s in stale_syncs(regional_coordinator("02"), now=NOW)] == ["figuig-1"]


def test_encounters_left_unsigned(october: October, planner: object) -> None:
    recent = encounter_at(stop_on("figuig-1", NOW.date()), october.patients["P6"],
                          NOW - datetime.timedelta(hours=2), status="waiting")  # fmt: skip
    forgotten = october.encounters["m1-P3-19"]
    anefgou = Commune.objects.get(code=ANEFGOU).name_fr
    assert unsigned_encounters(planner, now=NOW) == [  # type: ignore[arg-type]
        UnsignedEncounter(str(forgotten.pk), "midelt-1", datetime.date(2026, 10, 19),
                          anefgou, "in-progress", at(19, 10), "gp-midelt-1"),
    ]  # fmt: skip
    later = NOW + datetime.timedelta(hours=23)
    listed = [e.encounter for e in unsigned_encounters(planner, now=later)]  # type: ignore[arg-type]
    assert listed == [str(forgotten.pk), str(recent.pk)]
    assert unsigned_encounters(regional_coordinator("02"), now=NOW) == []


def test_cases_breaching_their_sla(october: October, planner: object) -> None:
    (late,) = late_cases(planner, now=NOW)  # type: ignore[arg-type]
    assert late == LateCase(late.case, "ouarzazate-1", "dermatology", "urgent", "queued",
                            at(7, 10), at(7, 12), 0)  # fmt: skip
    assert late_cases(planner, now=at(7, 11, 59)) == []  # type: ignore[arg-type]
    assert late_cases(regional_coordinator("02"), now=NOW) == []
    with pytest.raises(OutOfScope):
        late_cases(regional_coordinator("02"), scope=Scope(Level.REGION, "08"))


def test_devices_in_quarantine(planner: object) -> None:
    oximeter = Device.objects.filter(unit=unit("midelt-1"), kind="pulse-oximeter").get()
    scale = Device.objects.filter(unit=unit("figuig-1"), kind="scale").get()
    for device, status, topic in [
        (oximeter, ReadingStatus.REJECTED, "tbib/midelt-1/x/2A5E"),
        (oximeter, ReadingStatus.REJECTED, "tbib/midelt-1/x/2A5E"),
        (oximeter, ReadingStatus.DISMISSED, "tbib/midelt-1/x/2A5E"),
        (scale, ReadingStatus.REJECTED, "tbib/figuig-1/y/2A9D"),
        (scale, ReadingStatus.ACCEPTED, "tbib/figuig-1/y/2A9D"),
        (None, ReadingStatus.REJECTED, "tbib/zagora-1/UNKNOWN/2A35"),
    ]:
        DeviceReading.objects.create(device=device, status=status, topic=topic, payload_hex="00",
                                     reason="Value out of range.")  # fmt: skip
    found = quarantined_devices(planner)  # type: ignore[arg-type]
    assert [(d.serial, d.kind, d.unit, d.readings) for d in found] == [
        (oximeter.serial, "pulse-oximeter", "midelt-1", 2),
        ("tbib/zagora-1/UNKNOWN/2A35", "", "", 1),
        (scale.serial, "scale", "figuig-1", 1),
    ]
    assert all(isinstance(d, QuarantinedDevice) and d.first_at <= d.last_at for d in found)
    assert [d.unit for d in quarantined_devices(regional_coordinator("08"))] == ["midelt-1"]
