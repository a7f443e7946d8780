"""Pregnancy rules: gestational age, hypertensive disorders, anaemia, danger signs. Pure."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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
    "vaginal_bleeding": gettext_noop("vaginal bleeding"),
    "convulsions": gettext_noop("convulsions"),
    "severe_headache_blurred_vision": gettext_noop("severe headache with blurred vision"),
    "severe_abdominal_pain": gettext_noop("severe abdominal pain"),
    "fever": gettext_noop("fever"),
    "breathing_difficulty": gettext_noop("difficult breathing"),
    "reduced_fetal_movements": gettext_noop("reduced or absent fetal movements"),
    "leaking_fluid": gettext_noop("leaking of fluid before labour"),
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
        explanation=_(
            "Gestational age %(weeks)s weeks %(days)s days; expected date of delivery %(due)s."
        )
        % {"weeks": weeks, "days": extra, "due": due.isoformat()},
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
            _("pre-eclampsia with severe features suspected")
            if severe
            else _("pre-eclampsia suspected")
        )
        severity = Severity.HIGH
    else:
        name = _("severe hypertension in pregnancy") if severe else _("hypertension in pregnancy")
        severity = Severity.HIGH if severe else Severity.MEDIUM
        if proteinuria is None and after_20:
            name += " " + _("(test the urine for protein)")
    return Finding(
        rule="pregnancy-hypertension",
        severity=severity,
        source=HYPERTENSION_SOURCE,
        explanation=_("Blood pressure %(systolic)s/%(diastolic)s mmHg in pregnancy: %(name)s.")
        % {"systolic": systolic, "diastolic": diastolic, "name": name},
        values={
            "systolic_bp": systolic,
            "diastolic_bp": diastolic,
            "proteinuria": "unknown" if proteinuria is None else proteinuria,
        },  # fmt: skip
    )


def anaemia(haemoglobin_g_dl: Decimal) -> Finding:
    """Pregnant women: < 11.0 g/dL anaemia; mild 10.0-10.9, moderate 7.0-9.9, severe < 7.0."""
    if haemoglobin_g_dl < 7:
        grade, severity = _("severe anaemia"), Severity.HIGH
    elif haemoglobin_g_dl < 10:
        grade, severity = _("moderate anaemia"), Severity.MEDIUM
    elif haemoglobin_g_dl < 11:
        grade, severity = _("mild anaemia"), Severity.LOW
    else:
        grade, severity = _("no anaemia"), Severity.INFO
    return Finding(rule="pregnancy-anaemia", severity=severity, source=ANAEMIA_SOURCE,
                   explanation=_("Haemoglobin %(value)s g/dL in pregnancy: %(grade)s.") % {
                       "value": haemoglobin_g_dl, "grade": grade},
                   values={"haemoglobin_g_dl": haemoglobin_g_dl})  # fmt: skip


def danger_signs(signs: set[str]) -> Finding | None:
    present = [_(DANGER_SIGNS[s]) for s in sorted(signs) if s in DANGER_SIGNS]
    if not present:
        return None
    return Finding(
        rule="pregnancy-danger-signs",
        severity=Severity.HIGH,
        source=DANGER_SOURCE,
        explanation=_("Danger sign(s) in pregnancy: %(signs)s: emergency care and referral now.")
        % {"signs": ", ".join(present)},
        values={s: True for s in sorted(signs) if s in DANGER_SIGNS},
    )
