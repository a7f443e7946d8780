"""Writes to the network registry: the demo network and its equipment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from tbib.geo.models import Commune, Region
from tbib.network.choices import DeviceKind, HubLevel, SpecialtySlug
from tbib.network.models import Device, Hub, MobileUnit, Specialty, TelemedicinePlatform


@dataclass(frozen=True)
class PilotUnit:
    commune_code: str
    name: str


# The programme's pilot communes (ARCHITECTURE.md; issue "Foundation", demo network).
PILOT_UNITS = (
    PilotUnit("08.363.15.07", "Imilchil"),
    PilotUnit("08.363.17.13", "Anefgou (Anemzi)"),
    PilotUnit("05.081.03.13", "Zaouiat Ahansal"),
    PilotUnit("05.081.13.07", "Ait Tamlil"),
    PilotUnit("09.541.01.11", "Taliouine"),
    PilotUnit("02.251.07.11", "Talsint"),
)

NATIONAL_HUB = ("chu-ibn-sina", "Centre hospitalier universitaire Ibn Sina", "04.421.01.0")
# Seat of each region's regional hospital (HCP commune codes of the regional capitals).
REGIONAL_SEATS = {
    "01": "01.511.01.0",  # Tanger
    "02": "02.411.01.23",  # Oujda
    "03": "03.231.01.0",  # Fès
    "04": "04.421.01.0",  # Rabat
    "05": "05.091.01.01",  # Béni Mellal
    "06": "06.141.01.0",  # Casablanca
    "07": "07.351.01.0",  # Marrakech
    "08": "08.201.01.05",  # Errachidia
    "09": "09.001.01.01",  # Agadir
    "10": "10.261.01.03",  # Guelmim
    "11": "11.321.01.03",  # Laâyoune
    "12": "12.391.01.01",  # Dakhla
}
# Manufacturer and model names are placeholders for the demo's device registry.
_DEVICE_MODELS = {
    DeviceKind.BLOOD_PRESSURE: ("A&D Medical", "UA-651BLE"),
    DeviceKind.PULSE_OXIMETER: ("Nonin", "3230"),
    DeviceKind.THERMOMETER: ("Braun", "ThermoScan 7"),
    DeviceKind.GLUCOMETER: ("Roche", "Accu-Chek Guide"),
    DeviceKind.SCALE: ("Seca", "803"),
    DeviceKind.ECG: ("Schiller", "Cardiovit FT-1"),
    DeviceKind.CAMERA: ("Firefly", "DE350"),
}


def ensure_specialties_and_hubs() -> Hub:
    """Create the 7 specialties, the national hub, the platform and 12 regional hubs."""
    specialties = [Specialty.objects.get_or_create(slug=slug)[0] for slug in SpecialtySlug]
    code, name, commune_code = NATIONAL_HUB
    national, _ = Hub.objects.update_or_create(
        code=code,
        defaults={"name": name, "level": HubLevel.NATIONAL, "commune_id": commune_code},
    )
    platform, _ = TelemedicinePlatform.objects.update_or_create(
        hub=national, defaults={"name": "Plateau central de télémédecine"}
    )
    platform.specialties.set(specialties)
    for region in Region.objects.all():
        seat = Commune.objects.get(code=REGIONAL_SEATS[region.code])
        Hub.objects.update_or_create(
            code=f"chr-{slugify(seat.name_fr)}",
            defaults={
                "name": f"Centre hospitalier régional de {seat.name_fr}",
                "level": HubLevel.REGIONAL,
                "region": region,
                "commune": seat,
            },
        )
    return national


def build_demo_network(plan: dict[str, Any] | None = None) -> list[MobileUnit]:
    """Create the network: hubs, platform, and a unit at each base of the plan.

    `plan` is a planning document (`tbib plan allocate`'s plan.json; the demo passes the
    exact plan). Without one, the planning module's greedy baseline on the same constraints
    places the units: it takes a second where the exact solve takes a minute, so the test
    suite builds its network with it. The pilot units keep their pilot communes as bases
    either way (fixed bases of the plan), and come first.
    """
    if plan is None:
        from tbib.planning.plans import allocate
        from tbib.planning.services import parameters_from

        plan = allocate(parameters_from({}), log=lambda _line: None, exact=False)
    pilot_names = {pilot.commune_code: pilot.name for pilot in PILOT_UNITS}
    bases = [unit["base"] for unit in plan["units"]]
    missing = sorted(set(pilot_names) - set(bases))
    if missing:
        raise ValueError(f"The plan drops pilot units' bases: {', '.join(missing)}")
    ordered = list(pilot_names) + sorted(code for code in bases if code not in pilot_names)
    with transaction.atomic():
        ensure_specialties_and_hubs()
        hubs = {hub.region_id: hub for hub in Hub.objects.filter(level=HubLevel.REGIONAL)}
        communes = Commune.objects.select_related("province").in_bulk(ordered)
        per_province: dict[str, int] = {}
        created = []
        for base in ordered:
            home = communes[base]
            number = per_province.get(home.province_id, 0) + 1
            per_province[home.province_id] = number
            code = f"{slugify(home.province.name_fr)}-{number}"
            name = pilot_names.get(home.code, home.name_fr)
            unit, _ = MobileUnit.objects.update_or_create(
                code=code,
                defaults={
                    "name": f"UMMC {name}",
                    "province": home.province,
                    "regional_hub": hubs[home.region_id],
                    "home_commune": home,
                    "is_pilot": base in pilot_names,
                },
            )
            for index, (kind, (maker, model)) in enumerate(_DEVICE_MODELS.items(), start=1):
                Device.objects.update_or_create(
                    serial=f"{code.upper()}-{index:02d}",
                    defaults={"unit": unit, "kind": kind, "manufacturer": maker, "model": model},
                )
            created.append(unit)
        from tbib.planning.services import save_scenario

        save_scenario("Plan du réseau (phase 1)", plan, adopted=True)
        return created
