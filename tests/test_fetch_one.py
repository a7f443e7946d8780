"""core.rows loads an instance from hand-written SQL exactly as the ORM would."""

from __future__ import annotations

import pytest
from django.db import connection, models

from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.core.rows import fetch_one, select_list
from tbib.patients.models import Patient
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
