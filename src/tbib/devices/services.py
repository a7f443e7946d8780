"""The device gateway's writes: bind a device to a patient, and ingest what devices send.

Topic of a reading: `tbib/<unit code>/<device serial>/<characteristic>` with the raw bytes of
the characteristic as payload. A reading goes into the open encounter (today, not signed) of
the patient the device is bound to, as "from a connected device", through the same validation
as typed values; anything that cannot be placed is kept as a quarantined reading with the
reason, never dropped.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import (
    AccessContext,
    AccessDenied,
    RecordNotFound,
    audit,
    check_patient_write,
    read_patient,
)
from tbib.accounts.models import User
from tbib.clinical.choices import EncounterStatus, ObservationSource
from tbib.clinical.codes import MEASURES
from tbib.clinical.models import Encounter, EncounterLocked, Observation
from tbib.clinical.vitals import clean_measurements
from tbib.core.bulk import insert_rows
from tbib.core.errors import Conflict
from tbib.core.models import new_id
from tbib.devices import ecg, gatt, mapping
from tbib.devices.models import LEADS, DeviceBinding, DeviceReading, EcgStrip, ReadingStatus
from tbib.network.models import Device


def bind_device(*, ctx: AccessContext, serial: str, patient_id: uuid.UUID) -> DeviceBinding:
    """The nurse puts the cuff on this patient: the device's readings go to their encounter."""
    patient = read_patient(ctx, patient_id)
    check_patient_write(ctx, action=AuditAction.UPDATE, unit_id=patient.unit_id,
                        patient_id=patient.pk)  # fmt: skip
    device = Device.objects.filter(serial=serial, unit_id=ctx.user.unit_id).first()
    if device is None:
        raise AccessDenied(f"No device {serial!r} on board your unit.")
    with transaction.atomic():
        DeviceBinding.objects.filter(device=device, released_at__isnull=True).update(
            released_at=timezone.now()
        )
        try:
            return DeviceBinding.objects.create(device=device, patient=patient, bound_by=ctx.user)
        except IntegrityError as error:  # a concurrent binding won
            raise Conflict("This device was bound meanwhile; try again.") from error


@dataclass(frozen=True)
class Incoming:
    """A message as the broker delivered it; `reading_id` is the bridge's id, if it sends one."""

    topic: str
    payload: bytes
    reading_id: str = ""

    @property
    def key(self) -> str:
        basis = self.reading_id or self.payload.hex()
        return hashlib.sha256(f"{self.topic}\n{basis}".encode()).hexdigest()


class _Placement(NamedTuple):
    """Where a message goes: the encounter and its values, or the reason it cannot go."""

    device: Device | None
    encounter: Encounter | None
    values: dict[str, Decimal]
    note: str


class _Batch:
    """Lookups shared by the messages of one batch (devices, bindings, open encounters)."""

    def __init__(self) -> None:
        self.devices: dict[tuple[str, str], Device | None] = {}
        self.targets: dict[uuid.UUID, tuple[DeviceBinding | None, Encounter | None]] = {}

    def device(self, unit_code: str, serial: str) -> Device | None:
        if (unit_code, serial) not in self.devices:
            self.devices[unit_code, serial] = Device.objects.filter(
                serial=serial, unit__code=unit_code
            ).first()
        return self.devices[unit_code, serial]

    def target(self, device: Device) -> tuple[DeviceBinding | None, Encounter | None]:
        if device.pk not in self.targets:
            binding = (
                DeviceBinding.objects.select_related("bound_by")
                .filter(device=device, released_at__isnull=True)
                .first()
            )
            encounter = None
            if binding is not None:
                # Locked for the batch: a signature cannot slip in between check and insert.
                encounter = (
                    Encounter.objects.select_for_update(of=("self",))
                    .select_related("patient")
                    .filter(
                        patient_id=binding.patient_id,
                        unit_id=device.unit_id,
                        stop__status="open",
                        status__in=[EncounterStatus.WAITING, EncounterStatus.IN_PROGRESS],
                    )
                    .order_by("-arrived_at")
                    .first()
                )
            self.targets[device.pk] = (binding, encounter)
        return self.targets[device.pk]


def _place(message: Incoming, batch: _Batch) -> _Placement:
    parts = message.topic.split("/")
    if len(parts) != 4 or parts[0] != "tbib":
        return _Placement(None, None, {}, "Topic is not tbib/<unit>/<serial>/<characteristic>.")
    _prefix, unit_code, serial, characteristic = parts
    device = batch.device(unit_code, serial)
    if device is None:
        return _Placement(None, None, {}, f"Unknown device {serial!r} for unit {unit_code!r}.")
    if characteristic.upper() == "ECG":
        return _ingest_ecg(message, batch, device)
    try:
        reading = gatt.decode(characteristic, message.payload)
    except gatt.DecodeError as error:
        return _Placement(device, None, {}, str(error))
    found, missing = mapping.measurements(reading)
    if not found:
        return _Placement(device, None, {}, "; ".join(missing) or "No measurement in it.")
    _binding, encounter, reason = _target(batch, device)
    if encounter is None:
        return _Placement(device, None, {}, reason)
    values, errors = clean_measurements(found, sex=encounter.patient.sex)
    if errors:
        reason = "; ".join(f"vitals.{key}: {text}" for key, text in errors.items())
        return _Placement(device, None, {}, reason)
    return _Placement(device, encounter, values, "; ".join(missing))


def _target(batch: _Batch, device: Device) -> tuple[DeviceBinding | None, Encounter | None, str]:
    """The device's binding and open encounter, or why there is none."""
    binding, encounter = batch.target(device)
    if binding is None:
        return None, None, "The device is not bound to a patient."
    if encounter is None:
        return binding, None, "The bound patient has no open encounter."
    return binding, encounter, ""


def _observations(
    encounter: Encounter, values: dict[str, Decimal], now: datetime.datetime
) -> list[dict[str, object]]:
    return [
        {
            "id": new_id(),
            "encounter_id": encounter.pk,
            "key": key,
            "loinc": MEASURES[key].loinc,
            "value": value,
            "unit": MEASURES[key].ucum,
            "source": ObservationSource.COMPUTED if key == "bmi" else ObservationSource.DEVICE,
            "effective_at": now,
        }
        for key, value in values.items()
    ]


def _audit_device_writes(batch: _Batch, counts: Counter[uuid.UUID]) -> None:
    for binding, encounter in batch.targets.values():
        if binding is None or encounter is None or not counts[encounter.pk]:
            continue
        audit(
            AccessContext(user=binding.bound_by, client_address=None),
            action=AuditAction.UPDATE,
            resource_type="Encounter",
            resource_id=str(encounter.pk),
            patient_id=encounter.patient_id,
            outcome=AuditOutcome.ALLOWED,
            detail=f"{counts[encounter.pk]} device reading(s) recorded",
        )


class Ingested(NamedTuple):
    topic: str
    status: str
    reason: str
    duplicate: bool  # already recorded: a redelivery, nothing written


def ingest(topic: str, payload: bytes, reading_id: str = "") -> DeviceReading:
    """Decode one device message and record it in the bound patient's open encounter."""
    message = Incoming(topic, payload, reading_id)
    ingest_batch([message])
    return DeviceReading.objects.get(message_key=message.key)


def ingest_batch(messages: Sequence[Incoming]) -> list[Ingested]:
    """Record a batch of device messages in one transaction, each exactly once.

    A message already recorded (the broker redelivered it after a restart) writes nothing.
    Each placed reading adds its observations to the bound patient's open encounter "from a
    connected device", through the same validation as typed values; anything else is
    quarantined with its reason, never dropped. Rows go in with `executemany` (core.bulk):
    the gateway must keep up with a unit's devices on a laptop.
    """
    batch = _Batch()
    received = timezone.now()
    with transaction.atomic():
        keys = [message.key for message in messages]
        known = dict(
            DeviceReading.objects.filter(message_key__in=keys).values_list("message_key", "status")
        )
        observations: list[dict[str, object]] = []
        rows: list[dict[str, object]] = []
        counts: Counter[uuid.UUID] = Counter()
        results = []
        for message, key in zip(messages, keys, strict=True):
            if key in known:
                results.append(Ingested(message.topic, known[key], "", True))
                continue
            placed = _place(message, batch)
            status = ReadingStatus.ACCEPTED if placed.encounter else ReadingStatus.REJECTED
            if placed.encounter is not None:
                observations += _observations(placed.encounter, placed.values, received)
                counts[placed.encounter.pk] += 1
            known[key] = status
            rows.append(
                {
                    "id": new_id(),
                    "message_key": key,
                    "device_id": placed.device.pk if placed.device else None,
                    "topic": message.topic[:200],
                    "payload_hex": message.payload.hex(),
                    "status": status,
                    "reason": placed.note[:300],
                    "encounter_id": placed.encounter.pk if placed.encounter else None,
                    "resolution": "",
                }
            )
            results.append(Ingested(message.topic, status, placed.note[:300], False))
        insert_rows(Observation, observations)
        insert_rows(DeviceReading, rows)
        _audit_device_writes(batch, counts)
    return results


def quarantine(ctx: AccessContext, *, listing: bool = False) -> QuerySet[DeviceReading]:
    """The unit's readings that could not be placed and are not resolved yet (a `listing`
    shown to the user is audited: readings are measurements of people)."""
    if listing:
        audit(ctx, action=AuditAction.SEARCH, resource_type="DeviceReading",
              outcome=AuditOutcome.ALLOWED, detail="quarantine")  # fmt: skip
    return DeviceReading.objects.filter(
        status=ReadingStatus.REJECTED, device__unit_id=ctx.user.unit_id
    ).select_related("device")


def resolve_reading(
    *, ctx: AccessContext, reading_id: uuid.UUID, action: str, note: str = ""
) -> DeviceReading:
    """Retry a quarantined reading (after binding the device, say) or dismiss it with a reason."""
    reading = quarantine(ctx).filter(pk=reading_id).first()
    if reading is None:
        raise RecordNotFound("No quarantined reading with this id for your unit.")
    if action == "dismiss" and not note.strip():
        raise ValidationError({"note": ["Say why the reading is dismissed."]})
    if action not in ("retry", "dismiss"):
        raise ValidationError({"action": ["Choose retry or dismiss."]})
    batch = _Batch()
    with transaction.atomic():
        if action == "retry":
            message = Incoming(reading.topic, bytes.fromhex(reading.payload_hex))
            placed = _place(message, batch)
            if placed.encounter is None:
                reading.reason = placed.note[:300]
                reading.save(update_fields=["reason", "updated_at"])
                return reading
            insert_rows(Observation, _observations(placed.encounter, placed.values, timezone.now()))
            _audit_device_writes(batch, Counter({placed.encounter.pk: 1}))
            reading.status, reading.encounter = ReadingStatus.ACCEPTED, placed.encounter
        else:
            reading.status = ReadingStatus.DISMISSED
        reading.resolved_by, reading.resolved_at = ctx.user, timezone.now()
        reading.resolution = (note.strip() or "retried")[:300]
        reading.save()
        audit(
            ctx,
            action=AuditAction.UPDATE,
            resource_type="DeviceReading",
            resource_id=str(reading.pk),
            outcome=AuditOutcome.ALLOWED,
            detail=f"{action}: {reading.resolution}",
        )
    return reading


def record_ecg(
    *,
    ctx: AccessContext,
    encounter_id: uuid.UUID,
    sampling_rate: int,
    leads: Mapping[str, Sequence[float]],
) -> list[EcgStrip]:
    """Store an ECG recording (one lead or twelve) of an open encounter, with NeuroKit2's
    analysis of its rhythm lead as assistant finding."""
    from tbib.access.scope import read_encounter

    encounter = read_encounter(ctx, encounter_id)
    check_patient_write(ctx, action=AuditAction.UPDATE, unit_id=encounter.unit_id,
                        patient_id=encounter.patient_id)  # fmt: skip
    if encounter.is_locked:
        raise EncounterLocked()
    with transaction.atomic():
        strips = _store_ecg(encounter, ctx.user, sampling_rate, leads)
        audit(
            ctx,
            action=AuditAction.CREATE,
            resource_type="EcgStrip",
            resource_id=str(strips[0].recording_id),
            patient_id=encounter.patient_id,
            outcome=AuditOutcome.ALLOWED,
            detail=f"{len(strips)} lead(s)",
        )
    return strips


def rhythm_lead(leads: Mapping[str, object]) -> str:
    """The lead analysed for rate and rhythm: II, as on a standard rhythm strip, else the first."""
    return "II" if "II" in leads else next(iter(leads))


def _store_ecg(
    encounter: Encounter, user: User, sampling_rate: int, leads: Mapping[str, Sequence[float]]
) -> list[EcgStrip]:
    """Validate, analyse and save a recording; ValidationError names the field at fault."""
    if not leads:
        raise ValidationError({"leads": ["Send at least one lead."]})
    unknown = [name for name in leads if name not in LEADS]
    if unknown:
        raise ValidationError({"leads": [f"Unknown lead(s): {', '.join(unknown)}."]})
    if len({len(samples) for samples in leads.values()}) > 1:
        raise ValidationError({"leads": ["All leads of a recording have the same length."]})
    analysed = rhythm_lead(leads)
    try:
        finding = ecg.analyse(list(leads[analysed]), sampling_rate)
    except ecg.EcgError as error:
        field = "samples" if len(leads) == 1 else f"leads.{analysed}"
        raise ValidationError({field: [str(error)]}) from error
    recording = new_id()
    return [
        EcgStrip.objects.create(
            encounter=encounter,
            recording_id=recording,
            lead=name,
            sampling_rate=sampling_rate,
            sampled_data=ecg.sampled_data(list(samples), sampling_rate, name),
            finding=finding.as_dict() if name == analysed else {},
            recorded_by=user,
        )
        for name, samples in sorted(leads.items(), key=lambda item: LEADS.index(item[0]))
    ]


def _ingest_ecg(message: Incoming, batch: _Batch, device: Device) -> _Placement:
    """An ECG from the unit's recorder: JSON {"sampling_rate": Hz, "leads": {name: [µV, …]}}."""
    binding, encounter, reason = _target(batch, device)
    if binding is None or encounter is None:
        return _Placement(device, None, {}, reason)
    placed = _Placement(device, encounter, {}, "")
    try:
        body = json.loads(message.payload)
        rate = int(body["sampling_rate"])
        leads = {str(k): [int(v) / 1000 for v in values] for k, values in body["leads"].items()}
        if not 100 <= rate <= 2000:
            raise ValueError("sampling_rate must be between 100 and 2000 per second")
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        return placed._replace(encounter=None, note=f"ECG: unreadable recording ({error}).")
    try:
        with transaction.atomic():
            strips = _store_ecg(encounter, binding.bound_by, rate, leads)
    except ValidationError as error:
        reason = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        return placed._replace(encounter=None, note=f"ECG: {reason}")
    return placed._replace(note=f"ECG recording {strips[0].recording_id}, {len(strips)} lead(s)")
