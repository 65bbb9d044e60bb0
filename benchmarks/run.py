"""Cold start of every function, side by side with the bare boto3 client (`make bench`).

Each start is a fresh interpreter that imports the function's module as Lambda
does (devstack.coldstart): its code folder, then the layer's package on the path,
dummy credentials, no AWS. The baseline, `import boto3; boto3.client("dynamodb")`,
is measured in the same run and the same interleaved rounds, so the ratios hold
on any machine even when the milliseconds do not. Prints; asserts nothing.

Targets: an HTTP function starts within 2.0x of the baseline; the count endpoint
(a public page polls it) and the tally (it runs on every stream batch) within 1.5x.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from devstack.coldstart import ROOT, Start, start, start_baseline, start_function
from devstack.template import FunctionSpec, functions

TIGHT_TARGET = 1.5
TIGHT = {"CountFunction", "TallyFunction"}
TARGET = 2.0


def target(spec: FunctionSpec) -> float:
    return TIGHT_TARGET if spec.logical_id in TIGHT else TARGET


def median_ms(starts: list[Start]) -> float:
    return statistics.median(s.wall_ms for s in starts)


def max_rss_mib(starts: list[Start]) -> float:
    return max(s.max_rss_kib for s in starts) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="timed starts per function (median reported)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to start (default: this one)")
    args = parser.parse_args()

    specs = functions()
    missing = [s.logical_id for s in specs.values() if not s.module_path.is_file()]
    if missing:
        print(f"no code yet for {', '.join(missing)}: nothing to measure there", file=sys.stderr)
    specs = {name: s for name, s in specs.items() if name not in missing}

    def floor() -> Start:
        return start("pass", {}, python=args.python)

    def baseline() -> Start:
        return start_baseline(python=args.python)

    runners = {"(interpreter)": floor, "(baseline)": baseline}
    runners |= {name: (lambda s=spec: start_function(s, python=args.python)) for name, spec in specs.items()}

    # One untimed round warms the page cache; then rounds interleave all targets, so
    # drift in the machine's load spreads over all of them alike.
    results: dict[str, list[Start]] = {name: [] for name in runners}
    for round_number in range(args.runs + 1):
        for name, run in runners.items():
            started = run()
            if started.returncode != 0:
                print(f"{name} failed to start:\n{started.stderr}", file=sys.stderr)
                return 1
            if round_number:
                results[name].append(started)

    base = median_ms(results["(baseline)"])
    print(f"cold start, median of {args.runs} fresh `python -c` per row ({args.python})")
    print(f"{'function':<22}{'median ms':>10}{'min ms':>8}{'x baseline':>12}{'target':>8}{'max RSS MiB':>13}  verdict")
    over = 0
    for name, starts in results.items():
        ratio = median_ms(starts) / base
        if name in specs:
            goal = target(specs[name])
            verdict = "ok" if ratio <= goal else "OVER"
            over += verdict == "OVER"
            goal_text = f"{goal:.1f}x"
        else:
            verdict, goal_text = "", ""
        fastest = min(s.wall_ms for s in starts)
        print(
            f"{name:<22}{median_ms(starts):>10.0f}{fastest:>8.0f}{ratio:>11.2f}x{goal_text:>8}"
            f"{max_rss_mib(starts):>13.1f}  {verdict}"
        )
    print(f"{over} of {len(specs)} functions over target" if specs else "no function to measure yet")
    print(f"(code from {ROOT}; ratios, not milliseconds, compare across machines; a busy machine")
    print(" shows as a wide gap between median and min: run again before believing a verdict)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
