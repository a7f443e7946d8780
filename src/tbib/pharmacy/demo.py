"""Every demo unit leaves with a month's stock of the formulary."""

from __future__ import annotations

from django.db import transaction

from tbib.network.models import MobileUnit
from tbib.pharmacy.models import Medicine, StockMovement, UnitStock
from tbib.pharmacy.services import load_formulary

# A month's supply: tablets and sachets by the hundred, bottles, tubes and inhalers by the
# dozen.
_PACKED = frozenset({"flacon", "tube", "inhalateur"})
DEMO_STOCK = {"unit": 800, "packed": 40}


def stock_demo_units() -> int:
    """Load the formulary and give each unit a month's stock of every medicine (ledgered)."""
    load_formulary()
    medicines = list(Medicine.objects.all())
    lines, movements = [], []
    for unit in MobileUnit.objects.all():
        for medicine in medicines:
            quantity = DEMO_STOCK["packed" if medicine.dispense_unit in _PACKED else "unit"]
            lines.append(UnitStock(unit=unit, medicine=medicine, quantity=quantity))
            movements.append(
                StockMovement(unit=unit, medicine=medicine, delta=quantity, reason="initial stock")
            )
    with transaction.atomic():
        UnitStock.objects.bulk_create(lines, batch_size=1000)
        StockMovement.objects.bulk_create(movements, batch_size=1000)
    return len(lines)
