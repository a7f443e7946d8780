"""The unit's screens through Django's test client: who gets in, duplicates, merges, guardians."""

from __future__ import annotations

import pytest
from django.test import Client

from tbib.accounts.choices import UserRole
from tbib.patients.models import Patient, PatientMerge
from tests.factories import PatientFactory, open_stop_today, specialist, unit, unit_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse_client() -> Client:
    client = Client()
    client.force_login(unit_staff(UserRole.NURSE, "midelt-1"))
    return client


def test_only_unit_staff_reach_the_unit_screens() -> None:
    client = Client()
    assert client.get("/unit/").status_code == 302  # to the login page
    client.force_login(specialist("cardiology"))
    response = client.get("/unit/")
    assert response.status_code == 403
    assert "personnel d'une unité mobile" in response.content.decode()


def test_today_shows_the_open_stop_and_search_finds_spelling_variants(nurse_client: Client) -> None:
    open_stop_today("midelt-1")
    PatientFactory(unit=unit("midelt-1"), given_name="Mohamed", family_name="Ait Ouallal")
    page = nurse_client.get("/unit/").content.decode()
    assert "Agoudal" in page and "File d'attente" in page
    found = nurse_client.get("/unit/", {"q": "mhamed"}, HTTP_HX_REQUEST="true")
    assert "Mohamed Ait Ouallal" in found.content.decode()


def test_registration_shows_likely_duplicates_before_creating(nurse_client: Client) -> None:
    PatientFactory(
        unit=unit("midelt-1"), given_name="Fatima", family_name="Oubella", sex="female",
        birth_date="1980-05-02",
    )  # fmt: skip
    form = {
        "given_name": "Fadma",
        "family_name": "Oubella",
        "sex": "female",
        "birth_date": "1980-05-02",
    }
    first = nurse_client.post("/unit/patients/new/", form)
    assert first.status_code == 200
    assert "Cette personne est peut-être déjà enregistrée" in first.content.decode()
    assert Patient.objects.filter(given_name="Fadma").count() == 0
    confirmed = nurse_client.post("/unit/patients/new/", {**form, "confirm": "1"})
    assert confirmed.status_code == 302
    assert Patient.objects.filter(given_name="Fadma").count() == 1


def test_merge_and_undo_from_the_chart(nurse_client: Client) -> None:
    home = unit("midelt-1")
    same = {"unit": home, "birth_date": "1958-03-14", "commune": home.home_commune}
    kept = PatientFactory(given_name="Mohamed", family_name="Ouhammou", **same)
    twin = PatientFactory(given_name="Mhamed", family_name="Ouhamou", **same)
    chart = nurse_client.get(f"/unit/patients/{kept.pk}/").content.decode()
    assert str(twin.pk) in chart  # offered as a possible duplicate
    nurse_client.post(f"/unit/patients/{kept.pk}/", {"action": "merge", "duplicate": str(twin.pk)})
    twin.refresh_from_db()
    assert twin.merged_into_id == kept.pk
    merge = PatientMerge.objects.get(survivor=kept)
    nurse_client.post(
        f"/unit/patients/{kept.pk}/", {"action": "undo-merge", "merge": str(merge.pk)}
    )
    twin.refresh_from_db()
    assert twin.merged_into_id is None


def test_a_child_is_registered_from_the_mothers_chart(nurse_client: Client) -> None:
    mother = PatientFactory(unit=unit("midelt-1"), sex="female", family_name="Amzil")
    form_page = nurse_client.get("/unit/patients/new/", {"guardian": str(mother.pk)})
    assert 'value="Amzil"' in form_page.content.decode()
    response = nurse_client.post(
        "/unit/patients/new/",
        {
            "given_name": "Yassine",
            "family_name": "Amzil",
            "sex": "male",
            "age_years": "3",
            "guardian": str(mother.pk),
            "guardian_relationship": "mother",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    child = Patient.objects.get(given_name="Yassine")
    assert (child.guardian_id, child.guardian_relationship) == (mother.pk, "mother")
    assert child.birth_date_is_estimated


def test_a_device_is_bound_from_the_chart(nurse_client: Client) -> None:
    from tbib.devices.models import DeviceBinding

    patient = PatientFactory(unit=unit("midelt-1"))
    chart = nurse_client.get(f"/unit/patients/{patient.pk}/").content.decode()
    assert "MIDELT-1-01" in chart
    nurse_client.post(f"/unit/patients/{patient.pk}/", {"action": "bind", "serial": "MIDELT-1-01"})
    binding = DeviceBinding.objects.get(device__serial="MIDELT-1-01", released_at__isnull=True)
    assert binding.patient_id == patient.pk


def test_malformed_encounter_posts_get_a_message_not_a_server_error(nurse_client: Client) -> None:
    from tbib.access.scope import AccessContext
    from tbib.clinical.services import start_encounter

    open_stop_today("midelt-1")
    gp = unit_staff(UserRole.GP, "midelt-1")
    encounter = start_encounter(
        ctx=AccessContext(user=gp), patient_id=PatientFactory(unit=unit("midelt-1")).pk
    )
    client = Client()
    client.force_login(gp)
    url = f"/unit/encounters/{encounter.pk}/"
    for body in ({"action": "diagnose"}, {"action": "withdraw", "line": "x"},
                 {"action": "prescribe", "quantity": "a lot"}, {"action": "nonsense"}):  # fmt: skip
        response = client.post(url, body)
        assert response.status_code in (200, 302), (body, response.status_code)


def test_a_referral_is_marked_seen_from_the_signed_encounter(nurse_client: Client) -> None:
    from django.utils import timezone

    from tbib.access.scope import AccessContext
    from tbib.clinical import services

    open_stop_today("midelt-1")
    gp = AccessContext(user=unit_staff(UserRole.GP, "midelt-1"))
    patient = PatientFactory(unit=unit("midelt-1"))
    encounter = services.start_encounter(ctx=gp, patient_id=patient.pk)
    services.update_encounter(ctx=gp, encounter_id=encounter.pk, diagnoses=["S82.2"])
    referral = services.refer(ctx=gp, encounter_id=encounter.pk, reason="Fracture ?",
                              urgency="urgent", hub_code="chr-errachidia")  # fmt: skip
    services.sign_encounter(ctx=gp, encounter_id=encounter.pk)
    url = f"/unit/encounters/{encounter.pk}/"
    page = nurse_client.get(url).content.decode()
    assert 'data-testid="referral-reached"' in page and "referral-completed" not in page
    nurse_client.post(url, {"action": "referral-reached", "referral": "x", "reached_on": "x"})
    bad_date = nurse_client.post(url, {"action": "referral-reached", "referral": str(referral.pk),
                                       "reached_on": "hier"})  # fmt: skip
    assert bad_date.status_code == 200 and 'data-testid="errors"' in bad_date.content.decode()
    today = timezone.localdate().isoformat()
    done = nurse_client.post(
        url, {"action": "referral-reached", "referral": str(referral.pk), "reached_on": today}
    )
    assert done.status_code == 302
    page = nurse_client.get(url).content.decode()
    assert (
        'data-testid="referral-completed"' in page and 'data-testid="referral-reached"' not in page
    )
    assert referral.completions.get().recorded_by.role == UserRole.NURSE
