"""The reference geography and demo network for tests that manage their own transactions."""

from __future__ import annotations

from tbib.geo.importer import import_reference_geography
from tbib.geo.models import Region
from tbib.network.models import MobileUnit
from tbib.network.services import build_demo_network
from tbib.pharmacy.demo import stock_demo_units
from tbib.pharmacy.models import UnitStock


def ensure_network() -> None:
    """Transactional tests flush the database after each test: rebuild the base if it is gone."""
    if not Region.objects.exists():
        import_reference_geography()
    if not MobileUnit.objects.exists():
        build_demo_network()
    if not UnitStock.objects.exists():
        stock_demo_units()
