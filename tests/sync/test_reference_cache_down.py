"""With the cache unreachable (Redis restarting), edges still get their reference data and
reference rows can still be saved."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tbib.sync import reference
from tests.factories import unit

pytestmark = pytest.mark.django_db

# A Redis nobody listens on (override_settings resets Django's cache handlers).
_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.2},
    }
}


@override_settings(CACHES=_DOWN)
def test_snapshots_and_saves_go_on_without_the_cache() -> None:
    midelt = unit("midelt-1")
    tag, body = reference.snapshot(midelt.pk)
    assert tag and body
    midelt.name = "Unité mobile d'Imilchil"
    midelt.save()  # the invalidation signal must not break the save
