"""One Lambda instance of one function, in a process of its own (started by devstack.functions).

Like the Python runtime: the code directory first on sys.path, the handler module imported
by its name (`openapi/app` becomes `openapi.app`), then one event at a time. The stack
writes one JSON event per line on stdin; the answer, one JSON line, goes back on the
original stdout. Everything the function prints or logs goes to stderr, which the stack
shows on its console. EOF on stdin ends the instance.

    python -m devstack.worker CODE_DIR HANDLER FUNCTION_NAME MEMORY_MB TIMEOUT_S
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import traceback
from typing import Any

from devstack.lambda_context import LambdaContext


def _answer(protocol: Any, message: dict[str, Any]) -> None:
    try:
        line = json.dumps(message)
    except (TypeError, ValueError) as error:  # Lambda: Runtime.MarshalError
        line = json.dumps({"error": f"the return value is not JSON-serialisable: {error}"})
    protocol.write(line + "\n")
    protocol.flush()


def main(code_dir: str, handler: str, function_name: str, memory_mb: str, timeout_s: str) -> int:
    # Ctrl-C in a terminal reaches the whole process group: the stack decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    module_name, _, attribute = handler.rpartition(".")
    sys.path.insert(0, code_dir)
    try:
        function = getattr(importlib.import_module(module_name.replace("/", ".")), attribute)
    except Exception:
        _answer(protocol, {"error": traceback.format_exc()})
        return 1
    _answer(protocol, {"ready": True})
    for line in sys.stdin:
        context = LambdaContext(function_name, int(memory_mb), int(timeout_s))
        try:
            _answer(protocol, {"result": function(json.loads(line), context)})
        except Exception:
            _answer(protocol, {"error": traceback.format_exc()})
    return 0


if __name__ == "__main__":
    code = main(*sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # No interpreter teardown (Lambda never runs one either): it takes up to a second once
    # boto3 and pydantic are loaded, and the stack waits for every instance when it stops.
    os._exit(code)
