"""Pregnancy rules: gestational age, hypertensive disorders, anaemia, danger signs. Pure."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tbib.assist.findings import Finding, Severity

NAEGELE_SOURCE = "Naegele's rule: term is 280 days (40 weeks) after the first day of the LMP"
HYPERTENSION_SOURCE = (
    "WHO recommendations for prevention and treatment of pre-eclampsia and eclampsia (2011); "
    "ISSHP classification (Brown et al., Hypertension 2018;72:24-43): ≥ 140/90 mmHg, severe "
    "≥ 160/110 mmHg; with proteinuria after 20 weeks, pre-eclampsia"
)
ANAEMIA_SOURCE = (
    "WHO. Haemoglobin concentrations for the diagnosis of anaemia and assessment of severity "
    "(WHO/NMH/NHD/MNM/11.1, 2011), Table 1: pregnant women"
)
DANGER_SOURCE = (
    "WHO. Pregnancy, Childbirth, Postpartum and Newborn Care: a guide for essential practice, "
    "3rd edition (2015), B2-B3: quick check, danger signs"
)
DANGER_SIGNS = {
    "vaginal_bleeding": "vaginal bleeding",
    "convulsions": "convulsions",
    "severe_headache_blurred_vision": "severe headache with blurred vision",
    "severe_abdominal_pain": "severe abdominal pain",
    "fever": "fever",
    "breathing_difficulty": "difficult breathing",
    "reduced_fetal_movements": "reduced or absent fetal movements",
    "leaking_fluid": "leaking of fluid before labour",
}


def gestational_age(lmp: datetime.date, on: datetime.date) -> Finding:
    days = (on - lmp).days
    if days < 0 or days > 45 * 7:
        raise ValueError("The last menstrual period must be within 45 weeks before the visit.")
    due = lmp + datetime.timedelta(days=280)
    weeks, extra = divmod(days, 7)
    return Finding(
        rule="gestational-age",
        severity=Severity.INFO,
        source=NAEGELE_SOURCE,
        explanation=f"Gestational age {weeks} weeks {extra} days; expected date of delivery "
        f"{due.isoformat()}.",
        values={"lmp": lmp.isoformat(), "weeks": Decimal(weeks), "days": Decimal(extra)},
    )


def hypertensive_disorder(
    systolic: Decimal, diastolic: Decimal, *, proteinuria: bool | None, weeks: int | None
) -> Finding | None:
    """None when the pressure is below 140/90."""
    if systolic < 140 and diastolic < 90:
        return None
    severe = systolic >= 160 or diastolic >= 110
    after_20 = weeks is not None and weeks >= 20
    if proteinuria and after_20:
        name = (
            "pre-eclampsia with severe features suspected"
            if severe
            else ("pre-eclampsia suspected")
        )
        severity = Severity.HIGH
    else:
        name = "severe hypertension in pregnancy" if severe else "hypertension in pregnancy"
        severity = Severity.HIGH if severe else Severity.MEDIUM
        if proteinuria is None and after_20:
            name += " (test the urine for protein)"
    return Finding(
        rule="pregnancy-hypertension",
        severity=severity,
        source=HYPERTENSION_SOURCE,
        explanation=f"Blood pressure {systolic}/{diastolic} mmHg in pregnancy: {name}.",
        values={
            "systolic_bp": systolic,
            "diastolic_bp": diastolic,
            "proteinuria": "unknown" if proteinuria is None else proteinuria,
        },  # fmt: skip
    )


def anaemia(haemoglobin_g_dl: Decimal) -> Finding:
    """Pregnant women: < 11.0 g/dL anaemia; mild 10.0-10.9, moderate 7.0-9.9, severe < 7.0."""
    if haemoglobin_g_dl < 7:
        grade, severity = "severe anaemia", Severity.HIGH
    elif haemoglobin_g_dl < 10:
        grade, severity = "moderate anaemia", Severity.MEDIUM
    elif haemoglobin_g_dl < 11:
        grade, severity = "mild anaemia", Severity.LOW
    else:
        grade, severity = "no anaemia", Severity.INFO
    return Finding(rule="pregnancy-anaemia", severity=severity, source=ANAEMIA_SOURCE,
                   explanation=f"Haemoglobin {haemoglobin_g_dl} g/dL in pregnancy: {grade}.",
                   values={"haemoglobin_g_dl": haemoglobin_g_dl})  # fmt: skip


def danger_signs(signs: set[str]) -> Finding | None:
    present = [DANGER_SIGNS[s] for s in sorted(signs) if s in DANGER_SIGNS]
    if not present:
        return None
    return Finding(
        rule="pregnancy-danger-signs",
        severity=Severity.HIGH,
        source=DANGER_SOURCE,
        explanation="Danger sign(s) in pregnancy: "
        + ", ".join(present)
        + ": emergency care and referral now.",
        values={s: True for s in sorted(signs) if s in DANGER_SIGNS},
    )
