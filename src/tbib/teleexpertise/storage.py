"""Attachment files: type by content (magic numbers), resumable upload, content-addressed store.

Files live once under MEDIA_ROOT/cas/<2 hex>/<2 hex>/<sha256>, whatever their name: the same
photo sent twice is stored once, and a file's name on disk proves its integrity.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings

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


def append(path: Path, data: bytes) -> int:
    """Append `data` durably (fsync) and return the file's new size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
        return handle.tell()


def truncate(path: Path, size: int) -> None:
    """Cut a partial file back to what the database says was received (after a crash)."""
    if path.exists() and path.stat().st_size > size:
        with path.open("r+b") as handle:
            handle.truncate(size)


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def store(partial: Path, sha256: str) -> Path:
    """Move a complete, verified file into the content-addressed store (atomic rename)."""
    target = stored_path(sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        partial.unlink(missing_ok=True)
    else:
        os.replace(partial, target)
    return target
