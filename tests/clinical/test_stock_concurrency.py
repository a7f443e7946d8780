"""Races on the real PostgreSQL: stock never goes negative, a referral is completed once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tbib.access.scope import AccessContext
from tbib.accounts.choices import UserRole
from tbib.clinical.services import prescribe, start_encounter
from tbib.pharmacy.models import UnitStock
from tbib.pharmacy.services import OutOfStock
from tests.factories import PatientFactory, open_stop_today, unit, unit_staff
from tests.web.network import ensure_network

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL run)"
)
def test_concurrent_prescriptions_never_take_the_stock_below_zero() -> None:
    ensure_network()
    open_stop_today("midelt-1")
    gp = AccessContext(user=unit_staff(UserRole.GP, "midelt-1"))
    nurse = AccessContext(user=unit_staff(UserRole.NURSE, "midelt-1"))
    encounters = [
        start_encounter(ctx=nurse, patient_id=PatientFactory(unit=unit("midelt-1")).pk).pk
        for _ in range(8)
    ]
    stock = UnitStock.objects.get(unit=unit("midelt-1"), medicine_id="zinc-20-tab")
    UnitStock.objects.filter(pk=stock.pk).update(quantity=10)
    barrier = threading.Barrier(len(encounters))
    outcomes: list[str] = []
    lock = threading.Lock()

    def dispense(encounter_id: object) -> None:
        try:
            barrier.wait()
            for _ in range(3):
                try:
                    prescribe(
                        ctx=gp,
                        encounter_id=encounter_id,  # type: ignore[arg-type]
                        medicine_code="zinc-20-tab",
                        quantity=1,
                        dosage="1 cp/j",
                    )
                    result = "ok"
                except OutOfStock:
                    result = "out"
                with lock:
                    outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispense, args=(e,)) for e in encounters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stock.refresh_from_db()
    # 8 GPs × 3 attempts = 24 for 10 in stock: exactly 10 succeed, the rest are refused.
    assert (outcomes.count("ok"), outcomes.count("out")) == (10, 14)
    assert stock.quantity == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL run)"
)
def test_a_referral_completion_recorded_at_once_by_several_staff_is_kept_once() -> None:
    from django.utils import timezone

    from tbib.clinical import services
    from tbib.clinical.models import ReferralCompletion
    from tbib.core.errors import Conflict

    ensure_network()
    open_stop_today("midelt-1")
    gp = AccessContext(user=unit_staff(UserRole.GP, "midelt-1"))
    encounter = start_encounter(ctx=gp, patient_id=PatientFactory(unit=unit("midelt-1")).pk)
    services.update_encounter(ctx=gp, encounter_id=encounter.pk, diagnoses=["S82.2"])
    referral = services.refer(ctx=gp, encounter_id=encounter.pk, reason="Fracture ?",
                              urgency="urgent", hub_code="chr-errachidia")  # fmt: skip
    services.sign_encounter(ctx=gp, encounter_id=encounter.pk)
    barrier = threading.Barrier(6)
    outcomes: list[str] = []
    lock = threading.Lock()

    def record() -> None:
        try:
            barrier.wait()
            try:
                services.record_referral_reached(ctx=gp, encounter_id=encounter.pk,
                                                 referral_id=referral.pk,
                                                 reached_on=timezone.localdate())  # fmt: skip
                result = "ok"
            except Conflict:
                result = "already"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (outcomes.count("ok"), outcomes.count("already")) == (1, 5)
    assert ReferralCompletion.objects.filter(referral=referral).count() == 1
