"""The unit's devices screen: who each device is measuring, binding by scanning the patient's
QR code, and the quarantine of readings that could not be placed (retry or dismiss)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tbib.access.scope import AccessDenied
from tbib.clinical.views import _ctx, unit_staff_only
from tbib.core.errors import Conflict
from tbib.devices import gatt
from tbib.devices.models import DeviceBinding
from tbib.devices.services import bind_device, quarantine, resolve_reading
from tbib.network.models import Device
from tbib.patients.qr import PatientCodeError, patient_id_from_code


@unit_staff_only
def devices(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "bind":
                patient_id = patient_id_from_code(request.POST.get("patient_code", ""))
                bind_device(ctx=ctx, serial=request.POST.get("serial", ""), patient_id=patient_id)
                messages.success(
                    request, _("Device bound: its readings go to this patient's visit.")
                )  # noqa: E501
            else:
                reading = resolve_reading(
                    ctx=ctx,
                    reading_id=uuid.UUID(request.POST.get("reading", "")),
                    action=request.POST.get("action", ""),
                    note=request.POST.get("note", ""),
                )
                if reading.status == "rejected":
                    messages.error(request, _("Still not placed: %s") % reading.reason)
                else:
                    messages.success(request, _("Reading resolved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except (PatientCodeError, Conflict, AccessDenied, ValueError) as error:
            messages.error(request, str(error))
        return redirect("unit-devices")
    bindings = {
        b.device_id: b
        for b in DeviceBinding.objects.filter(
            device__unit_id=ctx.user.unit_id, released_at__isnull=True
        ).select_related("patient")
    }
    readings = list(quarantine(ctx, listing=True)[:200])
    for reading in readings:
        reading.decoded = _decoded(reading.topic, reading.payload_hex)  # type: ignore[attr-defined]
    return render(
        request,
        "devices/unit_devices.html",
        {
            "devices": [
                (device, bindings.get(device.pk))
                for device in Device.objects.filter(unit_id=ctx.user.unit_id).exclude(kind="camera")
            ],
            "readings": readings,
            "quarantined": quarantine(ctx).count(),
        },
    )


def _decoded(topic: str, payload_hex: str) -> str:
    """What the device said, for the nurse to judge (or why it cannot be read)."""
    characteristic = topic.rsplit("/", 1)[-1]
    try:
        reading = gatt.decode(characteristic, bytes.fromhex(payload_hex))
    except (gatt.DecodeError, ValueError) as error:
        return str(error)
    return ", ".join(
        f"{key} {value['value']} {value['unit']}"
        for key, value in reading.items()
        if isinstance(value, dict) and "unit" in value and value.get("value") is not None
    )
