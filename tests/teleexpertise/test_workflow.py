"""The case state machine and SLA (pure)."""

from __future__ import annotations

import datetime

import pytest

from tbib.teleexpertise.workflow import TransitionRefused, next_status, sla_due

PATH = [
    ("draft", "submit", "submitted"),
    ("submitted", "enqueue", "queued"),
    ("queued", "claim", "claimed"),
    ("claimed", "request-info", "more-info"),
    ("more-info", "provide-info", "queued"),
    ("queued", "assign", "claimed"),
    ("claimed", "answer", "answered"),
    ("answered", "close", "closed"),
]


@pytest.mark.parametrize(("status", "action", "target"), PATH)
def test_the_path_of_a_case(status: str, action: str, target: str) -> None:
    assert next_status(status, action) == target


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("draft", "claim", "A case that is draft cannot be claimed."),
        ("closed", "cancel", "A case that is closed cannot be cancelled."),
        ("answered", "answer", "A case that is answered cannot be answered."),
        ("queued", "close", "A case that is queued cannot be closed."),
        ("claimed", "cancel", "A case that is claimed cannot be cancelled."),
        ("queued", "fly", "Unknown action 'fly'."),
    ],
)
def test_impossible_transitions_are_refused(status: str, action: str, message: str) -> None:
    with pytest.raises(TransitionRefused, match=f"^{message}$"):
        next_status(status, action)


def test_sla_defaults() -> None:
    queued = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)
    minutes = {"emergency": 15, "urgent": 120, "routine": 2880}
    assert sla_due(queued, "emergency", minutes).strftime("%H:%M") == "09:15"
    assert sla_due(queued, "urgent", minutes).strftime("%H:%M") == "11:00"
    assert sla_due(queued, "routine", minutes).date() == datetime.date(2026, 11, 24)
