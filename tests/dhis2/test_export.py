"""DHIS2 export: monthly indicators per unit against a hand-counted month, and the
dataValueSet written through a mapping (unmapped units and indicators reported)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tbib.accounts.choices import UserRole
from tbib.clinical.choices import EncounterStatus, ObservationSource
from tbib.clinical.models import Encounter, Observation, Referral
from tbib.dhis2.export import MappingError, data_value_set, parse_mapping
from tbib.dhis2.indicators import monthly
from tbib.patients.models import Patient
from tbib.planning.models import Scenario
from tbib.tours.choices import StopStatus
from tbib.tours.models import Stop
from tests.factories import PatientFactory, unit, unit_staff

pytestmark = pytest.mark.django_db
ZONE = timezone.get_current_timezone()
OCTOBER = datetime.datetime(2026, 10, 14, 9, 30, tzinfo=ZONE)


def _encounter(
    unit_code: str,
    patient: Patient,
    at: datetime.datetime,
    *,
    signed: bool,
    vitals: dict[str, str] | None = None,
) -> Encounter:
    home = unit(unit_code)
    stop, _ = Stop.objects.get_or_create(
        unit=home, date=at.date(), commune=home.home_commune, defaults={"status": StopStatus.CLOSED}
    )
    gp = unit_staff(UserRole.GP, unit_code, username=f"gp-{unit_code}-dhis2")
    encounter = Encounter.objects.create(
        patient=patient,
        unit=home,
        stop=stop,
        arrived_at=at,
        status=EncounterStatus.IN_PROGRESS,
        created_by=gp,
    )
    for key, source in (vitals or {}).items():
        Observation.objects.create(
            encounter=encounter,
            key=key,
            loinc="8867-4",
            value=Decimal("72"),
            unit="/min",
            source=source,
            effective_at=at,
        )
    if signed:
        Encounter.objects.filter(pk=encounter.pk).update(
            status=EncounterStatus.SIGNED, signed_at=at, signed_by=gp
        )
    return encounter


@pytest.fixture
def october() -> None:
    """Midelt-1: 2 patients registered in October, 3 signed encounters (2 of the same
    patient) and 1 still open, on 3 days (3 stops made), 5 vitals of which 2 from devices, 1
    referral; a fourth stop planned but not made. Figuig-1: 1 signed encounter with no vitals.
    September: 1 encounter (not counted)."""
    fadma, lahcen = PatientFactory(), PatientFactory()
    Patient.objects.filter(pk__in=[fadma.pk, lahcen.pk]).update(created_at=OCTOBER)
    first = _encounter(
        "midelt-1",
        fadma,
        OCTOBER,
        signed=False,
        vitals={"heart_rate": ObservationSource.DEVICE, "systolic_bp": ObservationSource.MANUAL},
    )
    Encounter.objects.filter(pk=first.pk).update(
        status=EncounterStatus.SIGNED, signed_at=OCTOBER, signed_by=first.created_by
    )
    hub = unit("midelt-1").regional_hub
    Referral.objects.bulk_create(
        [Referral(encounter=first, hub=hub, reason="Suspected appendicitis")]
    )
    later = OCTOBER + datetime.timedelta(days=7)
    _encounter(
        "midelt-1",
        fadma,
        later,
        signed=True,
        vitals={
            "heart_rate": ObservationSource.DEVICE,
            "weight": ObservationSource.MANUAL,
            "temperature": ObservationSource.MANUAL,
        },
    )
    _encounter("midelt-1", lahcen, later, signed=True)
    _encounter("midelt-1", lahcen, later + datetime.timedelta(days=1), signed=False)
    Stop.objects.create(
        unit=unit("midelt-1"),
        date=later.date() + datetime.timedelta(days=2),
        commune=unit("midelt-1").home_commune,
        status=StopStatus.PLANNED,
    )
    other = PatientFactory(unit=unit("figuig-1"))
    _encounter("figuig-1", other, OCTOBER, signed=True)
    _encounter("figuig-1", other, OCTOBER - datetime.timedelta(days=30), signed=True)


def test_indicators_match_the_hand_count(october: None) -> None:
    counted = monthly(2026, 10)
    # Cost: the adopted plan's yearly cost per unit, over October's 31 days of 365.
    plan = Scenario.objects.get(adopted=True).document
    october_cost = plan["cost_mad"] / len(plan["units"]) * 31 / 365
    assert counted["midelt-1"] == {
        "cost_per_consultation_mad": round(october_cost / 3, 2),
        "consultations": 3,
        "unique_patients": 2,
        "new_patients": 2,
        "stops_made": 3,
        "observations": 5,
        "observations_from_devices": 2,
        "referrals": 1,
    }
    # Figuig's patient was registered today (not in October); its stops: the October one.
    assert counted["figuig-1"] == {
        "consultations": 1,
        "unique_patients": 1,
        "stops_made": 1,
        "cost_per_consultation_mad": round(october_cost, 2),
    }


def test_the_data_value_set_follows_the_mapping(october: None, tmp_path: Path) -> None:
    mapping = {
        "dataElements": {"consultations": "DEcons00001", "referrals": "DEref000001"},
        "orgUnits": {"midelt-1": "OUmidelt001"},
        "categoryOptionCombo": "HllvX50cXC0",
    }
    (tmp_path / "mapping.json").write_text(json.dumps(mapping))
    out = tmp_path / "dvs.json"
    call_command(
        "dhis2_export", month="2026-10", mapping=str(tmp_path / "mapping.json"), out=str(out)
    )
    values = json.loads(out.read_text())["dataValues"]
    assert sorted(values, key=lambda v: v["dataElement"]) == [
        {
            "dataElement": "DEcons00001",
            "period": "202610",
            "orgUnit": "OUmidelt001",
            "value": "3",
            "categoryOptionCombo": "HllvX50cXC0",
        },
        {
            "dataElement": "DEref000001",
            "period": "202610",
            "orgUnit": "OUmidelt001",
            "value": "1",
            "categoryOptionCombo": "HllvX50cXC0",
        },
    ]
    export = data_value_set(monthly(2026, 10), parse_mapping(mapping), 2026, 10)
    assert "unit figuig-1: no organisation unit in the mapping" in export.skipped
    assert any("midelt-1 observations:" in line for line in export.skipped)


def test_a_bad_mapping_is_refused_with_its_reason(tmp_path: Path) -> None:
    for bad, message in [
        ([], "JSON object"),
        ({"dataElements": {}}, "orgUnits"),
        ({"dataElements": {"visits": "DEcons00001"}, "orgUnits": {}}, "Unknown indicators"),
        ({"dataElements": {"consultations": "x"}, "orgUnits": {}}, "DHIS2 UID"),
    ]:
        with pytest.raises(MappingError, match=message):
            parse_mapping(bad)
    (tmp_path / "m.json").write_text("{")
    with pytest.raises(CommandError, match="Mapping"):
        call_command(
            "dhis2_export",
            month="2026-10",
            mapping=str(tmp_path / "m.json"),
            out=str(tmp_path / "o.json"),
        )
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("dhis2_export", month="October", mapping="x", out="y")
