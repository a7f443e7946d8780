"""Hub and edge nodes as real processes, each with its own database, for replication tests.

A hub is the demo network (`tbib demo --no-serve`, built once per test session and copied);
an edge is an empty SQLCipher database that enrols with a code issued at the hub. Commands
run with exactly the environment a node has in the field, never the test process's own.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]
EDGE_KEY = "5e" * 32


@dataclass
class Node:
    role: str
    home: Path
    # An edge started without its key in the environment: locked until a sign-in.
    keyless: bool = False

    @property
    def database(self) -> Path:
        return self.home / ("demo.sqlite3" if self.role == "hub" else "edge.sqlite3")

    def env(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "TBIB_MODE": "demo",
            "TBIB_ROLE": self.role,
            "TBIB_VAR_DIR": str(self.home),
            "DATABASE_URL": f"sqlite:///{self.database}",
            "DJANGO_SETTINGS_MODULE": "tbib.settings.base",
            "PYTHONPATH": str(REPO),
            # The hub answers on the emulated link's address too (tests.linkemu).
            "TBIB_ALLOWED_HOSTS": "*",
        }
        if self.role == "edge" and not self.keyless:
            env["TBIB_EDGE_DB_KEY"] = EDGE_KEY
        return env

    def command(self, *args: str) -> list[str]:
        return [str(BIN / "tbib"), *args]

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> Any:
        result = subprocess.run(  # noqa: S603
            self.command(*args), env=self.env(), cwd=REPO, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stderr[-3000:]}")
        return result

    def python(self, code: str, timeout: float = 600) -> str:
        """Run Python code with Django set up in this node's environment; its stdout."""
        script = "import django; django.setup()\n" + code
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], env=self.env(), cwd=REPO, capture_output=True,
            text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise AssertionError(f"python failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def digest(self, unit: str) -> dict[str, dict[str, str]]:
        return json.loads(self.run("sync", "digest", "--unit", unit).stdout)

    def serve_command(self, host: str, port: int) -> list[str]:
        return [str(BIN / "uvicorn"), "tbib.asgi:application", "--host", host, "--port",
                str(port), "--log-level", "warning"]  # fmt: skip


def build_hub_template(home: Path) -> Path:
    """The demo network, built once (15 s); tests copy it."""
    home.mkdir(parents=True, exist_ok=True)
    hub = Node("hub", home)
    env = hub.env()
    del env["DATABASE_URL"]  # `tbib demo` builds its own fresh database under TBIB_VAR_DIR
    subprocess.run(  # noqa: S603
        hub.command("demo", "--no-serve"), env=env, cwd=REPO, check=True, capture_output=True,
        timeout=300,
    )  # fmt: skip
    return home


def hub_from(template: Path, home: Path) -> Node:
    home.mkdir(parents=True, exist_ok=True)
    for name in ("demo.sqlite3", "demo-secret-key"):
        shutil.copy(template / name, home / name)
    return Node("hub", home)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def issue_code(hub: Node, unit: str) -> str:
    return str(hub.run("edge", "code", "--unit", unit).stdout.strip())
