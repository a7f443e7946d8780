"""Data quality: what a coordinator should chase, within what they may supervise.

Each function answers one grouped or filtered query and returns the facts needed to act
(which unit, since when, how late), never a patient's identity: encounter and case ids lead
to the record through the audited access layer.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from tbib.accounts.models import User
from tbib.clinical.choices import EncounterStatus
from tbib.clinical.models import Encounter
from tbib.devices.models import DeviceReading, ReadingStatus
from tbib.supervision.scope import NATION, Scope, narrow, scope_of
from tbib.sync.models import Peer
from tbib.teleexpertise.choices import CaseStatus
from tbib.teleexpertise.models import Case

# An edge syncs every few minutes when it has a network; two days without one means the
# unit is out of coverage or its edge is down, and its records are not at the hub.
SYNC_OVERDUE = datetime.timedelta(hours=48)
# Encounters are signed the day they are seen: one still open a day after arrival was
# forgotten (or the stop closed without its GP's signature).
UNSIGNED_AFTER = datetime.timedelta(hours=24)
# A case waits in the queue, or with the specialist who claimed it.
OPEN_CASE_STATUSES = (CaseStatus.QUEUED, CaseStatus.CLAIMED)


@dataclass(frozen=True)
class StaleSync:
    unit: str
    unit_name: str
    province: str
    region: str
    nodes: int
    last_sync_at: datetime.datetime | None  # None: enrolled, never synced


@dataclass(frozen=True)
class UnsignedEncounter:
    encounter: str
    unit: str
    stop_date: datetime.date
    commune: str
    status: str
    arrived_at: datetime.datetime
    opened_by: str


@dataclass(frozen=True)
class LateCase:
    case: str
    unit: str
    specialty: str
    urgency: str
    status: str
    queued_at: datetime.datetime | None
    due_at: datetime.datetime | None
    escalation_level: int


@dataclass(frozen=True)
class QuarantinedDevice:
    serial: str  # the device's serial, or the MQTT topic when the device is unknown
    kind: str
    unit: str
    readings: int
    first_at: datetime.datetime
    last_at: datetime.datetime


def _within(viewer: User, scope: Scope | None) -> Scope:
    return scope_of(viewer) if scope is None else narrow(viewer, scope.level, scope.code)


def stale_syncs(
    viewer: User, *, scope: Scope | None = None, now: datetime.datetime | None = None
) -> list[StaleSync]:
    """Units whose edge has not synced with the hub for SYNC_OVERDUE (or never has), by the
    hub's record of each enrolled edge (`sync.Peer.last_seen_at`), the oldest first. Units
    working on the hub directly have no edge and never appear."""
    cutoff = (now or timezone.now()) - SYNC_OVERDUE
    rows = (
        Peer.objects.filter(_within(viewer, scope).units())
        .order_by()
        .values("unit__code", "unit__name", "unit__province_id", "unit__province__region_id")
        .annotate(nodes=Count("pk"), last=Max("last_seen_at"))
        .filter(Q(last__lt=cutoff) | Q(last__isnull=True))
        .order_by(F("last").asc(nulls_first=True), "unit__code")
    )
    return [
        StaleSync(r["unit__code"], r["unit__name"], r["unit__province_id"],
                  r["unit__province__region_id"], r["nodes"], r["last"])
        for r in rows
    ]  # fmt: skip


def unsigned_encounters(
    viewer: User, *, scope: Scope | None = None, now: datetime.datetime | None = None
) -> list[UnsignedEncounter]:
    """Encounters still waiting or in progress UNSIGNED_AFTER their arrival, oldest first."""
    cutoff = (now or timezone.now()) - UNSIGNED_AFTER
    rows = (
        Encounter.objects.filter(
            _within(viewer, scope).units(),
            status__in=[EncounterStatus.WAITING, EncounterStatus.IN_PROGRESS],
            arrived_at__lt=cutoff,
        )
        .order_by("arrived_at", "pk")
        .values("pk", "unit__code", "stop__date", "stop__commune__name_fr", "status",
                "arrived_at", "created_by__username")
    )  # fmt: skip
    return [
        UnsignedEncounter(str(r["pk"]), r["unit__code"], r["stop__date"],
                          r["stop__commune__name_fr"], r["status"], r["arrived_at"],
                          r["created_by__username"])
        for r in rows
    ]  # fmt: skip


def late_cases(
    viewer: User, *, scope: Scope | None = None, now: datetime.datetime | None = None
) -> list[LateCase]:
    """Cases queued or claimed whose answer is overdue (past `sla_due_at`, or escalated),
    most overdue first."""
    now = now or timezone.now()
    rows = (
        Case.objects.filter(_within(viewer, scope).units(), status__in=OPEN_CASE_STATUSES)
        .filter(Q(sla_due_at__lt=now) | Q(escalation_level__gt=0))
        .order_by("queued_at", "pk")
        .values("pk", "unit__code", "specialty_id", "urgency", "status", "queued_at",
                "sla_due_at", "escalation_level")
    )  # fmt: skip
    return [
        LateCase(str(r["pk"]), r["unit__code"], r["specialty_id"], r["urgency"], r["status"],
                 r["queued_at"], r["sla_due_at"], r["escalation_level"])
        for r in rows
    ]  # fmt: skip


def quarantined_devices(viewer: User, *, scope: Scope | None = None) -> list[QuarantinedDevice]:
    """Devices with readings still in quarantine (neither retried nor dismissed), the most
    readings first. Readings of an unknown serial are grouped by topic
    (`tbib/<unit>/<serial>/<characteristic>`) and shown to national staff only: nothing in
    the database ties them to a unit."""
    within = _within(viewer, scope)
    pending = DeviceReading.objects.filter(status=ReadingStatus.REJECTED).order_by()
    columns: dict[str, Any] = {
        "readings": Count("pk"), "first_at": Min("created_at"), "last_at": Max("created_at")
    }  # fmt: skip
    known = (
        pending.filter(within.units("device__unit"), device__isnull=False)
        .values("device__serial", "device__kind", "device__unit__code")
        .annotate(**columns)
    )
    rows = [
        QuarantinedDevice(r["device__serial"], r["device__kind"], r["device__unit__code"],
                          r["readings"], r["first_at"], r["last_at"])
        for r in known
    ]  # fmt: skip
    if within == NATION:
        unknown = pending.filter(device__isnull=True).values("topic").annotate(**columns)
        rows += [
            QuarantinedDevice(r["topic"], "", "", r["readings"], r["first_at"], r["last_at"])
            for r in unknown
        ]
    return sorted(rows, key=lambda row: (-row.readings, row.unit, row.serial))
