"""What a rule returns: a finding with its severity, the values that triggered it, its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


class Severity:
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    explanation: str
    source: str
    score: int | None = None
    zscore: float | None = None
    values: dict[str, Decimal | str | bool] = field(default_factory=dict)
