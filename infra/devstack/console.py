"""What a developer reads while `make dev` runs: one line per request, the functions'
own log lines as they happen (each marked with the function that wrote it), nothing else.

The functions write to sys.stdout (Powertools' Logger and print both do). A stand-in
for sys.stdout, installed before any function is imported, knows from a thread-local
which function the current thread is running and prefixes its lines; whole lines are
written under a lock so that concurrent requests never interleave mid-line.
"""

from __future__ import annotations

import io
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

_current = threading.local()
_lock = threading.Lock()


class _LabelledOutput(io.TextIOBase):
    def __init__(self, target: TextIO) -> None:
        self._target = target
        self._partial = threading.local()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        pending = getattr(self._partial, "text", "") + text
        *lines, self._partial.text = pending.split("\n")
        for line in lines:
            _emit(self._target, line, getattr(_current, "function", None))
        return len(text)

    def flush(self) -> None:
        self._target.flush()


def _emit(target: TextIO, line: str, function: str | None) -> None:
    prefix = f"    {function} | " if function else ""
    with _lock:
        target.write(prefix + line + "\n")
        target.flush()


_real_stdout: TextIO = sys.stdout


def install() -> None:
    """Routes sys.stdout through the labelling stand-in (idempotent)."""
    global _real_stdout
    if not isinstance(sys.stdout, _LabelledOutput):
        _real_stdout = sys.stdout
        sys.stdout = _LabelledOutput(_real_stdout)


@contextmanager
def running(function: str) -> Iterator[None]:
    """Marks the current thread's output as the function's while it runs."""
    previous = getattr(_current, "function", None)
    _current.function = function
    try:
        yield
    finally:
        _current.function = previous


def say(line: str) -> None:
    """A line from the local stack itself."""
    _emit(_real_stdout, line, None)


def request_line(method: str, path: str, status: int, started: float, target: str) -> None:
    """One line per request. The path only: query strings carry tokens, and never personal data."""
    elapsed_ms = (time.perf_counter() - started) * 1000
    say(f"{time.strftime('%H:%M:%S')} {method} {path} {status} {elapsed_ms:.0f} ms  -> {target}")
