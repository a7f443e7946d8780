"""The unit's devices and which patient each is measuring."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.scope import AccessContext, audit
from tbib.accounts.models import User
from tbib.core.schemas import ErrorOut
from tbib.devices.models import DeviceBinding, DeviceReading
from tbib.devices.services import bind_device, quarantine, record_ecg, resolve_reading
from tbib.network.models import Device

router = Router(tags=["devices"])


def _ctx(request: HttpRequest) -> AccessContext:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return AccessContext.from_request(request, user)


class DeviceOut(Schema):
    serial: str
    kind: str
    manufacturer: str
    model: str
    bound_patient_id: uuid.UUID | None


class BindingIn(Schema):
    serial: str = Field(max_length=64)
    patient_id: uuid.UUID


class BindingOut(Schema):
    id: uuid.UUID
    serial: str
    patient_id: uuid.UUID
    created_at: datetime.datetime

    @staticmethod
    def resolve_serial(obj: DeviceBinding) -> str:
        return obj.device.serial


@router.get("", response=list[DeviceOut], summary="My unit's devices and their bindings")
def devices(request: HttpRequest) -> list[dict[str, object]]:
    ctx = _ctx(request)
    user = ctx.user
    # Which patient wears which device is patient data: the listing is audited.
    audit(ctx, action=AuditAction.SEARCH, resource_type="DeviceBinding",
          outcome=AuditOutcome.ALLOWED, detail="unit devices")  # fmt: skip
    bound = dict(
        DeviceBinding.objects.filter(
            device__unit_id=user.unit_id, released_at__isnull=True
        ).values_list("device_id", "patient_id")
    )
    return [
        {
            "serial": device.serial,
            "kind": device.kind,
            "manufacturer": device.manufacturer,
            "model": device.model,
            "bound_patient_id": bound.get(device.pk),
        }
        for device in Device.objects.filter(unit_id=user.unit_id)
    ]


@router.post(
    "/bindings",
    response={201: BindingOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Bind a device to a patient: its readings go to the patient's open encounter",
)
def bind(request: HttpRequest, payload: BindingIn) -> tuple[int, DeviceBinding]:
    return 201, bind_device(ctx=_ctx(request), serial=payload.serial, patient_id=payload.patient_id)


LEAD_PATTERN = "^(I|II|III|aVR|aVL|aVF|V[1-6])$"


class EcgIn(Schema):
    """One lead (`lead` and `samples`) or a recording of several (`leads`), in millivolts."""

    encounter_id: uuid.UUID
    sampling_rate: int = Field(ge=100, le=2000, description="samples per second")
    lead: str = Field(default="II", pattern=LEAD_PATTERN)
    samples: list[float] | None = Field(default=None, min_length=1, max_length=120_000)
    leads: dict[str, list[float]] | None = Field(
        default=None, min_length=1, max_length=12, description="lead name → samples (mV)"
    )


class EcgOut(Schema):
    recording_id: uuid.UUID
    leads: list[str]
    sampling_rate: int
    finding: dict[str, object]


@router.post(
    "/ecg",
    response={201: EcgOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Record an ECG (one lead or twelve) in an open encounter; returns the analysis",
)
def ecg(request: HttpRequest, payload: EcgIn) -> tuple[int, dict[str, object]]:
    if (payload.samples is None) == (payload.leads is None):
        raise ValidationError({"samples": ["Send either lead and samples, or leads."]})
    leads = payload.leads or {payload.lead: payload.samples or []}
    if any(len(samples) > 120_000 for samples in leads.values()):
        raise ValidationError({"leads": ["At most 120,000 samples per lead."]})
    strips = record_ecg(
        ctx=_ctx(request),
        encounter_id=payload.encounter_id,
        sampling_rate=payload.sampling_rate,
        leads=leads,
    )
    analysed = next(strip for strip in strips if strip.finding)
    return 201, {
        "recording_id": analysed.recording_id,
        "leads": [strip.lead for strip in strips],
        "sampling_rate": analysed.sampling_rate,
        "finding": analysed.finding,
    }


class ReadingOut(Schema):
    id: uuid.UUID
    topic: str
    payload_hex: str
    status: str
    reason: str
    received_at: datetime.datetime = Field(alias="created_at")
    resolution: str


@router.get(
    "/quarantine",
    response=list[ReadingOut],
    summary="The unit's device readings that could not be placed in a visit (newest first)",
)
def list_quarantine(request: HttpRequest) -> list[DeviceReading]:
    return list(quarantine(_ctx(request), listing=True)[:500])


class ResolutionIn(Schema):
    action: str = Field(pattern="^(retry|dismiss)$")
    note: str = Field(default="", max_length=300)


@router.post(
    "/readings/{reading_id}/resolve",
    response={200: ReadingOut, 404: ErrorOut, 422: ErrorOut},
    summary="Retry a quarantined reading (after binding the device) or dismiss it with a reason",
)
def resolve(request: HttpRequest, reading_id: uuid.UUID, payload: ResolutionIn) -> DeviceReading:
    return resolve_reading(
        ctx=_ctx(request), reading_id=reading_id, action=payload.action, note=payload.note
    )
