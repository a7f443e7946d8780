"""Time the reference-geography import and the demo network build on a fresh database.

Run: .venv/bin/python benchmarks/geo_import.py [DATABASE_URL]
(default: a throw-away SQLite file; pass postgres://postgres@127.0.0.1:5432/tbib_bench for
PostgreSQL: the database is created and dropped). Prints one JSON object on its last line.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tbib-bench-"))
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.update(DATABASE_URL=url, TBIB_VAR_DIR=str(workdir), TBIB_MODE="demo")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tbib.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from tbib.geo.importer import import_reference_geography
    from tbib.network.services import build_demo_network

    databases = setup_databases(verbosity=0, interactive=False) if "postgres" in url else None
    try:
        if databases is None:
            call_command("migrate", verbosity=0)
        started = time.perf_counter()
        counts = import_reference_geography()
        first = time.perf_counter() - started
        started = time.perf_counter()
        import_reference_geography()
        second = time.perf_counter() - started
        started = time.perf_counter()
        units = build_demo_network()
        network = time.perf_counter() - started
        result = {
            "database": connection.vendor,
            "communes": counts.communes,
            "facilities": counts.facilities,
            "import_s": round(first, 2),
            "reimport_s": round(second, 2),
            "network_units": len(units),
            "network_s": round(network, 2),
        }
    finally:
        if databases is not None:
            teardown_databases(databases, verbosity=0)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
