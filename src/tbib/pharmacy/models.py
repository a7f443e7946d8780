"""Medicines and the stock each mobile unit carries of them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tbib.core.models import TimestampedModel
from tbib.network.models import MobileUnit


class Medicine(models.Model):
    """One line of the formulary: an essential medicine in one strength and form."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("international non-proprietary name"), max_length=120)
    strength = models.CharField(_("strength"), max_length=40)
    form = models.CharField(_("form"), max_length=60)
    dispense_unit = models.CharField(_("dispensed by"), max_length=20)
    atc = models.CharField(_("ATC code"), max_length=8, db_index=True)

    class Meta:
        ordering = ["name", "strength"]
        verbose_name = _("medicine")
        verbose_name_plural = _("medicines")

    def __str__(self) -> str:
        return f"{self.name} {self.strength}, {self.form}"


class UnitStock(models.Model):
    """How much of a medicine a unit holds now; never below zero (database constraint)."""

    unit = models.ForeignKey(MobileUnit, on_delete=models.PROTECT, related_name="stock")
    medicine = models.ForeignKey(Medicine, on_delete=models.PROTECT, related_name="stock")
    quantity = models.IntegerField(_("quantity"))

    class Meta:
        ordering = ["medicine"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "medicine"], name="one_stock_line_per_medicine"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="stock_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.medicine_id}: {self.quantity}"


class StockMovement(TimestampedModel):
    """One change of a unit's stock and why: the ledger that explains every stock level."""

    unit = models.ForeignKey(MobileUnit, on_delete=models.PROTECT, related_name="+")
    medicine = models.ForeignKey(Medicine, on_delete=models.PROTECT, related_name="+")
    delta = models.IntegerField(_("change"))
    reason = models.CharField(_("reason"), max_length=40)
    # A withdrawn line is deleted; its movements stay in the ledger.
    prescription_line = models.ForeignKey(
        "clinical.PrescriptionLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.medicine_id} {self.delta:+d} ({self.reason})"
