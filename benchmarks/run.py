"""Cold start of every function, side by side with the bare boto3 client (`make bench`).

Each start is a fresh interpreter that imports the function's module as Lambda
does (devstack.coldstart): its code folder, then the layer's package on the path,
dummy credentials, no AWS. The baseline, `import boto3; boto3.client("dynamodb")`,
is measured in the same interleaved rounds, so the ratios hold on any machine even
when the milliseconds do not. Prints; asserts nothing.

Two figures per function: the import alone (Lambda's init phase), and the import
plus the DynamoDB client the function makes lazily on its first call (for functions
whose policy touches DynamoDB): the baseline pays for that client too, so the second
figure is the like-for-like one, and the verdict is on it.

Targets: an HTTP function starts within 2.0x of the baseline; the count endpoint
(a public page polls it) and the tally (it runs on every stream batch) within 1.5x.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from typing import Any

from devstack.coldstart import DYNAMODB_CLIENT_CODE, Start, start, start_baseline, start_function
from devstack.template import FunctionSpec, functions, load_template

TARGET = 2.0
TIGHT_TARGET = 1.5
TIGHT = {"CountFunction", "TallyFunction"}


def target(spec: FunctionSpec) -> float:
    return TIGHT_TARGET if spec.logical_id in TIGHT else TARGET


def _statements(logical_id: str, template: dict[str, Any]) -> list[dict[str, Any]]:
    """The function's own policy statements: inline `Policies`, or those of the role it names."""
    properties = template["Resources"][logical_id]["Properties"]
    role = properties.get("Role")
    if isinstance(role, dict) and "Fn::GetAtt" in role:
        policies = template["Resources"][role["Fn::GetAtt"][0]]["Properties"].get("Policies", [])
        return [statement for policy in policies for statement in policy["PolicyDocument"].get("Statement", [])]
    return [statement for policy in properties.get("Policies", []) if isinstance(policy, dict) for statement in policy.get("Statement", [])]


def uses_dynamodb(logical_id: str, template: dict[str, Any]) -> bool:
    """Whether the function's policy grants any DynamoDB action (so its first call makes a client)."""
    actions = [
        action
        for statement in _statements(logical_id, template)
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    ]
    return any(action.startswith("dynamodb:") for action in actions)


def median_ms(starts: list[Start]) -> float:
    return statistics.median(s.wall_ms for s in starts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="timed starts per row (median reported)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to start (default: this one)")
    args = parser.parse_args()

    template = load_template()
    specs = functions()
    missing = [name for name, spec in specs.items() if not spec.module_path.is_file()]
    if missing:
        print(f"no code yet for {', '.join(missing)}: not measured", file=sys.stderr)
    specs = {name: spec for name, spec in specs.items() if name not in missing}
    with_client = {name for name in specs if uses_dynamodb(name, template)}

    runners: dict[str, Callable[[], Start]] = {
        "interpreter": lambda: start("pass", {}, python=args.python),
        "baseline": lambda: start_baseline(python=args.python),
    }
    for name, spec in specs.items():
        runners[name] = lambda spec=spec: start_function(spec, python=args.python)
        if name in with_client:
            runners[name + "+client"] = lambda spec=spec: start_function(spec, DYNAMODB_CLIENT_CODE, args.python)

    # One untimed round warms the page cache; then rounds interleave every row, so
    # drift in the machine's load spreads over all rows alike.
    results: dict[str, list[Start]] = {name: [] for name in runners}
    for round_number in range(args.runs + 1):
        for name, run in runners.items():
            started = run()
            if started.returncode != 0:
                print(f"{name} failed to start:\n{started.stderr}", file=sys.stderr)
                return 1
            if round_number:
                results[name].append(started)

    base = median_ms(results["baseline"])
    print(f"cold start: median of {args.runs} fresh interpreters per figure ({args.python})")
    print(f"interpreter alone {median_ms(results['interpreter']):.0f} ms; "
          f"baseline `{DYNAMODB_CLIENT_CODE}` {base:.0f} ms (fastest {min(s.wall_ms for s in results['baseline']):.0f} ms), "
          f"max RSS {max(s.max_rss_kib for s in results['baseline']) / 1024:.1f} MiB")
    print()
    print(f"{'function':<20}{'import ms':>10}{'ratio':>7}{'+client ms':>12}{'ratio':>7}{'target':>8}{'max RSS MiB':>13}  verdict")
    over = 0
    for name, spec in specs.items():
        imported = median_ms(results[name])
        judged = results.get(name + "+client", results[name])
        ratio = median_ms(judged) / base
        verdict = "ok" if ratio <= target(spec) else "OVER"
        over += verdict == "OVER"
        client_cols = f"{median_ms(judged):>12.0f}{ratio:>6.2f}x" if name in with_client else f"{'-':>12}{'-':>7}"
        rss = max(s.max_rss_kib for s in judged) / 1024
        print(f"{name:<20}{imported:>10.0f}{imported / base:>6.2f}x{client_cols}{target(spec):>7.1f}x{rss:>13.1f}  {verdict}")
    print()
    print(f"{over} of {len(specs)} functions over target" if specs else "no function to measure yet")
    print("Ratios, not milliseconds, compare across machines. A busy machine widens the gap between")
    print("the baseline's median and fastest start: run again before believing a verdict.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
