"""The assistant's findings for an encounter, from its recorded measurements."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tbib.assist.evaluate import Context, EvaluationError, Observation, evaluate
from tbib.assist.findings import Finding
from tbib.assist.routing import Suggestion, suggest

if TYPE_CHECKING:
    from tbib.clinical.models import Encounter
    from tbib.teleexpertise.models import Case

# Capillary glucose by meter, recorded in g/L, is a random (non-fasting) measurement.
_SEX = {"female": "female", "male": "male"}


def findings_for(encounter: Encounter) -> list[Finding]:
    """Findings of the encounter's latest value of each measurement (the same pure rules as the
    API, so the unit, the specialist and any other system see the same)."""
    patient = encounter.patient
    if patient.birth_date is None:
        return []
    latest: dict[str, Observation] = {}
    keys: set[str] = set()
    for row in encounter.observations.order_by("effective_at"):
        latest[row.loinc] = Observation(row.loinc, row.value, row.unit)
        keys.add(row.key)
    context = Context(
        age_days=(encounter.arrived_at.date() - patient.birth_date).days,
        sex=_SEX.get(patient.sex, "other"),
        pregnant="gestational_age" in keys and patient.sex == "female",
    )
    try:
        return evaluate(context, list(latest.values()))
    except EvaluationError:
        return []  # the recorded values passed the encounter's own validation; rules skip them


def reviewed_findings(encounter: Encounter) -> list[tuple[Finding, object]]:
    """Each finding with its dismissal (or None), for the screens."""
    from tbib.assist.models import FindingDismissal

    dismissed = {
        d.rule: d
        for d in FindingDismissal.objects.filter(encounter=encounter).select_related("dismissed_by")
    }
    return [(finding, dismissed.get(finding.rule)) for finding in findings_for(encounter)]


def suggestion_for(encounter: Encounter, findings: list[Finding]) -> Suggestion:
    """The specialty and urgency the assistant suggests for a case about this encounter."""
    patient = encounter.patient
    age_days = (encounter.arrived_at.date() - patient.birth_date).days if patient.birth_date else 0
    return suggest(
        age_days=age_days if patient.birth_date else 30 * 365,
        pregnant=any(f.rule.startswith("pregnancy") for f in findings),
        findings=findings,
        diagnoses=list(encounter.diagnoses.values_list("code", flat=True)),
        reason=encounter.reason,
    )


SEVERITY_ORDER = ["info", "low", "medium", "high"]


def findings_for_case(case: Case) -> list[Finding]:
    """The findings of the measurements the case carries (what the specialist reads)."""
    from decimal import Decimal, InvalidOperation

    patient = case.patient
    if patient.birth_date is None:
        return []
    observations = []
    keys = set()
    for vital in case.vitals or []:
        try:
            observations.append(Observation(vital["loinc"], Decimal(vital["value"]), vital["unit"]))
        except (KeyError, TypeError, InvalidOperation):
            continue
        keys.add(vital.get("key", ""))
    context = Context(
        age_days=(case.created_at.date() - patient.birth_date).days,
        sex=_SEX.get(patient.sex, "other"),
        pregnant="gestational_age" in keys and patient.sex == "female",
    )
    try:
        return evaluate(context, observations)
    except EvaluationError:
        return []


def reviewed_case_findings(case: Case) -> list[tuple[Finding, object]]:
    from tbib.assist.models import FindingDismissal

    dismissed = {d.rule: d for d in FindingDismissal.objects.filter(encounter_id=case.encounter_id)
                 .select_related("dismissed_by")}  # fmt: skip
    return [(f, dismissed.get(f.rule)) for f in findings_for_case(case)]


def top_finding(case: Case) -> Finding | None:
    """The most severe finding of a case, for its line in the queue (None if only info)."""
    findings = [f for f in findings_for_case(case) if f.severity != "info"]
    return max(findings, key=lambda f: SEVERITY_ORDER.index(f.severity), default=None)
