"""The device gateway's writes: bind a device to a patient, and ingest what devices send.

Topic of a reading: `tbib/<unit code>/<device serial>/<characteristic>` with the raw bytes of
the characteristic as payload. A reading goes into the open encounter (today, not signed) of
the patient the device is bound to, as "from a connected device", through the same validation
as typed values; anything that cannot be placed is kept as a quarantined reading with the
reason, never dropped.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import (
    AccessContext,
    AccessDenied,
    audit,
    check_patient_write,
    read_patient,
)
from tbib.clinical.choices import EncounterStatus, ObservationSource
from tbib.clinical.models import Encounter
from tbib.clinical.services import update_encounter
from tbib.core.errors import Conflict
from tbib.devices import ecg, gatt, mapping
from tbib.devices.models import DeviceBinding, DeviceReading, EcgStrip, ReadingStatus
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


def _reject(topic: str, payload: bytes, reason: str, device: Device | None) -> DeviceReading:
    return DeviceReading.objects.create(
        device=device,
        topic=topic[:200],
        payload_hex=payload.hex(),
        status=ReadingStatus.REJECTED,
        reason=reason[:300],
    )


def ingest(topic: str, payload: bytes) -> DeviceReading:
    """Decode a device's message and record it in the bound patient's open encounter."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != "tbib":
        return _reject(topic, payload, "Topic is not tbib/<unit>/<serial>/<characteristic>.", None)
    _prefix, unit_code, serial, characteristic = parts
    device = Device.objects.filter(serial=serial, unit__code=unit_code).first()
    if device is None:
        return _reject(topic, payload, f"Unknown device {serial!r} for unit {unit_code!r}.", None)
    try:
        reading = gatt.decode(characteristic, payload)
    except gatt.DecodeError as error:
        return _reject(topic, payload, str(error), device)
    values, missing = mapping.measurements(reading)
    if not values:
        return _reject(topic, payload, "; ".join(missing) or "No measurement in it.", device)
    binding = (
        DeviceBinding.objects.select_related("bound_by")
        .filter(device=device, released_at__isnull=True)
        .first()
    )
    if binding is None:
        return _reject(topic, payload, "The device is not bound to a patient.", device)
    encounter = (
        Encounter.objects.filter(
            patient_id=binding.patient_id,
            unit_id=device.unit_id,
            stop__status="open",
            status__in=[EncounterStatus.WAITING, EncounterStatus.IN_PROGRESS],
        )
        .order_by("-arrived_at")
        .first()
    )
    if encounter is None:
        return _reject(topic, payload, "The bound patient has no open encounter.", device)
    ctx = AccessContext(user=binding.bound_by, client_address=None)
    try:
        update_encounter(
            ctx=ctx,
            encounter_id=encounter.pk,
            measurements=values,
            source=ObservationSource.DEVICE,
        )
    except ValidationError as error:
        reason = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        return _reject(topic, payload, reason, device)
    except (Conflict, AccessDenied) as error:
        return _reject(topic, payload, str(error), device)
    return DeviceReading.objects.create(
        device=device,
        topic=topic,
        payload_hex=payload.hex(),
        status=ReadingStatus.ACCEPTED,
        reason="; ".join(missing),
        encounter=encounter,
    )


def record_ecg(
    *,
    ctx: AccessContext,
    encounter_id: uuid.UUID,
    lead: str,
    sampling_rate: int,
    samples: list[float],
) -> EcgStrip:
    """Store an ECG lead of an open encounter with NeuroKit2's analysis as assistant finding."""
    from tbib.access.scope import read_encounter
    from tbib.clinical.models import EncounterLocked

    encounter = read_encounter(ctx, encounter_id)
    check_patient_write(ctx, action=AuditAction.UPDATE, unit_id=encounter.unit_id,
                        patient_id=encounter.patient_id)  # fmt: skip
    if encounter.is_locked:
        raise EncounterLocked()
    try:
        finding = ecg.analyse(samples, sampling_rate)
    except ecg.EcgError as error:
        raise ValidationError({"samples": [str(error)]}) from error
    with transaction.atomic():
        strip = EcgStrip.objects.create(
            encounter=encounter,
            lead=lead,
            sampling_rate=sampling_rate,
            sampled_data=ecg.sampled_data(samples, sampling_rate, lead),
            finding=finding.as_dict(),
            recorded_by=ctx.user,
        )
        audit(
            ctx,
            action=AuditAction.CREATE,
            resource_type="EcgStrip",
            resource_id=str(strip.pk),
            patient_id=encounter.patient_id,
            outcome=AuditOutcome.ALLOWED,
        )
    return strip
