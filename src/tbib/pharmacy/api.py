"""The formulary, with the stock the user's unit holds of each medicine."""

from django.http import HttpRequest
from ninja import Router, Schema

from tbib.accounts.models import User
from tbib.pharmacy.models import Medicine, UnitStock

router = Router(tags=["pharmacy"])


class MedicineOut(Schema):
    code: str
    name: str
    strength: str
    form: str
    dispense_unit: str
    atc: str
    in_stock: int | None


@router.get("/formulary", response=list[MedicineOut], summary="Formulary and my unit's stock")
def formulary(request: HttpRequest) -> list[dict[str, object]]:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    stock = dict(
        UnitStock.objects.filter(unit_id=user.unit_id).values_list("medicine_id", "quantity")
    )
    return [
        {
            "code": medicine.code,
            "name": medicine.name,
            "strength": medicine.strength,
            "form": medicine.form,
            "dispense_unit": medicine.dispense_unit,
            "atc": medicine.atc,
            "in_stock": stock.get(medicine.code) if user.unit_id else None,
        }
        for medicine in Medicine.objects.all()
    ]
