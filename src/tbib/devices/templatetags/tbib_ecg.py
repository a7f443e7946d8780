"""The ECG viewer: leads drawn on calibrated paper (25 mm/s, 10 mm/mV), as cardiologists read.

The SVG's user unit is the millimetre of ECG paper: a 1 mm grid, a 5 mm grid in bold, and the
trace at its true scale, so a zoom keeps intervals measurable (0.04 s and 0.1 mV per small
square). Recordings are grouped by `recording_id`, leads in the standard order.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from tbib.devices.models import EcgStrip

register = template.Library()

MM_PER_SECOND = 25
MM_PER_MV = 10
LEAD_HEIGHT_MM = 30  # ±1.5 mV around the baseline
MAX_POINTS_PER_SECOND = 250  # finer than the eye reads at this scale


@register.filter
def ecg_recordings(strips: Iterable[EcgStrip]) -> list[dict[str, object]]:
    """Each recording: its leads in standard order and the rhythm lead's finding."""
    ordered = sorted(strips, key=lambda s: (s.created_at, str(s.recording_id), s.lead_rank))
    recordings = []
    for _key, group in groupby(ordered, key=lambda s: s.recording_id):
        leads = sorted(group, key=lambda s: s.lead_rank)
        analysed = next((s for s in leads if s.finding), leads[0])
        recordings.append({"leads": leads, "finding": analysed.finding, "analysed": analysed})
    return recordings


@register.simple_tag
def ecg_svg(strip: EcgStrip) -> SafeString:
    sampled = strip.sampled_data
    values = [float(v) for v in str(sampled.get("data", "")).split()]
    rate = strip.sampling_rate
    step = max(1, rate // MAX_POINTS_PER_SECOND)
    width = max(1.0, len(values) / rate * MM_PER_SECOND)
    middle = LEAD_HEIGHT_MM / 2
    points = " ".join(
        f"{i / rate * MM_PER_SECOND:.2f},{middle - v * MM_PER_MV:.2f}"
        for i, v in list(enumerate(values))[::step]
    )
    grid = f"ecg-grid-{strip.pk.hex[:8]}"
    svg = (
        f'<svg class="ecg-paper" viewBox="0 0 {width:.1f} {LEAD_HEIGHT_MM}" '
        f'width="{width:.1f}mm" height="{LEAD_HEIGHT_MM}mm" role="img" '
        f'aria-label="ECG {strip.lead}" data-lead="{strip.lead}">'
        f'<defs><pattern id="{grid}-s" width="1" height="1" patternUnits="userSpaceOnUse">'
        '<path d="M1 0V1H0" fill="none" stroke="#f4c7c3" stroke-width="0.05"/></pattern>'
        f'<pattern id="{grid}" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="url(#{grid}-s)"/>'
        '<path d="M5 0V5H0" fill="none" stroke="#e8847c" stroke-width="0.12"/></pattern></defs>'
        f'<rect width="100%" height="100%" fill="url(#{grid})"/>'
        '<text x="1" y="4" font-size="3" fill="#333">{lead}</text>'
        '<polyline fill="none" stroke="#111" stroke-width="0.25" stroke-linejoin="round" '
        f'points="{points}"/></svg>'
    )
    # The lead name is the only text from the record: escaped.
    return mark_safe(svg.replace("{lead}", str(format_html("{}", strip.lead))))  # noqa: S308
