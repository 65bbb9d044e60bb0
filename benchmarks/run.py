"""Cold start of every function, side by side with the bare boto3 client (`make bench`).

Each start is a fresh interpreter that imports the function's module as Lambda
does (devstack.coldstart): its code folder, then the layer's package on the path,
dummy credentials, no AWS. It ends without the interpreter's teardown, which a Lambda
environment never does on its way to serving. The baseline, `import boto3; boto3.client("dynamodb")`,
is measured in the same interleaved rounds, so the ratios hold on any machine even
when the milliseconds do not. Prints; asserts nothing.

Two figures per function: the import alone (Lambda's init phase), and the import
plus the DynamoDB client the function makes lazily on its first call (for functions
whose policy touches DynamoDB): the baseline pays for that client too, so the second
figure is the like-for-like one, and the verdict is on it.

Targets (issue 10): an HTTP function starts within 1.3x of the baseline, the count
endpoint (every open page polls it) within 1.1x; the event functions within 1.3x too.

`--against REF` (make bench runs it against the tree before the house and languages
issues) also starts every function as it was at that commit, in the same interleaved
rounds, each tree with its own layer: "not worse than before" is then a ratio of two
medians measured side by side. Both trees' code is compiled to bytecode first, as the
layer is built (Lambda's folders are read-only; a start without .pyc would time the
compiler).
"""

from __future__ import annotations

import argparse
import compileall
import random
import dataclasses
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from devstack.coldstart import BASELINE_CODE, DYNAMODB_CLIENT_CODE, LAYER_DIR, Start, start, start_baseline, start_function
from devstack.template import ROOT, FunctionSpec, functions, load_template

TARGET = 1.3
TIGHT_TARGET = 1.1
TIGHT = {"CountFunction"}
# "Not worse" than the older tree, with room for what two medians of a shared machine differ by.
NOT_WORSE = 1.05


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


@contextmanager
def tree_at(ref: str) -> Iterator[Path]:
    """The repository as it was at `ref`, checked out beside this one for the run."""
    folder = Path(tempfile.mkdtemp(prefix="undersigned-bench-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--quiet", "--detach", str(folder), ref], cwd=ROOT, check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, check=False)


def specs_in(tree: Path) -> tuple[dict[str, FunctionSpec], dict[str, Any]]:
    """The functions of the template in `tree`, their code in `tree`, that have code."""
    template = load_template(tree / "template.yaml")
    specs = {
        name: dataclasses.replace(spec, code_dir=tree / spec.code_dir.relative_to(ROOT))
        for name, spec in functions(template).items()
    }
    return {name: spec for name, spec in specs.items() if spec.module_path.is_file()}, template


def compile_tree(tree: Path) -> None:
    for folder in ("shared", "functions"):
        compileall.compile_dir(str(tree / folder), quiet=1)


def measure(runners: dict[str, Callable[[], Start]], runs: int, seed: int = 10) -> dict[str, list[Start]] | None:
    """One untimed round warms the page cache; then rounds interleave every row, so
    drift in the machine's load spreads over all rows alike, each round in its own
    shuffled order, so that no row always follows another (the older tree's rows after
    this tree's, say) and takes its place in the machine's rhythm."""
    results: dict[str, list[Start]] = {name: [] for name in runners}
    order, shuffle = list(runners), random.Random(seed).shuffle
    for round_number in range(runs + 1):
        shuffle(order)
        for name in order:
            started = runners[name]()
            if started.returncode != 0:
                print(f"{name} failed to start:\n{started.stderr}", file=sys.stderr)
                return None
            if round_number:
                results[name].append(started)
    return results


def function_runners(prefix: str, specs: dict[str, FunctionSpec], with_client: set[str], layer: Path, python: str) -> dict[str, Callable[[], Start]]:
    runners: dict[str, Callable[[], Start]] = {}
    for name, spec in specs.items():
        runners[prefix + name] = lambda spec=spec: start_function(spec, python=python, layer=layer)
        if name in with_client:
            runners[prefix + name + "+client"] = lambda spec=spec: start_function(spec, DYNAMODB_CLIENT_CODE, python, layer)
    return runners


def judged(results: dict[str, list[Start]], row: str) -> list[Start]:
    """The like-for-like figure: with the DynamoDB client where the function makes one."""
    return results.get(row + "+client", results[row])


def report_against_baseline(results: dict[str, list[Start]], specs: dict[str, FunctionSpec], with_client: set[str], python: str) -> None:
    base = median_ms(results["baseline"])
    print(f"cold start: median of {len(results['baseline'])} fresh interpreters per figure ({python})")
    print(f"interpreter alone {median_ms(results['interpreter']):.0f} ms; "
          f"baseline `{BASELINE_CODE}` {base:.0f} ms (fastest {min(s.wall_ms for s in results['baseline']):.0f} ms), "
          f"max RSS {max(s.max_rss_kib for s in results['baseline']) / 1024:.1f} MiB")
    print()
    print(f"{'function':<20}{'import ms':>10}{'ratio':>7}{'+client ms':>12}{'ratio':>7}{'target':>8}{'max RSS MiB':>13}  verdict")
    over = 0
    for name, spec in specs.items():
        imported = median_ms(results[name])
        ratio = median_ms(judged(results, name)) / base
        verdict = "ok" if ratio <= target(spec) else "OVER"
        over += verdict == "OVER"
        client_cols = f"{median_ms(judged(results, name)):>12.0f}{ratio:>6.2f}x" if name in with_client else f"{'-':>12}{'-':>7}"
        rss = max(s.max_rss_kib for s in judged(results, name)) / 1024
        print(f"{name:<20}{imported:>10.0f}{imported / base:>6.2f}x{client_cols}{target(spec):>7.1f}x{rss:>13.1f}  {verdict}")
    print()
    print(f"{over} of {len(specs)} functions over target" if specs else "no function to measure yet")
    print("Ratios, not milliseconds, compare across machines. A busy machine widens the gap between")
    print("the baseline's median and fastest start: run again before believing a verdict.")


def report_against_ref(results: dict[str, list[Start]], ref: str, names: list[str]) -> None:
    print()
    print(f"against {ref} (the same rounds; each tree its own layer; with the client where either makes one)")
    print(f"{'function':<20}{'now ms':>8}{'then ms':>9}{'now/then':>10}  verdict")
    worse = 0
    for name in names:
        now, then = median_ms(judged(results, name)), median_ms(judged(results, "then:" + name))
        verdict = "not worse" if now / then <= NOT_WORSE else "WORSE"
        worse += verdict == "WORSE"
        print(f"{name:<20}{now:>8.0f}{then:>9.0f}{now / then:>9.2f}x  {verdict}")
    print(f"{worse} of {len(names)} functions worse than at {ref} (more than {NOT_WORSE:.2f}x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="timed starts per row (median reported)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to start (default: this one)")
    parser.add_argument("--against", metavar="REF", help="also start every function as it was at this commit")
    parser.add_argument("--only", nargs="+", metavar="FUNCTION", help="these functions only (logical ids)")
    args = parser.parse_args()

    specs, template = specs_in(ROOT)
    specs = {name: spec for name, spec in specs.items() if not args.only or name in args.only}
    with_client = {name for name in specs if uses_dynamodb(name, template)}
    runners: dict[str, Callable[[], Start]] = {
        "interpreter": lambda: start("pass", {}, python=args.python),
        "baseline": lambda: start_baseline(python=args.python),
        **function_runners("", specs, with_client, LAYER_DIR, args.python),
    }
    compile_tree(ROOT)
    if not args.against:
        results = measure(runners, args.runs)
        if results is None:
            return 1
        report_against_baseline(results, specs, with_client, args.python)
        return 0
    with tree_at(args.against) as then_tree:
        compile_tree(then_tree)
        then_specs, then_template = specs_in(then_tree)
        then_specs = {name: spec for name, spec in then_specs.items() if name in specs}
        common = [name for name in specs if name in then_specs]
        then_client = {name for name in common if name in with_client or uses_dynamodb(name, then_template)}
        runners.update(function_runners("then:", {n: then_specs[n] for n in common}, then_client, then_tree / "shared", args.python))
        # A function that makes a client in either tree is judged with it in both.
        for name in common:
            if name in then_client and name + "+client" not in runners:
                runners[name + "+client"] = lambda spec=specs[name]: start_function(spec, DYNAMODB_CLIENT_CODE, args.python)
        results = measure(runners, args.runs)
    if results is None:
        return 1
    report_against_baseline(results, specs, with_client, args.python)
    report_against_ref(results, args.against, common)
    return 0


if __name__ == "__main__":
    sys.exit(main())
