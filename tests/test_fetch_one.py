"""core.rows loads an instance from hand-written SQL exactly as the ORM would, and can write a
record (an audit event) in the same statement when it finds one."""

from __future__ import annotations

import pytest
from django.db import DataError, connection, models, transaction

from tbib.access.choices import AuditAction, AuditOutcome
from tbib.access.models import AuditEvent
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.core.rows import fetch_one, fetch_one_and_insert, select_list
from tbib.patients.models import Patient
from tbib.sync.models import Change
from tests.factories import PatientFactory, unit, unit_staff

pytestmark = pytest.mark.django_db


def _fields(instance: models.Model) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.mark.parametrize("model", [Patient, User])
def test_an_instance_loads_with_every_field_converted(model: type[models.Model]) -> None:
    record = (
        PatientFactory(unit=unit("midelt-1"))
        if model is Patient
        else unit_staff(UserRole.NURSE, "midelt-1")
    )
    sql = f"SELECT {select_list(model, 't')} FROM {model._meta.db_table} t WHERE t.id = %s"  # noqa: S608
    record_id = model._meta.get_field("id").get_db_prep_value(record.pk, connection)
    loaded = fetch_one(model, sql, [record_id])
    assert loaded is not None and not loaded._state.adding
    assert _fields(loaded) == _fields(model._default_manager.get(pk=record.pk))
    assert fetch_one(model, sql + " AND 1 = 0", [record_id]) is None


def test_a_query_of_other_columns_is_refused() -> None:
    PatientFactory(unit=unit("midelt-1"))
    with pytest.raises(ValueError, match="columns"):
        fetch_one(Patient, "SELECT id FROM patients_patient", [])


_BY_ID = f"SELECT {select_list(Patient, 'p')} FROM patients_patient p WHERE p.id = %s"  # noqa: S608


def _a_read(address: str | None = "192.0.2.7") -> tuple[Patient, list[object], AuditEvent]:
    """A patient, the parameters of `_BY_ID` for them, and a GP's unwritten read event."""
    patient = PatientFactory(unit=unit("midelt-1"))
    reader = unit_staff(UserRole.GP, "midelt-1")
    key = Patient._meta.get_field("id").get_db_prep_value(patient.pk, connection)
    event = AuditEvent(actor=reader, actor_username=reader.username, actor_role=reader.role,
                       action=AuditAction.READ, resource_type="Patient",
                       resource_id=str(patient.pk), patient_id=patient.pk,
                       outcome=AuditOutcome.ALLOWED, client_address=address)  # fmt: skip
    return patient, [key], event


def test_a_row_found_is_returned_and_its_event_written_with_its_change_log_row() -> None:
    patient, params, event = _a_read()

    loaded = fetch_one_and_insert(Patient, _BY_ID, params, event)

    assert loaded is not None and _fields(loaded) == _fields(Patient.objects.get(pk=patient.pk))
    assert not event._state.adding
    stored = AuditEvent.objects.get(pk=event.pk)
    assert _fields(stored) == _fields(event)
    assert stored.client_address == "192.0.2.7" and stored.patient_id == patient.pk
    assert Change.objects.filter(model="access.auditevent", record_id=event.pk).count() == 1


def test_no_row_found_writes_nothing() -> None:
    _patient, params, event = _a_read(address=None)

    assert fetch_one_and_insert(Patient, _BY_ID + " AND 1 = 0", params, event) is None
    assert event._state.adding
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    assert not Change.objects.filter(record_id=event.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not bound lengths")
def test_a_value_too_long_for_its_column_is_refused_not_cut() -> None:
    _patient, params, event = _a_read()
    event.resource_type = "P" * 41  # the column holds 40

    with pytest.raises(DataError), transaction.atomic():
        fetch_one_and_insert(Patient, _BY_ID, params, event)
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
