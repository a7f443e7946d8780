"""Template helpers of the unit's screens."""

from __future__ import annotations

from collections.abc import Mapping

from django import template
from django.utils import timezone

from tbib.patients.ages import age_text
from tbib.patients.models import Patient

register = template.Library()


@register.filter
def get(mapping: Mapping[str, object] | None, key: str) -> object:
    """`values|get:"spo2"`: a mapping's value by a key held in a variable."""
    if not mapping:
        return ""
    return mapping.get(key, "")


@register.filter
def measure_label(key: str) -> str:
    """The translated name of a measurement key ("spo2" → "SpO2", "bmi" → "IMC")."""
    from django.utils.translation import gettext

    from tbib.clinical.forms import VITAL_FIELDS

    labels = {field: str(label) for field, label, _unit in VITAL_FIELDS}
    return labels.get(key) or (gettext("BMI") if key == "bmi" else key)


@register.filter
def age(patient: Patient) -> str:
    """A patient's age today, as the unit says it."""
    return age_text(patient.birth_date, patient.birth_date_is_estimated, timezone.localdate())
