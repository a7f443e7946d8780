"""Live queue messages through the production channel layer, on the real Redis."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import LazySettings

from tbib.teleexpertise import realtime
from tbib.teleexpertise.models import Case

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def test_a_case_change_reaches_the_specialty_and_the_unit_over_redis(
    settings: LazySettings,
) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS], "prefix": f"tbib-test-{uuid.uuid4().hex[:8]}"},
        }
    }
    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisChannelLayer"
    unit_id = uuid.uuid4()
    case = Case(pk=uuid.uuid4(), specialty_id="dermatology", unit_id=unit_id, status="queued")

    async def scenario() -> list[dict]:
        specialists = await layer.new_channel()
        unit_staff = await layer.new_channel()
        await layer.group_add(realtime.specialty_group("dermatology"), specialists)
        await layer.group_add(realtime.unit_group(unit_id), unit_staff)
        return [specialists, unit_staff]  # type: ignore[list-item]

    def exchange() -> list[dict]:
        channels = async_to_sync(scenario)()
        realtime.case_changed(case)
        return [async_to_sync(layer.receive)(channel) for channel in channels]

    # In a thread of its own, as Django runs sync views under ASGI (and away from the event
    # loop that Playwright's sync API keeps in the test runner's main thread).
    with ThreadPoolExecutor(max_workers=1) as pool:
        received = pool.submit(exchange).result(timeout=30)
    expected = {"type": "case.changed", "case": str(case.pk), "status": "queued"}
    assert received == [expected, expected]
