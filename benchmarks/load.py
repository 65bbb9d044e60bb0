"""`make load`: N signers at once against the local stack (default 100; `N=` overrides).

Uses the stack already answering at URL (default http://127.0.0.1:$PORT, as `make dev`
serves it); if none answers, starts `python -m devstack` on a free port, waits until its
functions are warm, and stops it afterwards. Each signer has its own connection and its
own address (`X-Forwarded-For` from 198.18.0.0/15, the benchmarking range), so the rate
limits see N different callers, and a barrier releases them together: the burst a
popular letter's launch sends. Two bursts by default (`ROUNDS=` overrides): in the first
the functions scale out from one instance to as many as the stack allows, the second
finds them warm. Prints latency p50, p99 and max, and the failures by kind, per burst.
Asserts nothing about speed; exits 1 if any signer got something other than a 202.

Loopback only, and bounded: at most MAX_SIGNERS signers in at most MAX_ROUNDS bursts,
each request waiting at most REQUEST_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
MAX_SIGNERS = 1000
MAX_ROUNDS = 10
REQUEST_TIMEOUT_SECONDS = 60
START_TIMEOUT_SECONDS = 120
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
FIRST_CALLER = ipaddress.ip_address("198.18.0.1")


@dataclass(frozen=True)
class Outcome:
    """One signer's result: the status it got, or the kind of failure instead."""

    status: int | None
    failure: str | None
    seconds: float

    @property
    def kind(self) -> str:
        return self.failure or f"HTTP {self.status}"


def _failure_kind(error: Exception) -> str:
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, http.client.RemoteDisconnected):
        return "closed without an answer"
    return type(error).__name__


def sign(host: str, port: int, campaign: str, signer: int, run: str) -> Outcome:
    """One signature submitted on a fresh connection, as a browser far away would."""
    body = json.dumps({"name": f"Load Signer {signer}", "email": f"load-{run}-{signer}@example.net"})
    headers = {"Content-Type": "application/json", "X-Forwarded-For": str(FIRST_CALLER + signer)}
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        connection.request("POST", f"/campaigns/{campaign}/signatures", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return Outcome(response.status, None, time.perf_counter() - started)
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, _failure_kind(error), time.perf_counter() - started)
    finally:
        connection.close()


def burst(base_url: str, signers: int, campaign: str = "demo") -> list[Outcome]:
    """`signers` submissions released at the same moment; every one's outcome."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    run = uuid.uuid4().hex[:8]
    start_together = threading.Barrier(signers)
    outcomes: list[Outcome | None] = [None] * signers

    def signer(index: int) -> None:
        start_together.wait()
        outcomes[index] = sign(host, port, campaign, index, run)

    threads = [threading.Thread(target=signer, args=(index,), daemon=True) for index in range(signers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT_SECONDS + 5)
    return [outcome or Outcome(None, "no answer in time", REQUEST_TIMEOUT_SECONDS) for outcome in outcomes]


def percentile(seconds: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a value some request really took."""
    ordered = sorted(seconds)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def report(outcomes: list[Outcome], wall_seconds: float) -> str:
    kinds = Counter(outcome.kind for outcome in outcomes)
    latencies = [outcome.seconds for outcome in outcomes if outcome.status is not None]
    answers = ", ".join(f"{count} × {kind}" for kind, count in sorted(kinds.items()))
    failures = {kind: count for kind, count in kinds.items() if kind != "HTTP 202"}
    lines = [f"  answers   {answers}"]
    if latencies:
        p50, p99, worst = (percentile(latencies, 0.5), percentile(latencies, 0.99), max(latencies))
        lines.append(f"  latency   p50 {p50 * 1000:.0f} ms   p99 {p99 * 1000:.0f} ms   max {worst * 1000:.0f} ms")
    lines.append(f"  errors    {', '.join(f'{count} {kind}' for kind, count in failures.items()) or 'none'}")
    lines.append(f"  wall      {wall_seconds:.1f} s for the whole burst")
    return "\n".join(lines)


def _answers(base_url: str) -> bool:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=2)
    try:
        connection.request("GET", "/_dev/mailbox")
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnStack:
    """A `python -m devstack` of this run's own, stopped (SIGTERM to its group) at the end."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        env.update(PORT=str(self.port), AWS_PORT="0", PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.warm = threading.Event()
        threading.Thread(target=self._watch_output, daemon=True).start()

    def _watch_output(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:  # read to the end, so the stack never blocks on a full pipe
            if line.startswith("functions: "):  # the warm-up's last line: every function has an instance
                self.warm.set()
        self.warm.set()

    def wait_until_warm(self) -> None:
        if not self.warm.wait(START_TIMEOUT_SECONDS) or self.process.poll() is not None:
            self.stop()
            sys.exit(f"the local stack did not start within {START_TIMEOUT_SECONDS} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signers", type=int, default=int(os.environ.get("N") or 100))
    parser.add_argument("--url", default=os.environ.get("URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 3000}")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS") or 2))
    parser.add_argument("--campaign", default="demo")
    arguments = parser.parse_args()
    if not 1 <= arguments.signers <= MAX_SIGNERS:
        parser.error(f"N must be between 1 and {MAX_SIGNERS}")
    if not 1 <= arguments.rounds <= MAX_ROUNDS:
        parser.error(f"ROUNDS must be between 1 and {MAX_ROUNDS}")
    if urlsplit(arguments.url).hostname not in LOOPBACK:
        parser.error("the load goes to the local stack only: a loopback URL")
    return arguments


def main() -> int:
    arguments = _arguments()
    own = None
    base_url = arguments.url
    if not _answers(base_url):
        print(f"no local stack at {base_url}: starting one")
        own = OwnStack()
        own.wait_until_warm()
        base_url = own.base_url
    every: list[Outcome] = []
    try:
        print(f"{arguments.signers} signers at once -> POST {base_url}/campaigns/{arguments.campaign}/signatures")
        for round_number in range(1, arguments.rounds + 1):
            started = time.perf_counter()
            outcomes = burst(base_url, arguments.signers, arguments.campaign)
            print(f"burst {round_number} of {arguments.rounds}")
            print(report(outcomes, time.perf_counter() - started))
            every += outcomes
    finally:
        if own:
            own.stop()
    return 0 if all(outcome.status == 202 for outcome in every) else 1


if __name__ == "__main__":
    sys.exit(main())
