"""The unit's day through the API: triage, vitals, diagnoses, prescriptions, signing."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tbib.access.models import AuditEvent
from tbib.accounts.choices import UserRole
from tbib.accounts.models import User
from tbib.clinical.models import Encounter, EncounterLocked, Observation, ReferralCompletion
from tbib.pharmacy.models import StockMovement, UnitStock
from tbib.sync.models import Change
from tests.factories import PatientFactory, open_stop_today, unit, unit_staff

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def day(bearer: Callable[[User], dict[str, str]]) -> dict:
    """Imilchil's unit at work today: an open stop, a nurse, the GP and one patient."""
    stop = open_stop_today("midelt-1")
    return {
        "stop": stop,
        "nurse": bearer(unit_staff(UserRole.NURSE, "midelt-1", username="nurse-imilchil")),
        "gp": bearer(unit_staff(UserRole.GP, "midelt-1", username="dr-imilchil")),
        "patient": PatientFactory(unit=unit("midelt-1"), sex="female", given_name="Itto"),
    }


def _start(client: Client, day: dict, **body: object):  # type: ignore[no-untyped-def]
    payload = {"patient_id": str(day["patient"].pk), **body}
    return client.post("/api/encounters", payload, content_type=JSON, **day["nurse"])


def _signed(client: Client, day: dict) -> str:
    encounter_id = _start(client, day, vitals={"systolic_bp": 150, "diastolic_bp": 95}).json()["id"]
    gp = day["gp"]
    client.patch(f"/api/encounters/{encounter_id}", {"diagnoses": ["I10"]}, content_type=JSON, **gp)
    prescribed = client.post(
        f"/api/encounters/{encounter_id}/prescriptions",
        {"medicine": "amlodipine-5-tab", "quantity": 30, "dosage": "1 comprimé le matin"},
        content_type=JSON,
        **gp,
    )
    assert prescribed.status_code == 201, prescribed.content
    signed = client.post(f"/api/encounters/{encounter_id}/sign", **gp)
    assert signed.status_code == 200, signed.content
    return encounter_id


def test_triage_records_coded_vitals_and_computes_bmi(api_client: Client, day: dict) -> None:
    response = _start(
        api_client,
        day,
        triage=2,
        reason="Céphalées",
        vitals={
            "systolic_bp": 162,
            "diastolic_bp": 98,
            "weight": "71.5",
            "height": 158,
            "spo2": 97,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "waiting"
    assert body["stop_id"] == str(day["stop"].pk)
    coded = {o["key"]: (o["loinc"], Decimal(o["value"]), o["unit"]) for o in body["observations"]}
    # LOINC codes of the FHIR vital-signs profile; BMI = 71.5 / 1.58² = 28.64 → 28.6.
    assert coded == {
        "systolic_bp": ("8480-6", Decimal("162"), "mm[Hg]"),
        "diastolic_bp": ("8462-4", Decimal("98"), "mm[Hg]"),
        "weight": ("29463-7", Decimal("71.5"), "kg"),
        "height": ("8302-2", Decimal("158"), "cm"),
        "spo2": ("59408-5", Decimal("97"), "%"),
        "bmi": ("39156-5", Decimal("28.6"), "kg/m2"),
    }
    assert {o["source"] for o in body["observations"] if o["key"] == "bmi"} == {"computed"}


def test_impossible_values_get_field_errors_and_nothing_is_saved(
    api_client: Client, day: dict
) -> None:
    encounters, observations = Encounter.objects.count(), Observation.objects.count()
    response = api_client.post(
        "/api/encounters",
        {
            "patient_id": str(day["patient"].pk),
            "vitals": {"spo2": 140, "temperature": 60, "heart_rate": 88},
            "diagnoses": ["X99.99"],
        },
        content_type=JSON,
        **day["gp"],
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "field": "vitals.temperature",
                "message": "60 Cel is not a possible body temperature: "
                "expected between 30 and 45 Cel.",
            },
            {
                "field": "vitals.spo2",
                "message": "140 % is not a possible oxygen saturation by pulse oximetry: "
                "expected between 40 and 100 %.",
            },
            {"field": "diagnoses.0", "message": "Unknown ICD-10 code: 'X99.99'."},
        ]
    }
    assert (Encounter.objects.count(), Observation.objects.count()) == (encounters, observations)
    assert AuditEvent.objects.filter(resource_type="Encounter", outcome="invalid").count() == 1


def test_a_future_birth_date_is_refused_with_a_field_error(api_client: Client, day: dict) -> None:
    response = api_client.post(
        "/api/patients",
        {
            "given_name": "Fadma",
            "family_name": "Ait Baha",
            "sex": "female",
            "birth_date": "2999-01-01",
        },
        content_type=JSON,
        **day["nurse"],
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "field": "birth_date",
                "message": "Une date de naissance ne peut pas être dans le futur.",
            }
        ]
    }


def test_no_encounter_without_an_open_stop(
    api_client: Client, bearer: Callable[[User], dict[str, str]]
) -> None:
    nurse = bearer(unit_staff(UserRole.NURSE, "figuig-1"))
    patient = PatientFactory(unit=unit("figuig-1"))
    response = api_client.post(
        "/api/encounters", {"patient_id": str(patient.pk)}, content_type=JSON, **nurse
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "Open today's stop before seeing patients."}


def test_waiting_list_is_in_triage_order_then_arrival(api_client: Client, day: dict) -> None:
    others = [PatientFactory(unit=unit("midelt-1")) for _ in range(3)]
    ids = []
    for patient, triage in zip([day["patient"], *others], [3, 2, 3, 1], strict=True):
        body = {"patient_id": str(patient.pk), "triage": triage}
        ids.append(
            api_client.post("/api/encounters", body, content_type=JSON, **day["nurse"]).json()["id"]
        )
    listed = api_client.get("/api/encounters", {"waiting_at": str(day["stop"].pk)}, **day["gp"])
    assert [e["id"] for e in listed.json()] == [ids[3], ids[1], ids[0], ids[2]]


def test_nurses_do_not_sign_and_signing_needs_a_diagnosis(api_client: Client, day: dict) -> None:
    encounter_id = _start(api_client, day).json()["id"]
    refused = api_client.post(f"/api/encounters/{encounter_id}/sign", **day["nurse"])
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only the unit's general practitioner can do this."}
    empty = api_client.post(f"/api/encounters/{encounter_id}/sign", **day["gp"])
    assert empty.status_code == 422
    assert empty.json()["detail"] == [
        {"field": "diagnoses", "message": "Record at least one diagnosis (ICD-10) before signing."}
    ]


def test_a_signed_encounter_cannot_be_changed_through_any_route(
    api_client: Client, day: dict
) -> None:
    encounter_id = _signed(api_client, day)
    gp = day["gp"]
    line_id = api_client.get(f"/api/encounters/{encounter_id}", **gp).json()["prescriptions"][0][
        "id"
    ]
    attempts = [
        api_client.patch(
            f"/api/encounters/{encounter_id}", {"reason": "changed"}, content_type=JSON, **gp
        ),
        api_client.patch(
            f"/api/encounters/{encounter_id}",
            {"vitals": {"heart_rate": 70}},
            content_type=JSON,
            **day["nurse"],
        ),
        api_client.delete(f"/api/encounters/{encounter_id}/diagnoses/I10", **gp),
        api_client.post(
            f"/api/encounters/{encounter_id}/prescriptions",
            {"medicine": "paracetamol-500-tab", "quantity": 10, "dosage": "1 cp x 3"},
            content_type=JSON,
            **gp,
        ),
        api_client.delete(f"/api/encounters/{encounter_id}/prescriptions/{line_id}", **gp),
        api_client.post(
            f"/api/encounters/{encounter_id}/referrals",
            {"hub": "chr-errachidia", "reason": "bilan"},
            content_type=JSON,
            **gp,
        ),
        api_client.post(f"/api/encounters/{encounter_id}/sign", **gp),
    ]
    for response in attempts:
        assert response.status_code == 409, response.content
        assert response.json() == {
            "detail": "This encounter is signed and cannot be changed; write a correction instead."
        }
    encounter = Encounter.objects.get(pk=encounter_id)
    encounter.reason = "changed behind the API"
    with pytest.raises(EncounterLocked):
        encounter.save()
    with pytest.raises(EncounterLocked):
        encounter.diagnoses.get().delete()
    encounter.refresh_from_db()
    assert encounter.reason == "" and encounter.diagnoses.count() == 1


def test_a_correction_is_a_new_version_that_supersedes_the_signed_one(
    api_client: Client, day: dict
) -> None:
    original_id = _signed(api_client, day)
    gp = day["gp"]
    stock_before = UnitStock.objects.get(unit=unit("midelt-1"), medicine_id="amlodipine-5-tab")
    correction = api_client.post(f"/api/encounters/{original_id}/corrections", **gp)
    assert correction.status_code == 201, correction.content
    body = correction.json()
    assert (body["version"], body["supersedes_id"], body["status"]) == (
        2,
        original_id,
        "in-progress",
    )
    assert [d["code"] for d in body["diagnoses"]] == ["I10"]
    assert body["prescriptions"][0]["carried_over"] is True
    api_client.patch(
        f"/api/encounters/{body['id']}", {"diagnoses": ["E11.9"]}, content_type=JSON, **gp
    )
    assert api_client.post(f"/api/encounters/{body['id']}/sign", **gp).status_code == 200
    original = api_client.get(f"/api/encounters/{original_id}", **gp).json()
    assert original["status"] == "superseded"
    assert [d["code"] for d in original["diagnoses"]] == ["I10"]
    stock_after = UnitStock.objects.get(pk=stock_before.pk)
    assert stock_after.quantity == stock_before.quantity  # carried over, not dispensed twice
    twice = api_client.post(f"/api/encounters/{original_id}/corrections", **gp)
    assert twice.status_code == 409


def test_prescribing_takes_from_stock_and_refuses_beyond_it(api_client: Client, day: dict) -> None:
    encounter_id = _start(api_client, day).json()["id"]
    stock = UnitStock.objects.get(unit=unit("midelt-1"), medicine_id="ors-sachet")
    stock.quantity = 5
    stock.save()
    url = f"/api/encounters/{encounter_id}/prescriptions"
    body = {"medicine": "ors-sachet", "quantity": 4, "dosage": "1 sachet après chaque selle"}
    assert api_client.post(url, body, content_type=JSON, **day["gp"]).status_code == 201
    too_much = api_client.post(url, body, content_type=JSON, **day["gp"])
    assert too_much.status_code == 409
    assert too_much.json() == {"detail": "Not enough in stock: 1 left, 4 prescribed."}
    stock.refresh_from_db()
    assert stock.quantity == 1
    line = Encounter.objects.get(pk=encounter_id).prescriptions.get()
    assert api_client.delete(f"{url}/{line.pk}", **day["gp"]).status_code == 204
    stock.refresh_from_db()
    assert stock.quantity == 5
    ledger = StockMovement.objects.filter(unit=unit("midelt-1"), medicine_id="ors-sachet")
    assert [m.delta for m in ledger.exclude(reason="initial stock")] == [-4, 4]


def test_unknown_medicine_and_referral_without_destination_are_field_errors(
    api_client: Client, day: dict
) -> None:
    encounter_id = _start(api_client, day).json()["id"]
    unknown = api_client.post(
        f"/api/encounters/{encounter_id}/prescriptions",
        {"medicine": "unobtainium", "quantity": 1, "dosage": "x"},
        content_type=JSON,
        **day["gp"],
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == [
        {"field": "medicine", "message": "'unobtainium' is not in the formulary."}
    ]
    nowhere = api_client.post(
        f"/api/encounters/{encounter_id}/referrals",
        {"reason": "avis"},
        content_type=JSON,
        **day["gp"],
    )
    assert nowhere.status_code == 422
    referred = api_client.post(
        f"/api/encounters/{encounter_id}/referrals",
        {"hub": "chr-errachidia", "reason": "Suspicion de prééclampsie", "urgency": "urgent"},
        content_type=JSON,
        **day["gp"],
    )
    assert referred.status_code == 201, referred.content


def test_another_unit_cannot_read_or_write_the_encounter(
    api_client: Client, day: dict, bearer: Callable[[User], dict[str, str]]
) -> None:
    encounter_id = _start(api_client, day).json()["id"]
    stranger = bearer(unit_staff(UserRole.GP, "figuig-1"))
    assert api_client.get(f"/api/encounters/{encounter_id}", **stranger).status_code == 404
    patched = api_client.patch(
        f"/api/encounters/{encounter_id}", {"reason": "x"}, content_type=JSON, **stranger
    )
    assert patched.status_code == 404
    denied = AuditEvent.objects.filter(resource_id=encounter_id, outcome="denied")
    assert denied.count() == 2


def test_the_chart_shows_the_history_of_merged_records(api_client: Client, day: dict) -> None:
    first = _start(api_client, day).json()["id"]
    twin = PatientFactory(unit=unit("midelt-1"), sex="female", given_name="Ito")
    second = api_client.post(
        "/api/encounters", {"patient_id": str(twin.pk)}, content_type=JSON, **day["nurse"]
    ).json()["id"]
    merge = api_client.post(
        "/api/patients/merges",
        {"survivor_id": str(day["patient"].pk), "duplicate_id": str(twin.pk)},
        content_type=JSON,
        **day["nurse"],
    )
    assert merge.status_code == 201
    chart = api_client.get("/api/encounters", {"patient": str(day["patient"].pk)}, **day["gp"])
    assert {e["id"] for e in chart.json()} == {first, second}


def test_icd10_search_as_you_type(api_client: Client, day: dict) -> None:
    found = api_client.get("/api/reference/icd10", {"q": "hypert", "limit": 3}, **day["gp"]).json()
    assert found[0] == {
        "code": "I10",
        "label": "Essential (primary) hypertension",
        "language": "en",
        "billable": True,
    }


def test_signed_prescription_prints_in_french_and_arabic_with_one_number(
    api_client: Client, day: dict
) -> None:
    import io

    from pypdf import PdfReader

    encounter_id = _start(api_client, day).json()["id"]
    assert (
        api_client.get(f"/api/encounters/{encounter_id}/documents/prescription.pdf", **day["gp"])
    ).status_code == 409  # not signed yet
    encounter_id = _signed(api_client, day)
    url = f"/api/encounters/{encounter_id}/documents/prescription.pdf"
    french = api_client.get(url, {"lang": "fr"}, **day["gp"])
    assert french.status_code == 200
    assert french["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(french.content)).pages)
    patient = day["patient"]
    assert f"{patient.given_name} {patient.family_name}" in text
    assert "Amlodipine 5 mg" in text and "Ordonnance" in text
    number = french["Content-Disposition"].split('"')[1].removesuffix("-fr.pdf")
    assert number in text
    assert number.startswith(f"ORD-{timezone.localdate().year}-MIDELT1-")
    arabic = api_client.get(url, {"lang": "ar"}, **day["gp"])
    arabic_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(arabic.content)).pages)
    assert number in arabic_text and "Amlodipine 5 mg" in arabic_text
    assert AuditEvent.objects.filter(action="print", resource_id=encounter_id).count() == 2


def test_a_chart_costs_the_same_queries_however_long_it_is(
    client: Client, day: dict, django_assert_max_num_queries: Callable[..., object]
) -> None:
    """Found under load (benchmarks/load_test.py): six queries per past encounter."""
    for _ in range(4):
        _signed(client, day)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        chart = client.get(f"/api/encounters?patient={day['patient'].pk}", **day["gp"])
    assert chart.status_code == 200 and len(chart.json()) == 4
    assert all(e["prescriptions"][0]["medicine_name"] for e in chart.json())


def _referred_and_signed(client: Client, day: dict) -> tuple[str, str]:
    encounter_id = _start(client, day).json()["id"]
    gp = day["gp"]
    client.patch(
        f"/api/encounters/{encounter_id}", {"diagnoses": ["O14.9"]}, content_type=JSON, **gp
    )
    referred = client.post(
        f"/api/encounters/{encounter_id}/referrals",
        {"hub": "chr-errachidia", "reason": "Suspicion de prééclampsie", "urgency": "urgent"},
        content_type=JSON,
        **gp,
    )
    assert referred.status_code == 201, referred.content
    assert referred.json()["seen_on"] is None
    assert client.post(f"/api/encounters/{encounter_id}/sign", **gp).status_code == 200
    return encounter_id, referred.json()["id"]


def test_a_referral_is_completed_once_the_patient_was_seen_there(
    api_client: Client, day: dict, bearer: Callable[[User], dict[str, str]]
) -> None:
    encounter_id, referral_id = _referred_and_signed(api_client, day)
    url = f"/api/encounters/{encounter_id}/referrals/{referral_id}/completion"
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    yesterday = today - datetime.timedelta(days=1)
    # Before the referral, or a day still to come: field errors (in French, the default),
    # nothing recorded.
    for day_seen, why in ((yesterday, "avant d'être référé"), (tomorrow, "pas encore arrivée")):
        refused = api_client.post(url, {"seen_on": day_seen.isoformat()}, content_type=JSON,
                                  **day["nurse"])  # fmt: skip
        assert refused.status_code == 422, refused.content
        assert why in refused.json()["detail"][0]["message"]
    malformed = api_client.post(url, {"seen_on": "la semaine dernière"}, content_type=JSON,
                                **day["nurse"])  # fmt: skip
    assert malformed.status_code == 422
    # Another unit's staff: the encounter is not theirs to read (404, audited as denied).
    stranger = bearer(unit_staff(UserRole.NURSE, "figuig-1"))
    outsider = api_client.post(url, {"seen_on": today.isoformat()}, content_type=JSON, **stranger)
    assert outsider.status_code == 404
    assert not ReferralCompletion.objects.exists()

    # The nurse records it from the return slip; the chart shows it.
    done = api_client.post(url, {"seen_on": today.isoformat()}, content_type=JSON, **day["nurse"])
    assert done.status_code == 201, done.content
    assert done.json()["seen_on"] == today.isoformat()
    chart = api_client.get(f"/api/encounters/{encounter_id}", **day["gp"]).json()
    assert chart["referrals"][0]["seen_on"] == today.isoformat()
    assert AuditEvent.objects.filter(
        resource_id=encounter_id, outcome="allowed", detail="referral completed"
    ).exists()
    again = api_client.post(url, {"seen_on": today.isoformat()}, content_type=JSON, **day["gp"])
    assert again.status_code == 409
    assert ReferralCompletion.objects.count() == 1
    # It is replicated like the referral (the unit's pull scope, its change log).
    assert Change.objects.filter(model="clinical.referralcompletion").count() == 1

    # A correction of the encounter keeps the loop closed on its copy of the referral.
    gp = day["gp"]
    correction = api_client.post(f"/api/encounters/{encounter_id}/corrections", **gp).json()
    assert [r["seen_on"] for r in correction["referrals"]] == [today.isoformat()]
    stale = api_client.post(url, {"seen_on": today.isoformat()}, content_type=JSON, **gp)
    assert stale.status_code == 409  # the original is no longer the current signed version


def test_an_open_encounter_or_an_unknown_referral_cannot_be_completed(
    api_client: Client, day: dict
) -> None:
    encounter_id = _start(api_client, day).json()["id"]
    referral = api_client.post(
        f"/api/encounters/{encounter_id}/referrals",
        {"hub": "chr-errachidia", "reason": "Bilan"},
        content_type=JSON,
        **day["gp"],
    ).json()
    today = {"seen_on": timezone.localdate().isoformat()}
    base = f"/api/encounters/{encounter_id}/referrals"
    unsigned = api_client.post(f"{base}/{referral['id']}/completion", today,
                               content_type=JSON, **day["gp"])  # fmt: skip
    assert unsigned.status_code == 409
    unknown = api_client.post(f"{base}/{uuid.uuid4()}/completion", today,
                              content_type=JSON, **day["gp"])  # fmt: skip
    assert unknown.status_code == 409
    assert not ReferralCompletion.objects.exists()
