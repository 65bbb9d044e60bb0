"""`python -m devstack` (what `make dev` runs): the service on http://127.0.0.1:$PORT.

PORT (default 3000) is the API's port; AWS_PORT (default: any free one) fixes the
embedded AWS's port, for `sam local` users who point their containers at it.
SIGINT (Ctrl-C) and SIGTERM stop everything and exit 0.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from devstack import console, stack

_SIGNAL_POLL_SECONDS = 0.1


def _port(name: str, default: int) -> int:
    value = os.environ.get(name) or str(default)
    if not value.isdigit() or int(value) > 65535:
        sys.exit(f"{name}={value!r} is not a port number")
    return int(value)


def _banner(running: stack.LocalStack, seconds: float) -> None:
    base = running.base_url
    seeded = ", ".join(running.seeded) or "none (see above)"
    console.say(
        "\n".join(
            [
                f"Undersigned is running locally (ready in {seconds:.1f} s). Ctrl-C stops it.",
                f"  API           {base}        e.g. {base}/campaigns/demo",
                f"  Demo page     {base}/_dev/demo",
                f"  Mailbox       {base}/_dev/mailbox.html   (JSON: {base}/_dev/mailbox)",
                f"  OpenAPI       {base}/openapi.json",
                f"  Embedded AWS  {running.aws.endpoint_url}   (dummy credentials, region us-east-1)",
                f"  Campaigns     {seeded}",
                "",
            ]
        )
    )


def main() -> int:
    started = time.perf_counter()
    # A plain flag, polled: the kernel may deliver a signal to any thread, and a main thread
    # blocked in Event.wait() would then never run the handler (nor may a handler safely
    # take the lock Event.set() needs).
    received: list[int] = []
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda number, _frame: received.append(number))
    try:
        running = stack.start(_port("PORT", 3000), _port("AWS_PORT", 0))
    except OSError as error:
        console.say(f"cannot start: {error}")
        return 1
    running.serve()
    _banner(running, time.perf_counter() - started)
    threading.Thread(target=running.warm_up, name="warm-up", daemon=True).start()
    while not received:
        time.sleep(_SIGNAL_POLL_SECONDS)
    console.say("stopping")
    running.stop()
    console.say("stopped")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Everything this process started has stopped; the interpreter's own teardown (seconds,
    # with moto loaded) would only delay the exit.
    os._exit(code)
