"""Merge rules for records edited on several nodes; every merge is a join (a CRDT).

- Immutable clinical facts (signed encounters, observations, audit events) are added, never
  changed: the union of two sets of them is the merge, so they cannot conflict.
- Mutable records (a patient's demographics) merge field by field, the latest write by hybrid
  logical clock winning; the losing values are kept in the record's history, never dropped.
- A case's status merges by its progress: each transition raises the case's version, so a
  stale "queued" (an older version) never replaces "answered"; two transitions made from the
  same version on two nodes (the unit cancels while the specialist answers) are decided by
  clinical weight, answered and closed winning over cancelled.

Each merge is commutative, associative and idempotent: whatever the order and repetition of
pushes and pulls, all nodes end in the same state (tests/sync/test_merge.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tbib.sync.hlc import Timestamp


@dataclass(frozen=True)
class Versioned:
    value: object
    at: Timestamp


@dataclass(frozen=True)
class MutableRecord:
    """Fields with the write that set each, and the values that lost (field, value, time)."""

    fields: Mapping[str, Versioned] = field(default_factory=dict)
    history: frozenset[tuple[str, str, Timestamp]] = frozenset()

    def write(self, name: str, value: object, at: Timestamp) -> MutableRecord:
        return merge_records(self, MutableRecord({name: Versioned(value, at)}))

    def value(self, name: str) -> object:
        found = self.fields.get(name)
        return found.value if found else None


def merge_records(a: MutableRecord, b: MutableRecord) -> MutableRecord:
    """Per-field last writer wins (by HLC); every losing value goes to the history."""
    fields: dict[str, Versioned] = {}
    history = set(a.history | b.history)
    for name in a.fields.keys() | b.fields.keys():
        candidates = [v for v in (a.fields.get(name), b.fields.get(name)) if v is not None]
        # A node never issues one timestamp twice; should two writes share one anyway (a
        # restored backup), the value decides, so that every node still picks the same.
        winner = max(candidates, key=lambda v: (v.at, repr(v.value)))
        fields[name] = winner
        for loser in candidates:
            if loser != winner:
                history.add((name, repr(loser.value), loser.at))
    return MutableRecord(fields, frozenset(history))


# Clinical weight of a case status, to decide between transitions made concurrently from the
# same version: an answer or a closure must never be lost.
CASE_WEIGHT = {
    "draft": 0,
    "submitted": 1,
    "queued": 2,
    "more-info": 3,
    "claimed": 4,
    "cancelled": 5,
    "answered": 6,
    "closed": 7,
}


@dataclass(frozen=True, order=True)
class CaseState:
    """A case's status as replicated: the transition count, the status, when it was set."""

    version: int
    weight: int
    at: Timestamp
    status: str

    @classmethod
    def of(cls, version: int, status: str, at: Timestamp) -> CaseState:
        return cls(version, CASE_WEIGHT[status], at, status)


def merge_case(a: CaseState, b: CaseState) -> CaseState:
    """The later version wins; at equal versions the clinically weightier status, then HLC."""
    return max(a, b)


def merge_facts(a: frozenset[tuple[str, str]], b: frozenset[tuple[str, str]]) -> frozenset:
    """Immutable facts (id, content hash): the union."""
    return a | b
