"""Fault: Redis restarts (empty, as configured: no persistence) under a running hub; the
cache and the Channels layer work again at once, with no restart of the hub."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.test import override_settings

from tbib.teleexpertise import realtime
from tests.faults.processes import Redis, private_redis

pytestmark = pytest.mark.faults

GROUP = realtime.specialty_group("dermatology")
MESSAGE = {"type": "case.changed", "case": str(uuid.uuid4()), "status": "queued"}


def _production_settings(redis_url: str) -> override_settings:
    """CACHES and CHANNEL_LAYERS exactly as settings/base.py builds them from REDIS_URL."""
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
            }
        },
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_url], "prefix": f"tbib-faults-{uuid.uuid4().hex[:8]}"},
            }
        },
    )


async def _hub(redis: Redis) -> tuple[BaseException | None, dict[str, Any]]:
    """One event loop across the restart, as uvicorn's: the layer keeps its connections."""
    layer = get_channel_layer()
    socket = await layer.new_channel()  # a specialist's open queue page
    await layer.group_add(GROUP, socket)
    await layer.group_send(GROUP, MESSAGE)
    assert await layer.receive(socket) == MESSAGE

    waiting = asyncio.ensure_future(layer.receive(socket))  # the consumer, blocked on Redis
    await asyncio.sleep(0.2)
    await asyncio.to_thread(redis.stop)
    await asyncio.to_thread(redis.start)
    # The blocked receive must fail rather than hang: Channels then closes the socket and
    # live.js reconnects, joining its groups again (Redis lost them).
    outcome = await asyncio.wait_for(asyncio.gather(waiting, return_exceptions=True), 15)
    error = outcome[0] if isinstance(outcome[0], BaseException) else None

    socket = await layer.new_channel()  # the page, reconnected
    await layer.group_add(GROUP, socket)
    await layer.group_send(GROUP, MESSAGE)
    return error, await asyncio.wait_for(layer.receive(socket), 15)


def test_cache_and_live_queue_survive_a_redis_restart() -> None:
    with private_redis() as redis, _production_settings(redis.url):
        cache.set("faults:before", "ok", 60)
        assert cache.get("faults:before") == "ok"

        error, received = asyncio.run(_hub(redis))

        assert error is not None, "a consumer blocked on Redis did not notice the restart"
        assert received == MESSAGE
        # Redis came back empty: a cache miss, not an error; then the cache works again.
        assert cache.get("faults:before") is None
        cache.set("faults:after", "ok", 60)
        assert cache.get("faults:after") == "ok"
