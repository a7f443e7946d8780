"""The edge's database key, unlocked at staff sign-in (key slots, as LUKS does for disks).

The key that encrypts the edge's database and media is random; it is stored only wrapped, once
per member of the unit's team, under a key derived from that person's password (scrypt, then
AES-256-GCM with the username as associated data). A stolen laptop holds the database, the
media and the slots: without a team member's password, none opens. An edge started without
TBIB_EDGE_DB_KEY but with slots is *locked* until someone of the team signs in
(sync.lock.EdgeLockMiddleware); each successful sign-in on an unlocked edge (re)writes the
person's slot, so a changed password takes effect at once.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connections

# scrypt with N=2^15, r=8: 32 MiB and ~0.1 s per attempt on the unit's laptop, once per
# sign-in; a guesser pays the same for every password tried.
_N, _R, _P = 2**15, 8, 1


def slots_path() -> Path:
    return Path(settings.ENV.var_dir) / "edge-keys.json"


def _kek(password: str, salt: bytes) -> AESGCM:
    key = Scrypt(salt=salt, length=32, n=_N, r=_R, p=_P).derive(password.encode())
    return AESGCM(key)


def _read() -> dict[str, dict[str, str]]:
    path = slots_path()
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text())["slots"])


def add_slot(username: str, password: str, key_hex: str) -> None:
    """Wrap the key for this person (replacing their previous slot); atomic on disk."""
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    wrapped = _kek(password, salt).encrypt(nonce, bytes.fromhex(key_hex), username.encode())
    slots = _read()
    slots[username] = {"salt": salt.hex(), "nonce": nonce.hex(), "wrapped": wrapped.hex()}
    path = slots_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"version": 1, "slots": slots}, indent=1))
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def unwrap(username: str, password: str) -> str | None:
    """The key, if this person has a slot and this is their password."""
    slot = _read().get(username)
    if slot is None:
        return None
    try:
        aead = _kek(password, bytes.fromhex(slot["salt"]))
        key = aead.decrypt(bytes.fromhex(slot["nonce"]), bytes.fromhex(slot["wrapped"]),
                           username.encode())  # fmt: skip
    except (InvalidTag, ValueError, KeyError):
        return None
    return key.hex()


def current_key() -> str:
    return str(connections.settings["default"].get("OPTIONS", {}).get("key", ""))


def is_locked() -> bool:
    return bool(getattr(settings, "TBIB_EDGE_LOCKED", False)) and not current_key()


def install(key_hex: str) -> None:
    """Open the database and media with this key, for every connection of this process."""
    connections.settings["default"]["OPTIONS"]["key"] = key_hex
    settings.TBIB_MEDIA_ENCRYPTION_KEY = key_hex
