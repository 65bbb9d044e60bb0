"""The local stack as a developer starts it (`python -m devstack`): a child process in its
own process group, on a free loopback port, its output in a file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from devstack.template import ROOT

READY_TIMEOUT_SECONDS = 30
# The sender emails from the outbox a moment after the 202 (the queue's poller, then SES, at
# SesSendRate): well within a second alone, longer behind a burst of signers on a busy machine.
MAIL_TIMEOUT_SECONDS = 20


def mail_to(base_url: str, email: str) -> dict:
    """The newest email to `email` in /_dev/mailbox, once it came."""
    deadline = time.monotonic() + MAIL_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        messages = requests.get(f"{base_url}/_dev/mailbox", timeout=5).json()["messages"]
        mine = [message for message in messages if email in message["to"]]
        if mine:
            return mine[-1]
        time.sleep(0.1)
    pytest.fail(f"no email to {email} in /_dev/mailbox")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StackProcess:
    """One `python -m devstack` in its own process group, its output in a file."""

    def __init__(self, output: Path, port: int | None = None, aws_port: int = 0) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.output = output
        env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        env.update(PORT=str(self.port), AWS_PORT=str(aws_port), PYTHONUNBUFFERED="1")
        with open(output, "wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "devstack"],
                cwd=ROOT,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the tests can see it is all gone
            )

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def wait_until_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> float:
        """Seconds until the API answered; fails with the stack's output if it never does."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                pytest.fail(f"the local stack exited with {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(f"{self.base_url}/_dev/mailbox", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:  # refused, or bound but not serving yet
                pass
            time.sleep(0.05)
        pytest.fail(f"the local stack was not ready within {timeout} s:\n{self.log()}")

    def stop(self, signal_number: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal_number)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            pytest.fail(f"the local stack did not stop within {timeout} s:\n{self.log()}")

    def group_is_gone(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return True
        return False
