"""The real ASGI application (HTTP and WebSockets) served by uvicorn in a thread, for tests.

pytest-django's live server speaks WSGI only; live queues need WebSockets. The thread shares
the test database: SQLite's in-memory test database is opened in shared-cache mode, and a
PostgreSQL test database is just another database.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def asgi_live_server(transactional_db: None) -> Iterator[str]:
    from tbib.asgi import application

    port = _free_port()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
        ws="websockets-sansio",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
