"""A unit's month of tours with 25 stops: a feasible month in 20 s, and how far it is from a run
given ten times longer.

Run: .venv/bin/python benchmarks/tours.py [--stops 25] [--short 20] [--long 200]

The geography is imported into a scratch SQLite database (HCP communes, OSM positions); the
base is the rural commune with the most rural communes within 50 km by road (a dense area, so
that 25 commune stops fit), the stops its 25 nearest, each visited twice in January 2027.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stops", type=int, default=25)
    parser.add_argument("--short", type=float, default=20.0)
    parser.add_argument("--long", type=float, default=200.0)
    args = parser.parse_args()
    home = tempfile.mkdtemp()
    os.environ.update(DATABASE_URL=f"sqlite:///{home}/bench.sqlite3", TBIB_VAR_DIR=home,
                      TBIB_MODE="demo", DJANGO_SETTINGS_MODULE="tbib.settings.base")  # fmt: skip
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tbib.geo.importer import import_divisions
    from tbib.geo.models import Commune
    from tbib.planning.access import CIRCUITY, great_circle_km
    from tbib.planning.tours import TourStop, plan_month

    import_divisions()
    rural = list(Commune.objects.filter(kind="rural", latitude__isnull=False))

    def km(a: Commune, b: Commune) -> float:
        return CIRCUITY * great_circle_km(a.latitude, a.longitude, b.latitude, b.longitude)  # type: ignore[arg-type]

    base = max(rural, key=lambda c: sum(1 for o in rural if km(c, o) <= 50))
    nearest = sorted((o for o in rural if o.code != base.code), key=lambda o: km(base, o))
    stops = [TourStop(c.code, c.name_fr, c.latitude, c.longitude)  # type: ignore[arg-type]
             for c in nearest[: args.stops]]  # fmt: skip
    origin = (base.latitude, base.longitude)
    short = plan_month(origin, stops, 2027, 1, time_limit_s=args.short)  # type: ignore[arg-type]
    long = plan_month(origin, stops, 2027, 1, time_limit_s=args.long)  # type: ignore[arg-type]
    figures = {
        "base": base.name_fr,
        "stops": len(stops),
        "visits": len(short.visits),
        "missed_short": len(short.missed),
        "missed_long": len(long.missed),
        "short_s": round(short.seconds, 1),
        "short_km": short.kilometres,
        "long_s": round(long.seconds, 1),
        "long_km": long.kilometres,
        "excess": round(short.kilometres / long.kilometres - 1, 4),
    }
    print(f"{base.name_fr}: {len(stops)} stops, {figures['visits']} visits; "
          f"{short.kilometres} km in {short.seconds:.0f} s, {long.kilometres} km in "
          f"{long.seconds:.0f} s ({100 * figures['excess']:.1f} % more)")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
