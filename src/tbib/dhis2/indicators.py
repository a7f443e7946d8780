"""Monthly aggregate indicators per mobile unit, for DHIS2.

The counts are the supervision counts (`tbib.supervision.counts`, one grouped database query
per source, no Python loop over rows) and the cost per consultation the supervision table's
(`tbib.supervision.indicators.table`): one definition of each figure, whoever reads it.
"""

from __future__ import annotations

from tbib.supervision.choices import Level
from tbib.supervision.indicators import table
from tbib.supervision.period import Period

# Indicator keys, the names the mapping file gives DHIS2 data elements for.
INDICATORS = {
    "consultations": "Consultations (encounters signed)",
    "unique_patients": "Unique patients seen",
    "new_patients": "Patients registered",
    "stops_made": "Tour stops made (closed)",
    "observations": "Vital signs recorded",
    "observations_from_devices": "Vital signs from connected devices",
    "referrals": "Referrals issued",
    "referrals_completed": "Referrals completed (patient seen at the facility)",
    "teleexpertise_requests": "Tele-expertise requests sent",
    "cost_per_consultation_mad": "Cost per consultation (MAD, adopted plan prorated)",
}


def monthly(year: int, month: int) -> dict[str, dict[str, int | float]]:
    """{unit code: {indicator: value}} for the units with any activity in the month; an
    indicator that is zero or undefined (no consultation, no adopted plan) is left out."""
    by_unit: dict[str, dict[str, int | float]] = {}
    for row in table(Period.month(year, month), by=Level.UNIT):
        values = {key: getattr(row, key) for key in INDICATORS}
        counted = {key: value for key, value in values.items() if value}
        if set(counted) - {"cost_per_consultation_mad"}:
            by_unit[row.code] = counted
    return by_unit
