"""The network as FHIR: units, hubs and the central platform (Organization), tour stops
(Location), clinical staff (Practitioner, PractitionerRole), devices (Device), and diagnoses
(Condition, ICD-10)."""

from __future__ import annotations

from typing import Any

from tbib.accounts.choices import UserRole
from tbib.fhir.mapping import BASE, COMMUNE_SYSTEM, meta

ICD10 = "http://hl7.org/fhir/sid/icd-10"
SNOMED = "http://snomed.info/sct"
CLINICAL_ROLES = (UserRole.GP, UserRole.NURSE, UserRole.SPECIALIST)
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
# Our device kinds in SNOMED CT (physical objects).
DEVICE_SNOMED = {
    "blood-pressure": ("258057004", "Non-invasive blood pressure monitor"),
    "pulse-oximeter": ("448703006", "Pulse oximeter"),
    "thermometer": ("19892000", "Thermometer"),
    "glucometer": ("337414009", "Blood glucose meter"),
    "scale": ("19923001", "Weighing scale"),
    "ecg": ("706767009", "Electrocardiograph"),
    "camera": ("706770008", "Medical camera"),
}


def _version(record: Any) -> str:
    """Reference data is not in the change log: its last change time stands for the version
    (microseconds since the epoch; every change gives a new one)."""
    return str(int(record.updated_at.timestamp() * 1_000_000))


def organization(unit: Any) -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "id": str(unit.pk),
        "meta": meta(_version(unit), unit.updated_at),
        "identifier": [{"system": f"{BASE}/NamingSystem/unit", "value": unit.code}],
        "active": unit.status == "active",
        "type": [
            {
                "coding": [
                    {"system": ORGANIZATION_TYPE, "code": "prov", "display": "Healthcare Provider"}
                ],
                "text": "Mobile medical unit",
            }
        ],
        "name": unit.name,
        "address": [{"district": unit.home_commune_id, "country": "MA"}],
        "partOf": {
            "reference": f"Organization/{unit.regional_hub_id}",
            "display": unit.regional_hub.name,
        },
    }


def hub_organization(hub: Any) -> dict[str, Any]:
    """A hub hospital. Regional hubs are not linked to the national one: the model keeps no
    such link (they coordinate their region; the national hub hosts the platform)."""
    return {
        "resourceType": "Organization",
        "id": str(hub.pk),
        "meta": meta(_version(hub), hub.updated_at),
        "identifier": [{"system": f"{BASE}/NamingSystem/hub", "value": hub.code}],
        "active": True,
        "type": [
            {
                "coding": [
                    {"system": ORGANIZATION_TYPE, "code": "prov", "display": "Healthcare Provider"}
                ],
                "text": str(hub.get_level_display()),
            }
        ],
        "name": hub.name,
        "address": [{"district": hub.commune_id, "country": "MA"}],
    }


def platform_organization(platform: Any) -> dict[str, Any]:
    """The central telemedicine platform, a department of the hub hosting it."""
    return {
        "resourceType": "Organization",
        "id": str(platform.pk),
        "meta": meta(_version(platform), platform.updated_at),
        "active": True,
        "type": [
            {
                "coding": [
                    {"system": ORGANIZATION_TYPE, "code": "dept", "display": "Hospital Department"}
                ],
                "text": "Telemedicine platform",
            }
        ],
        "name": platform.name,
        "partOf": {"reference": f"Organization/{platform.hub_id}", "display": platform.hub.name},
    }


def location(stop: Any) -> dict[str, Any]:
    commune = stop.commune
    resource: dict[str, Any] = {
        "resourceType": "Location",
        "id": str(stop.pk),
        "meta": meta(_version(stop), stop.updated_at),
        "status": "inactive" if stop.status == "cancelled" else "active",
        "name": f"{commune.name_fr} {stop.date.isoformat()}"
        + (f" ({stop.village})" if stop.village else ""),
        "mode": "instance",
        "description": f"Tour stop of {stop.unit.name} on {stop.date.isoformat()}",
        "address": {
            "district": commune.code,
            "city": commune.name_fr,
            "country": "MA",
            "extension": [{"url": COMMUNE_SYSTEM, "valueCode": commune.code}],
        },
        "managingOrganization": {"reference": f"Organization/{stop.unit_id}"},
    }
    if commune.latitude is not None and commune.longitude is not None:
        resource["position"] = {"latitude": commune.latitude, "longitude": commune.longitude}
    return resource


def practitioner(user: Any) -> dict[str, Any]:
    return {
        "resourceType": "Practitioner",
        "id": str(user.pk),
        "meta": meta(_version(user), user.updated_at),
        "identifier": [{"system": f"{BASE}/NamingSystem/staff", "value": user.username}],
        "active": user.is_active,
        "name": [
            {
                "family": user.last_name or user.username,
                "given": [user.first_name] if user.first_name else [],
            }
        ],
        "qualification": [{"code": {"text": str(user.get_role_display())}}],
    }


PRACTITIONER_ROLE = "http://terminology.hl7.org/CodeSystem/practitioner-role"
ROLE_CODES = {UserRole.GP: "doctor", UserRole.SPECIALIST: "doctor", UserRole.NURSE: "nurse"}
SPECIALTY_SYSTEM = f"{BASE}/CodeSystem/specialty"
# The platform's specialties in SNOMED CT (the "practice setting" clinical specialty codes
# of hl7.org/fhir/R4/valueset-c80-practice-codes.html).
SPECIALTY_SNOMED = {
    "gynaecology-obstetrics": ("394585009", "Obstetrics and gynecology"),
    "paediatrics": ("394537008", "Pediatric specialty"),
    "endocrinology": ("394583002", "Endocrinology"),
    "dermatology": ("394582007", "Dermatology"),
    "ent": ("418960008", "Otolaryngology"),
    "cardiology": ("394579002", "Cardiology"),
    "pulmonology": ("418112009", "Pulmonary medicine"),
}


def specialty(record: Any) -> dict[str, Any]:
    """A specialty as a CodeableConcept: our code, and SNOMED CT's."""
    codings = [{"system": SPECIALTY_SYSTEM, "code": record.slug, "display": str(record)}]
    if record.slug in SPECIALTY_SNOMED:
        code, display = SPECIALTY_SNOMED[record.slug]
        codings.append({"system": SNOMED, "code": code, "display": display})
    return {"coding": codings, "text": str(record)}


def practitioner_role(user: Any, platforms: dict[str, Any]) -> dict[str, Any]:
    """What a clinical user does and where: a unit's GP or nurse, or a specialist answering from
    the central platform (`platforms`: the platform of each specialty)."""
    resource: dict[str, Any] = {
        "resourceType": "PractitionerRole",
        "id": str(user.pk),
        "meta": meta(_version(user), user.updated_at),
        "identifier": [{"system": f"{BASE}/NamingSystem/staff", "value": user.username}],
        "active": user.is_active,
        "practitioner": {"reference": f"Practitioner/{user.pk}"},
        "code": [
            {
                "coding": [{"system": PRACTITIONER_ROLE, "code": ROLE_CODES[user.role]}],
                "text": str(user.get_role_display()),
            }
        ],
    }
    if user.unit_id:
        resource["organization"] = {"reference": f"Organization/{user.unit_id}"}
    if user.specialty_id:
        resource["specialty"] = [specialty(user.specialty)]
        platform = platforms.get(user.specialty_id)
        if platform is not None:
            resource["organization"] = {"reference": f"Organization/{platform.pk}"}
    return resource


def device(record: Any) -> dict[str, Any]:
    code, display = DEVICE_SNOMED.get(record.kind, ("49062001", "Device"))
    resource: dict[str, Any] = {
        "resourceType": "Device",
        "id": str(record.pk),
        "meta": meta(_version(record), record.updated_at),
        "identifier": [{"system": f"{BASE}/NamingSystem/device-serial", "value": record.serial}],
        "serialNumber": record.serial,
        "type": {
            "coding": [{"system": "http://snomed.info/sct", "code": code, "display": display}]
        },
        "owner": {"reference": f"Organization/{record.unit_id}"},
    }
    if record.manufacturer:
        resource["manufacturer"] = record.manufacturer
    if record.model:
        resource["deviceName"] = [{"name": record.model, "type": "model-name"}]
    return resource


def condition(diagnosis: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": str(diagnosis.pk),
        "meta": meta(1, diagnosis.updated_at),
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
        "verificationStatus": {"coding": [{"system": CONDITION_VERIFICATION, "code": "confirmed"}]},
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "encounter-diagnosis"}]}],
        "code": {
            "coding": [{"system": ICD10, "code": diagnosis.code, "display": diagnosis.label}],
            "text": diagnosis.label,
        },
        "subject": {"reference": f"Patient/{diagnosis.encounter.patient_id}"},
        "encounter": {"reference": f"Encounter/{diagnosis.encounter_id}"},
        "recordedDate": diagnosis.created_at.isoformat(timespec="seconds"),
    }


ATC = "http://www.whocc.no/atc"
# Our categories of ServiceRequest: a referral to a facility, or a tele-expertise request to
# a specialty of the central platform (docs/fhir.md).
REQUEST_CATEGORY = f"{BASE}/CodeSystem/service-request-category"
SERVICE_PRIORITY = {"routine": "routine", "urgent": "urgent", "emergency": "stat"}


def _encounter_status(encounter: Any) -> str:
    return {"signed": "completed", "superseded": "entered-in-error"}.get(encounter.status, "active")


def medication_request(line: Any) -> dict[str, Any]:
    medicine = line.medicine
    dosage: dict[str, Any] = {"text": line.dosage}
    if line.duration_days:
        dosage["timing"] = {
            "repeat": {
                "boundsDuration": {
                    "value": line.duration_days,
                    "unit": "d",
                    "system": "http://unitsofmeasure.org",
                    "code": "d",
                }
            }
        }
    return {
        "resourceType": "MedicationRequest",
        "id": str(line.pk),
        "meta": meta(1, line.updated_at),
        "status": _encounter_status(line.encounter),
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": ATC, "code": medicine.atc, "display": medicine.name}],
            "text": f"{medicine.name} {medicine.strength} ({medicine.form})",
        },
        "subject": {"reference": f"Patient/{line.encounter.patient_id}"},
        "encounter": {"reference": f"Encounter/{line.encounter_id}"},
        "authoredOn": line.created_at.isoformat(timespec="seconds"),
        "dosageInstruction": [dosage],
        "dispenseRequest": {"quantity": {"value": line.quantity, "unit": medicine.dispense_unit}},
    }


def service_request(referral: Any) -> dict[str, Any]:
    destination = referral.hub.name if referral.hub_id else referral.facility.name
    return {
        "resourceType": "ServiceRequest",
        "id": str(referral.pk),
        "meta": meta(1, referral.updated_at),
        "status": _encounter_status(referral.encounter),
        "intent": "order",
        "category": [
            {
                "coding": [
                    {"system": SNOMED, "code": "3457005", "display": "Patient referral"},
                    {"system": REQUEST_CATEGORY, "code": "referral", "display": "Referral"},
                ]
            }
        ],
        "priority": SERVICE_PRIORITY.get(referral.urgency, "routine"),
        "code": {"text": "Referral"},
        "subject": {"reference": f"Patient/{referral.encounter.patient_id}"},
        "encounter": {"reference": f"Encounter/{referral.encounter_id}"},
        "authoredOn": referral.created_at.isoformat(timespec="seconds"),
        "performer": [{"display": destination}],
        "reasonCode": [{"text": referral.reason}],
    }
