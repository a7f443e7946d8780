"""The PostgreSQL backend's health check (tbib.dbbackends.postgresql): a connection whose
server went away is found unusable without a query; a healthy one stays in use."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL run only")
def test_a_connection_ended_by_the_server_is_found_unusable_and_replaced() -> None:
    connection.ensure_connection()
    assert connection.is_usable()
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(
        dbname=params["dbname"], host=params.get("host"), port=params.get("port"),
        user=params.get("user"), autocommit=True,
    ) as admin:  # fmt: skip
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    for _ in range(50):  # the server's goodbye reaches the socket
        if not connection.is_usable():
            break
        time.sleep(0.05)
    assert not connection.is_usable()
    connection.close()  # what Django does with a connection found unusable
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection.info.backend_pid != pid
