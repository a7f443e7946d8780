"""`tbib geo import`: import Morocco's reference geography (idempotent) and print the counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tbib.geo.importer import import_reference_geography


class Command(BaseCommand):
    help = "Import regions, provinces, cercles, communes (HCP RGPH 2024) and OSM positions."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = import_reference_geography()
        self.stdout.write(
            f"regions: {counts.regions}\n"
            f"provinces and prefectures: {counts.provinces}\n"
            f"prefectures of arrondissements: {counts.prefectures_of_arrondissements}\n"
            f"cercles: {counts.cercles}\n"
            f"communes: {counts.communes} ({counts.communes_with_position} with a position)\n"
            f"arrondissements: {counts.arrondissements}\n"
            f"health facilities (OpenStreetMap): {counts.facilities} "
            f"({counts.facilities_with_commune} placed in a commune)\n"
            "Sources: Haut-Commissariat au Plan, RGPH 2024 and 2014 (CC BY 4.0); "
            "© OpenStreetMap contributors (ODbL).\n"
        )
