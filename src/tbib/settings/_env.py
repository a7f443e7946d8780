"""Read and validate the environment in one place.

Every setting that differs between a laptop demo, a unit's edge and the national hub comes
from an environment variable read here, so that a misconfiguration fails at start-up with a
message naming the variable instead of failing later on a patient's record.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from tbib.core.choices import Mode, NodeRole

# Values that must never reach production: they are the ones people copy from examples.
_PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "changethis", "secret", "tbib", "django-insecure"}
)
_MIN_SECRET_LENGTH = 50

_Choice = TypeVar("_Choice", NodeRole, Mode)


@dataclass(frozen=True)
class Environment:
    """The validated configuration of one running Tbib node."""

    role: NodeRole
    mode: Mode
    base_dir: Path
    var_dir: Path
    database_url: str
    redis_url: str | None
    broker_url: str | None
    media_root: Path
    secret_key: str
    allowed_hosts: list[str]
    debug: bool
    # Minutes a specialist has to answer, per urgency (tele-expertise SLA).
    sla_minutes: dict[str, int]
    # RTCIceServer dicts for live video: [{"urls": "turn:turn.example:3478", ...}].
    ice_servers: list[dict[str, object]]
    # The edge's database key (64 hex digits); the edge database is SQLCipher when set.
    edge_db_key: str | None
    # An edge whose key is not given but wrapped in key slots: unlocked at staff sign-in.
    edge_locked: bool
    # PostgreSQL connections per server process (a pool); 0: no pool (a connection per
    # thread, kept CONN_MAX_AGE seconds).
    db_pool: int
    # This node's name in replication (change log, hybrid logical clocks): "hub" or the
    # edge's unit code.
    node: str


def _choice(name: str, enum: type[_Choice], default: _Choice) -> _Choice:
    raw = os.environ.get(name, default.value)
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of: {allowed}.") from None


def _url(name: str, raw: str | None, schemes: set[str]) -> str | None:
    if raw is None or raw == "":
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes:
        expected = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} must be a URL with scheme {expected}; got {raw!r}.")
    if parsed.scheme != "sqlite" and not parsed.hostname:
        raise ImproperlyConfigured(f"{name} has no host: {raw!r}.")
    return raw


def _secret_key(mode: Mode, var_dir: Path) -> str:
    key = os.environ.get("SECRET_KEY", "")
    if mode is Mode.PRODUCTION:
        if key.lower() in _PLACEHOLDER_SECRETS or key.startswith("django-insecure"):
            raise ImproperlyConfigured(
                "SECRET_KEY must be set to a real secret in production mode."
            )
        if len(key) < _MIN_SECRET_LENGTH or len(set(key)) < 5:
            raise ImproperlyConfigured(
                f"SECRET_KEY must be at least {_MIN_SECRET_LENGTH} varied characters in production."
            )
        return key
    if key:
        return key
    # Demo mode: a key generated once per checkout and kept under var/, never in the repository,
    # so sessions survive a restart of the demo.
    key_file = var_dir / "demo-secret-key"
    if not key_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


_SLA_DEFAULTS = {"emergency": 15, "urgent": 120, "routine": 2880}


def _sla_minutes(raw: str | None) -> dict[str, int]:
    """`TBIB_SLA="emergency=15,urgent=120,routine=2880"`: minutes to answer, per urgency."""
    minutes = dict(_SLA_DEFAULTS)
    for part in (raw or "").split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in minutes or not value.strip().isdigit() or int(value) <= 0:
            raise ImproperlyConfigured(
                "TBIB_SLA must read like 'emergency=15,urgent=120,routine=2880' "
                f"(positive minutes per urgency); got {raw!r}."
            )
        minutes[name] = int(value)
    return minutes


def _ice_servers(raw: str | None) -> list[dict[str, object]]:
    """`TBIB_ICE_SERVERS`: a JSON list of RTCIceServer objects; none by default (LAN only)."""
    if not raw:
        return []
    try:
        servers = json.loads(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"TBIB_ICE_SERVERS is not JSON: {error}.") from error
    if not isinstance(servers, list) or not all(
        isinstance(s, dict) and "urls" in s for s in servers
    ):
        raise ImproperlyConfigured(
            'TBIB_ICE_SERVERS must be a JSON list like [{"urls": "stun:stun.example:3478"}].'
        )
    return servers


def _edge_db_key(role: NodeRole, mode: Mode, database_url: str, var_dir: Path) -> str | None:
    """`TBIB_EDGE_DB_KEY`: 64 hex digits; an edge in production refuses to run without it,
    unless its key is kept in key slots (var/edge-keys.json), unlocked at staff sign-in."""
    key = os.environ.get("TBIB_EDGE_DB_KEY", "").strip()
    if not key:
        locked = (var_dir / "edge-keys.json").exists()
        if role is NodeRole.EDGE and mode is Mode.PRODUCTION and not locked:
            raise ImproperlyConfigured(
                "An edge in production keeps patient data encrypted: set TBIB_EDGE_DB_KEY "
                "(64 hexadecimal digits, from the unit's key store)."
            )
        return None
    if len(key) != 64 or any(c not in "0123456789abcdefABCDEF" for c in key):
        raise ImproperlyConfigured("TBIB_EDGE_DB_KEY must be 64 hexadecimal digits.")
    if not database_url.startswith("sqlite"):
        raise ImproperlyConfigured("TBIB_EDGE_DB_KEY applies to an SQLite (edge) database.")
    return key


def read_environment() -> Environment:
    """Read the process environment, validate it, and return the node's configuration."""
    base_dir = Path(os.environ.get("TBIB_BASE_DIR", Path.cwd())).resolve()
    var_dir = Path(os.environ.get("TBIB_VAR_DIR", base_dir / "var")).resolve()
    role = _choice("TBIB_ROLE", NodeRole, NodeRole.HUB)
    mode = _choice("TBIB_MODE", Mode, Mode.DEMO)
    database_url = (
        _url(
            "DATABASE_URL",
            os.environ.get("DATABASE_URL"),
            {"sqlite", "postgres", "postgresql", "pgsql"},
        )
        or f"sqlite:///{var_dir / 'tbib.sqlite3'}"
    )
    redis_url = _url("REDIS_URL", os.environ.get("REDIS_URL"), {"redis", "rediss"})
    broker_url = _url(
        "TBIB_BROKER_URL", os.environ.get("TBIB_BROKER_URL"), {"amqp", "amqps", "redis", "rediss"}
    )
    if mode is Mode.PRODUCTION and database_url.startswith("sqlite") and role is NodeRole.HUB:
        raise ImproperlyConfigured("A hub in production mode needs DATABASE_URL to PostgreSQL.")
    hosts_raw = os.environ.get("TBIB_ALLOWED_HOSTS", "127.0.0.1,localhost")
    allowed_hosts = [host.strip() for host in hosts_raw.split(",") if host.strip()]
    if mode is Mode.PRODUCTION and not allowed_hosts:
        raise ImproperlyConfigured("TBIB_ALLOWED_HOSTS must name the hub's host in production.")
    return Environment(
        role=role,
        mode=mode,
        base_dir=base_dir,
        var_dir=var_dir,
        database_url=database_url,
        redis_url=redis_url,
        broker_url=broker_url,
        media_root=Path(os.environ.get("TBIB_MEDIA_ROOT", var_dir / "media")).resolve(),
        secret_key=_secret_key(mode, var_dir),
        allowed_hosts=allowed_hosts,
        debug=os.environ.get("TBIB_DEBUG", "") == "1" and mode is Mode.DEMO,
        sla_minutes=_sla_minutes(os.environ.get("TBIB_SLA")),
        ice_servers=_ice_servers(os.environ.get("TBIB_ICE_SERVERS")),
        edge_db_key=_edge_db_key(role, mode, database_url, var_dir),
        edge_locked=(
            role is NodeRole.EDGE
            and not os.environ.get("TBIB_EDGE_DB_KEY", "").strip()
            and (var_dir / "edge-keys.json").exists()
        ),
        node=_node_name(os.environ.get("TBIB_NODE"), role),
        db_pool=_pool_size(os.environ.get("TBIB_DB_POOL", "8")),
    )


def _pool_size(raw: str) -> int:
    try:
        size = int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"TBIB_DB_POOL must be a whole number, not {raw!r}.") from error
    if not 0 <= size <= 200:
        raise ImproperlyConfigured("TBIB_DB_POOL must be between 0 (no pool) and 200.")
    return size


def _node_name(raw: str | None, role: NodeRole) -> str:
    name = (raw or ("hub" if role is NodeRole.HUB else "edge")).strip()
    if not name or len(name) > 40 or not all(c.isalnum() or c in "-_." for c in name):
        raise ImproperlyConfigured(f"TBIB_NODE={raw!r}: letters, digits, - _ . (40 at most).")
    return name
