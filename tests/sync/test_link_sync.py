"""Replication over emulated rural links: a unit day over 2G, and chaos (kills and cuts)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.linkemu import Link, LinkProfile, link_available
from tests.sync.nodes import REPO, Node, hub_from, issue_code

pytestmark = [
    pytest.mark.link,
    pytest.mark.skipif(not link_available()[0], reason=link_available()[1]),
]

UNIT = "midelt-1"
HUB_PORT = 8000


def _start_hub(link: Link, hub: Node) -> subprocess.Popen[bytes]:
    server = link.run_in_hub(
        hub.serve_command(link.hub_address, HUB_PORT), env=hub.env(), cwd=hub.home,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://{link.hub_address}:{HUB_PORT}/healthz"
    probe = (
        "import sys, time, urllib.request\n"
        "for _ in range(300):\n"
        "    try:\n"
        f"        urllib.request.urlopen('{url}', timeout=2)\n"
        "        sys.exit(0)\n"
        "    except OSError:\n"
        "        time.sleep(0.2)\n"
        "sys.exit(1)\n"
    )
    assert link.run_in_edge([sys.executable, "-c", probe]).wait(timeout=90) == 0
    return server


def _in_edge(link: Link, edge: Node, *args: str) -> subprocess.Popen[str]:
    return link.run_in_edge(
        edge.command(*args), env=edge.env(), cwd=REPO, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _enrol(link: Link, hub: Node, edge: Node) -> None:
    enrol = _in_edge(link, edge, "edge", "enrol", "--hub", link.edge_url,
                     "--code", issue_code(hub, UNIT))  # fmt: skip
    out, err = enrol.communicate(timeout=600)
    assert enrol.returncode == 0, err[-2000:]


def _record_day(edge: Node, **sizes: int) -> dict[str, int]:
    arguments = ", ".join(f"{k}={v}" for k, v in sizes.items())
    return json.loads(edge.python(
        "import json\nfrom tests.sync.unit_day import record_day\n"
        f"print(json.dumps(record_day('{UNIT}', {arguments})))"
    ))  # fmt: skip


def _attachments_intact(hub: Node) -> str:
    return hub.python(
        "from tbib.teleexpertise import storage\n"
        "from tbib.teleexpertise.models import Attachment\n"
        f"files = Attachment.objects.filter(case__unit__code='{UNIT}')\n"
        "ok = [storage.stored_path(a.sha256).exists() and "
        "storage.digest(storage.stored_path(a.sha256)) == a.sha256 for a in files]\n"
        "print(sum(ok), len(ok))"
    ).strip()


def test_a_recorded_unit_day_replicates_over_2g(hub_template: Path, tmp_path: Path) -> None:
    hub = hub_from(hub_template, tmp_path / "hub")
    edge = Node("edge", tmp_path / "edge")
    edge.home.mkdir()
    with Link("2G", seed=2026, hub_port=HUB_PORT) as link:
        _start_hub(link, hub)
        _enrol(link, hub, edge)
        day = _record_day(edge, patients=60, cases=10, photos_per_case=2, seed=2026)
        assert day["observations"] == 900 and day["photos"] == 20
        started = time.monotonic()
        sync = _in_edge(link, edge, "sync", "run", "--once")
        out, err = sync.communicate(timeout=1800)
        elapsed = time.monotonic() - started
        assert sync.returncode == 0, err[-2000:]
        figures = json.loads(out.strip().splitlines()[-1])
        print(f"2G unit day: {figures}, {elapsed:.0f} s in all, {link.stalls} stalls")
        # Everything but the photos is at the hub within a minute, stalls included.
        assert figures["structured_s"] <= 60
        assert figures["blob_bytes"] == day["photo_bytes"]
    assert edge.digest(UNIT) == hub.digest(UNIT)
    assert _attachments_intact(hub) == f"{day['photos']} {day['photos']}"


# Fast enough for a round to take a few seconds (so that kills land inside it), slow enough
# for batches and chunks to be in flight when they do; frequent short stalls.
CHAOS = LinkProfile("chaos", up_kbit=1000, down_kbit=2000, rtt_ms=100,
                    stall_chance_per_s=0.2, stall_s=(0.2, 1.0))  # fmt: skip


def test_kills_and_cuts_during_sync_lose_and_duplicate_nothing(
    hub_template: Path, tmp_path: Path
) -> None:
    rng = random.Random(30)
    hub = hub_from(hub_template, tmp_path / "hub")
    edge = Node("edge", tmp_path / "edge")
    edge.home.mkdir()
    events: list[str] = []
    with Link(CHAOS, seed=30, hub_port=HUB_PORT) as link:
        server = _start_hub(link, hub)
        _enrol(link, hub, edge)
        _record_day(edge, patients=60, cases=4, photos_per_case=1, seed=1)
        # 30 kills (edge or hub, SIGKILL) and 10 cuts of every connection, in random order,
        # each at a random moment of a sync round.
        actions = [rng.choice(["kill-edge", "kill-hub"]) for _ in range(30)] + ["cut"] * 10
        rng.shuffle(actions)
        for round_, action in enumerate(actions):
            if round_ % 8 == 7:  # the unit keeps working between rounds
                _record_day(edge, patients=3, cases=1, photos_per_case=1, seed=100 + round_)
            sync = _in_edge(link, edge, "sync", "run", "--once")
            time.sleep(rng.uniform(0.3, 3.0))
            if action == "kill-edge":
                sync.send_signal(signal.SIGKILL)
            elif action == "kill-hub":
                server.send_signal(signal.SIGKILL)
                server.wait()
            else:
                link.cut()
            sync.communicate(timeout=600)
            events.append(f"{action}:{sync.returncode}")
            if action == "kill-hub":
                server = _start_hub(link, hub)
        # Then the link holds: the next rounds complete, and both sides agree exactly.
        for _attempt in range(5):
            sync = _in_edge(link, edge, "sync", "run", "--once")
            sync.communicate(timeout=600)
            if sync.returncode == 0:
                break
        assert sync.returncode == 0, events
    interrupted = [e for e in events if not e.endswith(":0")]
    print(f"chaos: {len(interrupted)} of {len(events)} rounds interrupted: {events}")
    assert sum(e.startswith("kill") for e in events) == 30
    assert len(interrupted) >= 20  # the kills and cuts did land inside rounds
    hub_records, edge_records = hub.digest(UNIT), edge.digest(UNIT)
    assert edge_records == hub_records  # same ids, same content: nothing lost, nothing doubled
    assert len(hub_records["clinical.observation"]) >= 60 * 15
    assert _attachments_intact(hub) == "9 9"  # 4 of the day, 5 recorded between rounds
