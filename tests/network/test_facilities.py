from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tbib.network.choices import FacilityKind
from tbib.network.facilities import classify_facility


@pytest.mark.parametrize(
    ("name", "osm_kind", "expected"),
    [
        # Names as they appear in the OpenStreetMap layer (shared/data/health_facilities_osm.csv).
        ("CHU Hassan II", "hospital", FacilityKind.UNIVERSITY_HOSPITAL),
        ("Centre Hospitalier Universitaire Ibn Sina", "hospital", FacilityKind.UNIVERSITY_HOSPITAL),
        ("Hôpital Régional Al Farabi", "hospital", FacilityKind.REGIONAL_HOSPITAL),
        ("Hôpital Provincial de Midelt", "hospital", FacilityKind.PROVINCIAL_HOSPITAL),
        ("Dispensaire Rural Anefgou", "hospital", FacilityKind.DISPENSARY),
        ("Centre de Santé Imilchil", "hospital", FacilityKind.HEALTH_CENTRE),
        ("CSR Talsint", "clinic", FacilityKind.HEALTH_CENTRE),
        ("المركز الصحي القروي", "clinic", FacilityKind.HEALTH_CENTRE),
        ("Clinique Achark", "clinic", FacilityKind.CLINIC),
        ("hopital hassani", "hospital", FacilityKind.HOSPITAL),
        ("Dr Benali", "doctors", FacilityKind.DOCTOR),
        ("", "dentist", FacilityKind.DOCTOR),
        ("Laboratoire", "laboratory", FacilityKind.OTHER),
    ],
)
def test_classification_reads_the_name_first(
    name: str, osm_kind: str, expected: FacilityKind
) -> None:
    assert classify_facility(name, osm_kind) == expected


@given(st.text(max_size=80), st.text(max_size=20))
def test_classification_never_fails(name: str, osm_kind: str) -> None:
    assert classify_facility(name, osm_kind) in set(FacilityKind)
