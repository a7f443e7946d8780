"""The case's state machine and its SLA. Pure: no Django.

draft → submitted → queued → claimed → answered → closed
                      ↑         ↘ more-info ↗ (the unit answers, the case is queued again)
cancelled from draft, submitted, queued or more-info.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


class TransitionRefused(Exception):
    """An action that the case's current state does not allow."""


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", frozenset({"draft"}), "submitted"),
        Transition("enqueue", frozenset({"submitted"}), "queued"),
        Transition("claim", frozenset({"queued"}), "claimed"),
        Transition("assign", frozenset({"queued", "claimed"}), "claimed"),
        Transition("release", frozenset({"claimed"}), "queued"),
        Transition("answer", frozenset({"claimed"}), "answered"),
        Transition("request-info", frozenset({"claimed"}), "more-info"),
        Transition("provide-info", frozenset({"more-info"}), "queued"),
        Transition("close", frozenset({"answered"}), "closed"),
        Transition("cancel", frozenset({"draft", "submitted", "queued", "more-info"}), "cancelled"),
    )
}


def next_status(status: str, action: str) -> str:
    """The status after `action`, or TransitionRefused with a sentence a user can read."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionRefused(f"Unknown action {action!r}.")
    if status not in transition.sources:
        raise TransitionRefused(f"A case that is {status} cannot be {_past(action)}.")
    return transition.target


def _past(action: str) -> str:
    return {
        "submit": "submitted",
        "enqueue": "queued",
        "claim": "claimed",
        "assign": "assigned",
        "release": "released",
        "answer": "answered",
        "request-info": "sent back for more information",
        "provide-info": "completed with more information",
        "close": "closed",
        "cancel": "cancelled",
    }[action]


def sla_due(
    queued_at: datetime.datetime, urgency: str, minutes: dict[str, int]
) -> datetime.datetime:
    """When the answer is due: the SLA runs from the moment the case (re)enters the queue."""
    return queued_at + datetime.timedelta(minutes=minutes[urgency])
