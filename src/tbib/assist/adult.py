"""Adult rules: blood pressure categories, BMI classes, glucose and HbA1c thresholds. Pure."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tbib.assist.findings import Finding, Severity

BP_SOURCE = (
    "2018 ESC/ESH Guidelines for the management of arterial hypertension (Williams et al., "
    "Eur Heart J 2018;39:3021-3104), Table 3: office blood pressure categories"
)
# (category, systolic from, diastolic from, severity): the higher of the two decides.
BP_CATEGORIES = [
    (gettext_noop("grade 3 hypertension"), 180, 110, Severity.HIGH),
    (gettext_noop("grade 2 hypertension"), 160, 100, Severity.MEDIUM),
    (gettext_noop("grade 1 hypertension"), 140, 90, Severity.LOW),
    (gettext_noop("high-normal"), 130, 85, Severity.INFO),
    (gettext_noop("normal"), 120, 80, Severity.INFO),
]


def blood_pressure(systolic: Decimal, diastolic: Decimal) -> Finding:
    values: dict[str, Decimal | str | bool] = {"systolic_bp": systolic, "diastolic_bp": diastolic}
    if systolic >= 140 and diastolic < 90:
        category, severity = gettext_noop("isolated systolic hypertension"), Severity.LOW
        if systolic >= 180:
            severity = Severity.HIGH
        elif systolic >= 160:
            severity = Severity.MEDIUM
    else:
        category, severity = gettext_noop("optimal"), Severity.INFO
        for name, sys_from, dia_from, level in BP_CATEGORIES:
            if systolic >= sys_from or diastolic >= dia_from:
                category, severity = name, level
                break
    explanation = _("Blood pressure %(systolic)s/%(diastolic)s mmHg: %(category)s") % {
        "systolic": systolic, "diastolic": diastolic, "category": _(category),
    }  # fmt: skip
    if severity == Severity.HIGH:
        explanation += " " + _("(confirm at once; look for target-organ damage)")
    return Finding(rule="blood-pressure", severity=severity, explanation=explanation + ".",
                   source=BP_SOURCE, values=values)  # fmt: skip


BMI_SOURCE = (
    "WHO. Obesity: preventing and managing the global epidemic. Technical Report Series 894 "
    "(2000), Table 2.1; thinness grades from WHO Expert Committee TRS 854 (1995)"
)
BMI_CLASSES = [
    (Decimal("16.0"), gettext_noop("severe thinness"), Severity.MEDIUM),
    (Decimal("17.0"), gettext_noop("moderate thinness"), Severity.LOW),
    (Decimal("18.5"), gettext_noop("mild thinness"), Severity.LOW),
    (Decimal("25.0"), gettext_noop("normal range"), Severity.INFO),
    (Decimal("30.0"), gettext_noop("pre-obese"), Severity.INFO),
    (Decimal("35.0"), gettext_noop("obese class I"), Severity.LOW),
    (Decimal("40.0"), gettext_noop("obese class II"), Severity.LOW),
]


def bmi_class(bmi: Decimal) -> Finding:
    """Adults (20 years and over); below that age BMI-for-age applies."""
    category, severity = gettext_noop("obese class III"), Severity.MEDIUM
    for below, name, level in BMI_CLASSES:
        if bmi < below:
            category, severity = name, level
            break
    return Finding(rule="bmi", severity=severity, source=BMI_SOURCE,
                   explanation=_("BMI %(bmi)s kg/m²: %(category)s.") % {
                       "bmi": bmi, "category": _(category)},
                   values={"bmi": bmi})  # fmt: skip


GLUCOSE_SOURCE = (
    "WHO/IDF. Definition and diagnosis of diabetes mellitus and intermediate hyperglycaemia "
    "(2006), Table 1; WHO. Use of glycated haemoglobin (HbA1c) in the diagnosis of diabetes "
    "mellitus (2011)"
)
# mmol/L, venous plasma (WHO 2006); glucometers report plasma-equivalent values.
FASTING_DIABETES = Decimal("7.0")
FASTING_IMPAIRED = Decimal("6.1")
RANDOM_DIABETES = Decimal("11.1")
HBA1C_DIABETES = Decimal("6.5")  # %
HYPOGLYCAEMIA = Decimal("3.9")  # ADA level 1, below which a treated patient is hypoglycaemic


def glucose(mmol_per_l: Decimal, *, fasting: bool) -> Finding:
    values: dict[str, Decimal | str | bool] = {"glucose_mmol_l": mmol_per_l, "fasting": fasting}
    if mmol_per_l < HYPOGLYCAEMIA:
        severity, text = Severity.HIGH, _("hypoglycaemia: give sugar now, then look for the cause")
    elif fasting and mmol_per_l >= FASTING_DIABETES:
        severity, text = Severity.MEDIUM, _("in the diabetes range (fasting ≥ 7.0 mmol/L)")
    elif fasting and mmol_per_l >= FASTING_IMPAIRED:
        severity, text = Severity.LOW, _("impaired fasting glucose (6.1-6.9 mmol/L)")
    elif not fasting and mmol_per_l >= RANDOM_DIABETES:
        severity, text = (
            Severity.MEDIUM,
            _("in the diabetes range (random ≥ 11.1 mmol/L): confirm with a fasting test or HbA1c"),
        )
    else:
        severity, text = Severity.INFO, _("below the diabetes thresholds")
    template = (
        _("Fasting glucose %(value)s mmol/L: %(text)s.")
        if fasting
        else _("Random glucose %(value)s mmol/L: %(text)s.")
    )
    return Finding(rule="glucose", severity=severity, source=GLUCOSE_SOURCE, values=values,
                   explanation=template % {"value": mmol_per_l, "text": text})  # fmt: skip


def hba1c(percent: Decimal) -> Finding:
    diabetic = percent >= HBA1C_DIABETES
    return Finding(
        rule="hba1c",
        severity=Severity.MEDIUM if diabetic else Severity.INFO,
        source=GLUCOSE_SOURCE,
        explanation=(
            _("HbA1c %(value)s %%: in the diabetes range (≥ 6.5 %%).")
            if diabetic
            else _("HbA1c %(value)s %%: below 6.5 %%.")
        )
        % {"value": percent},
        values={"hba1c_percent": percent},
    )
