"""Emulate a rural mobile link (2G) between a hub and an edge, for tests and benchmarks.

Sync and upload code must survive what a mobile unit really gets: a few tens of kbit/s, more
than half a second of round trip, and stalls of seconds when the radio loses the cell. Mocks
cannot show timeouts, retries and partial transfers under such a link, so this module builds a
real one out of kernel pieces and runs unmodified programs at both ends:

* two network namespaces (hub and edge) joined by a veth pair, so that each side's programs
  bind real addresses and speak real kernel TCP;
* a ``tbf`` qdisc on each end of the veth for the bandwidth, because the kernels we run on have
  no ``netem`` (nor ``fq_codel``/``sfq``), while ``tbf`` is everywhere;
* a userspace TCP proxy inside the edge namespace for what ``tbf`` cannot do: the round-trip
  delay, the cost of the TCP handshake, random stalls and connection cuts on demand. It also
  paces what it releases at the link rate, so that a stall costs link time (see ``_Way``).

Edge programs reach the hub through the proxy at :attr:`Link.edge_url`; hub programs listen on
:attr:`Link.hub_address`. Typical use::

    with Link("2G") as link:
        server = link.run_in_hub([sys.executable, "-m", "http.server", "8000",
                                  "--bind", link.hub_address])
        client = link.run_in_edge([sys.executable, "client.py", link.edge_url])
        ...

The proxy also runs on its own (``python -m tests.linkemu proxy --help``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import itertools
import math
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]

# Everything the harness creates is named after this prefix and the creating process's id, so
# that leftovers of a killed run can be recognised (and removed) by a later one.
NAMESPACE_PREFIX = "tbib"
_NAMESPACE_RE = re.compile(rf"^{NAMESPACE_PREFIX}[hep](\d+)-\d+$")

# tbf parameters. The bucket must hold at least one full frame (1514 bytes) or tbf drops it;
# 4 KiB is half a second at 64 kbit/s, a small head start after idle, so the rate holds from
# about the first packet. The queue limit is sized in time rather than bytes and is generous:
# TCP through the proxy never gets near it (the proxy's small socket buffers bound what is in
# flight, see HUB_BUFFER_SECONDS), it only makes sure that we shape and never drop, since
# drops would make the timings depend on the kernel's retransmission timers, not the profile.
TBF_BURST_BYTES = 4096
TBF_QUEUE_SECONDS = 8
TBF_MIN_LIMIT_BYTES = 64 * 1024

READY_TIMEOUT_S = 10.0
STOP_GRACE_S = 2.0


@dataclass(frozen=True)
class LinkProfile:
    """What a link does to traffic: bandwidth each way, round trip, and random stalls.

    Rates are in kbit/s at the Ethernet level, as tbf counts them (TCP payload gets 1448/1514
    of it); 0 means unshaped. ``stall_chance_per_s`` is the rate of a Poisson
    process of stall starts, per direction: for small values it is the probability that a stall
    starts in any given second (0.05 = one stall every 20 s on average). A stall lasts a
    uniform random time within ``stall_s`` and holds all traffic in that direction; nothing is
    lost, it arrives late. ``handshake`` makes a new connection cost one round trip before its
    first byte leaves, as TCP's SYN/SYN-ACK does on a real link.
    """

    name: str
    up_kbit: int
    down_kbit: int
    rtt_ms: int
    stall_chance_per_s: float
    stall_s: tuple[float, float]
    handshake: bool = True

    def __post_init__(self) -> None:
        low, high = self.stall_s
        if min(self.up_kbit, self.down_kbit, self.rtt_ms, self.stall_chance_per_s, low) < 0:
            raise ValueError(f"negative figure in link profile {self.name!r}")
        if low > high:
            raise ValueError(f"stall_s must be (min, max) in profile {self.name!r}")


# 2G (EDGE in a rural cell): 64 kbit/s up, 128 kbit/s down, 600 ms round trip, and about 3 %
# packet loss. We drop nothing (tbf has no random loss, and drops would only exercise kernel
# timers); we reproduce what the loss does to a TCP flow instead. Most losses are repaired by
# fast retransmit within a round trip; the costly ones end in a retransmission timeout, which
# freezes the flow for 1 to 3 s at this RTT. At ~10 segments/s, 3 % loss is one loss every
# ~3 s; if one in six or seven ends in a timeout (tail losses, short transfers), that is one
# freeze every ~20 s: a stall rate of 0.05/s per direction, each stall 1 to 3 s.
PROFILES: dict[str, LinkProfile] = {
    "2G": LinkProfile("2G", 64, 128, 600, 0.05, (1.0, 3.0)),
    "2G-nostall": LinkProfile("2G-nostall", 64, 128, 600, 0.0, (0.0, 0.0)),
    "lan": LinkProfile("lan", 0, 0, 0, 0.0, (0.0, 0.0), handshake=False),
}


class LinkError(RuntimeError):
    """A namespace, veth, qdisc or proxy could not be set up."""


def _run(args: Sequence[str]) -> str:
    """Run an iproute2 command, raising LinkError with its stderr so failures explain themselves."""
    result = subprocess.run(list(args), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise LinkError(f"{' '.join(args)}: {result.stderr.strip() or result.returncode}")
    return result.stdout


@functools.cache
def link_available() -> tuple[bool, str]:
    """Whether this machine can build links, and if not why, for ``pytest.mark.skipif``.

    It really creates (and deletes) a namespace with a tbf qdisc: being root is not enough in
    a container without CAP_SYS_ADMIN or without the tbf module.
    """
    if not sys.platform.startswith("linux"):
        return False, "network namespaces need Linux"
    if os.geteuid() != 0:
        return False, "network namespaces need root"
    for tool in ("ip", "tc"):
        if shutil.which(tool) is None:
            return False, f"{tool} (iproute2) is not installed"
    probe = f"{NAMESPACE_PREFIX}p{os.getpid()}-0"
    try:
        _run(["ip", "netns", "add", probe])
        _run(["tc", "-n", probe, "qdisc", "add", "dev", "lo", "root", "tbf", "rate", "64kbit",
              "burst", str(TBF_BURST_BYTES), "limit", str(TBF_MIN_LIMIT_BYTES)])  # fmt: skip
    except LinkError as error:
        return False, f"cannot build a network namespace with tbf: {error}"
    finally:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True, check=False)
    return True, "network namespaces and tbf are available"


def _namespaces() -> list[str]:
    return [line.split()[0] for line in _run(["ip", "netns", "list"]).splitlines() if line]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_namespace_processes(namespaces: Sequence[str]) -> None:
    """SIGKILL whatever runs inside these namespaces, until nothing does (a few rounds, for
    processes forked meanwhile): deleting a namespace does not stop its processes, and they
    would keep it alive, unnamed."""
    for _ in range(5):
        pids = []
        for namespace in namespaces:
            listing = subprocess.run(
                ["ip", "netns", "pids", namespace], capture_output=True, text=True, check=False
            )
            pids += [int(pid) for pid in listing.stdout.split()]
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


def remove_stale_namespaces() -> list[str]:
    """Delete namespaces left by harness processes that died (SIGKILL, crash) without cleanup,
    with what still runs in them (their proxy exits by itself when its Link's process dies;
    servers started with run_in_hub/run_in_edge do not).

    Only names carrying a dead creator's pid are touched, so concurrent runs are safe.
    """
    stale = [
        name
        for name in _namespaces()
        if (match := _NAMESPACE_RE.match(name)) and not _pid_alive(int(match.group(1)))
    ]
    _kill_namespace_processes(stale)
    for name in stale:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
    return stale


def _tbf_args(kbit: int) -> list[str]:
    limit = max(TBF_MIN_LIMIT_BYTES, kbit * 1000 // 8 * TBF_QUEUE_SECONDS)
    return ["tbf", "rate", f"{kbit}kbit", "burst", str(TBF_BURST_BYTES), "limit", str(limit)]


def _proxy_command(profile: LinkProfile, target: str, listen_port: int, seed: int) -> list[str]:
    low, high = profile.stall_s
    command = [
        sys.executable, "-m", "tests.linkemu", "proxy", "--listen", str(listen_port),
        "--target", target, "--rtt-ms", str(profile.rtt_ms), "--up-kbit", str(profile.up_kbit),
        "--down-kbit", str(profile.down_kbit),
        "--stall-chance", str(profile.stall_chance_per_s), "--stall-min", str(low),
        "--stall-max", str(high), "--seed", str(seed), "--exit-on-stdin-eof",
    ]  # fmt: skip
    if not profile.handshake:
        command.append("--no-handshake")
    return command


class Link:
    """A hub and an edge network namespace joined by an emulated link (a context manager).

    Inside the edge namespace, ``edge_url`` leads to ``hub_address:hub_port`` in the hub
    namespace through the proxy (delay, handshake, stalls, cuts) and the shaped veth
    (bandwidth). Edge programs may also reach ``hub_address`` directly: they then get the
    bandwidth limit only. Addresses live only inside the two namespaces, so they never clash
    with the host's or with another process's links.
    """

    _counter = itertools.count()

    def __init__(
        self,
        profile: LinkProfile | str = "2G",
        seed: int = 0,
        *,
        hub_port: int = 8000,
        proxy_port: int = 0,
    ) -> None:
        self.profile = PROFILES[profile] if isinstance(profile, str) else profile
        self.seed = seed
        index = next(Link._counter)
        subnet = index % 256  # reused after 256 links: harmless, each pair has its own namespaces
        self.hub_ns = f"{NAMESPACE_PREFIX}h{os.getpid()}-{index}"
        self.edge_ns = f"{NAMESPACE_PREFIX}e{os.getpid()}-{index}"
        self.hub_address = f"10.231.{subnet}.1"
        self.edge_address = f"10.231.{subnet}.2"
        self.hub_port = hub_port
        self.proxy_port = proxy_port  # 0: the proxy picks one; the real port is known on enter.
        self._processes: list[subprocess.Popen[Any]] = []
        self._proxy: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self._lines: list[str] = []
        self._times: list[float] = []
        self._proxy_gone = False
        self._changed = threading.Condition()

    # -- public API ---------------------------------------------------------------------------

    @property
    def edge_url(self) -> str:
        """Where a program in the edge namespace reaches the hub (through the proxy)."""
        return f"http://127.0.0.1:{self.proxy_port}"

    @property
    def hub_url(self) -> str:
        """What a hub program listens on, as seen from the hub namespace."""
        return f"http://{self.hub_address}:{self.hub_port}"

    @property
    def proxy_pid(self) -> int:
        """The proxy's process id (``ip netns exec`` execs it, so it is the Popen's pid)."""
        return self._require_proxy().pid

    @property
    def log(self) -> list[str]:
        """Every line the proxy printed so far (events, and errors if any)."""
        with self._changed:
            return list(self._lines)

    @property
    def events(self) -> list[tuple[float, str]]:
        """The proxy's lines with the ``time.monotonic()`` at which they were read, to line
        stalls up with a measured transfer."""
        with self._changed:
            return list(zip(self._times, self._lines, strict=True))

    @property
    def stalls(self) -> int:
        """How many stalls (both directions) the proxy has started so far."""
        return sum(1 for line in self.log if line.startswith("stall "))

    def stall_time(self, direction: str, start: float, end: float) -> float:
        """Seconds of stall in ``direction`` ("up" or "down") within [start, end] (monotonic
        clock), so that a benchmark can tell the link's bad luck from its own slowness."""
        total = 0.0
        for when, line in self.events:
            words = line.split()
            if len(words) == 3 and words[0] == "stall" and words[2] == direction:
                stop = when + float(words[1].rstrip("s"))
                total += max(0.0, min(end, stop) - max(start, when))
        return total

    def run_in_hub(self, args: Sequence[str], **popen_kwargs: Any) -> subprocess.Popen[Any]:
        """Start a program in the hub namespace; it is killed when the link closes."""
        return self._spawn(self.hub_ns, args, popen_kwargs)

    def run_in_edge(self, args: Sequence[str], **popen_kwargs: Any) -> subprocess.Popen[Any]:
        """Start a program in the edge namespace; it is killed when the link closes."""
        return self._spawn(self.edge_ns, args, popen_kwargs)

    def cut(self, timeout: float = 5.0) -> int:
        """Reset every connection currently through the proxy, as a dropped radio bearer does.

        Both ends get a TCP reset; new connections are accepted as before. Returns how many
        connections were cut, once the proxy has done it.
        """
        proxy = self._require_proxy()
        seen = self._count("cut ")
        proxy.send_signal(signal.SIGUSR1)
        line = self._wait_for("cut ", seen, timeout)
        return int(line.split()[1])

    def __enter__(self) -> Link:
        try:
            remove_stale_namespaces()
            self._create_namespaces()
            self._shape()
            self._start_proxy()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop every process started through the link, then delete both namespaces."""
        try:
            self._stop_processes()
            # Children that left their group, or whose leader was already reaped.
            _kill_namespace_processes((self.hub_ns, self.edge_ns))
        finally:
            for namespace in (self.hub_ns, self.edge_ns):
                subprocess.run(["ip", "netns", "del", namespace], capture_output=True, check=False)

    # -- setup ----------------------------------------------------------------------------------

    def _create_namespaces(self) -> None:
        """Build both namespaces and the veth between them; names inside need not be unique."""
        _run(["ip", "netns", "add", self.hub_ns])
        _run(["ip", "netns", "add", self.edge_ns])
        _run(["ip", "-n", self.hub_ns, "link", "add", "hub0", "type", "veth",
              "peer", "name", "edge0", "netns", self.edge_ns])  # fmt: skip
        for namespace, device, address in (
            (self.hub_ns, "hub0", self.hub_address),
            (self.edge_ns, "edge0", self.edge_address),
        ):
            _run(["ip", "-n", namespace, "addr", "add", f"{address}/30", "dev", device])
            _run(["ip", "-n", namespace, "link", "set", device, "up"])
            _run(["ip", "-n", namespace, "link", "set", "lo", "up"])

    def _shape(self) -> None:
        """Rate-limit each direction on its sending side (tbf only shapes egress)."""
        for namespace, device, kbit in (
            (self.edge_ns, "edge0", self.profile.up_kbit),
            (self.hub_ns, "hub0", self.profile.down_kbit),
        ):
            if kbit:
                qdisc = ["qdisc", "add", "dev", device, "root", *_tbf_args(kbit)]
                _run(["tc", "-n", namespace, *qdisc])

    def _start_proxy(self) -> None:
        """Start the proxy in the edge namespace and wait for its ready line (its real port)."""
        command = _proxy_command(
            self.profile, f"{self.hub_address}:{self.hub_port}", self.proxy_port, self.seed
        )
        self._proxy = self._spawn(
            self.edge_ns,
            command,
            {
                "stdin": subprocess.PIPE,
                "stdout": subprocess.PIPE,
                "stderr": subprocess.STDOUT,
                "text": True,
                "bufsize": 1,
            },
        )
        self._reader = threading.Thread(
            target=self._read_proxy, args=(self._proxy,), name=f"linkemu-{self.edge_ns}"
        )
        self._reader.start()
        ready = self._wait_for("ready ", 0, READY_TIMEOUT_S)
        self.proxy_port = int(ready.split()[2])

    def _spawn(
        self, namespace: str, args: Sequence[str], popen_kwargs: dict[str, Any]
    ) -> subprocess.Popen[Any]:
        """Start ``args`` in ``namespace`` as its own process group, so that it and everything
        it forks can be killed together; the repository root is the default working directory
        so that ``python -m tests...`` works."""
        popen_kwargs = {"cwd": REPO_ROOT, **popen_kwargs, "start_new_session": True}
        process = subprocess.Popen(["ip", "netns", "exec", namespace, *args], **popen_kwargs)
        self._processes.append(process)
        return process

    # -- proxy output -----------------------------------------------------------------------------

    def _read_proxy(self, proxy: subprocess.Popen[str]) -> None:
        """Collect the proxy's lines; a thread, because the proxy talks whenever it wants."""
        assert proxy.stdout is not None
        with contextlib.suppress(OSError, ValueError):
            for line in proxy.stdout:
                with self._changed:
                    self._times.append(time.monotonic())
                    self._lines.append(line.rstrip("\n"))
                    self._changed.notify_all()
        with self._changed:
            self._proxy_gone = True
            self._changed.notify_all()

    def _count(self, prefix: str) -> int:
        with self._changed:
            return sum(1 for line in self._lines if line.startswith(prefix))

    def _wait_for(self, prefix: str, seen: int, timeout: float) -> str:
        """Wait for the (seen+1)-th line starting with ``prefix``; fail if the proxy died."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                matches = [line for line in self._lines if line.startswith(prefix)]
                if len(matches) > seen:
                    return matches[seen]
                left = deadline - time.monotonic()
                if self._proxy_gone or left <= 0:
                    output = "\n".join(self._lines)
                    raise LinkError(f"proxy gave no {prefix.strip()!r} line:\n{output}")
                self._changed.wait(left)

    def _require_proxy(self) -> subprocess.Popen[str]:
        if self._proxy is None or self._proxy.poll() is not None:
            raise LinkError("the link's proxy is not running")
        return self._proxy

    # -- teardown -------------------------------------------------------------------------------

    def _stop_processes(self) -> None:
        """Ask every process group to stop, then kill what is still there after a grace time."""
        if self._proxy is not None and self._proxy.stdin is not None:
            with contextlib.suppress(OSError):
                self._proxy.stdin.close()
        for process in self._processes:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for process in self._processes:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
        for process in self._processes:
            for stream in (process.stdin, process.stdout, process.stderr):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
        self._processes.clear()


def _signal_group(process: subprocess.Popen[Any], signum: int) -> None:
    """Signal the process group of a child that is still ours (not yet reaped, so its pid,
    which is also its group id, cannot have been reused)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signum)


# ================================================================================================
# The proxy: runs inside the edge namespace, one asyncio loop, standard library only.
# ================================================================================================

CHUNK_BYTES = 16 * 1024
# Chunks waiting in one direction's delay line. Far above what the delay needs at 2G rates
# (128 kbit/s x 0.3 s = 5 KB); it only bounds memory when the receiving side is slower.
QUEUE_CHUNKS = 64
# The proxy hands data on one full TCP segment at a time, so that its pacing and tbf count
# the same frames, and a stall can hold everything not yet handed on.
SLICE_BYTES = 1448
# Of a full frame through tbf (1514 bytes: Ethernet, IP, TCP with timestamps), 1448 are
# payload: the proxy paces payload at this share of the profile rate, i.e. exactly tbf's pace.
PAYLOAD_SHARE = 1448 / 1514
# On a shaped link, the proxy's socket to the hub gets small kernel buffers, about this much
# link time (and at least 4 KiB). Up: what the kernel holds past the proxy is out of reach of
# a stall, and TCP would otherwise queue hundreds of KB there, so an up stall would hold
# nothing. Down: the receive window bounds what the hub queues in front of tbf (TCP small
# queues do not, on a veth), which would otherwise add seconds of latency under load to
# every other connection, and leave seconds of a cut connection's data to drain.
HUB_BUFFER_SECONDS = 0.5
MIN_HUB_BUFFER_BYTES = 4096
_LINGER_RESET = struct.pack("ii", 1, 0)


def _emit(line: str) -> None:
    """Report an event to the Link (stdout, line-buffered); a gone reader is not an error."""
    with contextlib.suppress(OSError, ValueError):
        print(line, flush=True)


async def _sleep_until(when: float) -> None:
    delay = when - asyncio.get_running_loop().time()
    if delay > 0:
        await asyncio.sleep(delay)


class _Way:
    """One direction of the link, shared by every connection: its rate and its stalls.

    tbf shapes the kernel path, but it sits before the proxy for downloads and its queue is
    out of the proxy's hands for uploads: a stall held only in the proxy would be caught up at
    full speed right after (data kept crossing tbf meanwhile). So the proxy also releases data
    no faster than the link rate: a stall then costs its full duration, as on a radio link,
    while in steady state the pacing only matches tbf's and adds nothing.
    """

    def __init__(self, name: str, kbit: float, config: ProxyConfig):
        self.name = name
        self.stalled_until = 0.0
        self._free_at = 0.0
        self._bytes_per_s = kbit * 1000 / 8 * PAYLOAD_SHARE
        self._stall_rate = config.stall_chance_per_s
        self._stall_s = config.stall_s
        # Seeded per direction; stall times count from proxy start, so a run can be replayed.
        self._rng = random.Random(f"{config.seed}:{name}")

    async def run_stalls(self) -> None:
        """Start stalls as a Poisson process; they never overlap."""
        if self._stall_rate <= 0 or self._stall_s[1] <= 0:
            return
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._rng.expovariate(self._stall_rate))
            duration = self._rng.uniform(*self._stall_s)
            self.stalled_until = loop.time() + duration
            _emit(f"stall {duration:.2f}s {self.name}")
            await asyncio.sleep(duration)

    async def transmit(self, size: int) -> None:
        """Wait until the link may carry ``size`` more bytes: not stalled, and not busy."""
        loop = asyncio.get_running_loop()
        while (start := max(self._free_at, self.stalled_until)) > loop.time():
            await asyncio.sleep(start - loop.time())
        if self._bytes_per_s:
            self._free_at = loop.time() + size / self._bytes_per_s


@dataclass
class _Direction:
    """One way of one connection: chunks may enter its delay line from ``opens_at`` (the
    handshake), and leave ``delay`` seconds after they entered, when the link lets them."""

    delay: float
    opens_at: float
    link: _Way


async def _receive(
    reader: asyncio.StreamReader, queue: asyncio.Queue[Any], direction: _Direction
) -> None:
    """Read chunks as they come and stamp them: the delay line starts at arrival, so a
    second chunk does not wait for the first one's delay (latency must not cut throughput)."""
    loop = asyncio.get_running_loop()
    while True:
        data = await reader.read(CHUNK_BYTES)
        await queue.put((max(loop.time(), direction.opens_at) + direction.delay, data))
        if not data:
            return


async def _deliver(
    queue: asyncio.Queue[Any], writer: asyncio.StreamWriter, direction: _Direction
) -> None:
    """Release chunks in order at their time and at the link's pace; EOF becomes a half-close."""
    while True:
        release_at, data = await queue.get()
        await _sleep_until(release_at)
        if not data:
            await direction.link.transmit(0)  # a FIN waits for a stall like data does
            if not writer.is_closing() and writer.can_write_eof():
                writer.write_eof()
            return
        for start in range(0, len(data), SLICE_BYTES):
            piece = data[start : start + SLICE_BYTES]
            await direction.link.transmit(len(piece))
            writer.write(piece)
            await writer.drain()


async def _pump(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, direction: _Direction
) -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_CHUNKS)
    async with asyncio.TaskGroup() as group:
        group.create_task(_receive(reader, queue, direction))
        group.create_task(_deliver(queue, writer, direction))


def _set_nodelay(writer: asyncio.StreamWriter) -> None:
    """No Nagle in the proxy: it would add its own delays on top of the emulated ones."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0, so the peer gets a TCP reset rather than a clean end."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
    writer.transport.abort()


class _Connection:
    def __init__(self, client: asyncio.StreamWriter, hub: asyncio.StreamWriter):
        self.writers = (client, hub)
        self.task = asyncio.current_task()

    def reset(self, cancel: bool = True) -> None:
        """Reset both sockets; ``cancel`` stops the connection's task too, which is only
        right from outside it (a task cancelling itself would end cancelled, and be logged)."""
        for writer in self.writers:
            _reset(writer)
        if cancel and self.task is not None:
            self.task.cancel()


@dataclass(frozen=True)
class ProxyConfig:
    """What ``python -m tests.linkemu proxy`` was asked to do (rates 0 = unpaced)."""

    listen_host: str
    listen_port: int
    target_host: str
    target_port: int
    rtt_s: float
    up_kbit: float
    down_kbit: float
    stall_chance_per_s: float
    stall_s: tuple[float, float]
    seed: int
    handshake: bool


class _Proxy:
    def __init__(self, config: ProxyConfig):
        self.config = config
        self.live: set[_Connection] = set()
        self.up = _Way("up", config.up_kbit, config)
        self.down = _Way("down", config.down_kbit, config)

    def cut_all(self) -> None:
        """SIGUSR1: reset every live connection; the listener keeps accepting."""
        connections = list(self.live)
        for connection in connections:
            connection.reset()
        _emit(f"cut {len(connections)} connections")

    async def _connect_hub(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Connect to the hub with small buffers on a shaped link (see HUB_BUFFER_SECONDS)."""
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            for option, kbit in (
                (socket.SO_SNDBUF, self.config.up_kbit),
                (socket.SO_RCVBUF, self.config.down_kbit),
            ):
                if kbit:
                    size = int(kbit * 1000 / 8 * HUB_BUFFER_SECONDS)
                    sock.setsockopt(socket.SOL_SOCKET, option, max(MIN_HUB_BUFFER_BYTES, size))
            sock.setblocking(False)
            await loop.sock_connect(sock, (self.config.target_host, self.config.target_port))
        except BaseException:
            sock.close()
            raise
        reader, writer = await asyncio.open_connection(sock=sock)
        # Nor may asyncio keep a backlog of its own: drain() returns once the kernel has it all.
        writer.transport.set_write_buffer_limits(high=0)
        return reader, writer

    async def handle(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        """Serve one connection until both directions ended or it was reset.

        Never ends with an exception nor cancelled: Python 3.11's stream server would log it.
        """
        loop = asyncio.get_running_loop()
        accepted = loop.time()
        rtt = self.config.rtt_s
        _set_nodelay(client)
        try:
            hub_reader, hub = await self._connect_hub()
        except OSError as error:
            _emit(f"hub-unreachable {error.strerror or error}")
            with contextlib.suppress(asyncio.CancelledError):
                await _sleep_until(accepted + rtt)  # the client learns it a round trip later
            _reset(client)
            return
        except asyncio.CancelledError:
            _reset(client)
            return
        _set_nodelay(hub)
        connection = _Connection(client, hub)
        self.live.add(connection)
        # The client may send once the SYN-ACK is back (one RTT), the hub once the SYN is in.
        up_opens = accepted + (rtt if self.config.handshake else 0.0)
        down_opens = accepted + (rtt / 2 if self.config.handshake else 0.0)
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(_pump(client_reader, hub, _Direction(rtt / 2, up_opens, self.up)))
                group.create_task(
                    _pump(hub_reader, client, _Direction(rtt / 2, down_opens, self.down))
                )
        except* OSError:
            # A reset at one end reaches the other, as on a broken path.
            connection.reset(cancel=False)
        except* asyncio.CancelledError:
            pass  # cut (or proxy shutdown): the sockets were already reset
        finally:
            self.live.discard(connection)
            for writer in (client, hub):
                writer.close()

    async def serve(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        server = await asyncio.start_server(
            self.handle, self.config.listen_host, self.config.listen_port
        )
        clocks = [asyncio.create_task(way.run_stalls()) for way in (self.up, self.down)]
        loop.add_signal_handler(signal.SIGUSR1, self.cut_all)
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        port = server.sockets[0].getsockname()[1]
        _emit(f"ready {self.config.listen_host} {port}")
        try:
            await stop.wait()
        finally:
            server.close()
            for connection in list(self.live):
                connection.reset()
            for clock in clocks:
                clock.cancel()
            await asyncio.gather(*clocks, return_exceptions=True)
            await server.wait_closed()


def _stop_on_stdin_eof(stop: asyncio.Event) -> None:
    """Stop when stdin (a pipe from the Link) closes: if the test process dies, even by
    SIGKILL, its proxy does not outlive it. Read by the loop itself, raw: a thread blocked in a
    buffered read would abort the interpreter at exit."""
    loop = asyncio.get_running_loop()
    fd = sys.stdin.fileno()

    def readable() -> None:
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(fd)
            stop.set()

    os.set_blocking(fd, False)
    loop.add_reader(fd, readable)


async def run_proxy(config: ProxyConfig, exit_on_stdin_eof: bool = False) -> None:
    """Run the proxy until SIGTERM/SIGINT (or stdin EOF if asked)."""
    stop = asyncio.Event()
    if exit_on_stdin_eof:
        _stop_on_stdin_eof(stop)
    await _Proxy(config).serve(stop)


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.linkemu")
    commands = parser.add_subparsers(dest="command", required=True)
    proxy = commands.add_parser(
        "proxy",
        help="TCP proxy adding delay, pacing, stalls and cuts (SIGUSR1 = cut all)",
        description="Prints 'ready HOST PORT', then one line per event: "
        "'stall 1.84s up', 'cut 3 connections', 'hub-unreachable REASON'.",
    )
    proxy.add_argument("--listen", type=int, default=0, help="port, 0 = any (see ready line)")
    proxy.add_argument("--listen-host", default="127.0.0.1")
    proxy.add_argument("--target", type=_host_port, required=True, help="HOST:PORT of the hub")
    proxy.add_argument("--rtt-ms", type=float, default=0.0)
    proxy.add_argument("--up-kbit", type=float, default=0.0, help="pace edge->hub (0 = no)")
    proxy.add_argument("--down-kbit", type=float, default=0.0, help="pace hub->edge (0 = no)")
    proxy.add_argument("--stall-chance", type=float, default=0.0, help="stall starts per second")
    proxy.add_argument("--stall-min", type=float, default=0.0, help="seconds")
    proxy.add_argument("--stall-max", type=float, default=0.0, help="seconds")
    proxy.add_argument("--seed", type=int, default=0)
    proxy.add_argument("--no-handshake", action="store_true", help="new connections are free")
    proxy.add_argument("--exit-on-stdin-eof", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    figures = (args.rtt_ms, args.up_kbit, args.down_kbit, args.stall_chance, args.stall_min)
    if not all(math.isfinite(x) and x >= 0 for x in figures) or args.stall_min > args.stall_max:
        parser.error("figures must be finite, non-negative, and --stall-min <= --stall-max")
    host, port = args.target
    config = ProxyConfig(
        listen_host=args.listen_host,
        listen_port=args.listen,
        target_host=host,
        target_port=port,
        rtt_s=args.rtt_ms / 1000,
        up_kbit=args.up_kbit,
        down_kbit=args.down_kbit,
        stall_chance_per_s=args.stall_chance,
        stall_s=(args.stall_min, args.stall_max),
        seed=args.seed,
        handshake=not args.no_handshake,
    )
    asyncio.run(run_proxy(config, args.exit_on_stdin_eof))
    return 0


if __name__ == "__main__":
    sys.exit(main())
