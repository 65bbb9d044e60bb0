"""Tests that talk to the local stack carry `allow_hosts(["127.0.0.1"])`: loopback only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local.stack_process import StackProcess


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    stack = StackProcess(tmp_path_factory.mktemp("devstack") / "output.log")
    try:
        stack.wait_until_ready()
        yield stack
    finally:
        stack.stop()
