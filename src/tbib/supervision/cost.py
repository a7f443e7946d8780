"""What a unit costs and what it was budgeted, for a period, from the adopted plan.

Source: the adopted planning scenario's document (`planning.plans.document`). Its `cost_mad`
is the planning model's yearly cost of the whole plan (each equipped unit, 2.5 million MAD by
default, plus a year of kilometres to its communes, docs/planning.md) and
`parameters.budget_mad` the budget it had to fit. Dividing both by the plan's number of units
gives a yearly figure per unit, prorated to the period by its days over 365. The equipment is
counted as if bought every year, so this is an upper bound of the running cost: the figure
planners adopted, the one the programme is held to. No adopted plan: no cost (None), never a
made-up one.
"""

from __future__ import annotations

from dataclasses import dataclass

from tbib.planning.models import Scenario

DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class UnitCost:
    """Yearly cost and budget of one unit under the adopted plan, in dirhams."""

    yearly_cost_mad: float
    yearly_budget_mad: float
    scenario: str

    def prorated(self, units: int, days: int) -> tuple[float, float]:
        """(cost, budget) of `units` units over `days` days."""
        share = units * days / DAYS_PER_YEAR
        return self.yearly_cost_mad * share, self.yearly_budget_mad * share


def adopted_unit_cost() -> UnitCost | None:
    """The adopted plan's yearly cost and budget per unit (one query), or None."""
    scenario = Scenario.objects.filter(adopted=True).only("name", "document").first()
    document = scenario.document if scenario is not None else None
    if scenario is None or not document or not document.get("units"):
        return None
    cost, budget = document.get("cost_mad"), document.get("parameters", {}).get("budget_mad")
    if cost is None or budget is None:
        return None
    units = len(document["units"])
    return UnitCost(float(cost) / units, float(budget) / units, scenario.name)
