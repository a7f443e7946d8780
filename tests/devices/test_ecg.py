"""ECG strips: NeuroKit2's analysis as an assistant finding, stored as FHIR SampledData."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest
from django.test import Client

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.clinical.services import start_encounter
from tbib.devices.ecg import EcgError, analyse, sampled_data
from tbib.devices.models import EcgStrip
from tests.factories import PatientFactory, open_stop_today, unit, unit_staff

RATE = 250


def _simulated(**kwargs: object) -> list[float]:
    import neurokit2 as nk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [float(v) for v in nk.ecg_simulate(sampling_rate=RATE, random_state=1, **kwargs)]


def test_a_regular_strip_at_72_per_minute() -> None:
    finding = analyse(_simulated(duration=10, heart_rate=72), RATE)
    assert 70 <= finding.heart_rate_bpm <= 74
    assert finding.beats >= 10
    assert finding.af_suspected is False
    assert "NeuroKit2" in finding.method


@pytest.mark.parametrize("rate", range(50, 151, 10))
def test_the_heart_rate_is_within_2_per_minute_from_50_to_150(rate: int) -> None:
    finding = analyse(_simulated(duration=15, heart_rate=rate), RATE)
    assert abs(finding.heart_rate_bpm - rate) <= 2, finding
    assert finding.af_suspected is False
    assert finding.qrs_ms is not None and 50 <= finding.qrs_ms <= 120, finding


def test_an_irregular_strip_raises_the_suspicion_of_atrial_fibrillation() -> None:
    finding = analyse(_simulated(duration=20, heart_rate=90, heart_rate_std=25), RATE)
    assert finding.rr_cv > 0.10
    assert finding.af_suspected is True


@pytest.mark.parametrize(
    ("samples", "message"),
    [
        ([0.0] * (RATE * 3), "An ECG strip needs at least 6 seconds to be analysed."),
        ([0.01] * (RATE * 10), "The strip is flat or holds invalid samples: check the electrodes."),
    ],
)
def test_unusable_strips_are_refused(samples: list[float], message: str) -> None:
    with pytest.raises(EcgError, match=f"^{message}$"):
        analyse(samples, RATE)


def test_the_strip_is_kept_as_fhir_sampled_data() -> None:
    data = sampled_data([0.1, -0.25], 500, "II")
    assert data["period"] == 2.0 and data["dimensions"] == 1
    assert data["data"] == "0.1000 -0.2500"
    assert data["origin"]["code"] == "mV"


@pytest.mark.django_db
def test_a_nurse_records_a_strip_in_the_open_encounter(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    open_stop_today("figuig-1")
    nurse = unit_staff(UserRole.NURSE, "figuig-1")
    encounter = start_encounter(
        ctx=AccessContext(user=nurse), patient_id=PatientFactory(unit=unit("figuig-1")).pk
    )
    body = {
        "encounter_id": str(encounter.pk),
        "lead": "II",
        "sampling_rate": RATE,
        "samples": _simulated(duration=10, heart_rate=72),
    }
    response = api_client.post("/api/devices/ecg", body, content_type="application/json",
                               **bearer(nurse))  # fmt: skip
    assert response.status_code == 201, response.content
    assert 70 <= response.json()["finding"]["heart_rate_bpm"] <= 74
    assert EcgStrip.objects.get(encounter=encounter).sampled_data["lead"] == "II"
    short = {**body, "samples": [0.0] * 100}
    refused = api_client.post("/api/devices/ecg", short, content_type="application/json",
                              **bearer(nurse))  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {"field": "samples", "message": "An ECG strip needs at least 6 seconds to be analysed."}
    ]


@pytest.mark.django_db
def test_the_encounter_page_draws_the_strip_and_its_finding() -> None:
    from tbib.devices.services import record_ecg

    open_stop_today("figuig-1")
    gp = unit_staff(UserRole.GP, "figuig-1")
    ctx = AccessContext(user=gp)
    encounter = start_encounter(ctx=ctx, patient_id=PatientFactory(unit=unit("figuig-1")).pk)
    record_ecg(
        ctx=ctx,
        encounter_id=encounter.pk,
        sampling_rate=RATE,
        leads={"II": _simulated(duration=20, heart_rate=90, heart_rate_std=25)},
    )
    client = Client()
    client.force_login(gp)
    page = client.get(f"/unit/encounters/{encounter.pk}/").content.decode()
    assert 'data-testid="ecg-strips"' in page and "<polyline" in page
    assert "fibrillation" in page


@pytest.mark.django_db
def test_a_twelve_lead_recording_from_the_recorder_is_drawn_for_gp_and_cardiologist() -> None:
    import random

    from tbib.devices.services import bind_device, ingest
    from tbib.devices.simulator import ecg_recording
    from tbib.network.models import Device
    from tbib.teleexpertise.services import open_case, submit_case
    from tests.factories import specialist

    open_stop_today("figuig-1")
    gp = unit_staff(UserRole.GP, "figuig-1")
    ctx = AccessContext(user=gp)
    encounter = start_encounter(ctx=ctx, patient_id=PatientFactory(unit=unit("figuig-1")).pk)
    recorder = Device.objects.get(unit__code="figuig-1", kind="ecg")
    bind_device(ctx=ctx, serial=recorder.serial, patient_id=encounter.patient_id)
    reading = ingest(f"tbib/figuig-1/{recorder.serial}/ECG", ecg_recording(random.Random(2)))
    assert reading.status == "accepted", reading.reason
    strips = EcgStrip.objects.filter(encounter=encounter)
    assert strips.count() == 12 and [s.lead for s in strips if s.finding] == ["II"]

    client = Client()
    client.force_login(gp)
    page = client.get(f"/unit/encounters/{encounter.pk}/").content.decode()
    assert page.count('class="ecg-paper"') == 12 and 'data-lead="V6"' in page
    # 10 s at 25 mm/s on paper: 250 mm wide, 1 mm and 5 mm grids.
    assert 'width="250.0mm"' in page and 'patternUnits="userSpaceOnUse"' in page

    case = open_case(ctx=ctx, encounter_id=encounter.pk, specialty="cardiology", consent=True,
                     question="Palpitations, please read the ECG.", urgency="urgent")  # fmt: skip
    submit_case(ctx=ctx, case_id=case.pk, consent=True)
    cardiologist = Client()
    cardiologist.force_login(specialist("cardiology"))
    seen = cardiologist.get(f"/platform/cases/{case.pk}/").content.decode()
    assert seen.count('class="ecg-paper"') == 12 and 'data-testid="ecg-finding"' in seen


@pytest.mark.django_db
def test_unreadable_or_unknown_leads_are_quarantined_or_refused(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    from tbib.devices.services import bind_device, ingest
    from tbib.network.models import Device

    open_stop_today("figuig-1")
    nurse = unit_staff(UserRole.NURSE, "figuig-1")
    encounter = start_encounter(
        ctx=AccessContext(user=nurse), patient_id=PatientFactory(unit=unit("figuig-1")).pk
    )
    recorder = Device.objects.get(unit__code="figuig-1", kind="ecg")
    bind_device(ctx=AccessContext(user=nurse), serial=recorder.serial,
                patient_id=encounter.patient_id)  # fmt: skip
    topic = f"tbib/figuig-1/{recorder.serial}/ECG"
    assert ingest(topic, b"{not json").reason.startswith("ECG: unreadable recording")
    odd = b'{"sampling_rate": 250, "leads": {"V7": [1, 2, 3]}}'
    assert ingest(topic, odd).reason == "ECG: leads: Unknown lead(s): V7."
    body = {"encounter_id": str(encounter.pk), "sampling_rate": RATE,
            "leads": {"I": [0.1] * 3000, "II": [0.1] * 2000}}  # fmt: skip
    refused = api_client.post("/api/devices/ecg", body, content_type="application/json",
                              **bearer(nurse))  # fmt: skip
    assert refused.status_code == 422
    assert "same length" in refused.content.decode()
    both = {**body, "samples": [0.1] * 3000}
    assert api_client.post("/api/devices/ecg", both, content_type="application/json",
                           **bearer(nurse)).status_code == 422  # fmt: skip
