"""Django's PostgreSQL backend, with a kept connection checked without a round trip.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request
that reuses a connection: on the FHIR read that was a query in five (benchmarks/fhir_api.py).
An idle connection has nothing to read; one whose server went away (a restart, a failover, an
idle-session timeout) has the server's goodbye or the end of the stream waiting on its
socket. So: nothing to read means usable; anything else gets Django's own check.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable or bool(super().is_usable())
