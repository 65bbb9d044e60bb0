"""The end of a function's cold start: its settings checked, and what it loaded kept out
of the garbage collector's way.

Everything a function loads at its cold start (modules, classes, compiled patterns, its
routes) lives as long as its execution environment, yet CPython's collector walks all of
it on every full collection. The first full collection falls early, in the first
request or batch (while it makes its DynamoDB client): measured here, 32-40 ms over the
submit, admin or sender function's 60,000 objects, most of what those functions' starts
had over the bare boto3 client's. `gc.freeze()` moves what is loaded by then out of the collector's sight
for good: later collections walk only what requests make. Nothing is moved into a
request: the walk is not done at all. (Objects frozen here are never collected as
cycles; what a cold start loads is never garbage.)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from undersigned import config


def finish() -> None:
    """Called once the function's modules are imported: as its app is made (`http.make_app`,
    `one_route.Routes`), or by an event function's module itself."""
    config.check()
    if config.in_own_process():
        gc.freeze()


@contextmanager
def kept() -> Iterator[None]:
    """Makes what is made once, on a function's first call, and kept as long as its modules
    (an AWS client: botocore's modules, the service's model): with the collector paused,
    then frozen as `finish` freezes the modules. Otherwise some ten collections walk
    botocore's objects while they load, about 10 ms of the count's start."""
    if not config.in_own_process() or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
