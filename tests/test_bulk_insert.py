"""core.bulk.insert_rows writes what the ORM would, JSON and timestamps included."""

from __future__ import annotations

import pytest

from tbib.core.bulk import insert_rows
from tbib.core.models import new_id
from tbib.sync.models import FieldClock


@pytest.mark.django_db
def test_rows_with_json_values_are_inserted_as_the_orm_reads_them() -> None:
    first, second = new_id(), new_id()
    insert_rows(FieldClock, [
        {"model": "patients.patient", "record_id": first, "clocks": {"village": "x"},
         "history": [["phone", "'0600'", "y"]]},
        {"model": "patients.patient", "record_id": second, "clocks": {}, "history": []},
    ])  # fmt: skip
    stored = {c.record_id: c for c in FieldClock.objects.all()}
    assert stored[first].clocks == {"village": "x"}
    assert stored[first].history == [["phone", "'0600'", "y"]]
    assert stored[second].clocks == {}
