"""The change log catches every replicated write; a peer's batch applies atomically, once."""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.clinical.models import Encounter, Observation
from tbib.clinical.services import start_encounter
from tbib.devices.models import DeviceReading
from tbib.devices.services import Incoming, bind_device, ingest_batch
from tbib.devices.simulator import patient_round
from tbib.network.models import Device
from tbib.patients.models import Patient
from tbib.sync import wire
from tbib.sync.apply import apply_batch, build_batch
from tbib.sync.hlc import Timestamp
from tbib.sync.models import AppliedBatch, Change, FieldClock
from tests.factories import PatientFactory, open_stop_today, unit, unit_staff

pytestmark = pytest.mark.django_db


def _digest(queryset) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each record's content hash, by id: what both sides must agree on."""
    return {
        str(record.pk): hashlib.sha256(
            json.dumps(wire.row_of(record), sort_keys=True, default=bytes.hex).encode()
        ).hexdigest()
        for record in queryset
    }


def _visit() -> Encounter:
    open_stop_today("midelt-1")
    nurse = AccessContext(user=unit_staff(UserRole.NURSE, "midelt-1"))
    patient = PatientFactory(unit=unit("midelt-1"), given_name="Itto", family_name="Ouhammou")
    return start_encounter(ctx=nurse, patient_id=patient.pk,
                           measurements={"temperature": "38.2", "spo2": "96"})  # fmt: skip


def test_every_replicated_write_is_in_the_change_log_once_per_record() -> None:
    encounter = _visit()
    logged = set(Change.objects.values_list("model", "record_id"))
    assert ("patients.patient", encounter.patient_id) in logged
    assert ("clinical.encounter", encounter.pk) in logged
    for observation in encounter.observations.all():
        assert ("clinical.observation", observation.pk) in logged
    before = Change.objects.get(model="patients.patient", record_id=encounter.patient_id).seq
    patient = Patient.objects.get(pk=encounter.patient_id)
    patient.village = "Agoudal"
    patient.save()
    again = Change.objects.filter(model="patients.patient", record_id=patient.pk)
    assert again.count() == 1 and again.get().seq > before


def test_device_readings_written_in_bulk_are_logged_too() -> None:
    encounter = _visit()
    nurse = AccessContext(user=encounter.created_by)
    device = Device.objects.get(unit__code="midelt-1", kind="thermometer")
    bind_device(ctx=nurse, serial=device.serial, patient_id=encounter.patient_id)
    import random

    message = next(m for m in patient_round(random.Random(1)) if m.kind == "thermometer")
    ingest_batch([Incoming(f"tbib/midelt-1/{device.serial}/2A1C", message.payload)])
    reading = DeviceReading.objects.get(device=device)
    logged = set(Change.objects.values_list("model", "record_id"))
    assert ("devices.devicereading", reading.pk) in logged
    device_obs = Observation.objects.filter(encounter=encounter, source="device").get()
    assert ("clinical.observation", device_obs.pk) in logged


def test_a_batch_rebuilds_the_records_exactly_and_applies_once() -> None:
    encounter = _visit()
    records = {
        "patients": Patient.objects.filter(pk=encounter.patient_id),
        "encounters": Encounter.objects.filter(pk=encounter.pk),
        "observations": Observation.objects.filter(encounter=encounter),
    }
    expected = {name: _digest(qs) for name, qs in records.items()}
    built = build_batch(after=0)
    batch = built.batch
    blob = wire.encode(batch)
    assert built.upto == Change.objects.order_by("-seq").first().seq  # type: ignore[union-attr]

    # A node that has never seen them (as an edge enrolling): remove them, then apply.
    Observation.objects.filter(encounter=encounter).delete()
    Encounter.objects.filter(pk=encounter.pk).delete()
    assert apply_batch(blob).changes == len(batch["changes"])
    assert {name: _digest(qs) for name, qs in records.items()} == expected

    # The same batch again (a lost acknowledgement): nothing changes.
    assert apply_batch(blob).changes == 0
    # The same changes in a new batch (a resent cursor): no duplicate, nothing changes.
    batch_again = {**batch, "batch": uuid.uuid4().bytes}
    apply_batch(wire.encode(batch_again))
    assert {name: _digest(qs) for name, qs in records.items()} == expected
    assert Observation.objects.filter(encounter=encounter).count() == 2
    assert AppliedBatch.objects.count() == 2


def test_a_batch_with_one_bad_change_applies_nothing() -> None:
    encounter = _visit()
    batch = build_batch(after=0).batch
    Observation.objects.filter(encounter=encounter).delete()
    batch["changes"].append(["accounts.user", "000000000000001-000000-hub", {"id": b"x"}])
    with pytest.raises(wire.WireError, match="'accounts.user' is not a replicated record type"):
        apply_batch(wire.encode(batch))
    assert not Observation.objects.filter(encounter=encounter).exists()
    assert not AppliedBatch.objects.exists()


def test_demographics_merge_field_by_field_by_clock_and_keep_the_loser() -> None:
    encounter = _visit()
    patient = Patient.objects.get(pk=encounter.patient_id)
    row = wire.row_of(patient)
    stamp = Change.objects.get(model="patients.patient", record_id=patient.pk).hlc
    # Every local save stamped the fields it wrote.
    assert FieldClock.objects.get(record_id=patient.pk).clocks["village"][0] == stamp
    later = Timestamp.decode(stamp)
    newer = Timestamp(later.wall_ms + 60_000, 0, "edgeB").encode()
    older = Timestamp(later.wall_ms - 60_000, 0, "edgeA").encode()
    edits = [
        ["patients.patient", newer, {**row, "village": "Tamalout"}],
        ["patients.patient", older, {**row, "phone": "+212600000000"}],
    ]
    apply_batch(wire.encode({"batch": uuid.uuid4().bytes, "origin": "edgeB",
                             "upto": 2, "changes": edits}))  # fmt: skip
    patient.refresh_from_db()
    assert patient.village == "Tamalout"  # the later write wins
    assert patient.phone == row["phone"]  # the older one loses
    history = FieldClock.objects.get(record_id=patient.pk).history
    assert ["phone", repr("+212600000000"), older] in history


@given(st.binary(max_size=200))
def test_any_bytes_are_a_batch_or_a_wire_error(blob: bytes) -> None:
    with contextlib.suppress(wire.WireError):
        wire.decode(blob)


def test_a_referral_completion_replicates_beside_its_locked_referral() -> None:
    """Recorded after the signature (the referral is locked), it travels as a fact of its own:
    logged, rebuilt exactly by a peer's batch, never twice."""
    from django.utils import timezone

    from tbib.clinical import services
    from tbib.clinical.models import ReferralCompletion

    encounter = _visit()
    gp = AccessContext(user=unit_staff(UserRole.GP, "midelt-1"))
    services.update_encounter(ctx=gp, encounter_id=encounter.pk, diagnoses=["O14.9"])
    referral = services.refer(ctx=gp, encounter_id=encounter.pk, reason="Prééclampsie ?",
                              urgency="urgent", hub_code="chr-errachidia")  # fmt: skip
    services.sign_encounter(ctx=gp, encounter_id=encounter.pk)
    completion = services.record_referral_reached(
        ctx=AccessContext(user=encounter.created_by), encounter_id=encounter.pk,
        referral_id=referral.pk, reached_on=timezone.localdate(),
    )  # fmt: skip
    assert Change.objects.filter(model="clinical.referralcompletion", record_id=completion.pk)
    completions = ReferralCompletion.objects.filter(referral=referral)
    expected = _digest(completions)
    blob = wire.encode(build_batch(after=0).batch)
    completions.delete()  # a node that has not seen it yet
    apply_batch(blob)
    apply_batch(wire.encode({**wire.decode(blob), "batch": uuid.uuid4().bytes}))
    assert _digest(completions) == expected
