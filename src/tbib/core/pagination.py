"""The API's limit/offset pagination, with bounds: Ninja's own takes any offset, and a huge
one reaches the database as an out-of-range integer (a 500 on PostgreSQL)."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.conf import settings
from ninja.pagination import LimitOffsetPagination

MAX_OFFSET = 10_000_000


class BoundedLimitOffset(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(settings.PAGINATION_PER_PAGE, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
