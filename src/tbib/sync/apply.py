"""Build batches from the change log, and apply a peer's batch: atomic and idempotent.

Applying is all or nothing (one transaction), and a batch already applied (same id) changes
nothing. Each change merges by its kind (sync.registry, sync.merge): facts are inserted if
absent; mutable records merge field by field by HLC (each field carries the clock of its last
write), the losers kept in `FieldClock` history; a case's status moves by the case-aware
rule. A record that comes out of the merge exactly as the peer sent it is logged with the
peer's clock and origin (so it is passed on to others, never echoed back); one that differs
is logged as a new local write, so the peer receives the merged version.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Model

from tbib.core.bulk import insert_rows
from tbib.sync import wire
from tbib.sync.capture import clock, digest, node_name, record_changes
from tbib.sync.hlc import Timestamp
from tbib.sync.merge import CASE_WEIGHT, CaseState
from tbib.sync.models import AppliedBatch, Change, FieldClock
from tbib.sync.registry import ORDER, PRIORITY, REPLICATED, SCOPE

TIMESTAMPS = {"created_at", "updated_at"}
# A case's workflow fields move together, by the case-aware rule.
CASE_GROUP = ("status", "status_version", "claimed_by_id", "claimed_at", "answered_at",
              "closed_at")  # fmt: skip
NEVER = Timestamp(0, 0, "")


class ScopeError(PermissionError):
    """A pushed record that is not the pushing unit's: the whole batch is refused."""


@dataclass(frozen=True)
class Built:
    batch: dict[str, Any]
    upto: int  # the last `seq` the batch covers (a pull cursor)
    seqs: list[int]  # the log entries it carries (what an acknowledgement marks pushed)
    more: bool  # the log holds more after this batch


def _rows(changes: Iterable[Change]) -> list[list[Any]]:
    """The records of these log entries as they are now, with their field clocks if mutable."""
    by_model: dict[str, list[Change]] = {}
    for change in changes:
        by_model.setdefault(change.model, []).append(change)
    rows: list[list[Any]] = []
    for name in ORDER:
        wanted = by_model.get(name, [])
        if not wanted:
            continue
        model = apps.get_model(name)
        ids = [c.record_id for c in wanted]
        found = model._default_manager.in_bulk(ids)
        clocks: dict[uuid.UUID, dict[str, Any]] = {}
        if REPLICATED[name] == "mutable":
            clocks = dict(
                FieldClock.objects.filter(model=name, record_id__in=ids).values_list(
                    "record_id", "clocks"
                )
            )
        for change in wanted:
            if change.record_id not in found:
                continue
            row: list[Any] = [name, change.hlc, wire.row_of(found[change.record_id])]
            own = {f: c[0] for f, c in clocks.get(change.record_id, {}).items()
                   if c[0] != change.hlc}  # fmt: skip
            if own:
                row.append(own)
            rows.append(row)
    return rows


def _batch(rows: list[list[Any]], upto: int) -> dict[str, Any]:
    return {"batch": uuid.uuid4().bytes, "origin": node_name(), "upto": upto, "changes": rows}


def build_batch(
    *,
    after: int,
    limit: int = 500,
    scope: uuid.UUID | None = None,
    exclude_origin: str | None = None,
) -> Built:
    """The next log entries after cursor `after` (a unit's only, when `scope` is given).

    A record's parents come with it when the receiver may not hold them yet: written again
    since (a later `seq`, beyond this batch), or another unit's (the patient of another unit
    seen here). The receiver's database checks every reference at commit.
    """
    query = Change.objects.filter(seq__gt=after)
    if scope is not None:
        query = query.filter(scope=scope)
    changes = list(query.order_by("seq")[: limit + 1])
    more = len(changes) > limit
    changes = changes[:limit]
    upto = changes[-1].seq if changes else after
    # A node's own writes are skipped here rather than in SQL: the cursor still moves past them.
    chosen = {c.seq: c for c in changes if not exclude_origin or c.origin != exclude_origin}

    def missing(parent: Change) -> bool:
        held = parent.seq <= upto and (scope is None or parent.scope == scope)
        return not held and parent.origin != exclude_origin

    _add_parents(chosen, Change.objects.all(), missing)
    seqs = sorted(chosen)
    return Built(_batch(_rows(chosen[s] for s in seqs), upto), upto, seqs, more)


def build_push_batch(*, limit: int = 500, classes: Iterable[int] = (0, 1, 3)) -> Built:
    """This edge's unacknowledged writes, most urgent first, with the parents they need.

    A new case travels before the rest of the day's records, but its encounter and patient
    must arrive with it (or before): pending parents are pulled into the batch.
    """
    pending = Change.objects.filter(pushed=False, origin=node_name())
    chosen: dict[int, Change] = {}
    for priority in classes:
        names = [name for name, p in PRIORITY.items() if p == priority]
        room = limit - len(chosen)
        if room <= 0:
            break
        for change in pending.filter(model__in=names).order_by("seq")[:room]:
            chosen[change.seq] = change
    _add_parents(chosen, pending, lambda parent: True)
    more = (
        pending.exclude(seq__in=list(chosen))
        .filter(model__in=[n for n, p in PRIORITY.items() if p in set(classes)])
        .exists()
    )
    seqs = sorted(chosen)
    return Built(_batch(_rows(chosen[s] for s in seqs), 0), 0, seqs, more)


def _add_parents(
    chosen: dict[int, Change],
    candidates: models.QuerySet[Change],
    wanted: Callable[[Change], bool],
) -> None:
    """Add to `chosen` the log entries of the replicated records its records refer to."""
    frontier = list(chosen.values())
    while frontier:
        refs: dict[str, set[uuid.UUID]] = {}
        for name in {c.model for c in frontier}:
            model = apps.get_model(name)
            ids = [c.record_id for c in frontier if c.model == name]
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.ForeignKey):
                    continue
                target = field.related_model._meta.label_lower  # type: ignore[union-attr]
                if target not in REPLICATED:
                    continue
                values = model._default_manager.filter(pk__in=ids).values_list(
                    field.attname, flat=True
                )
                refs.setdefault(target, set()).update(v for v in values if v is not None)
        frontier = []
        for target, ids_ in refs.items():
            for parent in candidates.filter(model=target, record_id__in=ids_):
                if parent.seq not in chosen and wanted(parent):
                    chosen[parent.seq] = parent
                    frontier.append(parent)


def mark_pushed(seqs: list[int]) -> None:
    """The hub acknowledged these log entries (a record written again since has a new one)."""
    Change.objects.filter(seq__in=seqs).update(pushed=True)


@dataclass(frozen=True)
class Applied:
    changes: int  # changes the batch held (0 when the batch was applied before)
    origin: str
    upto: int


def apply_batch(
    blob: bytes,
    *,
    from_node: str | None = None,
    unit_scope: uuid.UUID | None = None,
) -> Applied:
    """Apply a peer's batch in one transaction; a batch applied before changes nothing.

    `from_node` and `unit_scope` (the hub receiving an edge's push): every change must be a
    write of that node, about that unit's records (ScopeError otherwise, nothing applied).
    Records new here are inserted in bulk (an enrolment brings hundreds of thousands); records
    already here merge one by one.
    """
    batch = wire.decode(blob)
    upto = batch.get("upto", 0)
    upto = upto if isinstance(upto, int) else 0
    with transaction.atomic():
        if AppliedBatch.objects.filter(batch_id=batch["batch"]).exists():
            return Applied(0, batch["origin"], upto)
        changes = batch["changes"]
        pending = [_parse(change, from_node=from_node) for change in changes]
        while pending:
            # A record written twice in one batch: its later version applies in a next pass.
            groups: dict[str, list[_Incoming]] = {}
            seen: set[tuple[str, Any]] = set()
            later = []
            for incoming in pending:
                key = (incoming.name, incoming.values["id"])
                if key in seen:
                    later.append(incoming)
                    continue
                seen.add(key)
                groups.setdefault(incoming.name, []).append(incoming)
            for name in ORDER:
                if name in groups:
                    _apply_group(name, groups[name], unit_scope)
            pending = later
        AppliedBatch.objects.create(
            batch_id=batch["batch"], origin=batch["origin"], changes=len(changes)
        )
    return Applied(len(changes), batch["origin"], upto)


@dataclass(frozen=True)
class _Incoming:
    name: str
    at: Timestamp
    field_clocks: dict[str, Timestamp]
    values: dict[str, Any]
    row: dict[str, Any]


def _parse(change: Any, *, from_node: str | None) -> _Incoming:
    if not isinstance(change, list) or len(change) not in (3, 4) or not isinstance(change[2], dict):
        raise wire.WireError("A change is [model, hlc, row] or [model, hlc, row, clocks].")
    name, encoded, row = change[:3]
    model = wire.model_of(name)
    at = _clock_of(encoded)
    if from_node is not None and at.node != from_node:
        raise ScopeError(f"A change written by {at.node!r} pushed by {from_node!r}.")
    raw_clocks = change[3] if len(change) == 4 else {}
    if not isinstance(raw_clocks, dict):
        raise wire.WireError("Field clocks are a map.")
    field_clocks = {str(k): _clock_of(v) for k, v in raw_clocks.items()}
    clock().observe(max([at, *field_clocks.values()]))
    values = wire.values_for(model, row)
    if values.get("id") is None:
        raise wire.WireError(f"{name}: a row without its id.")
    return _Incoming(name, at, field_clocks, values, row)


def _chunks(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _apply_group(name: str, incoming: list[_Incoming], unit_scope: uuid.UUID | None) -> None:
    model = apps.get_model(name)
    ids = [i.values["id"] for i in incoming]
    existing: set[Any] = set()
    for chunk in _chunks(ids):
        existing.update(model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True))
    fresh = [i for i in incoming if i.values["id"] not in existing]
    if fresh:
        # One INSERT per column set (rows of one model share theirs unless a peer runs
        # another version: then they are grouped by their columns).
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for item in fresh:
            by_columns.setdefault(tuple(item.values), []).append(item.values)
        for rows in by_columns.values():
            insert_rows(model, rows, log=False)
        scopes: dict[Any, Any] = {}
        for chunk in _chunks([i.values["id"] for i in fresh]):
            Change.objects.filter(model=name, record_id__in=chunk).delete()  # a stale entry
            scopes.update(
                model._default_manager.filter(pk__in=chunk).values_list("pk", SCOPE[name])
            )
        insert_rows(Change, [
            {"model": name, "record_id": i.values["id"], "hlc": i.at.encode(),
             "origin": i.at.node, "scope": scopes.get(i.values["id"]), "pushed": False}
            for i in fresh
        ])  # fmt: skip
        if REPLICATED[name] == "mutable":
            for chunk in _chunks([i.values["id"] for i in fresh]):
                FieldClock.objects.filter(model=name, record_id__in=chunk).delete()
            insert_rows(FieldClock, [
                {"model": name, "record_id": i.values["id"], "history": [],
                 "clocks": {f: [i.field_clocks.get(f, i.at).encode(), digest(i.row[f])]
                            for f in i.row}}
                for i in fresh
            ])  # fmt: skip
    if REPLICATED[name] == "mutable":
        for item in incoming:
            if item.values["id"] in existing:
                local = model._default_manager.get(pk=item.values["id"])
                _merge(name, local, item.values, item.row, item.at, item.field_clocks)
    # A fact already here is the same fact: nothing to do.
    if unit_scope is not None:
        _check_scope(model, name, ids, existing, unit_scope)


def _check_scope(
    model: type[Model], name: str, ids: list[Any], existing: set[Any], unit: uuid.UUID
) -> None:
    if name == "access.auditevent":
        return  # the unit's trail of its own staff (an actor of no unit is still traced)
    for chunk in _chunks(ids):
        foreign = model._default_manager.filter(pk__in=chunk).exclude(**{SCOPE[name]: unit})
        for pk in foreign.values_list("pk", flat=True):
            if name == "patients.patient" and pk in existing:
                continue  # a patient of another unit, looked up and updated here: allowed
            raise ScopeError(f"{name} {pk} is not this unit's record.")


def _clock_of(encoded: object) -> Timestamp:
    try:
        return Timestamp.decode(str(encoded))
    except ValueError as error:
        raise wire.WireError(f"Bad clock {encoded!r}.") from error


def _save(instance: Model) -> None:
    instance._sync_applying = True  # type: ignore[attr-defined]
    # Skip the models' own save() guards (signed-encounter lock): the origin enforced them,
    # and a replica must hold exactly what the origin holds.
    Model.save_base(instance, raw=True, force_insert=instance._state.adding)


def _merge(
    name: str,
    local: Model,
    values: dict[str, Any],
    row: dict[str, Any],
    at: Timestamp,
    field_clocks: dict[str, Timestamp],
) -> None:
    before = wire.row_of(local)
    record, _ = FieldClock.objects.get_or_create(model=name, record_id=local.pk)
    clocks = record.clocks
    history = record.history

    def mine_at(field: str) -> Timestamp:
        seen = clocks.get(field)
        return Timestamp.decode(seen[0]) if seen else NEVER

    def take(field: str, stamp: Timestamp) -> None:
        mine = getattr(local, field)
        if mine != values[field]:
            history.append([field, repr(mine), mine_at(field).encode()])
            setattr(local, field, values[field])
        clocks[field] = [stamp.encode(), digest(row[field])]

    fields = [f for f in values if f not in TIMESTAMPS and f != "id"]
    if name == "teleexpertise.case" and all(f in values for f in CASE_GROUP):
        fields = [f for f in fields if f not in CASE_GROUP]
        ours = CaseState(local.status_version, CASE_WEIGHT.get(local.status, -1),  # type: ignore[attr-defined]
                         mine_at("status"), local.status)  # type: ignore[attr-defined]  # fmt: skip
        theirs_at = field_clocks.get("status", at)
        theirs = CaseState(values["status_version"], CASE_WEIGHT.get(values["status"], -1),
                           theirs_at, values["status"])  # fmt: skip
        if theirs > ours:
            for field in CASE_GROUP:
                take(field, field_clocks.get(field, at))
        elif theirs != ours:
            history.append(["status", repr(values["status"]), theirs_at.encode()])
    for field in fields:
        theirs_at = field_clocks.get(field, at)
        mine = getattr(local, field)
        if mine == values[field]:
            if theirs_at > mine_at(field):
                clocks[field] = [theirs_at.encode(), digest(row[field])]
        elif (theirs_at, repr(values[field])) > (mine_at(field), repr(mine)):
            take(field, theirs_at)
        else:
            history.append([field, repr(values[field]), theirs_at.encode()])
    # Timestamps merge by max (updated) and min (created): joins, so every node agrees.
    if "updated_at" in values and values["updated_at"] > local.updated_at:  # type: ignore[attr-defined]
        local.updated_at = values["updated_at"]  # type: ignore[attr-defined]
    if "created_at" in values and values["created_at"] < local.created_at:  # type: ignore[attr-defined]
        local.created_at = values["created_at"]  # type: ignore[attr-defined]
    record.save()
    merged = wire.row_of(local)
    if merged != before:
        _save(local)
    if merged == row:
        if merged != before:
            record_changes(type(local), [local.pk], at=at)  # the peer's version, as sent
    else:
        # Ours won somewhere: the peer must receive the merged record, as a write of ours.
        record_changes(type(local), [local.pk])
