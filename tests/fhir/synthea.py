"""Synthea-style transaction Bundles: patients with encounters and vital-sign observations as
another system would send them (Synthea's own identifier system, urn:uuid references,
conditional creates on identifiers). Deterministic for a seed."""

from __future__ import annotations

import datetime
import random
import uuid
from typing import Any

SYNTHEA = "https://github.com/synthetichealth/synthea"
_NAMES = [
    ("Fatima", "Zahra", "female"),
    ("Mohamed", "Amine", "male"),
    ("Khadija", "Ait Ali", "female"),
    ("Youssef", "Ouchen", "male"),
    ("Aicha", "Benali", "female"),
    ("Hassan", "Idrissi", "male"),
]
_VITALS = [
    ("8480-6", "Systolic blood pressure", "mm[Hg]", 100, 170),
    ("8462-4", "Diastolic blood pressure", "mm[Hg]", 60, 100),
    ("8867-4", "Heart rate", "/min", 55, 110),
    ("29463-7", "Body weight", "kg", 40, 95),
]


def _entry(full_url: str, resource: dict[str, Any], identifier: str) -> dict[str, Any]:
    return {
        "fullUrl": full_url,
        "resource": resource,
        "request": {
            "method": "POST",
            "url": resource["resourceType"],
            "ifNoneExist": f"identifier={SYNTHEA}|{identifier}",
        },
    }


def bundle(patients: int = 5, encounters: int = 2, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    ids = uuid.UUID(int=rng.getrandbits(128))
    entries = []

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128)))

    for _ in range(patients):
        given, family, gender = rng.choice(_NAMES)
        patient_key = new_id()
        patient_url = f"urn:uuid:{patient_key}"
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(25000))
        entries.append(
            _entry(
                patient_url,
                {
                    "resourceType": "Patient",
                    "identifier": [{"system": SYNTHEA, "value": patient_key}],
                    "name": [{"use": "official", "family": family, "given": [given]}],
                    "gender": gender,
                    "birthDate": born.isoformat(),
                },
                patient_key,
            )
        )
        for visit in range(encounters):
            encounter_key = new_id()
            encounter_url = f"urn:uuid:{encounter_key}"
            start = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC) + datetime.timedelta(
                days=30 * visit + rng.randrange(20), minutes=rng.randrange(400)
            )
            entries.append(
                _entry(
                    encounter_url,
                    {
                        "resourceType": "Encounter",
                        "identifier": [{"system": SYNTHEA, "value": encounter_key}],
                        "status": "finished",
                        "class": {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                            "code": "AMB",
                        },
                        "subject": {"reference": patient_url},
                        "period": {
                            "start": start.isoformat(),
                            "end": (start + datetime.timedelta(minutes=20)).isoformat(),
                        },
                        "reasonCode": [{"text": "General examination of patient (procedure)"}],
                    },
                    encounter_key,
                )
            )
            for code, display, unit, low, high in _VITALS:
                key = new_id()
                entries.append(
                    _entry(
                        f"urn:uuid:{key}",
                        {
                            "resourceType": "Observation",
                            "identifier": [{"system": SYNTHEA, "value": key}],
                            "status": "final",
                            "category": [
                                {
                                    "coding": [
                                        {
                                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                            "code": "vital-signs",
                                        }
                                    ]
                                }
                            ],
                            "code": {
                                "coding": [
                                    {"system": "http://loinc.org", "code": code, "display": display}
                                ]
                            },
                            "subject": {"reference": patient_url},
                            "encounter": {"reference": encounter_url},
                            "effectiveDateTime": (
                                start + datetime.timedelta(minutes=5)
                            ).isoformat(),
                            "valueQuantity": {
                                "value": rng.randint(low, high),
                                "unit": unit,
                                "system": "http://unitsofmeasure.org",
                                "code": unit,
                            },
                        },
                        key,
                    )
                )
    # Senders order entries as they like: shuffled, the references still resolve.
    rng.shuffle(entries)
    return {"resourceType": "Bundle", "id": str(ids), "type": "transaction", "entry": entries}
