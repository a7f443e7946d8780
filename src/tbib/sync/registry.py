"""What replicates, and how each kind of record merges (docs/sync.md). Pure data.

- `fact`: immutable once written (observations, diagnoses, case events, answers, audit,
  device readings, ECG strips): union by id, never a conflict.
- `mutable`: per-field last writer wins by HLC, losing values kept (patients, encounters
  before signature, tour stops).

A case is merged as a mutable record for now: HLC order already makes a transition made after
seeing another win; the case-aware rule for concurrent transitions (sync.merge.merge_case,
tested as a pure function) is not wired into apply yet.
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
    "teleexpertise.case": "mutable",
    "teleexpertise.caseevent": "fact",
    "teleexpertise.answer": "fact",
    "devices.devicereading": "fact",
    "devices.ecgstrip": "fact",
}

# Apply order inside a batch: a record's parents before the record.
ORDER = list(REPLICATED)
