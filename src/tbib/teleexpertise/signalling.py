"""WebRTC signalling for live consultations: a relay between the two browsers of a case.

Offers, answers and ICE candidates pass through untouched (the media flows peer to peer, or
through TURN); the server only checks who may join and logs the session.
"""

from __future__ import annotations

import uuid
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone

from tbib.access.scope import visible_cases
from tbib.accounts.choices import LIVE_ROLES
from tbib.accounts.models import User
from tbib.teleexpertise.models import LiveSession

_RELAYED = frozenset({"offer", "answer", "candidate", "bye"})


def live_group(case_id: object) -> str:
    return f"live.{case_id}"


@database_sync_to_async
def _may_join(user: User, case_id: uuid.UUID) -> bool:
    return (
        user.is_authenticated
        and user.role in LIVE_ROLES
        and visible_cases(user).filter(pk=case_id).exists()
    )


@database_sync_to_async
def _log_join(case_id: uuid.UUID, username: str) -> None:
    now = timezone.now()
    session = LiveSession.objects.filter(case_id=case_id, ended_at__isnull=True).first()
    if session is None:
        session = LiveSession.objects.create(case_id=case_id, started_at=now, participants=[])
    if username not in session.participants:
        session.participants = [*session.participants, username]
        session.save(update_fields=["participants", "updated_at"])


@database_sync_to_async
def _log_leave(case_id: uuid.UUID) -> None:
    now = timezone.now()
    # updated_at too (an UPDATE skips auto_now): the session's FHIR Appointment version moves.
    LiveSession.objects.filter(case_id=case_id, ended_at__isnull=True).update(
        ended_at=now, updated_at=now
    )


class SignallingConsumer(AsyncJsonWebsocketConsumer):
    case_id: uuid.UUID

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.case_id = self.scope["url_route"]["kwargs"]["case_id"]
        if user is None or not await _may_join(user, self.case_id):
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(live_group(self.case_id), self.channel_name)
        await self.accept()
        await _log_join(self.case_id, user.username)
        # Tell the peer already there that someone joined: it makes the offer.
        await self.channel_layer.group_send(
            live_group(self.case_id),
            {"type": "relay", "sender": self.channel_name, "message": {"type": "joined"}},
        )

    async def disconnect(self, code: int) -> None:
        if getattr(self, "case_id", None) is None:
            return
        await self.channel_layer.group_discard(live_group(self.case_id), self.channel_name)
        await self.channel_layer.group_send(
            live_group(self.case_id),
            {"type": "relay", "sender": self.channel_name, "message": {"type": "bye"}},
        )
        await _log_leave(self.case_id)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or content.get("type") not in _RELAYED:
            await self.send_json({"type": "error", "detail": "Unknown signalling message."})
            return
        await self.channel_layer.group_send(
            live_group(self.case_id),
            {"type": "relay", "sender": self.channel_name, "message": content},
        )

    async def relay(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.channel_name:
            await self.send_json(event["message"])
