"""NEWS2, the National Early Warning Score 2. Pure.

Source: Royal College of Physicians. National Early Warning Score (NEWS) 2: Standardising the
assessment of acute-illness severity in the NHS. Updated report of a working party. London:
RCP, December 2017. Chart 1 (the scoring system) and Chart 2 (the clinical response).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from tbib.assist.findings import Finding, Severity

SOURCE = "Royal College of Physicians, NEWS2 (2017), Chart 1 and Chart 2"

# Chart 1, one parameter per row: (upper bound inclusive, points), bands in order.
RESPIRATION_RATE = [(Decimal(8), 3), (Decimal(11), 1), (Decimal(20), 0), (Decimal(24), 2)]
RESPIRATION_RATE_ABOVE = 3
SPO2_SCALE_1 = [(Decimal(91), 3), (Decimal(93), 2), (Decimal(95), 1)]
SPO2_SCALE_1_ABOVE = 0
SYSTOLIC = [(Decimal(90), 3), (Decimal(100), 2), (Decimal(110), 1), (Decimal(219), 0)]
SYSTOLIC_ABOVE = 3
PULSE = [(Decimal(40), 3), (Decimal(50), 1), (Decimal(90), 0), (Decimal(110), 1), (Decimal(130), 2)]
PULSE_ABOVE = 3
TEMPERATURE = [
    (Decimal("35.0"), 3),
    (Decimal("36.0"), 1),
    (Decimal("38.0"), 0),
    (Decimal("39.0"), 1),
]
TEMPERATURE_ABOVE = 2
OXYGEN_POINTS = 2
NEW_CONFUSION_OR_WORSE = 3  # C, V, P or U on the ACVPU scale


def _band(value: Decimal, bands: list[tuple[Decimal, int]], above: int) -> int:
    for upper, points in bands:
        if value <= upper:
            return points
    return above


def spo2_scale_2(spo2: Decimal, on_oxygen: bool) -> int:
    """SpO2 scale 2, for patients with hypercapnic respiratory failure (target 88-92 %)."""
    if spo2 <= 83:
        return 3
    if spo2 <= 85:
        return 2
    if spo2 <= 87:
        return 1
    if spo2 <= 92 or not on_oxygen:
        return 0  # 88-92, or >= 93 on air
    if spo2 <= 94:
        return 1
    if spo2 <= 96:
        return 2
    return 3


@dataclass(frozen=True)
class News2Input:
    respiratory_rate: Decimal
    spo2: Decimal
    on_oxygen: bool
    systolic_bp: Decimal
    pulse: Decimal
    consciousness: str  # A, C, V, P or U (ACVPU)
    temperature: Decimal
    hypercapnic_failure: bool = False  # use SpO2 scale 2 (a clinician's decision)


def parameter_points(news: News2Input) -> dict[str, int]:
    """Each parameter's points (Chart 1)."""
    if news.hypercapnic_failure:
        spo2 = spo2_scale_2(news.spo2, news.on_oxygen)
    else:
        spo2 = _band(news.spo2, SPO2_SCALE_1, SPO2_SCALE_1_ABOVE)
    return {
        "respiratory_rate": _band(news.respiratory_rate, RESPIRATION_RATE, RESPIRATION_RATE_ABOVE),
        "spo2": spo2,
        "air_or_oxygen": OXYGEN_POINTS if news.on_oxygen else 0,
        "systolic_bp": _band(news.systolic_bp, SYSTOLIC, SYSTOLIC_ABOVE),
        "pulse": _band(news.pulse, PULSE, PULSE_ABOVE),
        "consciousness": 0 if news.consciousness == "A" else NEW_CONFUSION_OR_WORSE,
        "temperature": _band(news.temperature, TEMPERATURE, TEMPERATURE_ABOVE),
    }


def response(total: int, points: dict[str, int]) -> tuple[str, str]:
    """Chart 2: the clinical risk and the response it calls for."""
    if total >= 7:
        return Severity.HIGH, _("high clinical risk: emergency response, continuous monitoring")
    if total >= 5:
        return Severity.MEDIUM, _(
            "medium clinical risk: urgent response, at least hourly monitoring"
        )
    if max(points.values()) == 3:
        return (
            Severity.MEDIUM,
            _(
                "low-medium clinical risk (a single parameter scores 3): urgent ward-based "
                "response, at least hourly monitoring"
            ),
        )
    if total >= 1:
        return Severity.LOW, _("low clinical risk: ward-based response, monitoring every 4-6 h")
    return Severity.INFO, _("low clinical risk: routine monitoring, at least every 12 h")


_PARAMETERS = {
    "respiratory_rate": lambda: _("respiration rate"),
    "spo2": lambda: _("SpO2"),
    "air_or_oxygen": lambda: _("oxygen"),
    "systolic_bp": lambda: _("systolic pressure"),
    "pulse": lambda: _("pulse"),
    "consciousness": lambda: _("consciousness"),
    "temperature": lambda: _("temperature"),
}


def news2(news: News2Input) -> Finding:
    points = parameter_points(news)
    total = sum(points.values())
    severity, advice = response(total, points)
    scoring = ", ".join(f"{_PARAMETERS[name]()} {p}" for name, p in points.items() if p)
    explanation = _("NEWS2 %(total)s%(scoring)s: %(advice)s.") % {
        "total": total,
        "scoring": f" ({scoring})" if scoring else "",
        "advice": advice,
    }
    return Finding(
        rule="news2",
        severity=severity,
        explanation=explanation,
        source=SOURCE,
        score=total,
        values={
            "respiratory_rate": news.respiratory_rate,
            "spo2": news.spo2,
            "on_oxygen": news.on_oxygen,
            "systolic_bp": news.systolic_bp,
            "pulse": news.pulse,
            "consciousness": news.consciousness,
            "temperature": news.temperature,
            "spo2_scale": "2" if news.hypercapnic_failure else "1",
        },
    )
