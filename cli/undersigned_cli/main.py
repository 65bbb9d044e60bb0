"""undersigned: run open letters from the command line.

  undersigned [--url URL] [--unsigned | --signed] [--region R] COMMAND ...

URL defaults to $UNDERSIGNED_URL. A loopback URL (the local stack, `make dev`) is called
unsigned; any other is SigV4-signed with your AWS credentials (profile, environment or
role), as the admin routes require.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from undersigned_cli.client import CliError, Client
from undersigned_cli.output import CsvExport, Progress, sparkline

Command = Callable[[Client, argparse.Namespace], int]


def _campaign(campaign_id: str) -> str:
    return f"/admin/campaigns/{quote(campaign_id, safe='')}"


def _signature(args: argparse.Namespace, action: str) -> str:
    return f"{_campaign(args.campaign)}/signatures/{quote(args.signer, safe='')}/{action}"


def _print(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _read_document(path: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        document = json.loads(text)
    except (OSError, ValueError) as error:
        raise CliError(f"{path}: {error}") from None
    if not isinstance(document, dict):
        raise CliError(f"{path}: must hold a JSON object")
    return document


def _assignments(pairs: list[str]) -> dict[str, Any]:
    """`goal=500`, `title=Clean air`, `milestones=[100,250]`: JSON where it parses, text otherwise."""
    changes: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep:
            raise CliError(f"--set {pair!r}: write it as name=value")
        try:
            changes[name] = json.loads(text)
        except ValueError:
            changes[name] = text
    return changes


def _pages(client: Client, path: str, query: dict[str, Any]):
    cursor = None
    while True:
        page = client.call("GET", path, query={**query, "cursor": cursor})
        yield page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return


# ---------------------------------------------------------------- commands
def cmd_list(client: Client, args: argparse.Namespace) -> int:
    for items in _pages(client, "/admin/campaigns", {"limit": 100}):
        for item in items:
            goal = f" of {item['goal']:,}" if item.get("goal") else ""
            print(f"{item['id']}\t{item['status']}\t{item['count']:,}{goal}\t{item['title']}")
    return 0


def cmd_show(client: Client, args: argparse.Namespace) -> int:
    _print(client.call("GET", _campaign(args.campaign)))
    return 0


def cmd_create(client: Client, args: argparse.Namespace) -> int:
    created = client.call("POST", "/admin/campaigns", _read_document(args.file))
    print(f"created {created['id']} ({created['status']})", file=sys.stderr)
    _print(created)
    return 0


def cmd_update(client: Client, args: argparse.Namespace) -> int:
    changes = _read_document(args.file) if args.file else {}
    changes.update(_assignments(args.set or []))
    if not changes:
        raise CliError("Nothing to change: give a JSON file and/or --set name=value.")
    _print(client.call("PATCH", _campaign(args.campaign), changes))
    return 0


def cmd_close(client: Client, args: argparse.Namespace) -> int:
    print(client.call("POST", f"{_campaign(args.campaign)}/close")["status"])
    return 0


def cmd_reopen(client: Client, args: argparse.Namespace) -> int:
    print(client.call("POST", f"{_campaign(args.campaign)}/reopen")["status"])
    return 0


def cmd_signatures(client: Client, args: argparse.Namespace) -> int:
    for items in _pages(client, f"{_campaign(args.campaign)}/signatures", {"state": args.state, "limit": 100}):
        for item in items:
            print(json.dumps(item, ensure_ascii=False))
    return 0


def signature_action(action: str) -> Callable[[Client, argparse.Namespace], int]:
    """The command for one of the admin API's actions on a signature (hide, feature, ...):
    it prints the answer's status."""

    def run(client: Client, args: argparse.Namespace) -> int:
        print(client.call("POST", _signature(args, action))["status"])
        return 0

    return run


def cmd_invalidate(client: Client, args: argparse.Namespace) -> int:
    criteria = {
        "email_domain": args.email_domain,
        "caller_hash": args.caller_hash,
        "created_from": args.created_from,
        "created_until": args.created_until,
    }
    criteria = {name: value for name, value in criteria.items() if value is not None}
    if not criteria:
        raise CliError("Say what to invalidate: --email-domain, --caller-hash, --from and/or --until.")
    if not args.yes:
        raise CliError(f"This ends every matching signature of {args.campaign} for good: add --yes to go ahead.")
    total, cursor = 0, None
    while True:
        page = client.call("POST", f"{_campaign(args.campaign)}/invalidations", {**criteria, "cursor": cursor})
        total += page["invalidated"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    print(f"invalidated {total:,} signature(s); the count follows within seconds")
    return 0


def cmd_audit(client: Client, args: argparse.Namespace) -> int:
    for items in _pages(client, f"{_campaign(args.campaign)}/audit", {"limit": 100}):
        for item in items:
            extra = {k: v for k, v in item.items() if k not in ("when", "who", "action", "campaign_id")}
            print(f"{item['when']}\t{item['who']}\t{item['action']}" + (f"\t{json.dumps(extra)}" if extra else ""))
    return 0


def cmd_export(client: Client, args: argparse.Namespace) -> int:
    total = client.call("GET", _campaign(args.campaign))["count"]
    progress = Progress(total, "exported")
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout  # noqa: SIM115
    try:
        export = CsvExport(out)
        progress.show(0)
        for items in _pages(client, f"{_campaign(args.campaign)}/export", {"limit": args.page_size}):
            export.write(items)
            progress.show(export.rows)
        progress.finish(export.rows)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def cmd_stats(client: Client, args: argparse.Namespace) -> int:
    public = f"/campaigns/{quote(args.campaign, safe='')}"
    count = client.call("GET", f"{public}/count")
    sources = client.call("GET", f"{public}/count/sources")
    countries = client.call("GET", f"{public}/count/countries")
    history = client.call("GET", f"{public}/count/history", query={"hours": args.hours})
    goal = f" of {count['goal']:,} ({100 * count['count'] // count['goal']}%)" if count.get("goal") else ""
    print(f"{args.campaign}: {count['count']:,} verified{goal}, as of {count['updated_at']}")
    people = count["count"] - count.get("organisations", 0)
    print(f"  {'organisations':<24} {count.get('organisations', 0):>8,}")
    print(f"  {'people':<24} {people:>8,}")
    print("per source")
    _ranked(sources["sources"], ("(no source)", sources["unattributed"]))
    print("per country")
    _ranked(countries["countries"], ("(no country)", countries["unspecified"]))
    per_hour = [hour["verified"] for hour in history["hours"]]
    print(f"last {len(per_hour)} h  {sparkline(per_hour)}  {sum(per_hour):,} verified, peak {max(per_hour, default=0):,}/h")
    return 0


def _ranked(numbers: dict[str, int], rest: tuple[str, int]) -> None:
    for name, number in [*sorted(numbers.items(), key=lambda item: (-item[1], item[0])), rest]:
        print(f"  {name:<24} {number:>8,}")


# ---------------------------------------------------------------- parsing
def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="undersigned", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--url", default=os.environ.get("UNDERSIGNED_URL"), help="the API's base URL (default $UNDERSIGNED_URL)")
    signing = top.add_mutually_exclusive_group()
    signing.add_argument("--signed", dest="sign", action="store_const", const=True, help="SigV4-sign even a loopback URL")
    signing.add_argument("--unsigned", dest="sign", action="store_const", const=False, help="never sign (local stack)")
    top.add_argument("--region", help="the API's region, if its URL does not say (custom domains)")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Command, text: str, *, campaign: bool = True, signer: bool = False) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        if campaign:
            sub.add_argument("campaign", help="the campaign's id")
        if signer:
            sub.add_argument("signer", help="the signature's `signer` key, as `signatures` lists it")
        sub.set_defaults(handler=handler)
        return sub

    command("list", cmd_list, "list every campaign: id, status, count, title", campaign=False)
    command("show", cmd_show, "a campaign's settings and count (JSON)")
    command("create", cmd_create, "create a campaign from a JSON file ('-' reads stdin)", campaign=False).add_argument("file")
    update = command("update", cmd_update, "change a campaign's settings from a JSON file and/or --set name=value")
    update.add_argument("file", nargs="?")
    update.add_argument("--set", action="append", metavar="NAME=VALUE", help="e.g. --set goal=5000 --set 'milestones=[1000,2500]'")
    command("close", cmd_close, "close a campaign: it stops taking signatures")
    command("reopen", cmd_reopen, "reopen a closed campaign")
    command("signatures", cmd_signatures, "list signatures for review (JSON lines)").add_argument(
        "--state", help="only this state, e.g. quarantined"
    )
    command("hide", signature_action("hide"), "hide a signatory from the public list (stays counted)", signer=True)
    command("feature", signature_action("feature"), "feature a listed signatory (the public list's featured=true)", signer=True)
    command("unfeature", signature_action("unfeature"), "stop featuring a signatory (it stays listed)", signer=True)
    command("release", signature_action("release"), "release a quarantined signature: it is counted (and listed if public)", signer=True)
    command("discard", signature_action("discard"), "discard a quarantined signature: erased, never counted", signer=True)
    invalidate = command("invalidate", cmd_invalidate, "end matching signatures in bulk; the count follows")
    invalidate.add_argument("--email-domain", help="addresses at this domain, e.g. spam.example")
    invalidate.add_argument("--caller-hash", help="signatures from this caller-address hash (as `signatures` shows)")
    invalidate.add_argument("--from", dest="created_from", metavar="INSTANT", help="submitted at or after, e.g. 2026-11-28T13:00:00Z")
    invalidate.add_argument("--until", dest="created_until", metavar="INSTANT", help="submitted at or before")
    invalidate.add_argument("--yes", action="store_true", help="really do it")
    command("audit", cmd_audit, "who did what to a campaign, newest first")
    export = command("export", cmd_export, "verified signers as CSV (only what each consented to share)")
    export.add_argument("-o", "--output", help="write to this file (default: stdout)")
    export.add_argument("--page-size", type=int, default=500, help=argparse.SUPPRESS)
    command("stats", cmd_stats, "count, organisations, per-source and per-country counts, a sparkline per hour").add_argument(
        "--hours", type=int, default=48, help="hours of history (default 48)"
    )
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not args.url:
        print("undersigned: give the API's base URL with --url or UNDERSIGNED_URL", file=sys.stderr)
        return 2
    try:
        return args.handler(Client(args.url, sign=args.sign, region=args.region), args)
    except CliError as error:
        print(f"undersigned: {error}", file=sys.stderr)
        return 1
