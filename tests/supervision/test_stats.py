"""The database percentile equals PERCENTILE_CONT: against Python's inclusive quantiles (the
same linear interpolation) on both databases, and PostgreSQL's own PERCENTILE_CONT there."""

from __future__ import annotations

import statistics
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F

from tbib.clinical.models import Observation
from tbib.supervision.stats import percentiles
from tests.factories import PatientFactory, encounter_at, stop_on

pytestmark = pytest.mark.django_db
# Two groups of a known set: 11 heart rates and 4 weights (values chosen unsorted, repeated).
VALUES = {
    "heart_rate": [72, 58, 101, 64, 64, 88, 120, 47, 93, 76, 69],
    "weight": [61.5, 80, 55.25, 92],
}


@pytest.fixture
def measured() -> None:
    import datetime

    from tests.supervision.conftest import at

    encounter = encounter_at(stop_on("midelt-1", datetime.date(2026, 10, 5)), PatientFactory(),
                             at(5, 10), status="in-progress")  # fmt: skip
    Observation.objects.bulk_create(
        Observation(encounter=encounter, key=key, loinc="x", value=Decimal(str(v)), unit="u",
                    effective_at=at(5, 10))
        for key, values in VALUES.items() for v in values
    )  # fmt: skip


def _expected(values: list[float], p: float) -> float:
    # Python's "inclusive" method is PERCENTILE_CONT's interpolation at (n - 1) * p.
    return statistics.quantiles(values, n=100, method="inclusive")[round(p * 100) - 1]


def test_median_and_p90_per_group(measured: None) -> None:
    rows = Observation.objects.values(group=F("key"), v=F("value"))
    found = percentiles(rows, ("group",), "v", (0.5, 0.9))
    assert found == {
        ("heart_rate",): [72.0, 101.0],  # sorted: 47 58 64 64 69 72 76 88 93 101 120
        ("weight",): [70.75, 88.4],  # 55.25 61.5 80 92: 61.5 + 0.5 × 18.5; 80 + 0.7 × 12
    }
    for key, values in VALUES.items():
        for p, got in zip((0.5, 0.9), found[(key,)], strict=True):
            assert got == pytest.approx(_expected([float(v) for v in values], p))


def test_one_group_and_no_rows(measured: None) -> None:
    everything = Observation.objects.values(v=F("value"))
    assert percentiles(everything, (), "v", (0.5,)) == {(): [72.0]}
    assert percentiles(everything.filter(key="none"), (), "v", (0.5,)) == {}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PERCENTILE_CONT: PostgreSQL")
def test_it_equals_postgresql_percentile_cont(measured: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY value), "
            "PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY value) "
            "FROM clinical_observation GROUP BY key"
        )
        oracle = {(key,): [round(float(a), 3), round(float(b), 3)] for key, a, b in cursor}
    rows = Observation.objects.values(group=F("key"), v=F("value"))
    assert percentiles(rows, ("group",), "v", (0.5, 0.9)) == oracle
