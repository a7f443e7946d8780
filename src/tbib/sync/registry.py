"""What replicates, whose it is, how it merges, and how urgently it travels. Pure data.

- `fact`: immutable once written (observations, diagnoses, case events, attachments, audit,
  device readings, ECG strips): union by id, never a conflict.
- `mutable`: per-field last writer wins by HLC, losing values kept (patients, encounters
  before signature, tour stops, answers until acknowledged); a case's status moves by the
  case-aware rule (sync.merge.merge_case) and the other fields per field.

Reference data (units, devices, staff, medicines) is authored at the hub and sent whole at
enrolment and whenever it changes (sync.reference); the geography comes from the HCP package
on every node.
"""

from __future__ import annotations

REPLICATED: dict[str, str] = {
    "patients.patient": "mutable",
    "tours.stop": "mutable",
    "clinical.encounter": "mutable",
    "clinical.observation": "fact",
    "clinical.diagnosis": "fact",
    "clinical.prescriptionline": "fact",
    "clinical.referral": "fact",
    "clinical.referralcompletion": "fact",
    "assist.findingdismissal": "fact",
    "teleexpertise.case": "mutable",
    "teleexpertise.caseevent": "fact",
    "teleexpertise.answer": "mutable",
    "teleexpertise.attachment": "fact",
    "devices.devicereading": "fact",
    "devices.ecgstrip": "fact",
    "access.auditevent": "fact",
}

# Apply order inside a batch: a record's parents before the record.
ORDER = list(REPLICATED)

# The path from a record to the unit whose data it is: a unit's pull receives exactly these.
# None: no unit pulls it (an audit event of hub staff stays at the hub).
SCOPE: dict[str, str] = {
    "patients.patient": "unit_id",
    "tours.stop": "unit_id",
    "clinical.encounter": "unit_id",
    "clinical.observation": "encounter__unit_id",
    "clinical.diagnosis": "encounter__unit_id",
    "clinical.prescriptionline": "encounter__unit_id",
    "clinical.referral": "encounter__unit_id",
    "clinical.referralcompletion": "referral__encounter__unit_id",
    "assist.findingdismissal": "encounter__unit_id",
    "teleexpertise.case": "unit_id",
    "teleexpertise.caseevent": "case__unit_id",
    "teleexpertise.answer": "case__unit_id",
    "teleexpertise.attachment": "case__unit_id",
    "devices.devicereading": "device__unit_id",
    "devices.ecgstrip": "encounter__unit_id",
    "access.auditevent": "actor__unit_id",
}

# What travels first on a thin link (the offline-first issue): answers and new cases, then
# the clinical record (with the day's stops and audit trail), then attachments' content
# (sync.client), then the rest: raw device payloads.
PRIORITY: dict[str, int] = {
    "teleexpertise.case": 0,
    "teleexpertise.caseevent": 0,
    "teleexpertise.answer": 0,
    "teleexpertise.attachment": 0,  # the file's description; its bytes travel after class 1
    "patients.patient": 1,
    "clinical.encounter": 1,
    "clinical.observation": 1,
    "clinical.diagnosis": 1,
    "clinical.prescriptionline": 1,
    "clinical.referral": 1,
    "clinical.referralcompletion": 1,
    "assist.findingdismissal": 1,
    "devices.ecgstrip": 1,
    "tours.stop": 1,
    "access.auditevent": 1,
    # Raw device payloads: their clinical values already travelled as observations (class 1).
    "devices.devicereading": 3,
}
ATTACHMENT_PRIORITY = 2
