"""`make dev` starts within seconds, and Ctrl-C or SIGTERM leave nothing behind."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

import pytest

from local.stack_process import StackProcess

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

READY_WITHIN_SECONDS = 10


def _port_is_closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _embedded_aws_port(stack: StackProcess) -> int:
    """From the start banner, which the stack may print a moment after the API answers."""
    deadline = time.monotonic() + 30
    while "Embedded AWS  http://127.0.0.1:" not in stack.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    return int(stack.log().split("Embedded AWS  http://127.0.0.1:")[1].split()[0])


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_stops_cleanly_and_leaves_no_process_behind(tmp_path: Path, signal_number: int) -> None:
    stack = StackProcess(tmp_path / "output.log")
    try:
        assert stack.wait_until_ready() < READY_WITHIN_SECONDS
        embedded_aws_port = _embedded_aws_port(stack)
    finally:
        exit_code = stack.stop(signal_number)
    assert exit_code == 0, stack.log()
    assert stack.group_is_gone()
    assert _port_is_closed(stack.port) and _port_is_closed(embedded_aws_port)


def test_start_prints_where_everything_is(tmp_path: Path) -> None:
    stack = StackProcess(tmp_path / "output.log")
    try:
        stack.wait_until_ready()
        # The API may answer a moment before the banner is printed (functions still warming up).
        deadline = time.monotonic() + 15
        while "Campaigns " not in stack.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        banner = stack.log()
    finally:
        stack.stop()
    for url in ("", "/_dev/demo", "/_dev/mailbox.html"):
        assert f"{stack.base_url}{url}" in banner
    assert "Campaigns     demo, demo-closed, demo-private" in banner


def test_a_taken_port_is_reported_and_nothing_is_left_running(tmp_path: Path) -> None:
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        stack = StackProcess(tmp_path / "output.log", port=occupant.getsockname()[1])
        exit_code = stack.process.wait(timeout=30)
    assert exit_code != 0
    assert "cannot start" in stack.log()
    assert stack.group_is_gone()
