"""Hybrid logical clocks (Kulkarni et al., 2014): causality-respecting, close to wall time.

A timestamp is (wall milliseconds, counter, node). Every local change ticks the clock; every
change received from another node is observed, so a change made after seeing another always
carries a larger timestamp, even when the van's clock is behind the hub's. The node name
breaks the last ties, which makes the order total: two nodes never disagree on which of two
writes is the later.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Timestamp:
    wall_ms: int
    counter: int
    node: str

    def encode(self) -> str:
        """Sortable text form: 15-digit milliseconds, 6-digit counter, node."""
        return f"{self.wall_ms:015d}-{self.counter:06d}-{self.node}"

    @classmethod
    def decode(cls, text: str) -> Timestamp:
        wall, counter, node = text.split("-", 2)
        return cls(int(wall), int(counter), node)


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class Clock:
    """One node's hybrid logical clock."""

    def __init__(self, node: str, wall: Callable[[], int] = _wall_ms) -> None:
        if not node:
            raise ValueError("A node has a name.")  # it may hold '-': decode splits twice
        self.node = node
        self._wall = wall
        self._last = Timestamp(0, 0, node)

    def tick(self) -> Timestamp:
        """The timestamp of a local change."""
        now = self._wall()
        if now > self._last.wall_ms:
            self._last = Timestamp(now, 0, self.node)
        else:
            self._last = Timestamp(self._last.wall_ms, self._last.counter + 1, self.node)
        return self._last

    def observe(self, remote: Timestamp) -> Timestamp:
        """Take a received timestamp into account; returns the clock's new reading."""
        now = self._wall()
        wall = max(now, self._last.wall_ms, remote.wall_ms)
        if wall == self._last.wall_ms == remote.wall_ms:
            counter = max(self._last.counter, remote.counter) + 1
        elif wall == self._last.wall_ms:
            counter = self._last.counter + 1
        elif wall == remote.wall_ms:
            counter = remote.counter + 1
        else:
            counter = 0
        self._last = Timestamp(wall, counter, self.node)
        return self._last
