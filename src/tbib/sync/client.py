"""The edge's side of replication: enrolment, and one sync round with priorities.

A round: pull the hub's changes for the unit (answers first reach the GP), push the unit's
new cases and answers with what they need, then the clinical records, then attachments'
content in resumable chunks, then the rest (tour stops, device readings, the audit trail).
Every step is safe to cut at any moment: a pull cursor moves in the same transaction as the
apply, a pushed change is marked only once the hub acknowledged it, and an attachment resumes
where the hub says it stands.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from tbib.sync import reference, wire
from tbib.sync.apply import apply_batch, build_push_batch, mark_pushed
from tbib.sync.capture import forget_node_name, node_name
from tbib.sync.models import BlobTransfer, Change, HubLink
from tbib.sync.registry import PRIORITY

logger = logging.getLogger(__name__)

# Downlink batches are large: on 2G a round trip costs more than a few thousand records.
PULL_LIMIT = 2000
CHUNK_BYTES = 64 * 1024  # an attachment resumes at this granularity after a cut
TIMEOUT_S = 120.0
BATCH_TYPE = "application/vnd.tbib.batch+zstd"


class LinkDown(ConnectionError):
    """The hub could not be reached, or the exchange was cut: try again later."""


class HubRefused(RuntimeError):
    """The hub answered with a 4xx: retrying the same request will not help."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status


@dataclass
class Report:
    pulled: int = 0
    pushed: int = 0
    blob_bytes: int = 0
    wire_bytes: int = 0
    started: float = field(default_factory=time.monotonic)
    # Seconds from the start of the round until everything but attachments had been pushed.
    structured_s: float | None = None
    total_s: float | None = None


# One kept-alive connection per hub: on a 600 ms link, a new TCP (and TLS) connection per
# request would cost a round trip or two, and slow start, every time.
_connections: dict[tuple[str, str, int | None], http.client.HTTPConnection] = {}


def _connection(parts: urllib.parse.SplitResult) -> http.client.HTTPConnection:
    key = (parts.scheme, parts.hostname or "", parts.port)
    if key not in _connections:
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        _connections[key] = kind(parts.hostname or "", parts.port, timeout=TIMEOUT_S)
    return _connections[key]


def _drop(parts: urllib.parse.SplitResult) -> None:
    connection = _connections.pop((parts.scheme, parts.hostname or "", parts.port), None)
    if connection is not None:
        connection.close()


def _request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    allow: tuple[int, ...] = (),
) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise HubRefused(400, f"The hub's URL must be http(s): {url!r}")
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    for attempt in (1, 2):
        reused = (parts.scheme, parts.hostname or "", parts.port) in _connections
        try:
            connection = _connection(parts)
            connection.request(method, target, body=body, headers=sent)
            response = connection.getresponse()
            status, received, payload = response.status, dict(response.headers), response.read()
            break
        except (OSError, http.client.HTTPException) as error:
            _drop(parts)  # a cut connection is never reused
            if reused and attempt == 1:
                continue  # the hub closed an idle connection: once more on a new one
            raise LinkDown(f"{type(error).__name__}: {error}") from error
    if received.get("Connection", "").lower() == "close":
        _drop(parts)
    if status < 300 or status in allow:
        return status, received, payload
    if status >= 500:
        raise LinkDown(f"hub error {status}")
    try:
        detail = json.loads(payload).get("detail", "")
    except ValueError:
        detail = payload[:200].decode(errors="replace")
    raise HubRefused(status, str(detail))


def enrol(hub_url: str, code: str) -> HubLink:
    """Enrol this edge with a code issued at the hub; then the first round pulls its data."""
    hub_url = hub_url.rstrip("/")
    if HubLink.objects.exists():
        raise HubRefused(409, "This edge is already enrolled.")
    _status, _headers, payload = _request(
        f"{hub_url}/sync/enrol",
        method="POST",
        body=json.dumps({"code": code}).encode(),
        headers={"Content-Type": "application/json"},
    )
    answer = json.loads(payload)
    # The reference data (the unit itself, its team) and the credential land together; the
    # unit's records follow in the first round. Should this fail, the code is spent: the hub
    # issues another.
    with transaction.atomic():
        tag = refresh_reference(hub_url, answer["token"], tag="")
        link = HubLink.objects.create(
            hub_url=hub_url,
            node=answer["node"],
            unit_id=answer["unit_id"],
            token=answer["token"],
            reference_tag=tag,
        )
    forget_node_name()
    return link


def refresh_reference(hub_url: str, token: str, tag: str) -> str:
    status, headers, payload = _request(
        f"{hub_url}/sync/reference?tag={urllib.parse.quote(tag)}", token=token, allow=(304,)
    )
    if status == 304:
        return tag
    from tbib.geo.importer import import_divisions
    from tbib.geo.models import Commune

    if not Commune.objects.exists():
        import_divisions()  # the geography comes from the HCP package, not over the link
    reference.apply_snapshot(payload)
    return headers.get("X-Tbib-Reference", "")


def pull(link: HubLink, report: Report) -> None:
    """Apply the hub's batches until none is left; the cursor moves with each apply."""
    while True:
        _status, headers, payload = _request(
            f"{link.hub_url}/sync/pull?after={link.pull_cursor}&limit={PULL_LIMIT}",
            token=link.token,
        )
        report.wire_bytes += len(payload)
        tag = headers.get("X-Tbib-Reference", "")
        if tag and tag != link.reference_tag:
            link.reference_tag = refresh_reference(link.hub_url, link.token, link.reference_tag)
            HubLink.objects.filter(pk=link.pk).update(reference_tag=link.reference_tag)
        try:
            with transaction.atomic():
                applied = apply_batch(payload)
                upto = int(headers.get("X-Tbib-Upto", applied.upto))
                if upto > link.pull_cursor:
                    HubLink.objects.filter(pk=link.pk).update(pull_cursor=upto)
                    link.pull_cursor = upto
        except IntegrityError as error:
            # A reference the batch needs is not here yet (a new team member, say): nothing
            # was applied; fetch the reference data afresh and try again next round.
            HubLink.objects.filter(pk=link.pk).update(reference_tag="")
            raise LinkDown(f"batch waits for reference data: {error}") from error
        report.pulled += applied.changes
        if headers.get("X-Tbib-More") != "1":
            return


def push(link: HubLink, report: Report, classes: tuple[int, ...]) -> None:
    """Send this edge's unacknowledged writes of these priority classes, most urgent first."""
    while True:
        built = build_push_batch(classes=classes)
        if not built.seqs:
            return
        blob = wire.encode(built.batch)
        _request(f"{link.hub_url}/sync/push", method="POST", body=blob, token=link.token,
                 headers={"Content-Type": BATCH_TYPE})  # fmt: skip
        report.wire_bytes += len(blob)
        mark_pushed(built.seqs)  # acknowledged: only now
        report.pushed += len(built.seqs)
        HubLink.objects.filter(pk=link.pk).update(bytes_per_change=len(blob) / len(built.seqs))
        if not built.more:
            return


def _attachments_to_send(*, described: bool = True) -> list[Any]:
    """This edge's attachments whose content the hub lacks (`described`: only those whose
    record the hub already acknowledged, so that the hub knows what it receives)."""
    from tbib.teleexpertise.models import Attachment

    mine = Change.objects.filter(model="teleexpertise.attachment", origin=node_name())
    if described:
        mine = mine.filter(pushed=True)
    done = BlobTransfer.objects.filter(done=True).values("sha256")
    return list(
        Attachment.objects.filter(pk__in=mine.values("record_id"))
        .exclude(sha256__in=done)
        .order_by("pk")
    )


def push_blobs(link: HubLink, report: Report) -> None:
    """Attachments' content, each resumed where the hub says it stands."""
    from tbib.teleexpertise import storage

    for attachment in _attachments_to_send():
        url = f"{link.hub_url}/sync/blobs/{attachment.sha256}"
        transfer, _ = BlobTransfer.objects.get_or_create(
            sha256=attachment.sha256, defaults={"size": attachment.size}
        )
        _status, _headers, payload = _request(url, token=link.token)
        state = json.loads(payload)
        offset = int(state["received"])
        content = b"".join(storage.read_chunks(storage.stored_path(attachment.sha256)))
        while not state["complete"]:
            chunk = content[offset : offset + CHUNK_BYTES]
            status, _headers, payload = _request(
                f"{url}?offset={offset}", method="PUT", body=chunk, token=link.token,
                headers={"Content-Type": "application/octet-stream"}, allow=(409,),
            )  # fmt: skip
            state = json.loads(payload)
            if status == 200:
                report.blob_bytes += len(chunk)
                report.wire_bytes += len(chunk)
            offset = int(state["received"])
            BlobTransfer.objects.filter(pk=transfer.pk).update(sent=offset)
        BlobTransfer.objects.filter(pk=transfer.pk).update(sent=attachment.size, done=True)


def sync_once(report: Report | None = None) -> Report:
    """One complete round; raises LinkDown or HubRefused if it could not finish."""
    report = report or Report()
    link = HubLink.objects.first()
    if link is None:
        raise HubRefused(412, "This edge is not enrolled: run 'tbib edge enrol'.")
    HubLink.objects.filter(pk=link.pk).update(last_attempt_at=timezone.now())
    try:
        pull(link, report)
        push(link, report, classes=(0,))
        push(link, report, classes=(1,))
        report.structured_s = time.monotonic() - report.started
        push_blobs(link, report)
        push(link, report, classes=(3,))
        pull(link, report)
    except (LinkDown, HubRefused) as error:
        HubLink.objects.filter(pk=link.pk).update(last_error=str(error)[:300])
        raise
    HubLink.objects.filter(pk=link.pk).update(last_sync_at=timezone.now(), last_error="")
    report.total_s = time.monotonic() - report.started
    return report


def lookup_at_hub(username: str, cin: str) -> bool:
    """Fetch from the hub a patient of another unit (and their history) by exact CIN.

    False when the edge is not enrolled, the link is down or the hub knows no such patient:
    the caller then answers "not found", as it would offline.
    """
    link = HubLink.objects.first()
    if link is None:
        return False
    try:
        _status, _headers, payload = _request(
            f"{link.hub_url}/sync/lookup?cin={urllib.parse.quote(cin)}",
            token=link.token,
            headers={"X-Tbib-User": username},
        )
        apply_batch(payload)
    except (LinkDown, HubRefused, wire.WireError) as error:
        logger.info("lookup at the hub failed: %s", error)
        return False
    return True


@dataclass(frozen=True)
class Status:
    enrolled: bool
    hub_url: str = ""
    last_sync_at: Any = None
    last_error: str = ""
    pending_changes: int = 0
    pending_bytes: int = 0

    @property
    def up_to_date(self) -> bool:
        return self.enrolled and self.pending_changes == 0 and self.pending_bytes == 0


def status() -> Status:
    """What the unit's screen shows: last sync, what is waiting, and how big it is."""
    link = HubLink.objects.first()
    if link is None:
        return Status(enrolled=False)
    pending = Change.objects.filter(pushed=False, origin=link.node, model__in=list(PRIORITY))
    changes = pending.count()
    blobs = sum(a.size for a in _attachments_to_send(described=False))
    sent = BlobTransfer.objects.filter(done=False).aggregate(total=Sum("sent"))["total"] or 0
    return Status(
        enrolled=True,
        hub_url=link.hub_url,
        last_sync_at=link.last_sync_at,
        last_error=link.last_error,
        pending_changes=changes,
        pending_bytes=int(changes * link.bytes_per_change) + max(blobs - sent, 0),
    )


def run_forever(
    *,
    interval_s: float = 30.0,
    max_backoff_s: float = 300.0,
    sleep: Callable[[float], None] = time.sleep,
    rounds: int | None = None,
) -> None:
    """The edge's sync loop: a round every `interval_s`; after a failure, back off
    exponentially with jitter (so fifty vans do not hammer a hub that just came back)."""
    failures = 0
    done = 0
    from tbib.sync import keys

    while rounds is None or done < rounds:
        done += 1
        if keys.is_locked():
            sleep(interval_s)  # nothing can be read until a team member signs in
            continue
        try:
            report = sync_once()
            failures = 0
            if report.pulled or report.pushed or report.blob_bytes:
                logger.info("synced: %s pulled, %s pushed, %s attachment bytes",
                            report.pulled, report.pushed, report.blob_bytes)  # fmt: skip
            sleep(interval_s)
        except (LinkDown, HubRefused) as error:
            failures += 1
            delay = min(max_backoff_s, 2.0 ** min(failures, 12))
            logger.warning("sync failed (%s); next try in %.0f s", error, delay)
            sleep(delay * random.uniform(0.5, 1.0))
