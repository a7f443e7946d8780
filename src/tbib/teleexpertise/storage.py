"""Attachment files: type by content (magic numbers), resumable upload, content-addressed store.

Files live once under MEDIA_ROOT/cas/<2 hex>/<2 hex>/<sha256>, whatever their name: the same
photo sent twice is stored once, and a file's name on disk proves its integrity.

On an edge (TBIB_MEDIA_ENCRYPTION_KEY set), files are encrypted at rest, partial uploads
included: each chunk is one record, `plaintext length (4 bytes) | nonce (12) | AES-256-GCM
ciphertext and tag`, under a key derived (HKDF-SHA256) from the edge's key. A stolen laptop's
media folder holds no readable photo, PDF or sound; a flipped bit fails the GCM tag.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import struct
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.http import HttpResponse

from tbib.teleexpertise.choices import AttachmentKind

# The types each kind of attachment may be, recognised by their first bytes (not by their
# name or the type the client announces, which are both easy to get wrong or to forge).
ALLOWED = {
    AttachmentKind.PHOTO: {"image/jpeg", "image/png"},
    AttachmentKind.ECG: {"image/jpeg", "image/png", "application/pdf"},
    AttachmentKind.DOCUMENT: {"application/pdf", "image/jpeg", "image/png"},
    AttachmentKind.AUDIO: {"audio/wav", "audio/ogg", "audio/mpeg", "audio/webm", "audio/mp4"},
}
SNIFF_BYTES = 16


def sniff(head: bytes) -> str | None:
    """The media type of a file from its first bytes, or None when it is none we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "audio/webm"
    if head[4:8] == b"ftyp" and head[8:11] in (b"M4A", b"mp4", b"iso"):
        return "audio/mp4"
    return None


def partial_path(upload_id: object) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / f"{upload_id}.part"


def stored_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "cas" / sha256[:2] / sha256[2:4] / sha256


_LENGTH = struct.Struct(">I")
_NONCE = 12
_TAG = 16


@functools.cache
def _cipher_for(key_hex: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tbib-media").derive(
        bytes.fromhex(key_hex)
    )
    return AESGCM(key)


def _cipher() -> AESGCM | None:
    key_hex = getattr(settings, "TBIB_MEDIA_ENCRYPTION_KEY", None)
    return _cipher_for(key_hex) if key_hex else None


class StorageFull(Exception):
    """The disk under MEDIA_ROOT is full: nothing of the chunk or file was kept."""


_FULL = (errno.ENOSPC, errno.EDQUOT)


def append(path: Path, data: bytes, received: int) -> int:
    """Append a chunk durably (fsync), encrypted on an edge; returns the plaintext size.

    On a full disk, the file is cut back to what it held (removed if it held nothing) and
    StorageFull is raised: no partial chunk is left for the next one to follow.
    """
    cipher = _cipher()
    if cipher is not None:
        nonce = os.urandom(_NONCE)
        plain_length = len(data)
        data = _LENGTH.pack(plain_length) + nonce + cipher.encrypt(nonce, data, None)
    else:
        plain_length = len(data)
    before = path.stat().st_size if path.exists() else 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        if error.errno not in _FULL:
            raise
        if before == 0:
            path.unlink(missing_ok=True)
        else:
            with path.open("r+b") as handle:
                handle.truncate(before)
        raise StorageFull from error
    return received + plain_length


def _records(path: Path) -> Iterator[tuple[int, int, bytes, bytes]]:
    """(file offset, plaintext length, nonce, ciphertext) of each record of an encrypted file."""
    with path.open("rb") as handle:
        while header := handle.read(_LENGTH.size):
            offset = handle.tell() - _LENGTH.size
            (length,) = _LENGTH.unpack(header)
            nonce = handle.read(_NONCE)
            ciphertext = handle.read(length + _TAG)
            yield offset, length, nonce, ciphertext


def plain_size(path: Path) -> int:
    """How many bytes of content a (partial) file holds."""
    if not path.exists():
        return 0
    if _cipher() is None:
        return path.stat().st_size
    return sum(length for _offset, length, _nonce, _ciphertext in _records(path))


def read_chunks(path: Path) -> Iterator[bytes]:
    """The file's plaintext, chunk by chunk."""
    cipher = _cipher()
    if cipher is None:
        with path.open("rb") as handle:
            yield from iter(lambda: handle.read(1 << 20), b"")
        return
    for _offset, _length, nonce, ciphertext in _records(path):
        yield cipher.decrypt(nonce, ciphertext, None)


def truncate(path: Path, size: int) -> None:
    """Cut a partial file back to what the database says was received (after a crash)."""
    if not path.exists():
        return
    cut = size
    if _cipher() is not None:
        plain = 0
        cut = path.stat().st_size
        for offset, length, _nonce, _ciphertext in _records(path):
            if plain >= size:
                cut = offset
                break
            plain += length
    if path.stat().st_size > cut:
        with path.open("r+b") as handle:
            handle.truncate(cut)


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    for chunk in read_chunks(path):
        sha.update(chunk)
    return sha.hexdigest()


def store(partial: Path, sha256: str) -> Path:
    """Move a complete, verified file into the content-addressed store (atomic rename)."""
    target = stored_path(sha256)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # the rename itself takes no space, its new directories do
        if error.errno not in _FULL:
            raise
        raise StorageFull from error
    if target.exists():
        partial.unlink(missing_ok=True)
    else:
        os.replace(partial, target)
    return target


def file_response(sha256: str, content_type: str, filename: str) -> HttpResponse:
    """The stored file as an HTTP response, decrypted when the node encrypts its media."""
    response = HttpResponse(b"".join(read_chunks(stored_path(sha256))), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename.replace(chr(34), "")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
