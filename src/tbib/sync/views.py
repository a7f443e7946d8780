"""Replication over HTTPS, hub side (docs/sync.md). Binary bodies: msgpack + zstd batches.

POST /sync/enrol            {"code"} → {"node", "unit", "token"}        (one-time code)
GET  /sync/reference?tag=   the unit's reference data, 304 when unchanged
GET  /sync/pull?after=N     the unit's changes after the hub's seq N (acknowledges N)
POST /sync/push             an edge's batch, applied atomically → {"applied", "upto"}
GET  /sync/lookup?cin=      a patient of another unit, for a named user of the unit
GET  /sync/blobs/<sha256>   {"received", "complete"}: where to resume an attachment
PUT  /sync/blobs/<sha256>?offset=N   one chunk of it

Every error is a 4xx with {"detail": ...}; the edge authenticates with its node credential.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from tbib.access.scope import AccessDenied, RecordNotFound
from tbib.sync import hub, reference, wire
from tbib.sync.apply import ScopeError, apply_batch, build_batch
from tbib.sync.models import Peer
from tbib.teleexpertise import storage
from tbib.teleexpertise.models import Attachment

MAX_BATCH_BYTES = 16 * 1024 * 1024
MAX_CHUNK_BYTES = 1024 * 1024
BATCH_TYPE = "application/vnd.tbib.batch+zstd"


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _hub_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.TBIB_ROLE != "hub":
            return _error(404, "Replication endpoints are served by the hub.")
        return view(request, *args, **kwargs)

    return wrapped


def _authenticated(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @_hub_only
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return _error(401, "Send the edge's credential: 'Authorization: Bearer <token>'.")
        peer = hub.peer_for(header.removeprefix("Bearer ").strip())
        if peer is None:
            return _error(401, "Unknown edge credential: enrol the unit again.")
        Peer.objects.filter(pk=peer.pk).update(last_seen_at=timezone.now())
        return view(request, peer, *args, **kwargs)

    return wrapped


def _int_param(request: HttpRequest, name: str, default: int, lowest: int, highest: int) -> int:
    raw = request.GET.get(name, str(default))
    if not raw.isdigit() or not lowest <= int(raw) <= highest:
        raise ValueError(f"'{name}' must be an integer from {lowest} to {highest}.")
    return int(raw)


@_hub_only
def enrol(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _error(405, "POST a one-time code to enrol.")
    try:
        code = json.loads(request.body)["code"]
        if not isinstance(code, str):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return _error(400, 'Send {"code": "XXXX-XXXX-XXXX"} as JSON.')
    try:
        peer, token = hub.enrol(code)
    except hub.EnrolmentRefused as refused:
        return _error(403, str(refused))
    return JsonResponse({"node": peer.node, "unit": peer.unit.code,
                         "unit_id": str(peer.unit_id), "token": token})  # fmt: skip


@_authenticated
def reference_data(request: HttpRequest, peer: Peer) -> HttpResponse:
    tag, blob = reference.snapshot(peer.unit_id)
    if request.GET.get("tag") == tag:
        return HttpResponse(status=304)
    response = HttpResponse(blob, content_type=BATCH_TYPE)
    response["X-Tbib-Reference"] = tag
    return response


@_authenticated
def pull(request: HttpRequest, peer: Peer) -> HttpResponse:
    if request.method != "GET":
        return _error(405, "GET the next batch.")
    try:
        after = _int_param(request, "after", 0, 0, 2**62)
        limit = _int_param(request, "limit", 500, 1, 5000)
    except ValueError as bad:
        return _error(400, str(bad))
    # Asking for what follows N acknowledges everything up to N.
    Peer.objects.filter(pk=peer.pk, acknowledged__lt=after).update(acknowledged=after)
    built = build_batch(after=after, limit=limit, scope=peer.unit_id, exclude_origin=peer.node)
    response = HttpResponse(wire.encode(built.batch), content_type=BATCH_TYPE)
    response["X-Tbib-Upto"] = str(built.upto)
    response["X-Tbib-More"] = "1" if built.more else "0"
    response["X-Tbib-Reference"] = reference.snapshot(peer.unit_id)[0]
    return response


@_authenticated
def push(request: HttpRequest, peer: Peer) -> HttpResponse:
    if request.method != "POST":
        return _error(405, "POST a batch.")
    if len(request.body) > MAX_BATCH_BYTES:
        return _error(413, f"A batch is at most {MAX_BATCH_BYTES} bytes.")
    try:
        applied = apply_batch(request.body, from_node=peer.node, unit_scope=peer.unit_id)
    except wire.WireError as bad:
        return _error(400, f"Batch refused, nothing applied: {bad}")
    except ScopeError as denied:
        return _error(403, f"Batch refused, nothing applied: {denied}")
    return JsonResponse({"applied": applied.changes, "upto": applied.upto})


@_authenticated
def lookup(request: HttpRequest, peer: Peer) -> HttpResponse:
    cin = request.GET.get("cin", "")
    username = request.headers.get("X-Tbib-User", "")
    if not cin or not username:
        return _error(400, "Give 'cin' and the asking user in X-Tbib-User.")
    try:
        blob = hub.lookup(peer, username, cin)
    except hub.EnrolmentRefused as refused:
        return _error(403, str(refused))
    except AccessDenied as denied:
        return _error(403, str(denied))
    except RecordNotFound as missing:
        return _error(404, str(missing))
    return HttpResponse(blob, content_type=BATCH_TYPE)


@login_required
def status(request: HttpRequest) -> HttpResponse:
    """The edge's replication state, for the top bar (polled by htmx)."""
    from tbib.sync.client import Status
    from tbib.sync.client import status as current

    state = current() if settings.TBIB_ROLE == "edge" else Status(enrolled=False)
    return render(request, "sync/_status.html", {"state": state})


def _partial(sha256: str) -> Any:
    return storage.partial_path(f"sync-{sha256}")


@_authenticated
def blob(request: HttpRequest, peer: Peer, sha256: str) -> HttpResponse:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return _error(400, "A blob is named by its SHA-256, 64 lowercase hex digits.")
    attachment = Attachment.objects.filter(sha256=sha256, case__unit_id=peer.unit_id).first()
    if attachment is None:
        return _error(409, "Push the attachment's record before its content.")
    stored = storage.stored_path(sha256)
    partial = _partial(sha256)
    if request.method == "GET":
        if stored.exists():
            return JsonResponse({"received": attachment.size, "complete": True})
        return JsonResponse({"received": storage.plain_size(partial), "complete": False})
    if request.method != "PUT":
        return _error(405, "GET where to resume, or PUT a chunk.")
    if stored.exists():
        return JsonResponse({"received": attachment.size, "complete": True})
    try:
        offset = _int_param(request, "offset", 0, 0, attachment.size)
    except ValueError as bad:
        return _error(400, str(bad))
    chunk = request.body
    if len(chunk) > MAX_CHUNK_BYTES or offset + len(chunk) > attachment.size:
        return _error(413, f"Chunks are at most {MAX_CHUNK_BYTES} bytes, within the file.")
    with transaction.atomic():  # one writer per blob at a time (the edge sends in order)
        received = storage.plain_size(partial)
        if offset != received:
            return JsonResponse(
                {"received": received, "complete": False, "detail": "Resume at 'received'."},
                status=409,
            )
        received = storage.append(partial, chunk, received)
        if received == attachment.size:
            if storage.digest(partial) != sha256:
                partial.unlink(missing_ok=True)
                return _error(422, "The content does not match its SHA-256: send it again.")
            storage.store(partial, sha256)
            return JsonResponse({"received": received, "complete": True})
    return JsonResponse({"received": received, "complete": False})
