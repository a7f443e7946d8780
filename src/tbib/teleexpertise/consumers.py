"""WebSocket consumers: live queues for specialists, live answers for units."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from tbib.accounts.choices import UNIT_ROLES, UserRole
from tbib.teleexpertise.realtime import specialty_group, unit_group


class QueueConsumer(AsyncJsonWebsocketConsumer):
    """Pushes `{"case": id, "status": s}` when a case of the user's queue changes.

    Specialists follow their specialty's queue, unit staff their unit's cases. Messages
    carry no patient data: the page fetches what changed through the scoped views.
    """

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        if user.role == UserRole.SPECIALIST and user.specialty_id:
            self.group = specialty_group(user.specialty_id)
        elif user.role in UNIT_ROLES and user.unit_id:
            self.group = unit_group(user.unit_id)
        else:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def case_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"case": event["case"], "status": event["status"]})
