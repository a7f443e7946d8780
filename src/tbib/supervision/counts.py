"""What each count counts, written once: the supervision indicators and the DHIS2 export both
read their figures from here (one grouped query per source, no Python loop over rows)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Aggregate, Count, F, Q, QuerySet

from tbib.assist.models import FindingDismissal
from tbib.clinical.choices import EncounterStatus, ObservationSource
from tbib.clinical.models import Encounter, Observation, Referral
from tbib.devices.models import EcgStrip
from tbib.network.models import MobileUnit
from tbib.patients.models import Patient
from tbib.supervision.choices import NATION_CODE, Level
from tbib.supervision.period import Period
from tbib.supervision.scope import NATION, Scope, group_field
from tbib.teleexpertise.choices import CaseStatus
from tbib.teleexpertise.models import Case
from tbib.tours.choices import StopStatus
from tbib.tours.models import Stop

# The integer counts, in the order tables show them.
COUNTS = (
    "consultations",
    "unique_patients",
    "new_patients",
    "stops_planned",
    "stops_made",
    "observations",
    "observations_from_devices",
    "referrals",
    "referrals_completed",
    "teleexpertise_requests",
    "teleexpertise_answered",
    "answered_within_sla",
    "findings_dismissed",
    "ecg_af_suspected",
)


def consultations(period: Period) -> QuerySet[Encounter]:
    """Encounters signed, by arrival time. A corrected encounter counts once: its replaced
    version is `superseded`, not `signed`."""
    start, end = period.bounds
    return Encounter.objects.filter(
        status=EncounterStatus.SIGNED, arrived_at__gte=start, arrived_at__lt=end
    )


def observations(period: Period) -> QuerySet[Observation]:
    """Measurements taken in the period, in encounters open or signed (computed ones, such as
    BMI, included: they are recorded like the others)."""
    start, end = period.bounds
    return Observation.objects.filter(
        effective_at__gte=start,
        effective_at__lt=end,
        encounter__status__in=[EncounterStatus.SIGNED, EncounterStatus.IN_PROGRESS],
    )


def stops(period: Period) -> QuerySet[Stop]:
    """Stops on the calendar for a day of the period, whatever became of them."""
    return Stop.objects.filter(date__gte=period.start, date__lt=period.end)


def cases_sent(period: Period) -> QuerySet[Case]:
    """Tele-expertise cases created in the period and sent (drafts excluded)."""
    start, end = period.bounds
    return Case.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        status=CaseStatus.DRAFT
    )


def cases_answered(period: Period) -> QuerySet[Case]:
    """Cases answered in the period (by answer time), with the time they entered the queue."""
    start, end = period.bounds
    return Case.objects.filter(answered_at__gte=start, answered_at__lt=end, queued_at__isnull=False)


# Answered within the SLA: by the due time set when the case (last) entered the queue, and
# never escalated — escalation pushes `sla_due_at` on, but only a late case is escalated.
WITHIN_SLA = Q(answered_at__lte=F("sla_due_at"), escalation_level=0)


def grouped(
    rows: QuerySet[Any], by: Level, path: str = "unit", **aggregates: Aggregate
) -> dict[str, dict[str, Any]]:
    """{group code: {name: value}}: one grouped query (one aggregate for the nation)."""
    field = group_field(by, path)
    if field is None:
        return {NATION_CODE: rows.aggregate(**aggregates)}
    found = rows.order_by().values(group_=F(field)).annotate(**aggregates)
    return {str(row.pop("group_")): row for row in found}


# Counts that add up from units to their province, region and nation. Distinct patients do
# not (one patient seen by two units is one patient of their province): counted per level.
ADDITIVE = tuple(name for name in COUNTS if name != "unique_patients")


def _per_unit(rows: QuerySet[Any], path: str = "unit", **aggregates: Aggregate) -> dict[Any, dict]:
    """{unit id: {name: value}}: one query grouped by the rows' unit id (no join to places)."""
    found = rows.order_by().values(unit_=F(f"{path}_id")).annotate(**aggregates)
    return {row.pop("unit_"): row for row in found}


def activity_per_unit(period: Period, *, within: Scope = NATION) -> dict[Any, dict[str, int]]:
    """{unit id: {count: value}} of the additive counts (ADDITIVE), for the units of `within`
    with any row counted. One grouped query per source."""
    signed = consultations(period).filter(within.units())
    observed = observations(period).filter(within.units("encounter__unit"))
    start, end = period.bounds
    device = Q(source=ObservationSource.DEVICE)
    sources = [
        _per_unit(signed, consultations=Count("pk")),
        _per_unit(Patient.objects.filter(within.units(), created_at__gte=start,
                                         created_at__lt=end), new_patients=Count("pk")),
        _per_unit(stops(period).filter(within.units()), stops_planned=Count("pk"),
                  stops_made=Count("pk", filter=Q(status=StopStatus.CLOSED))),
        _per_unit(observed, "encounter__unit", observations=Count("pk"),
                  observations_from_devices=Count("pk", filter=device)),
        # Completed: the patient was seen at the facility, whenever that was recorded (a
        # referral of March completed in April counts as March's). Two nodes may each record
        # a completion: counted once.
        _per_unit(Referral.objects.filter(encounter__in=signed.values("pk")), "encounter__unit",
                  referrals=Count("pk", distinct=True),
                  referrals_completed=Count("pk", distinct=True,
                                            filter=Q(completions__isnull=False))),
        _per_unit(cases_sent(period).filter(within.units()), teleexpertise_requests=Count("pk")),
        _per_unit(cases_answered(period).filter(within.units()),
                  teleexpertise_answered=Count("pk"),
                  answered_within_sla=Count("pk", filter=WITHIN_SLA)),
        _per_unit(FindingDismissal.objects.filter(within.units("encounter__unit"),
                                                  created_at__gte=start, created_at__lt=end),
                  "encounter__unit", findings_dismissed=Count("pk")),
        # One finding per recording: only the analysed lead of a recording carries it.
        _per_unit(EcgStrip.objects.filter(within.units("encounter__unit"), created_at__gte=start,
                                          created_at__lt=end, finding__af_suspected=True),
                  "encounter__unit", ecg_af_suspected=Count("pk")),
    ]  # fmt: skip
    table: dict[Any, dict[str, int]] = defaultdict(dict)
    for source in sources:
        for unit, values in source.items():
            if any(values.values()):
                table[unit].update({name: int(value or 0) for name, value in values.items()})
    return dict(table)


def unit_groups(by: Level, within: Scope = NATION) -> dict[Any, str]:
    """{unit id: code of its group at level `by`} for the units of `within` (one query)."""
    units = MobileUnit.objects.filter(within.units(path="")).order_by()
    field = group_field(by, path="")
    if field is None:
        return dict.fromkeys(units.values_list("pk", flat=True), NATION_CODE)
    return {pk: str(code) for pk, code in units.values_list("pk", field)}


def fold(
    per_unit: dict[Any, dict[str, int]], group_of: dict[Any, str]
) -> dict[str, dict[str, int]]:
    """Each group's sums of its units' counts. The database counted the rows; this adds at
    most one aggregated row per unit into its group."""
    table: dict[str, dict[str, int]] = {}
    for unit, values in per_unit.items():
        group = group_of.get(unit)
        if group is None:
            continue
        sums = table.setdefault(group, dict.fromkeys(ADDITIVE, 0))
        for name, value in values.items():
            sums[name] += value
    return table


def unique_patients(period: Period, *, by: Level, within: Scope = NATION) -> dict[str, int]:
    """{group code: patients with a consultation in the period} (counted once per group)."""
    signed = consultations(period).filter(within.units())
    found = grouped(signed, by, unique_patients=Count("patient_id", distinct=True))
    return {group: int(values["unique_patients"] or 0) for group, values in found.items()}


def activity(
    period: Period, *, by: Level = Level.UNIT, within: Scope = NATION
) -> dict[str, dict[str, int]]:
    """{group code: {count: value}} for the groups of `within` with any row counted (a
    group with no activity at all is absent; a count that is zero in a group present is 0).
    COUNTS names the counts."""
    return with_unique_patients(
        fold(activity_per_unit(period, within=within), unit_groups(by, within)),
        unique_patients(period, by=by, within=within),
    )


def with_unique_patients(
    table: dict[str, dict[str, int]], patients: dict[str, int]
) -> dict[str, dict[str, int]]:
    for group, count in patients.items():
        if count:
            table.setdefault(group, dict.fromkeys(ADDITIVE, 0))
    return {
        group: {name: (patients.get(group, 0) if name == "unique_patients" else values[name])
                for name in COUNTS}
        for group, values in table.items()
    }  # fmt: skip
