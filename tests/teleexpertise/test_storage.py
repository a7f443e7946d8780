"""Attachment storage: type sniffing, and crash recovery of encrypted partial uploads."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import LazySettings

from tbib.teleexpertise import storage


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"ID3\x04\x00", "audio/mpeg"),
        (b"#!/bin/sh\n", None),
        (b"<html>", None),
    ],
)
def test_types_come_from_the_first_bytes(head: bytes, expected: str | None) -> None:
    assert storage.sniff(head) == expected


@pytest.mark.parametrize("key", [None, "cd" * 32])
def test_a_chunk_written_but_not_committed_is_cut_off_on_resume(
    tmp_path: Path, settings: LazySettings, key: str | None
) -> None:
    settings.TBIB_MEDIA_ENCRYPTION_KEY = key
    path = tmp_path / "u.part"
    received = storage.append(path, b"first chunk ", 0)
    # The process dies after writing the second chunk, before the database counted it.
    storage.append(path, b"lost chunk ", received)
    storage.truncate(path, received)
    received = storage.append(path, b"second chunk", received)
    assert b"".join(storage.read_chunks(path)) == b"first chunk second chunk"
    assert received == len(b"first chunk second chunk")
    assert (b"chunk" in path.read_bytes()) is (key is None)
