"""Runs the template's functions as Lambda does: instances in processes of their own.

Each instance is a `python -m devstack.worker` child with exactly the environment the
template gives its function, and it handles one event at a time; concurrent events get
more instances (cold starts) when none is free for a moment, up to MAX_INSTANCES per
function. Separate processes are what makes this faithful: no variable of one function
leaks into another, and Powertools' resolver, which keeps the current event in class
state, never sees two events at once. An invocation that outlives the function's Timeout
is killed, as Lambda would. Failures are shown on the console and become the error API
Gateway or the event source mapping would see.
"""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from typing import IO, Any

from devstack import console
from devstack.template import FunctionSpec

MAX_INSTANCES = 10
SCALE_OUT_AFTER_SECONDS = 0.5
COLD_START_LIMIT_SECONDS = 60  # importing the handler; Lambda allows 10 s, a busy laptop needs more


class FunctionFailed(Exception):
    """The function raised, timed out or could not start; the console says why."""


def _read_line(stream: IO[str], timeout: float) -> str | None:
    """The next line, or None if none came within `timeout` seconds (or the stream ended)."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout):
            return None
    return stream.readline() or None


class Instance:
    """One worker process: started, then fed events one at a time."""

    def __init__(self, spec: FunctionSpec, environment: Mapping[str, str]) -> None:
        self.name = spec.logical_id
        self.timeout = spec.timeout
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "devstack.worker",
                str(spec.code_dir),
                spec.handler,
                spec.logical_id,
                str(spec.memory_size),
                str(spec.timeout),
            ],
            env=dict(environment),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._relay_output, name=f"{self.name}-output", daemon=True).start()

    def wait_ready(self) -> None:
        """Waits for the handler's import (the cold start); raises FunctionFailed if it failed."""
        ready = self._answer(COLD_START_LIMIT_SECONDS)
        if not ready or "ready" not in ready:
            self.stop()
            raise FunctionFailed(f"{self.name} could not start" + (f":\n{ready['error']}" if ready else ""))

    def _relay_output(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            console.say(f"    {self.name} | {line.rstrip()}")

    def _answer(self, timeout: float) -> dict[str, Any] | None:
        assert self.process.stdout is not None
        line = _read_line(self.process.stdout, timeout)
        return json.loads(line) if line else None

    def invoke(self, event: dict[str, Any]) -> Any:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(event) + "\n")
            self.process.stdin.flush()
        except OSError as error:
            raise FunctionFailed(f"{self.name}: the instance is gone ({error})") from error
        answer = self._answer(self.timeout)
        if answer is None:
            self.stop()
            raise FunctionFailed(f"{self.name}: Task timed out after {self.timeout} seconds (the instance was killed)")
        if "error" in answer:
            raise FunctionFailed(f"{self.name} failed:\n{answer['error'].rstrip()}")
        return answer["result"]

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive:
            assert self.process.stdin is not None
            self.process.stdin.close()  # EOF: the worker's loop ends
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


class LocalFunction:
    """A function's instances: idle ones are reused, busy ones are never shared."""

    def __init__(self, spec: FunctionSpec, environment: Mapping[str, str]) -> None:
        self.spec = spec
        self.environment = dict(environment)
        self._idle: list[Instance] = []
        self._live: set[Instance] = set()  # started, idle or busy: what must not outlive the stack
        self._count = 0  # the live ones and those being started
        self._stopped = False
        self._changed = threading.Condition()

    @property
    def name(self) -> str:
        return self.spec.logical_id

    @property
    def instances(self) -> int:
        with self._changed:
            return self._count

    def _acquire(self) -> Instance:
        with self._changed:
            # Lambda would start another instance at once; on a laptop a cold start costs a
            # second of CPU while a warm instance is free again in milliseconds, so a burst
            # first waits a little for one.
            patience = time.monotonic() + SCALE_OUT_AFTER_SECONDS
            while not self._idle and self._count and not self._stopped and time.monotonic() < patience:
                self._changed.wait(patience - time.monotonic())
            while not self._idle and self._count >= MAX_INSTANCES and not self._stopped:
                self._changed.wait()
            if self._stopped:
                raise FunctionFailed(f"{self.name}: the local stack is stopping")
            if self._idle:
                return self._idle.pop()
            self._count += 1
        instance = Instance(self.spec, self.environment)
        with self._changed:
            self._live.add(instance)
        try:
            instance.wait_ready()
        except BaseException:
            self._forget(instance)
            raise
        return instance

    def _release(self, instance: Instance) -> None:
        if not instance.alive:
            self._forget(instance)
            return
        with self._changed:
            if not self._stopped:
                self._idle.append(instance)
                self._changed.notify()
                return
        instance.stop()
        self._forget(instance)

    def _forget(self, instance: Instance) -> None:
        with self._changed:
            self._count -= 1
            self._live.discard(instance)
            self._changed.notify()

    def _report(self, error: FunctionFailed) -> None:
        if not self._stopped:  # failures while stopping are the stop's own doing
            console.say(f"    {self.name} | {error}")

    def load(self) -> None:
        """Starts one instance ahead of the first event, so that import errors show early."""
        try:
            instance = self._acquire()
        except FunctionFailed as error:
            self._report(error)
            raise
        self._release(instance)

    def invoke(self, event: dict[str, Any]) -> Any:
        """Calls the handler as Lambda would; raises FunctionFailed if it fails, times out or cannot start."""
        try:
            instance = self._acquire()
        except FunctionFailed as error:
            self._report(error)
            raise
        try:
            return instance.invoke(event)
        except FunctionFailed as error:
            self._report(error)
            raise
        finally:
            self._release(instance)

    def stop(self) -> None:
        """Ends the idle instances now; busy ones end when their event is done."""
        with self._changed:
            self._stopped = True
            idle, self._idle = self._idle, []
            self._changed.notify_all()
        for instance in idle:
            instance.stop()
            self._forget(instance)

    def kill_remaining(self) -> None:
        """After stop(): kills what is still running (busy past the grace time, or starting)."""
        with self._changed:
            remaining = list(self._live)
        for instance in remaining:
            instance.kill()


def local_functions(
    specs: Mapping[str, FunctionSpec], environments: Mapping[str, Mapping[str, str]]
) -> dict[str, LocalFunction]:
    return {logical_id: LocalFunction(spec, environments[logical_id]) for logical_id, spec in specs.items()}


def wait_for_all(functions: Mapping[str, LocalFunction], timeout: float) -> None:
    """After stop(): gives busy instances up to `timeout` seconds to finish."""
    deadline = time.monotonic() + timeout
    while any(function.instances for function in functions.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
