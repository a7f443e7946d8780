"""How the dashboards write shares and durations (a dash where there is no figure)."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0.873 → "87 %"; None → "–" (nothing to divide by)."""
    return "–" if value is None else f"{number_format(100 * value, 0)} %"


@register.filter
def hours(seconds: float | None) -> str:
    """Seconds as hours to one decimal: 5400 → "1.5 h" (localised decimal mark)."""
    return "–" if seconds is None else f"{number_format(seconds / 3600, 1)} h"


@register.filter
def mad(value: float | None) -> str:
    return "–" if value is None else f"{number_format(value, 2, force_grouping=True)} MAD"
