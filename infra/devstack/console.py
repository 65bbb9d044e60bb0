"""What a developer reads while `make dev` runs: one line per request, the functions'
own log lines as they happen (each marked with the function that wrote it), nothing else.

Whole lines are written under a lock, so that concurrent requests never interleave mid-line.
"""

from __future__ import annotations

import sys
import threading
import time

_lock = threading.Lock()


def say(line: str) -> None:
    with _lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def request_line(method: str, path: str, status: int, started: float, target: str) -> None:
    """One line per request. The path only: query strings carry tokens, and never personal data."""
    elapsed_ms = (time.perf_counter() - started) * 1000
    say(f"{time.strftime('%H:%M:%S')} {method} {path} {status} {elapsed_ms:.0f} ms  -> {target}")
