"""Private servers for the fault tests: each test breaks its own, never a shared one.

A PostgreSQL cluster (initdb into a temporary directory, its own port and socket), a Redis
server, and the hub as a real uvicorn process; all torn down by the test that made them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kombu.pools
import pytest

from tests.sync.nodes import REPO, free_port, wait_for_http

BIN = Path(sys.executable).parent
PG_BIN = Path(os.environ.get("TBIB_PG_BIN", "/usr/lib/postgresql/15/bin"))


def wait_for_port(port: int, *, up: bool = True, timeout: float = 60.0) -> None:
    """Wait until 127.0.0.1:port accepts connections (or, with up=False, refuses them)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                accepting = True
        except OSError:
            accepting = False
        if accepting is up:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"port {port} still {'closed' if up else 'open'}")
        time.sleep(0.1)


@dataclass
class Postgres:
    """A PostgreSQL cluster of our own: restarting it disturbs no other test run."""

    home: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/tbib"

    def _ctl(self, *args: str) -> None:
        # The server refuses to run as root: as root, run it as the `postgres` user.
        runas = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*runas, str(PG_BIN / "pg_ctl"), *args], check=True, capture_output=True)  # noqa: S603

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.home / 'socket'} -c listen_addresses=127.0.0.1"
            # A throw-away cluster: fsync off makes migrations fast. Committed rows still
            # survive a stop, even an immediate one: the WAL is in the kernel's page cache.
            " -c fsync=off"
        )
        self._ctl("-D", str(self.home / "data"), "-o", options, "-l", str(self.home / "log"),
                  "-w", "start")  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash as far as the server knows: no checkpoint, WAL replay."""
        self._ctl("-D", str(self.home / "data"), "-m", mode, "-w", "stop")


@contextmanager
def private_postgres() -> Iterator[Postgres]:
    initdb = PG_BIN / "initdb"
    if not initdb.exists():
        pytest.skip(f"no {initdb}: PostgreSQL 15's server binaries are not installed")
    # Not under pytest's tmp_path: its parent is private to root, and the server runs as
    # `postgres`.
    home = Path(tempfile.mkdtemp(prefix="tbib-faults-pg-"))
    (home / "socket").mkdir()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        shutil.chown(home / "socket", "postgres")
    runas = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(  # noqa: S603
        [*runas, str(initdb), "-D", str(home / "data"), "-A", "trust", "-U", "postgres",
         "-E", "UTF8", "--no-sync"], check=True, capture_output=True,
    )  # fmt: skip
    server = Postgres(home, free_port())
    server.start()
    try:
        subprocess.run(  # noqa: S603
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(server.port), "-U",
             "postgres", "tbib"], check=True, capture_output=True,
        )  # fmt: skip
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # stopped by the test
            server.stop()
        shutil.rmtree(home, ignore_errors=True)


@dataclass
class Redis:
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        wait_for_port(self.port, up=False, timeout=10)


@contextmanager
def private_redis() -> Iterator[Redis]:
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server on this machine")
    server = Redis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def hub_env(home: Path, database_url: str, **extra: str) -> dict[str, str]:
    """A hub's environment, as in the field: demo mode, its own var directory."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "TBIB_MODE": "demo",
        "TBIB_ROLE": "hub",
        "TBIB_VAR_DIR": str(home),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tbib.settings.base",
        "PYTHONPATH": str(REPO),
        **extra,
    }


def run_python(env: dict[str, str], code: str, timeout: float = 120) -> str:
    """Run Python code with Django set up in this environment; its stdout."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()\n" + code], env=env, cwd=REPO,
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise AssertionError(f"python failed:\n{result.stderr[-3000:]}")
    return result.stdout


@contextmanager
def hub_process(env: dict[str, str], server: str = "uvicorn") -> Iterator[str]:
    """The hub in a process of its own, as production serves it (decision 0005): uvicorn
    (ASGI, with the connection pool) or gunicorn (WSGI threads, a kept connection each, no
    pool); its base URL."""
    port = free_port()
    log = Path(env["TBIB_VAR_DIR"]) / "hub.log"
    if server == "gunicorn":
        command = [str(BIN / "gunicorn"), "tbib.wsgi:application", "--bind",
                   f"127.0.0.1:{port}", "--worker-class", "gthread", "--threads", "4"]  # fmt: skip
        env = {**env, "TBIB_DB_POOL": "0"}
    else:
        command = [str(BIN / "uvicorn"), "tbib.asgi:application", "--host", "127.0.0.1",
                   "--port", str(port)]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [*command, "--log-level", "warning"], env=env, cwd=REPO, stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def call(
    method: str, url: str, body: object = None, token: str | None = None, timeout: float = 30
) -> tuple[int, Any, dict[str, str]]:
    """One JSON request: status, decoded body (or text) and headers; never raises on 4xx/5xx."""
    # English answers (the hub speaks French unless told otherwise).
    headers = {"Content-Type": "application/json", "Cookie": "tbib_language=en"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, method=method, data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw, answer_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, answer_headers = error.code, error.read(), error.headers
    try:
        decoded: Any = json.loads(raw)
    except ValueError:
        decoded = raw.decode(errors="replace")
    # Header names are case-insensitive (some servers send them in lower case).
    return status, decoded, {name.title(): value for name, value in answer_headers.items()}


BROKER = os.environ.get("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")


def celery_worker(name: str, queue: str) -> subprocess.Popen[bytes]:
    """A Celery worker process on the real broker and the PostgreSQL run's test database."""
    from django.db import connection

    settings = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        ),
        "TBIB_BROKER_URL": BROKER,
        "DJANGO_SETTINGS_MODULE": "tbib.settings.test",
        "PYTHONPATH": str(REPO),
        "TBIB_TEST_QUEUE": queue,
    }
    return subprocess.Popen(  # noqa: S603 (our own virtualenv's celery)
        [
            str(BIN / "celery"), "-A", "tests.faults.celery_app", "worker", "--pool=solo",
            "--loglevel=WARNING", "-n", f"{name}@%h", "-Q", queue, "--without-gossip",
            "--without-mingle",
        ],
        env=env, cwd=REPO,
    )  # fmt: skip


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    process.wait(timeout=20)


@contextmanager
def private_queue() -> Iterator[str]:
    """A queue of the shared broker for one test, deleted after it."""
    from celery import Celery

    name = f"tbib-faults-{uuid.uuid4().hex[:8]}"
    try:
        yield name
    finally:
        with Celery(broker=BROKER, set_as_current=False).connection_for_write() as connection:
            connection.default_channel.queue_delete(name)


@contextmanager
def enqueue_on_broker(queue: str) -> Iterator[None]:
    """The test process enqueues as a hub does in production: real broker, a private queue."""
    from django.test import override_settings

    from tbib.celery import app

    keys = ("broker_url", "task_always_eager", "task_default_queue", "result_backend")
    saved = {key: app.conf[key] for key in keys}

    def forget_connections() -> None:
        # Celery caches its queues, router and connection pools from the configuration it
        # first saw (and kombu its pools, perhaps to a broker since restarted).
        app.__dict__.pop("amqp", None)
        app._pool = None
        kombu.pools.reset()

    forget_connections()
    app.conf.update(
        broker_url=BROKER, task_always_eager=False, task_default_queue=queue, result_backend=None
    )
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            yield
    finally:
        app.conf.update(saved)
        forget_connections()


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting until {what}")
        time.sleep(0.3)
