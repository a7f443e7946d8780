"""The fault tests run once per `make test`, in the PostgreSQL run (Makefile test-postgres)."""

from __future__ import annotations

import pytest
from django.db import connection


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Their Celery workers are processes of their own and need the PostgreSQL run's database;
    # the other faults gain nothing from a second run on SQLite, which takes the same minutes.
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="fault tests run in the PostgreSQL run (make test)")
        for item in items:
            if "faults" in item.keywords:
                item.add_marker(skip)
