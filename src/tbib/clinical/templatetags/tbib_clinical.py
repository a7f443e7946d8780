"""Template helpers of the unit's screens."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

register = template.Library()


@register.filter
def get(mapping: Mapping[str, object] | None, key: str) -> object:
    """`values|get:"spo2"`: a mapping's value by a key held in a variable."""
    if not mapping:
        return ""
    return mapping.get(key, "")
