"""Tbib's records as FHIR R4 resources, and FHIR resources back into record fields.

Identifier systems of our own (https://fhir.tbib.ma/NamingSystem/...): the national identity
card (CIN), the AMO insurance number, and our record ids. Codes: LOINC with UCUM units for
observations (clinical.codes), HL7 v3 ActCode for the encounter class.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Sequence
from typing import Any

from tbib.clinical.choices import EncounterStatus
from tbib.clinical.codes import MEASURES
from tbib.clinical.models import Encounter, Observation
from tbib.fhir.outcome import FhirError
from tbib.patients.models import Patient

BASE = "https://fhir.tbib.ma"
CIN_SYSTEM = f"{BASE}/NamingSystem/cin"
AMO_SYSTEM = f"{BASE}/NamingSystem/amo"
COMMUNE_SYSTEM = f"{BASE}/NamingSystem/hcp-commune"
LANGUAGE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/language"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
MEASURE_BY_LOINC = {m.loinc: m for m in MEASURES.values()}

ENCOUNTER_STATUS = {
    EncounterStatus.WAITING: "arrived",
    EncounterStatus.IN_PROGRESS: "in-progress",
    EncounterStatus.SIGNED: "finished",
    EncounterStatus.SUPERSEDED: "entered-in-error",
}


def instant(moment: datetime.datetime | str) -> str:
    if isinstance(moment, str):  # a value assigned as text before a save (Django accepts it)
        moment = datetime.datetime.fromisoformat(moment)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _date(value: datetime.date | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def meta(version: int | str, updated: datetime.datetime) -> dict[str, str]:
    return {"versionId": str(version), "lastUpdated": instant(updated)}


def patient_resource(
    patient: Patient,
    version: int | str,
    extra_identifiers: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    identifiers = [{"system": f"{BASE}/NamingSystem/patient-id", "value": str(patient.pk)}]
    if patient.cin:
        identifiers.append({"system": CIN_SYSTEM, "value": patient.cin})
    if patient.amo_number:
        identifiers.append({"system": AMO_SYSTEM, "value": patient.amo_number})
    identifiers += [{"system": system, "value": value} for system, value in extra_identifiers]
    names: list[dict[str, Any]] = [
        {"use": "official", "family": patient.family_name, "given": [patient.given_name]}
    ]
    if patient.family_name_ar or patient.given_name_ar:
        arabic: dict[str, Any] = {
            "extension": [{"url": LANGUAGE_EXTENSION, "valueCode": "ar"}],
            "use": "official",
        }
        if patient.family_name_ar:
            arabic["family"] = patient.family_name_ar
        if patient.given_name_ar:
            arabic["given"] = [patient.given_name_ar]
        names.append(arabic)
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "meta": meta(version, patient.updated_at),
        "identifier": identifiers,
        "active": patient.merged_into_id is None,
        "name": names,
        "gender": patient.sex,
        "managingOrganization": {"reference": f"Organization/{patient.unit_id}"},
    }
    if patient.birth_date:
        resource["birthDate"] = _date(patient.birth_date)
    if patient.phone:
        resource["telecom"] = [{"system": "phone", "value": patient.phone, "use": "mobile"}]
    if patient.commune_id:
        address: dict[str, Any] = {"use": "home", "country": "MA", "district": patient.commune_id}
        if patient.village:
            address["line"] = [patient.village]
        resource["address"] = [address]
    if patient.merged_into_id:
        resource["link"] = [
            {"other": {"reference": f"Patient/{patient.merged_into_id}"}, "type": "replaced-by"}
        ]
    return resource


def patient_fields(resource: dict[str, Any]) -> dict[str, Any]:
    """The registry fields a Patient resource gives (patients.services validates them)."""
    if resource.get("resourceType") != "Patient":
        raise FhirError(400, "Expected a Patient resource.")
    latin = arabic = None
    for name in resource.get("name") or []:
        languages = {
            e.get("valueCode")
            for e in name.get("extension") or []
            if e.get("url") == LANGUAGE_EXTENSION
        }
        if "ar" in languages:
            arabic = arabic or name
        else:
            latin = latin or name
    if latin is None or not latin.get("family") or not latin.get("given"):
        raise FhirError(
            422, "Patient.name needs a family name and a given name (Latin script).", "required"
        )
    gender = resource.get("gender")
    if gender not in ("female", "male", "other"):
        raise FhirError(422, "Patient.gender must be female, male or other.", "required")
    fields: dict[str, Any] = {
        "family_name": str(latin["family"]),
        "given_name": " ".join(str(g) for g in latin["given"]),
        "family_name_ar": str((arabic or {}).get("family", "")),
        "given_name_ar": " ".join(str(g) for g in (arabic or {}).get("given", [])),
        "sex": gender,
        "birth_date": None,
        "cin": None,
        "amo_number": "",
        "phone": "",
    }
    if resource.get("birthDate"):
        try:
            fields["birth_date"] = datetime.date.fromisoformat(str(resource["birthDate"]))
        except ValueError as error:
            raise FhirError(422, "Patient.birthDate must be a full date (YYYY-MM-DD).") from error
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") == CIN_SYSTEM:
            fields["cin"] = str(identifier.get("value", ""))
        elif identifier.get("system") == AMO_SYSTEM:
            fields["amo_number"] = str(identifier.get("value", ""))
    for telecom in resource.get("telecom") or []:
        if telecom.get("system") == "phone" and telecom.get("value"):
            fields["phone"] = str(telecom["value"])
            break
    return fields


def external_identifiers(resource: dict[str, Any]) -> list[tuple[str, str]]:
    """`system|value` pairs of other systems (ours are kept in the record's own fields)."""
    pairs = []
    for identifier in resource.get("identifier") or []:
        system, value = identifier.get("system"), identifier.get("value")
        if isinstance(system, str) and isinstance(value, str) and system and value:
            if system.startswith(BASE):
                continue  # ours: kept in the record's own fields
            pairs.append((system[:255], value[:255]))
    return pairs


def encounter_resource(
    encounter: Encounter,
    version: int | str,
    extra_identifiers: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    period: dict[str, str] = {"start": instant(encounter.arrived_at)}
    if encounter.signed_at:
        period["end"] = instant(encounter.signed_at)
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": str(encounter.pk),
        "meta": meta(version, encounter.updated_at),
        "status": ENCOUNTER_STATUS[EncounterStatus(encounter.status)],
        "class": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "subject": {"reference": f"Patient/{encounter.patient_id}"},
        "period": period,
        "serviceProvider": {"reference": f"Organization/{encounter.unit_id}"},
        "location": [{"location": {"reference": f"Location/{encounter.stop_id}"}}],
    }
    if extra_identifiers:
        resource["identifier"] = [{"system": s, "value": v} for s, v in extra_identifiers]
    if encounter.reason:
        resource["reasonCode"] = [{"text": encounter.reason}]
    return resource


def observation_resource(
    observation: Observation,
    extra_identifiers: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    measure = MEASURE_BY_LOINC.get(observation.loinc)
    display = measure.display if measure else observation.key
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(observation.pk),
        "meta": meta(1, observation.updated_at),
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": OBSERVATION_CATEGORY,
                        "code": "vital-signs",
                        "display": "Vital Signs",
                    }
                ]
            }
        ],
        "code": {
            "coding": [{"system": LOINC, "code": observation.loinc, "display": display}],
            "text": display,
        },
        "subject": {"reference": f"Patient/{observation.encounter.patient_id}"},
        "encounter": {"reference": f"Encounter/{observation.encounter_id}"},
        "effectiveDateTime": instant(observation.effective_at),
        "valueQuantity": {
            "value": float(observation.value),
            "unit": observation.unit,
            "system": UCUM,
            "code": observation.unit,
        },
    }
    if extra_identifiers:
        resource["identifier"] = [{"system": s, "value": v} for s, v in extra_identifiers]
    return resource


def observation_fields(resource: dict[str, Any]) -> dict[str, Any]:
    """A vital sign we record (clinical.codes): its measure key, value and time."""
    codings = (resource.get("code") or {}).get("coding") or []
    measure = next(
        (
            MEASURE_BY_LOINC[c.get("code")]
            for c in codings
            if c.get("system") == LOINC and c.get("code") in MEASURE_BY_LOINC
        ),
        None,
    )
    if measure is None:
        known = ", ".join(sorted(MEASURE_BY_LOINC))
        raise FhirError(
            422,
            f"Observation.code must be one of the LOINC codes we record: {known}.",
            "not-supported",
        )
    quantity = resource.get("valueQuantity") or {}
    unit = quantity.get("code") or quantity.get("unit")
    if unit != measure.ucum:
        raise FhirError(
            422,
            f"{measure.display} is recorded in {measure.ucum} (UCUM), not {unit}.",
            "not-supported",
        )
    try:
        value = decimal.Decimal(str(quantity["value"]))
    except (KeyError, decimal.InvalidOperation) as error:
        raise FhirError(422, "Observation.valueQuantity.value must be a number.") from error
    if not value.is_finite() or not measure.low <= value <= measure.high:
        raise FhirError(
            422,
            f"{measure.display} must lie between {measure.low} and {measure.high} {measure.ucum}.",
        )
    return {
        "measure": measure,
        "value": round(value, measure.places),
        "effective_at": parse_instant(resource.get("effectiveDateTime"), "Observation"),
    }


def parse_instant(text: object, what: str) -> datetime.datetime:
    if not isinstance(text, str):
        raise FhirError(422, f"{what} needs a date and time with a time zone.", "required")
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise FhirError(422, f"{what}: {text!r} is not a FHIR dateTime.") from error
    if moment.tzinfo is None:
        raise FhirError(422, f"{what}: {text!r} has no time zone.")
    return moment
