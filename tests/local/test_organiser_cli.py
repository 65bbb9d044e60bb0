"""The organiser's journey with the `undersigned` tool against the local stack (`make dev`)
over HTTP: create a letter, people sign and confirm, watch it, export it, close it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from local.stack_process import mail_to

LETTER = {
    "id": "local-letter",
    "title": "A letter on the local stack",
    "statement": "Signed and counted on loopback.",
    "goal": 3,
    "milestones": [2],
    "public_signatories": True,
}

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def call(method: str, url: str, body: dict | None = None) -> dict:
    answer = requests.request(method, url, json=body, timeout=10)
    answer.raise_for_status()
    return answer.json()


def tool(base: str, *argv: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "undersigned"), "--url", base, *argv]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def sign_and_confirm(base: str, campaign: str, email: str, **fields) -> None:
    call("POST", f"{base}/campaigns/{campaign}/signatures", {"name": email.split("@")[0].title(), "email": email, **fields})
    link = next(link for link in mail_to(base, email)["links"] if "/verify" in link)
    call("POST", f"{base}/verify", {"token": parse_qs(urlsplit(link).query)["token"][0]})


def wait_for_count(base: str, campaign: str, expected: int) -> None:
    for _ in range(100):
        if call("GET", f"{base}/campaigns/{campaign}/count")["count"] == expected:
            return
        time.sleep(0.1)
    pytest.fail(f"the count did not reach {expected}")


def test_an_organiser_runs_a_letter_on_the_local_stack(local_stack, tmp_path):
    base = local_stack.base_url
    letter = tmp_path / "letter.json"
    letter.write_text(json.dumps(LETTER), encoding="utf-8")
    assert tool(base, "create", str(letter)).returncode == 0
    assert "local-letter\topen\t0 of 3" in tool(base, "list").stdout

    sign_and_confirm(base, "local-letter", "ann@example.org", updates=True, source="partner-a", organisation="=SUM(1)")
    sign_and_confirm(base, "local-letter", "bob@example.org")
    wait_for_count(base, "local-letter", 2)

    stats = tool(base, "stats", "local-letter", "--hours", "3").stdout.splitlines()
    assert stats[0].startswith("local-letter: 2 verified of 3")
    assert stats[1].split() == ["organisations", "0"] and stats[2].split() == ["people", "2"]
    assert stats[3] == "per source" and stats[4].split() == ["partner-a", "1"] and "█" in stats[-1]

    exported = tool(base, "export", "local-letter")
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(exported.stdout))}
    assert rows["Ann"]["email"] == "ann@example.org" and rows["Ann"]["organisation"] == "'=SUM(1)"
    assert rows["Bob"]["email"] == "" and "exported 2 of 2" in exported.stderr

    assert tool(base, "close", "local-letter").stdout.strip() == "closed"
    actions = [line.split("\t")[2] for line in tool(base, "audit", "local-letter").stdout.splitlines()]
    assert actions == ["close", "export", "create"]
