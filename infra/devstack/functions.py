"""Runs the template's functions in this process, each as one Lambda-like instance.

Several handlers are called `app.py`, so each is loaded from its file under a module
name of its own. An import or handler failure is reported on the console and becomes
the error API Gateway or the event source mapping would see.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devstack import console
from devstack.embedded_aws import ACCOUNT_ID, REGION
from devstack.template import FunctionSpec

Handler = Callable[[dict[str, Any], Any], Any]


class FunctionFailed(Exception):
    """The function raised (or could not be loaded); the console has the traceback."""


@dataclass
class LambdaContext:
    """The attributes of the Python runtime's context object that code reads."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _load_handler(spec: FunctionSpec, module_name: str) -> Handler:
    module_spec = importlib.util.spec_from_file_location(module_name, spec.module_path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"no handler module at {spec.module_path}")
    module = importlib.util.module_from_spec(module_spec)
    # Lambda puts the code directory first on the path; only while importing here, so
    # that one function's neighbours never shadow another's.
    sys.path.insert(0, str(spec.code_dir))
    sys.modules[module_name] = module  # dataclasses and pydantic look their module up here
    try:
        module_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    finally:
        sys.path.remove(str(spec.code_dir))
    return getattr(module, spec.handler_name)


class LocalFunction:
    """One Lambda-like instance of a function: imported once (its cold start), one event at a time."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self._handler: Handler | None = None
        self._busy = threading.Lock()

    @property
    def name(self) -> str:
        return self.spec.logical_id

    def _loaded(self) -> Handler:
        if self._handler is None:
            with console.running(self.name):
                self._handler = _load_handler(self.spec, f"devstack_function_{self.name}")
        return self._handler

    def load(self) -> None:
        """Imports the handler ahead of the first event, so that import errors show early."""
        with self._busy:
            self._loaded()

    def invoke(self, event: dict[str, Any]) -> Any:
        """Calls the handler as Lambda would; raises FunctionFailed if it (or its import) raises."""
        context = LambdaContext(
            function_name=self.name, memory_limit_in_mb=self.spec.memory_size, timeout_seconds=self.spec.timeout
        )
        started = time.monotonic()
        with self._busy, console.running(self.name):
            try:
                result = self._loaded()(event, context)
            except Exception as error:
                console.say(f"    {self.name} | failed:\n{traceback.format_exc().rstrip()}")
                raise FunctionFailed(f"{self.name}: {error!r}") from error
        elapsed = time.monotonic() - started
        if elapsed > self.spec.timeout:
            # Cannot stop a thread midway; say loudly what AWS would have done.
            console.say(
                f"    {self.name} | took {elapsed:.1f} s, over its Timeout of {self.spec.timeout} s: "
                "in AWS this invocation would have been killed"
            )
        return result


def local_functions(specs: dict[str, FunctionSpec]) -> dict[str, LocalFunction]:
    return {logical_id: LocalFunction(spec) for logical_id, spec in specs.items()}
