"""Shared API schema pieces."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """Every API error: a readable `detail` (a message, or a list of field errors)."""

    detail: str | list[dict[str, str]]
