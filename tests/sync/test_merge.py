"""Merge rules converge: any interleaving of edits, pushes and pulls ends in one state."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from tbib.sync.hlc import Clock, Timestamp
from tbib.sync.merge import (
    CaseState,
    MutableRecord,
    merge_case,
    merge_facts,
    merge_records,
)

NODES = ("hub", "edgeA", "edgeB")


def ts(wall: int, counter: int = 0, node: str = "hub") -> Timestamp:
    return Timestamp(wall, counter, node)


def test_a_change_made_after_seeing_another_is_later_even_with_a_slow_clock() -> None:
    fast = Clock("hub", wall=lambda: 10_000)
    slow = Clock("edgeA", wall=lambda: 1_000)  # the van's clock is 9 s behind
    seen = fast.tick()
    slow.observe(seen)
    assert slow.tick() > seen


def test_timestamps_round_trip_through_their_text_form() -> None:
    stamp = ts(1_763_800_000_123, 7, "edgeA")
    assert Timestamp.decode(stamp.encode()) == stamp
    assert ts(2).encode() > ts(1, 99).encode()  # text order is time order


def test_last_writer_wins_per_field_and_the_loser_is_kept() -> None:
    base = MutableRecord().write("phone", "+212600000001", ts(1))
    at_unit = base.write("phone", "+212600000002", ts(5, node="edgeA"))
    at_hub = base.write("village", "Agoudal", ts(3))
    merged = merge_records(at_unit, at_hub)
    assert merged.value("phone") == "+212600000002"
    assert merged.value("village") == "Agoudal"
    assert ("phone", "'+212600000001'", ts(1)) in merged.history


def test_a_stale_queued_never_replaces_answered() -> None:
    answered = CaseState.of(5, "answered", ts(100, node="hub"))
    stale = CaseState.of(4, "queued", ts(900, node="edgeA"))  # later clock, older version
    assert merge_case(stale, answered).status == "answered"
    # Concurrent moves from the same version: the answer beats the unit's cancellation.
    cancelled = CaseState.of(5, "cancelled", ts(999, node="edgeA"))
    assert merge_case(cancelled, answered).status == "answered"


records = st.builds(
    lambda writes: _apply(MutableRecord(), writes),
    st.lists(
        st.tuples(
            st.sampled_from(["given_name", "phone", "village"]),
            st.text(max_size=4),
            st.integers(0, 20),
            st.integers(0, 3),
            st.sampled_from(NODES),
        ),
        max_size=6,
    ),
)


def _apply(record: MutableRecord, writes: list[tuple[str, str, int, int, str]]) -> MutableRecord:
    for name, value, wall, counter, node in writes:
        record = record.write(name, value, Timestamp(wall, counter, node))
    return record


@given(records, records, records)
def test_record_merge_is_a_join(a: MutableRecord, b: MutableRecord, c: MutableRecord) -> None:
    assert merge_records(a, b) == merge_records(b, a)
    assert merge_records(merge_records(a, b), c) == merge_records(a, merge_records(b, c))
    assert merge_records(a, a) == a


@dataclass
class Replica:
    clock: Clock
    patient: MutableRecord = field(default_factory=MutableRecord)
    case: CaseState = field(default_factory=lambda: CaseState.of(0, "draft", ts(0)))
    facts: frozenset = frozenset()

    def latest(self) -> Timestamp:
        stamps = [v.at for v in self.patient.fields.values()] + [self.case.at]
        return max(stamps)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.sampled_from(NODES), st.sampled_from(["phone", "village"]),
                  st.text(max_size=3)),
        st.tuples(st.just("case"), st.sampled_from(NODES),
                  st.sampled_from(["submitted", "queued", "claimed", "answered", "more-info",
                                   "closed", "cancelled"]), st.none()),
        st.tuples(st.just("fact"), st.sampled_from(NODES), st.text(max_size=3), st.none()),
        st.tuples(st.just("sync"), st.sampled_from(NODES), st.sampled_from(NODES), st.none()),
        st.tuples(st.just("time"), st.sampled_from(NODES), st.integers(0, 50), st.none()),
    ),
    max_size=40,
)  # fmt: skip


def _sync(x: Replica, y: Replica) -> None:
    """A push and a pull: both sides merge what the other has and observe its clock."""
    patient = merge_records(x.patient, y.patient)
    case = merge_case(x.case, y.case)
    facts = merge_facts(x.facts, y.facts)
    for replica in (x, y):
        replica.patient, replica.case, replica.facts = patient, case, facts
        replica.clock.observe(max(x.latest(), y.latest()))


@settings(max_examples=300)
@given(operations)
def test_any_interleaving_converges_on_the_hub_and_both_edges(ops: list) -> None:
    walls = dict.fromkeys(NODES, 1000)
    replicas = {node: Replica(Clock(node, wall=lambda node=node: walls[node])) for node in NODES}
    for kind, node, arg, value in ops:
        replica = replicas[node]
        if kind == "edit":
            replica.patient = replica.patient.write(arg, value, replica.clock.tick())
        elif kind == "case":
            current = replica.case
            replica.case = CaseState.of(current.version + 1, arg, replica.clock.tick())
        elif kind == "fact":
            replica.facts = replica.facts | {(f"{node}:{arg}", "sha")}
        elif kind == "sync" and node != arg:
            _sync(replica, replicas[arg])
        elif kind == "time":
            walls[node] += arg
    # The link comes back: each edge syncs with the hub, twice round.
    for _ in range(2):
        for edge in ("edgeA", "edgeB"):
            _sync(replicas[edge], replicas["hub"])
    states = [(r.patient, r.case, r.facts) for r in replicas.values()]
    assert states[0] == states[1] == states[2]
    # Nothing any node wrote was lost: every value is current or in the history.
    final = replicas["hub"]
    kept = {(name, repr(v.value)) for name, v in final.patient.fields.items()}
    kept |= {(name, value) for name, value, _at in final.patient.history}
    for kind, node, arg, value in ops:
        if kind == "fact":
            assert (f"{node}:{arg}", "sha") in final.facts
        if kind == "edit":
            assert (arg, repr(value)) in kept
