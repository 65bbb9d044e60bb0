"""The template's functions run as Lambda runs them: own module per function, one event
per instance at a time, the Lambda context, failures reported as Lambda errors."""

from __future__ import annotations

import textwrap
import threading
from pathlib import Path

import pytest

from devstack.functions import FunctionFailed, LocalFunction
from devstack.template import FunctionSpec

# Keeps the current event in module state, as Powertools' resolver does on its `app`.
HANDLER = """
import time
current = None

def lambda_handler(event, context):
    global current
    current = event
    time.sleep(0.05)
    return {"n": current["n"], "remaining": context.get_remaining_time_in_millis(), "name": context.function_name}
"""


def _function(tmp_path: Path, source: str, name: str = "Probe") -> LocalFunction:
    (tmp_path / "app.py").write_text(textwrap.dedent(source), encoding="utf-8")
    spec = FunctionSpec(name, code_dir=tmp_path, handler="app.lambda_handler", environment={}, events={}, timeout=3)
    return LocalFunction(spec)


def test_concurrent_events_never_see_each_others_state(tmp_path: Path) -> None:
    function = _function(tmp_path, HANDLER)
    results: dict[int, dict] = {}

    def call(n: int) -> None:
        results[n] = function.invoke({"n": n})

    threads = [threading.Thread(target=call, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {n: result["n"] for n, result in results.items()} == {n: n for n in range(8)}


def test_context_carries_name_and_remaining_time(tmp_path: Path) -> None:
    result = _function(tmp_path, HANDLER, name="ProbeFunction").invoke({"n": 1})
    assert result["name"] == "ProbeFunction"
    assert 0 < result["remaining"] <= 3000


def test_a_raising_handler_or_a_broken_import_is_a_function_error(tmp_path: Path) -> None:
    raising, broken = tmp_path / "raising", tmp_path / "broken"
    raising.mkdir()
    broken.mkdir()
    with pytest.raises(FunctionFailed):
        _function(raising, "def lambda_handler(event, context):\n    1 / 0\n").invoke({})
    not_importable = _function(broken, "import nothing_by_this_name\n")
    with pytest.raises(FunctionFailed):
        not_importable.invoke({})
