"""Stock writes: load the formulary, restock, dispense and return, never below zero."""

from __future__ import annotations

import csv
import uuid
from importlib import resources

from django.db import transaction
from django.db.models import F

from tbib.core.errors import Conflict
from tbib.network.models import MobileUnit
from tbib.pharmacy.models import Medicine, StockMovement, UnitStock


class OutOfStock(Conflict):
    """The unit does not hold enough of a medicine for this prescription."""


def load_formulary() -> int:
    """Create or update the formulary from the shipped list (pharmacy/data/formulary.csv)."""
    source = resources.files("tbib.pharmacy").joinpath("data/formulary.csv")
    with source.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        Medicine.objects.update_or_create(code=row.pop("code"), defaults=row)
    return len(rows)


def restock(
    *, unit: MobileUnit, medicine: Medicine, quantity: int, reason: str = "restock"
) -> None:
    """Add to a unit's stock (a delivery from the provincial pharmacy)."""
    if quantity <= 0:
        raise ValueError("A restock adds a positive quantity.")
    with transaction.atomic():
        line, _created = UnitStock.objects.get_or_create(
            unit=unit, medicine=medicine, defaults={"quantity": 0}
        )
        UnitStock.objects.filter(pk=line.pk).update(quantity=F("quantity") + quantity)
        StockMovement.objects.create(unit=unit, medicine=medicine, delta=quantity, reason=reason)


def take_from_stock(*, unit_id: uuid.UUID, medicine_id: str, quantity: int) -> None:
    """Decrease a unit's stock by `quantity`, or raise OutOfStock; call inside a transaction.

    One conditional UPDATE decides: two nurses dispensing the last box at the same moment
    cannot both succeed, on PostgreSQL or SQLite, and the check constraint is the backstop.
    """
    taken = UnitStock.objects.filter(
        unit_id=unit_id, medicine_id=medicine_id, quantity__gte=quantity
    ).update(quantity=F("quantity") - quantity)
    if not taken:
        left = (
            UnitStock.objects.filter(unit_id=unit_id, medicine_id=medicine_id)
            .values_list("quantity", flat=True)
            .first()
        ) or 0
        raise OutOfStock(f"Not enough in stock: {left} left, {quantity} prescribed.")


def return_to_stock(*, unit_id: uuid.UUID, medicine_id: str, quantity: int) -> None:
    """Put back what a withdrawn prescription line had taken; call inside a transaction."""
    UnitStock.objects.filter(unit_id=unit_id, medicine_id=medicine_id).update(
        quantity=F("quantity") + quantity
    )
