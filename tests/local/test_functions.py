"""The template's functions run as Lambda runs them: each instance a process of its own with
its function's environment, one event per instance at a time, the Lambda context, a timeout
that kills, and failures reported as Lambda errors."""

from __future__ import annotations

import os
import textwrap
import threading
from pathlib import Path

import pytest

from devstack.functions import FunctionFailed, LocalFunction
from devstack.template import FunctionSpec

# Keeps the current event in module state, as Powertools' resolver does (in class state).
HANDLER = """
import os, time
current = None

def lambda_handler(event, context):
    global current
    current = event
    time.sleep(event.get("sleep", 0.05))
    return {
        "n": current["n"],
        "pid": os.getpid(),
        "mode": os.environ.get("MODE"),
        "other": os.environ.get("OTHER"),
        "remaining": context.get_remaining_time_in_millis(),
        "name": context.function_name,
    }
"""


def _function(code_dir: Path, source: str, name: str = "Probe", timeout: int = 3) -> LocalFunction:
    code_dir.mkdir(exist_ok=True)
    (code_dir / "app.py").write_text(textwrap.dedent(source), encoding="utf-8")
    spec = FunctionSpec(
        name, code_dir=code_dir, handler="app.lambda_handler", environment={}, events={}, timeout=timeout
    )
    return LocalFunction(spec, {**os.environ, "MODE": "probe"})


@pytest.fixture
def probe(tmp_path: Path):  # noqa: ANN201
    function = _function(tmp_path / "probe", HANDLER, name="ProbeFunction")
    yield function
    function.stop()


def test_concurrent_events_never_see_each_others_state(probe: LocalFunction) -> None:
    results: dict[int, dict] = {}

    def call(n: int) -> None:
        results[n] = probe.invoke({"n": n, "sleep": 0.8})

    threads = [threading.Thread(target=call, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {n: result["n"] for n, result in results.items()} == {0: 0, 1: 1, 2: 2}
    assert len({result["pid"] for result in results.values()}) > 1  # more instances, as Lambda scales out


def test_an_idle_instance_is_reused(probe: LocalFunction) -> None:
    pids = {probe.invoke({"n": n})["pid"] for n in range(3)}
    assert len(pids) == 1 and probe.instances == 1


def test_the_function_sees_its_environment_and_context(probe: LocalFunction) -> None:
    result = probe.invoke({"n": 1})
    assert (result["mode"], result["other"]) == ("probe", None)
    assert result["name"] == "ProbeFunction"
    assert 0 < result["remaining"] <= 3000


def test_an_invocation_past_the_timeout_is_killed_and_a_new_instance_serves_next(tmp_path: Path) -> None:
    function = _function(tmp_path / "slow", HANDLER, timeout=1)
    try:
        with pytest.raises(FunctionFailed, match="timed out"):
            function.invoke({"n": 1, "sleep": 5})
        assert function.invoke({"n": 2})["n"] == 2
    finally:
        function.stop()


def test_a_raising_handler_or_a_broken_import_is_a_function_error(tmp_path: Path) -> None:
    raising = _function(tmp_path / "raising", "def lambda_handler(event, context):\n    1 / 0\n")
    with pytest.raises(FunctionFailed, match="ZeroDivisionError"):
        raising.invoke({})
    raising.stop()
    broken = _function(tmp_path / "broken", "import nothing_by_this_name\n")
    with pytest.raises(FunctionFailed, match="could not start"):
        broken.invoke({})
    assert broken.instances == 0
